"""Title autofill and its SSRF defences.

Positive cases run against a local HTTP server on 127.0.0.1, reachable only because the
tests switch FALSIFIABLE_FETCH_ALLOW_LOOPBACK on. No test sends traffic anywhere else:
the guard fixture fails any connection to a non-loopback address, and refusals must
happen before connecting at all.
"""

import codecs
import contextlib
import gzip
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from config import settings as project_settings
from sources import fetch
from sources.fetch import (
    MSG_BAD_REDIRECT,
    MSG_BLOCKED,
    MSG_BUSY,
    MSG_DNS,
    MSG_RATE,
    MSG_REDIRECTS,
    MSG_STATUS,
    MSG_TIMEOUT,
    FetchError,
    address_allowed,
    fetch_page_info,
)
from sources.normalise import MSG_URL_SCHEME

PAGE = (
    b"<!doctype html><html><head>"
    b'<meta property="og:title" content="GPT-4 kommt n&auml;chste Woche &amp; mehr">'
    b'<meta property="og:site_name" content="heise online">'
    b"<title>Fallback title</title></head><body>x</body></html>"
)
FILLER = b"<!-- " + b"x" * (1536 * 1024) + b" -->"


class Handler(BaseHTTPRequestHandler):
    """Routes for the tests; every request is recorded on the server."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep test output clean
        pass

    def send_body(self, body: bytes, content_type="text/html; charset=utf-8", status=200, **hdr):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in hdr.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client stopped reading (size cap)
            self.wfile.write(body)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Host")))
        path = self.path
        if path == "/page":
            self.send_body(PAGE)
        elif path == "/title-only":
            self.send_body(b"<html><head><title>\n  Plain\n  title </title></head></html>")
        elif path == "/no-title":
            self.send_body(b"<html><body><p>Nothing here</p></body></html>")
        elif path == "/latin1":
            self.send_body(
                "<title>Über Prognosen</title>".encode("latin-1"), "text/html; charset=iso-8859-1"
            )
        elif path == "/meta-charset":
            self.send_body(
                '<meta charset="windows-1252"><title>Caf\xe9</title>'.encode("cp1252"), "text/html"
            )
        elif path.startswith("/charset/"):  # /charset/<label> in the header
            label = path.rsplit("/", 1)[1]
            self.send_body(
                b"<title>Declared " + label.encode() + b"</title>", f"text/html; charset={label}"
            )
        elif path.startswith("/meta/"):  # /meta/<label> in a <meta> tag
            label = path.rsplit("/", 1)[1].encode()
            self.send_body(
                b'<meta charset="' + label + b'"><title>Meta ' + label + b"</title>", "text/html"
            )
        elif path == "/punycode":
            # Python's punycode decoder is quadratic: this megabyte took 86 s of CPU.
            body = b"<title>Crafted</title>-" + b"a" * (fetch.MAX_BYTES - 23)
            self.send_body(body, "text/html; charset=punycode")
        elif path == "/koi8":
            self.send_body("<title>Прогноз</title>".encode("koi8-r"), "text/html; charset=koi8-r")
        elif path == "/xhtml":
            self.send_body(b"<title>XHTML page</title>", "application/xhtml+xml")
        elif path == "/gzip":
            self.send_body(gzip.compress(PAGE), Content_Encoding="gzip")
        elif path == "/json":
            self.send_body(b'{"title": "not html"}', "application/json")
        elif path == "/image":
            self.send_body(b"\x89PNG\r\n\x1a\n", "image/png")
        elif path == "/no-type":
            self.send_body(b"<title>Untyped</title>", None)
        elif path == "/missing":
            self.send_body(b"<title>Not found</title>", status=404)
        elif path == "/big-late-title":
            self.send_body(b"<html><head>" + FILLER + b"<title>Too late</title></head></html>")
        elif path == "/big-early-title":
            self.send_body(b"<html><head><title>Early</title></head>" + FILLER + b"</html>")
        elif path == "/slow":
            time.sleep(2)
            self.send_body(PAGE)
        elif path == "/to-page":
            self.redirect("/page")
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect("/page" if left == 0 else f"/chain/{left - 1}")
        elif path == "/to-private":
            self.redirect("http://10.0.0.1/admin")
        elif path == "/to-metadata":
            self.redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/to-javascript":
            self.redirect("javascript:alert(1)")
        else:
            self.send_body(b"<title>unknown</title>", status=404)


class SlowHandler(Handler):
    """Every page takes a second; counts how many requests it serves at once."""

    active = 0
    most = 0
    lock = threading.Lock()

    def do_GET(self):
        cls = type(self)
        with cls.lock:
            cls.active += 1
            cls.most = max(cls.most, cls.active)
        try:
            time.sleep(1)
            self.send_body(PAGE)
        finally:
            with cls.lock:
                cls.active -= 1


class DripHandler(Handler):
    """Sends its status line one byte at a time: each read is quick, the whole is slow."""

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Host")))
        try:
            for byte in b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def _serve(handler):
    server = QuietServer(("127.0.0.1", 0), handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module")
def server():
    server = _serve(Handler)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def base(server):
    server.requests.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Records every connection; any to a non-loopback address fails the test at once."""
    opened = []
    real_open = fetch._open_socket

    def guarded(address, port, timeout):
        opened.append(address)
        if not ipaddress.ip_address(address).is_loopback:
            pytest.fail(f"the fetcher tried to connect to {address}")
        return real_open(address, port, timeout)

    monkeypatch.setattr(fetch, "_open_socket", guarded)
    return opened


