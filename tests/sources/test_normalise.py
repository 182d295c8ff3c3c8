"""The normalisation table: one spelling per document, only http and https."""

import pytest
from django.core.exceptions import ValidationError

from sources.normalise import (
    MSG_URL_CREDENTIALS,
    MSG_URL_HOST,
    MSG_URL_INVALID,
    MSG_URL_REQUIRED,
    MSG_URL_SCHEME,
    display_host,
    normalise_url,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # scheme and host lower-cased, path kept as typed
        ("HTTPS://Example.COM/Path/To", "https://example.com/Path/To"),
        ("HtTp://WWW.Heise.DE/news", "http://www.heise.de/news"),
        # fragment dropped
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?x=1#top", "https://example.com/a?x=1"),
        # default ports dropped, others kept
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # tracking parameters removed, others kept in order
        ("https://example.com/a?utm_source=nl&utm_medium=email&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?UTM_Campaign=x&b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com/a?fbclid=IwAR0", "https://example.com/a"),
        ("https://example.com/a?gclid=Cj0&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"),
        ("https://example.com/a?_hsenc=p2&_ga=2.1&msclkid=9", "https://example.com/a"),
        # ref, referrer and source can name different documents: kept (defect 5)
        ("https://example.com/a?ref=twitter&q=gpt", "https://example.com/a?ref=twitter&q=gpt"),
        ("https://example.com/a?referrer=x&utm_source=y", "https://example.com/a?referrer=x"),
        ("https://example.com/a?source=rss", "https://example.com/a?source=rss"),
        ("https://example.com/a?reference=kept", "https://example.com/a?reference=kept"),
        ("https://example.com/a?a=1&&b=2", "https://example.com/a?a=1&b=2"),
        # empty path is "/", bare host and scheme-relative get https
        ("https://example.com", "https://example.com/"),
        ("example.com/news", "https://example.com/news"),
        ("//example.com/x", "https://example.com/x"),
        # surrounding whitespace, trailing dot of the host
        ("  https://example.com/a \n", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        # international host names become punycode, unsafe characters are escaped
        ("https://Bücher.de/regal", "https://xn--bcher-kva.de/regal"),
        # UTS 46 (IDNA 2008): ß and ς are letters of their own, not "ss" and "σ" (defect 5)
        ("https://faß.de/", "https://xn--fa-hia.de/"),
        ("https://FASS.de/", "https://fass.de/"),
        ("https://MÜNCHEN.Straße.de/x", "https://xn--mnchen-3ya.xn--strae-oqa.de/x"),
        ("https://xn--fa-hia.de/", "https://xn--fa-hia.de/"),
        ("https://my_host.example.com/", "https://my_host.example.com/"),
        ("https://example.com/über?q=straße", "https://example.com/%C3%BCber?q=stra%C3%9Fe"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        # IP literals are valid URLs (fetching them is another matter)
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ],
)
def test_normalise(raw, expected):
    assert normalise_url(raw) == expected


def test_normalising_is_idempotent():
    once = normalise_url("HTTPS://Bücher.de:443/ü?utm_source=x&a=1#f")
    assert normalise_url(once) == once


@pytest.mark.parametrize(
    ("raw", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        ("JavaScript:alert(document.cookie)", "javascript"),
        ("  javascript:alert(1)", "javascript"),
        ("java\tscript:alert(1)", "javascript"),
        ("java\nscript:alert(1)", "javascript"),
        ("data:text/html,<script>alert(1)</script>", "data"),
        ("DATA:text/html;base64,PHNjcmlwdD4=", "data"),
        ("vbscript:msgbox(1)", "vbscript"),
        ("ftp://example.com/file.txt", "ftp"),
        ("file:///etc/passwd", "file"),
        ("mailto:someone@example.com", "mailto"),
        ("gopher://example.com/", "gopher"),
    ],
)
def test_other_schemes_are_refused_with_their_name(raw, scheme):
    with pytest.raises(ValidationError) as info:
        normalise_url(raw)
    assert info.value.messages == [MSG_URL_SCHEME.format(scheme=scheme)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", MSG_URL_REQUIRED),
        ("   ", MSG_URL_REQUIRED),
        ("https://", MSG_URL_INVALID),
        ("https://exa mple.com/", MSG_URL_INVALID),
        ("https://example.com:99999/", MSG_URL_INVALID),
        ("http://[::1/", MSG_URL_INVALID),
        ("https://a..b/", MSG_URL_INVALID),
        ("https://exa\x00mple.com/", MSG_URL_INVALID),
        ("https://user:secret@example.com/", MSG_URL_CREDENTIALS),
        ("https://good.example@evil.example/", MSG_URL_CREDENTIALS),
    ],
)
def test_invalid_urls_are_refused(raw, message):
    with pytest.raises(ValidationError) as info:
        normalise_url(raw)
    assert info.value.messages == [message]


@pytest.mark.parametrize("host", ["☃.net", "xn--zz.com", "ab--c.例え.jp"])
def test_invalid_international_hosts_are_refused_naming_the_host(host):
    with pytest.raises(ValidationError) as info:
        normalise_url(f"https://{host}/")
    prefix = MSG_URL_HOST.split("(")[0].format(host=host)
    assert info.value.code == "invalid_host"
    assert info.value.messages[0].startswith(prefix)


def test_distinct_documents_stay_distinct():
    """faß.de and fass.de, ?ref=a and ?ref=b: four sources, not two."""
    urls = ["https://faß.de/", "https://fass.de/", "https://x.org/?ref=a", "https://x.org/?ref=b"]
    assert len({normalise_url(url) for url in urls}) == 4


def test_too_long_url_is_refused():
    with pytest.raises(ValidationError):
        normalise_url("https://example.com/" + "a" * 2000)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.heise.de/news/x", "heise.de"),
        ("https://xn--bcher-kva.de/", "bücher.de"),
        ("https://xn--fa-hia.de/", "faß.de"),
        ("https://my_host.example.com/", "my_host.example.com"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
    ],
)
def test_display_host(url, host):
    assert display_host(url) == host
