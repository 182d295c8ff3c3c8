"""Title autofill: fetch a page's title and publisher without opening an SSRF hole.

The server fetches a URL a user typed, so the URL must not be able to reach anything
but the public web: no loopback, private, link-local (cloud metadata), multicast,
reserved or unspecified address. The host is resolved once per hop, every address is
checked, and the connection goes to the checked address (never re-resolving, so a
DNS answer cannot change between check and use). Redirects are followed by hand, each
target checked again. Time, size and content type are bounded.

Fetches are bounded as a whole too, so slow sites cannot hold every worker: at most
MAX_CONCURRENT_FETCHES run at once (further ones are told to try again at once, never
queued) and each user may start FETCHES_PER_MINUTE. Both counts live in the cache, which
is shared by every worker when DJANGO_CACHE_URL points at Redis.

Tests alone set FALSIFIABLE_FETCH_ALLOW_LOOPBACK to reach a server on 127.0.0.1.
"""

import codecs
import contextlib
import http.client
import ipaddress
import math
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from sources.normalise import display_host, normalise_url

TIMEOUT_SECONDS = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Falsifiable/1.0 (title autofill)"
TITLE_MAX_LENGTH = 500
PUBLISHER_MAX_LENGTH = 200
MAX_CONCURRENT_FETCHES = 2
FETCHES_PER_MINUTE = 10

MSG_BLOCKED = (
    "That address belongs to a private or local network; titles are only fetched from "
    "public web sites."
)
MSG_DNS = "That host name could not be found."
MSG_CONNECT = "Could not connect to the site."
MSG_TLS = "The site's secure connection could not be verified."
MSG_TIMEOUT = f"The site took longer than {TIMEOUT_SECONDS:g} seconds to answer."
MSG_REDIRECTS = f"The link redirects more than {MAX_REDIRECTS} times."
MSG_BAD_REDIRECT = "The site redirected to an address that is not a web page."
MSG_STATUS = "The site answered with an error (HTTP {status})."
MSG_NOT_HTML = "That link is not a web page ({content_type}); type the title yourself."
MSG_UNREADABLE = "The page could not be read."
MSG_BUSY = "Titles are being fetched for others right now; try again in a few seconds."
MSG_RATE = (
    f"You fetched {FETCHES_PER_MINUTE} titles in the last minute; wait a minute or type "
    "the title yourself."
)

