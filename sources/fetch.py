"""Title autofill: fetch a page's title and publisher without opening an SSRF hole.

The server fetches a URL a user typed, so the URL must not be able to reach anything
but the public web: no loopback, private, link-local (cloud metadata), multicast,
reserved or unspecified address. The host is resolved once per hop, every address is
checked, and the connection goes to the checked address (never re-resolving, so a
DNS answer cannot change between check and use). Redirects are followed by hand, each
target checked again. Time, size and content type are bounded.

Tests alone set FALSIFIABLE_FETCH_ALLOW_LOOPBACK to reach a server on 127.0.0.1.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
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
    refused = (
        ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
    return not refused


def _resolve(host: str, port: int) -> str:
    """The address to connect to; FetchError unless every address of the host is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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
    address = _resolve(host, port)
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


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)


def _decode_html(body: bytes, charset: str | None) -> str:
    if not charset:
        match = _META_CHARSET.search(body[:4096])
        charset = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


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


def fetch_page_info(url: str) -> PageInfo:
    """Fetches `url` safely and returns its title and publisher, or raises FetchError.

    Only http/https; every hop's host must resolve to public addresses only; at most
    MAX_REDIRECTS redirects; TIMEOUT_SECONDS for the whole fetch; at most MAX_BYTES read;
    only HTML. The error's message says what went wrong in words a user understands.
    """
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        current = normalise_url(url)
    except ValidationError as exc:
        raise FetchError(exc.messages[0]) from exc
    for _hop in range(MAX_REDIRECTS + 1):
        response = _request(current, deadline)
        if response.location is None:
            return parse_page_info(current, _decode_html(response.body, response.charset))
        try:
            current = normalise_url(urljoin(current, response.location))
        except ValidationError as exc:
            raise FetchError(MSG_BAD_REDIRECT) from exc
    raise FetchError(MSG_REDIRECTS)
