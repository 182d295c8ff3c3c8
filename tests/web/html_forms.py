"""What a browser would submit from a rendered form, for tests that post it back."""

import re
from html.parser import HTMLParser

# What an <input type="date"> can display; anything else it shows (and submits) blank.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class _FormValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            value = a.get("value") or ""
            if kind == "date" and value:
                # A browser cannot show a non-ISO value: it submits the field empty.
                value = value if re.match(DATE_PATTERN, value) else ""
            self.values.setdefault(name, []).append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def submitted_values(html: str) -> dict[str, list[str]]:
    """Name -> values a browser submits from the page's form fields as rendered."""
    parser = _FormValues()
    parser.feed(html)
    return parser.values