@pytest.fixture
def allow_loopback(settings):
    settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK = True


@pytest.fixture
def refuse_loopback(settings):
    settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK = False


def fake_dns(monkeypatch, answers: dict[str, list[str]]):
    """Makes getaddrinfo answer names from `answers` (no DNS traffic) and counts lookups.

    IP literals (as socket.create_connection passes them) go to the real, numeric-only
    lookup, which involves no traffic either.
    """
    calls = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return real(host, port, *args, flags=socket.AI_NUMERICHOST)
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in answers[host]
        ]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", getaddrinfo)
    return calls


def refused(url: str) -> str:
    with pytest.raises(FetchError) as info:
        fetch_page_info(url)
    return info.value.message


# --- what is fetched -------------------------------------------------------------------


@pytest.mark.usefixtures("allow_loopback")
class TestFetching:
    def test_og_title_and_site_name_win(self, base):
        info = fetch_page_info(f"{base}/page")
        assert info.title == "GPT-4 kommt nächste Woche & mehr"
        assert info.publisher == "heise online"
        assert info.url == f"{base}/page"

    def test_title_tag_and_host_are_the_fallbacks(self, base):
        info = fetch_page_info(f"{base}/title-only")
        assert info.title == "Plain title"
        assert info.publisher == "127.0.0.1"

    def test_page_without_title(self, base):
        assert fetch_page_info(f"{base}/no-title").title == ""

    def test_charset_from_header_and_from_meta(self, base):
        assert fetch_page_info(f"{base}/latin1").title == "Über Prognosen"
        assert fetch_page_info(f"{base}/meta-charset").title == "Café"

    def test_xhtml_and_gzip_are_read(self, base):
        assert fetch_page_info(f"{base}/xhtml").title == "XHTML page"
        assert fetch_page_info(f"{base}/gzip").publisher == "heise online"

    def test_redirects_are_followed_up_to_three(self, base):
        info = fetch_page_info(f"{base}/chain/2")  # 3 redirects: chain/2 -> 1 -> 0 -> page
        assert info.title.startswith("GPT-4")
        assert info.url == f"{base}/page"

    def test_more_than_three_redirects_are_refused(self, base, server):
        assert refused(f"{base}/chain/3") == MSG_REDIRECTS
        assert len(server.requests) == 4  # the fifth hop is never requested

    def test_connects_to_the_checked_address_and_sends_the_host_name(
        self, base, server, monkeypatch, connections
    ):
        port = server.server_address[1]
        lookups = fake_dns(monkeypatch, {"pinned.example": ["127.0.0.1"]})
        info = fetch_page_info(f"http://pinned.example:{port}/page")
        assert info.title.startswith("GPT-4")
        assert lookups == ["pinned.example"]  # resolved once, never again at connect time
        assert connections == ["127.0.0.1"]
        assert server.requests == [("/page", f"pinned.example:{port}")]

    def test_only_html_is_read(self, base):
        assert refused(f"{base}/json") == fetch.MSG_NOT_HTML.format(content_type="application/json")
        assert "image/png" in refused(f"{base}/image")
        assert "text/plain" in refused(f"{base}/no-type")  # no type is not HTML

    def test_error_status(self, base):
        assert refused(f"{base}/missing") == MSG_STATUS.format(status=404)

    def test_reads_at_most_one_megabyte(self, base):
        # The title sits after 1.5 MB of filler: a capped reader never sees it...
        assert fetch_page_info(f"{base}/big-late-title").title == ""
        # ...while one near the top of a large page is found.
        assert fetch_page_info(f"{base}/big-early-title").title == "Early"

    def test_read_capped_stops_at_the_cap(self, monkeypatch, base):
        seen = []
        real = fetch._read_capped

        def spy(response, sock, deadline):
            body = real(response, sock, deadline)
            seen.append(len(body))
            return body

        monkeypatch.setattr(fetch, "_read_capped", spy)
        fetch_page_info(f"{base}/big-late-title")
        assert seen == [fetch.MAX_BYTES]

    def test_slow_server_times_out(self, base, monkeypatch):
        monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.5)
        started = time.monotonic()
        assert refused(f"{base}/slow") == MSG_TIMEOUT
        assert time.monotonic() - started < 1.5

    def test_dripping_server_times_out_on_the_whole_not_per_read(self, monkeypatch):
        monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.5)
        drip = _serve(DripHandler)
        try:
            started = time.monotonic()
            assert refused(f"http://127.0.0.1:{drip.server_address[1]}/") == MSG_TIMEOUT
            assert time.monotonic() - started < 1.5
        finally:
            drip.shutdown()
            drip.server_close()

    @pytest.mark.parametrize("where", ["charset", "meta"])
    @pytest.mark.parametrize("label", ["idna", "undefined", "punycode", "rot13", "base64", "zlib"])
    def test_a_declared_non_web_encoding_is_read_as_utf8(self, base, where, label):
        info = fetch_page_info(f"{base}/{where}/{label}")
        assert label in info.title

    def test_a_crafted_punycode_megabyte_is_read_within_the_deadline(self, base):
        started = time.monotonic()
        info = fetch_page_info(f"{base}/punycode")
        assert info.title == "Crafted"
        assert time.monotonic() - started < fetch.TIMEOUT_SECONDS

    def test_web_encodings_by_any_of_their_labels(self, base):
        assert fetch_page_info(f"{base}/koi8").title == "Прогноз"
        assert fetch.web_codec(" Latin1 ") == "cp1252"  # as browsers read it
        assert fetch.web_codec("x-sjis") == "shift_jis"
        assert fetch.web_codec("utf-7") == "utf-8"  # not a web encoding
        for codec in set(fetch.WEB_ENCODING_LABELS.values()):
            assert codecs.lookup(codec)  # Python has each

    def test_slow_dns_is_bounded_by_the_deadline(self, monkeypatch):
        monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.5)
        monkeypatch.setattr(fetch.socket, "getaddrinfo", lambda *a, **k: time.sleep(3))
        started = time.monotonic()
        assert refused("https://slow-dns.example/") == MSG_TIMEOUT
        assert time.monotonic() - started < 1.0

    def test_unknown_host(self, monkeypatch):
        fake_dns(monkeypatch, {})
        assert refused("https://no-such-host.example/") == MSG_DNS


