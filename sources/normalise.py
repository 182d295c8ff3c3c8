"""URL normalisation: one canonical spelling per document, and only http/https.

Two pastes of the same article (one from a newsletter with `utm_*` parameters, one with
an upper-case host or a `#comments` fragment) must land on the same Source, and no
`javascript:` or `data:` link may ever be stored, because stored URLs become `href`s.
"""

import contextlib
import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import idna
from django.core.exceptions import ValidationError

MAX_URL_LENGTH = 2000
ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Click and campaign ids added by newsletters and ad networks: they never change which
# document a URL points at. Only pure tracking ids belong here; `ref`, `referrer` or
# `source` select different documents on some sites, and stripping them would merge
# distinct sources under the unique (owner, url) constraint.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "_ga",
        "_gl",
    }
)

MSG_URL_REQUIRED = "Paste a link (an address starting with http:// or https://)."
MSG_URL_SCHEME = "Only http:// and https:// links can be saved; “{scheme}:” links are refused."
MSG_URL_INVALID = "That is not a valid web address; it should look like https://example.com/page."
MSG_URL_HOST = "“{host}” is not a valid host name ({reason})."
MSG_URL_CREDENTIALS = "Links with a user name or password in them are not accepted."
MSG_URL_TOO_LONG = f"Links can be at most {MAX_URL_LENGTH} characters long."

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HOST_RE = re.compile(r"^[a-z0-9_\-]+(\.[a-z0-9_\-]+)*$")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]")
# Characters left as they are when re-quoting; "%" keeps existing escapes intact.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _with_scheme(url: str) -> str:
    """Adds https:// to a bare "example.com/page"; a real scheme is kept to be judged."""
    if url.startswith("//"):
        return "https:" + url
    match = _SCHEME_RE.match(url)
    # "example.com:8080/x" looks like a scheme "example.com"; schemes have no dots.
    if match is None or "." in match.group(1):
        return "https://" + url
    return url


def _ascii_host(hostname: str) -> str:
    """The host in lower case; international names in their ASCII (punycode) form.

    International names follow UTS 46 (IDNA 2008): `faß.de` and `fass.de` are two
    registrable domains, which the IDNA 2003 codec of Python's standard library would
    merge. Plain ASCII names skip it, so that hosts such as `my_host.example` (not
    valid IDNA, but served) stay accepted.
    """
    host = hostname.rstrip(".").lower()
    if not host:
        raise ValidationError(MSG_URL_INVALID, code="invalid")
    if ":" in host:  # IPv6 literal; urlsplit has already checked it
        return f"[{host}]"
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValidationError(
                MSG_URL_HOST.format(host=hostname, reason=exc),
                code="invalid_host",
                params={"host": hostname},
            ) from exc
    if not _HOST_RE.match(host):
        raise ValidationError(MSG_URL_INVALID, code="invalid")
    return host


def _is_tracking(param: str) -> bool:
    name = unquote_plus(param.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    """Drops tracking parameters; keeps the others in their order and spelling."""
    kept = [part for part in query.split("&") if part and not _is_tracking(part)]
    return quote("&".join(kept), safe=_QUERY_SAFE)


def normalise_url(url: str) -> str:
    """Returns the canonical form of an http(s) URL, or raises ValidationError.

    Lower-case scheme and host (international hosts in punycode), default port dropped,
    no fragment, no credentials, tracking parameters removed, an empty path written
    "/", unsafe characters percent-encoded. Any other scheme (javascript:, data:,
    ftp:, file:, mailto:, ...) is refused with a message naming it.
    """
    url = (url or "").strip()
    if not url:
        raise ValidationError(MSG_URL_REQUIRED, code="required")
    # Browsers ignore tabs and newlines inside URLs ("java\tscript:"); so do we, before
    # judging the scheme, so that such a URL is refused rather than slipped through.
    url = re.sub(r"[\t\r\n]", "", url)
    if _CONTROL_RE.search(url.replace(" ", "")):
        raise ValidationError(MSG_URL_INVALID, code="invalid")
    url = _with_scheme(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(MSG_URL_INVALID, code="invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValidationError(
            MSG_URL_SCHEME.format(scheme=scheme), code="scheme", params={"scheme": scheme}
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationError(MSG_URL_CREDENTIALS, code="credentials")
    if not parts.hostname or " " in parts.netloc:
        raise ValidationError(MSG_URL_INVALID, code="invalid")
    netloc = _ascii_host(parts.hostname)
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    normalised = urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))
    if len(normalised) > MAX_URL_LENGTH:
        raise ValidationError(MSG_URL_TOO_LONG, code="max_length")
    return normalised


def display_host(url: str) -> str:
    """The host of a (normalised) URL as a reader would write it: "heise.de"."""
    host = urlsplit(url).hostname or ""
    # A host that is not IDNA (an underscore in it) is shown as stored.
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        host = idna.decode(host)
    return host.removeprefix("www.")
