"""The browser fixtures of tests/e2e (one Chromium per session, a context per test)."""

from tests.e2e.conftest import browser, context, page  # noqa: F401