# --- SSRF: what is refused -------------------------------------------------------------


@pytest.mark.usefixtures("refuse_loopback")
class TestRefusals:
    """Without the test-only setting, nothing local or private is ever contacted."""

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:{port}/page",
            "http://[::1]:{port}/page",
            "http://localhost:{port}/page",  # a host name that resolves to loopback
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0:{port}/",
            "http://[::ffff:127.0.0.1]:{port}/",
        ],
    )
    def test_local_and_private_addresses(self, url, server, connections):
        port = server.server_address[1]
        server.requests.clear()
        assert refused(url.format(port=port)) == MSG_BLOCKED
        assert connections == []
        assert server.requests == []

    def test_host_name_resolving_to_a_private_address(self, monkeypatch, connections):
        fake_dns(monkeypatch, {"intranet.example": ["10.1.2.3"]})
        assert refused("https://intranet.example/wiki") == MSG_BLOCKED
        assert connections == []

    def test_host_with_one_public_and_one_private_address(self, monkeypatch, connections):
        fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "192.168.1.1"]})
        assert refused("https://mixed.example/") == MSG_BLOCKED
        assert connections == []

    def test_host_name_resolving_to_metadata_address(self, monkeypatch, connections):
        fake_dns(monkeypatch, {"metadata.example": ["169.254.169.254"]})
        assert refused("http://metadata.example/") == MSG_BLOCKED
        assert connections == []

    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "data:text/html,<title>x</title>", "file:///etc/passwd"]
    )
    def test_other_schemes(self, url, connections):
        scheme = url.split(":", 1)[0]
        assert refused(url) == MSG_URL_SCHEME.format(scheme=scheme)
        assert connections == []