# NAT64 prefix: an IPv6 address here stands for the IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """The fetch failed; `message` is safe and meant to be shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PageInfo:
    url: str  # the final URL, after redirects
    title: str  # og:title, else <title>, else ""
    publisher: str  # og:site_name, else the host


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_allowed(address: str) -> bool:
    """True if the server may connect to this IP address (a public one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not address_allowed(str(embedded)):
            return False
    if ip.is_loopback:
        return bool(settings.FALSIFIABLE_FETCH_ALLOW_LOOPBACK)
    # fec0::/10 (site-local, deprecated but still routed inside some networks) counts
    # as global for the ipaddress module, so it is named here.
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    refused = (
        site_local
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
    return not refused


# getaddrinfo has no timeout of its own; it runs here so the caller can stop waiting at
# the deadline. A lookup that hangs keeps its thread, but never more than these.
_RESOLVER = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_FETCHES * 2, thread_name_prefix="dns")


def _resolve(host: str, port: int, deadline: float) -> str:
    """The address to connect to; FetchError unless every address of the host is public."""
    lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=_remaining(deadline))
    except TimeoutError as exc:
        lookup.cancel()
        raise FetchError(MSG_TIMEOUT) from exc
    except (OSError, UnicodeError) as exc:
        raise FetchError(MSG_DNS) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(MSG_DNS)
    # All, not any: a host with one public and one private record is refused.
    if not all(address_allowed(address) for address in addresses):
        raise FetchError(MSG_BLOCKED)
    return addresses[0]


def _open_socket(address: str, port: int, timeout: float | None) -> socket.socket:
    """The one place a connection is opened (tests watch it to prove none leaks out)."""
    return socket.create_connection((address, port), timeout=timeout)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an already checked address, with the host name in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _open_socket(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an already checked address; the certificate is checked for the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = _open_socket(self.address, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class _Response:
    location: str | None = None
    body: bytes = b""
    charset: str | None = None


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(MSG_TIMEOUT)
    return left


def _read_capped(response: http.client.HTTPResponse, sock, deadline: float) -> bytes:
    """At most MAX_BYTES of the body, read in pieces so the deadline is checked as it goes."""
    chunks: list[bytes] = []
    total = 0
    while total < MAX_BYTES:
        if sock is not None:
            sock.settimeout(_remaining(deadline))
        chunk = response.read1(min(64 * 1024, MAX_BYTES - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _decode_content(body: bytes, encoding: str) -> bytes:
    """Undoes gzip/deflate (sent despite our "identity"), never expanding past MAX_BYTES."""
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(MSG_UNREADABLE)
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(body, MAX_BYTES)
    except zlib.error as exc:
        raise FetchError(MSG_UNREADABLE) from exc


def _request(url: str, deadline: float) -> _Response:
    """One GET to a checked address: a redirect's Location, or an HTML body."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _resolve(host, port, deadline)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(
        f"[{host}]" if ":" in host else host,
        port,
        address=address,
        timeout=_remaining(deadline),
    )
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    # Socket timeouts bound each read; the watchdog bounds the whole exchange, so a
    # server dripping one header byte every few seconds cannot hold a worker for long.
    watchdog = threading.Timer(_remaining(deadline), _abort, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "GET",
            target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9",
                "Accept-Encoding": "identity",
            },
        )
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            return _Response(location=response.getheader("Location") or "")
        if response.status != 200:
            raise FetchError(MSG_STATUS.format(status=response.status))
        content_type = response.headers.get_content_type()
        if content_type not in HTML_TYPES:
            raise FetchError(MSG_NOT_HTML.format(content_type=content_type))
        body = _read_capped(response, connection.sock, deadline)
        _remaining(deadline)  # a body cut short by the watchdog is a timeout, not a page
        encoding = (response.getheader("Content-Encoding") or "").strip().lower()
        return _Response(
            body=_decode_content(body, encoding), charset=response.headers.get_content_charset()
        )
    except (OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
            raise FetchError(MSG_TIMEOUT) from exc
        if isinstance(exc, ssl.SSLError):
            raise FetchError(MSG_TLS) from exc
        raise FetchError(MSG_CONNECT) from exc
    finally:
        watchdog.cancel()
        connection.close()


def _abort(connection: http.client.HTTPConnection) -> None:
    """Wakes a read blocked on a slow server once the deadline has passed."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _HeadParser(HTMLParser):
    """Collects og:title, og:site_name and the first <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og_title = ""
        self.og_site_name = ""
        self.title_parts: list[str] = []
        self._in_title = False
        self._title_seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._title_seen:
            self._in_title = True
        elif tag == "meta":
            values = {name.lower(): value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key == "og:title" and not self.og_title:
                self.og_title = values.get("content", "")
            elif key == "og:site_name" and not self.og_site_name:
                self.og_site_name = values.get("content", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._title_seen = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I)

# The WHATWG Encoding Standard's labels (https://encoding.spec.whatwg.org/#names-and-labels)
# for the encodings Python decodes, by the codec that decodes them. Only these are used:
# a page may name any codec Python has ("idna" raises, "punycode" takes minutes on a
# crafted megabyte), and browsers would not honour those names either.
_WEB_ENCODINGS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 "
    "iso_8859-2:1987 l2 latin2",
    "iso8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 "
    "iso_8859-3:1988 l3 latin3",
    "iso8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 "
    "iso_8859-4:1988 l4 latin4",
    "iso8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
    "iso_8859-5 iso_8859-5:1988",
    "iso8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 "
    "iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 "
    "iso_8859-6:1987",
    "iso8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
    "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
    "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "mac-roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 "
    "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gbk": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    "gb18030": "gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "shift_jis": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
    "utf-16-be": "unicodefffe utf-16be",
    "utf-16-le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
}
WEB_ENCODING_LABELS = {
    label: codec for codec, labels in _WEB_ENCODINGS.items() for label in labels.split()
}


def web_codec(label: str | None) -> str:
    """The Python codec for a page's declared charset; UTF-8 for anything else."""
    return WEB_ENCODING_LABELS.get((label or "").strip().lower(), "utf-8")


def _decode_html(body: bytes, charset: str | None) -> str:
    codec = web_codec(charset)
    if not charset:
        match = _META_CHARSET.search(body[:4096])
        codec = web_codec(match.group(1).decode("ascii") if match else None)
        # A <meta> read as ASCII cannot be in UTF-16 (the standard's rule too).
        if codec.startswith("utf-16"):
            codec = "utf-8"
    return codecs.decode(body, codec, errors="replace")


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def parse_page_info(url: str, html: str) -> PageInfo:
    """Title and publisher from an HTML document (og: tags first, as sites intend)."""
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    title = parser.og_title.strip() or "".join(parser.title_parts)
    publisher = parser.og_site_name.strip() or display_host(url)
    return PageInfo(
        url=url,
        title=_one_line(title, TITLE_MAX_LENGTH),
        publisher=_one_line(publisher, PUBLISHER_MAX_LENGTH),
    )


@contextlib.contextmanager
def _fetch_slot() -> Iterator[None]:
    """One of MAX_CONCURRENT_FETCHES slots, or FetchError(MSG_BUSY) at once.

    A slot is a cache key added atomically; it expires on its own shortly after the
    deadline, so a worker killed mid-fetch cannot keep its slot.
    """
    expiry = math.ceil(TIMEOUT_SECONDS) + 5
    for number in range(MAX_CONCURRENT_FETCHES):
        key = f"title-fetch:slot:{number}"
        if cache.add(key, 1, expiry):
            try:
                yield
            finally:
                cache.delete(key)
            return
    raise FetchError(MSG_BUSY)


def limit_fetch_rate(user_id: int) -> None:
    """Counts one fetch for the user; FetchError(MSG_RATE) past FETCHES_PER_MINUTE."""
    key = f"title-fetch:user:{user_id}:{int(time.time() // 60)}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new minute
        cache.add(key, 1, 60)
        count = 1
    if count > FETCHES_PER_MINUTE:
        raise FetchError(MSG_RATE)


def fetch_page_info(url: str) -> PageInfo:
    """Fetches `url` safely and returns its title and publisher, or raises FetchError.

    Only http/https; every hop's host must resolve to public addresses only; at most
    MAX_REDIRECTS redirects; TIMEOUT_SECONDS for the whole fetch, DNS included; at most
    MAX_BYTES read; only HTML, decoded with a web encoding. The error's message says
    what went wrong in words a user understands.
    """
    try:
        current = normalise_url(url)
    except ValidationError as exc:
        raise FetchError(exc.messages[0]) from exc
    with _fetch_slot():
        deadline = time.monotonic() + TIMEOUT_SECONDS
        for _hop in range(MAX_REDIRECTS + 1):
            response = _request(current, deadline)
            if response.location is None:
                return parse_page_info(current, _decode_html(response.body, response.charset))
            try:
                current = normalise_url(urljoin(current, response.location))
            except ValidationError as exc:
                raise FetchError(MSG_BAD_REDIRECT) from exc
    raise FetchError(MSG_REDIRECTS)