@pytest.mark.usefixtures("allow_loopback")
class TestRedirectRefusals:
    """Even with loopback allowed (to reach the test server), redirects are re-checked."""

    def test_redirect_to_a_private_address(self, base, connections):
        assert refused(f"{base}/to-private") == MSG_BLOCKED
        assert connections == ["127.0.0.1"]  # the test server only; 10.0.0.1 never

    def test_redirect_to_the_metadata_address(self, base, connections):
        assert refused(f"{base}/to-metadata") == MSG_BLOCKED
        assert connections == ["127.0.0.1"]

    def test_redirect_to_a_host_name_resolving_privately(self, base, monkeypatch, server):
        # /to-private redirects to 10.0.0.1 by literal; this one does it by name.
        lookups = fake_dns(monkeypatch, {"internal.example": ["10.9.9.9"]})
        server_port = server.server_address[1]
        original = Handler.do_GET

        def to_internal(handler):
            if handler.path == "/to-internal":
                handler.server.requests.append((handler.path, handler.headers.get("Host")))
                return handler.redirect("http://internal.example/")
            return original(handler)

        monkeypatch.setattr(Handler, "do_GET", to_internal)
        assert refused(f"http://127.0.0.1:{server_port}/to-internal") == MSG_BLOCKED
        assert lookups == ["internal.example"]

    def test_redirect_to_another_scheme(self, base):
        assert refused(f"{base}/to-javascript") == MSG_BAD_REDIRECT

    def test_loopback_allowance_does_not_open_private_ranges(self, connections):
        assert refused("http://10.0.0.1/") == MSG_BLOCKED
        assert refused("http://169.254.169.254/") == MSG_BLOCKED
        assert connections == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 spelling of 169.254.169.254
        ("2002:7f00:1::", False),  # 6to4 spelling of 127.0.0.1
        ("2001:db8::1", False),  # documentation range
        ("fec0::1", False),  # site-local
        ("feff:ffff::1", False),
        ("::ffff:fec0:1", False),
    ],
)
def test_address_allowed(address, allowed, settings):
    settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK = False
    assert address_allowed(address) is allowed


def test_loopback_allowance_covers_loopback_only(settings):
    settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK = True
    assert address_allowed("127.0.0.1")
    assert address_allowed("::1")
    assert not address_allowed("10.0.0.1")
    assert not address_allowed("0.0.0.0")


def test_loopback_is_refused_by_default():
    """The project's settings (not a test override) refuse loopback."""
    assert project_settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK is False
    assert django_settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK is False


# --- bounds on fetching as a whole -----------------------------------------------------


@pytest.fixture
def slow_base(allow_loopback):
    slow = _serve(SlowHandler)
    SlowHandler.active = SlowHandler.most = 0
    yield f"http://127.0.0.1:{slow.server_address[1]}"
    slow.shutdown()
    slow.server_close()


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("clean_cache")
def test_parallel_fetches_of_a_slow_page_are_bounded_and_the_rest_told_at_once(slow_base):
    results: list = []

    def one():
        started = time.monotonic()
        try:
            fetch_page_info(f"{slow_base}/page")
            results.append(("ok", time.monotonic() - started))
        except FetchError as exc:
            results.append((exc.message, time.monotonic() - started))

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SlowHandler.most == fetch.MAX_CONCURRENT_FETCHES
    assert sorted(outcome for outcome, _ in results) == sorted(
        ["ok"] * fetch.MAX_CONCURRENT_FETCHES + [MSG_BUSY] * (6 - fetch.MAX_CONCURRENT_FETCHES)
    )
    assert all(took < 0.5 for outcome, took in results if outcome == MSG_BUSY)
    assert fetch_page_info(f"{slow_base}/page").title  # the slots are free again


@pytest.mark.usefixtures("clean_cache")
def test_a_slot_left_by_a_killed_worker_expires_after_the_deadline(slow_base, monkeypatch):
    for number in range(fetch.MAX_CONCURRENT_FETCHES):
        cache.add(f"title-fetch:slot:{number}", 1, 1)  # as if held, expiring in a second
    assert refused(f"{slow_base}/page") == MSG_BUSY
    time.sleep(1.1)
    assert fetch_page_info(f"{slow_base}/page").title


@pytest.mark.usefixtures("clean_cache")
def test_each_user_may_fetch_ten_titles_a_minute():
    for _ in range(fetch.FETCHES_PER_MINUTE):
        fetch.limit_fetch_rate(7)
    with pytest.raises(FetchError) as info:
        fetch.limit_fetch_rate(7)
    assert info.value.message == MSG_RATE
    fetch.limit_fetch_rate(8)  # someone else is not affected


@pytest.mark.django_db
@pytest.mark.usefixtures("clean_cache", "allow_loopback")
def test_the_fetch_view_stops_a_user_after_ten_fetches_a_minute(client, base):
    from tests.predictions.factories import PredictionFactory, UserFactory

    user = UserFactory()
    prediction = PredictionFactory(owner=user)
    client.force_login(user)
    url = reverse("sources:evidence_fetch_title", args=[prediction.pk])

    def fetch_title():
        data = {"evidence-url": f"{base}/page", "evidence-stance": "supports"}
        return client.post(url, data, headers={"HX-Request": "true"}).content.decode()

    for _ in range(fetch.FETCHES_PER_MINUTE):
        assert "heise online" in fetch_title()
    html = fetch_title()
    assert "wait a minute" in html
    assert "heise online" not in html
