"""Browser journeys: Playwright (sync API) driving Debian's Chromium against a live server.

pytest-django's ``live_server`` runs the app in a thread against the test database, so
every test here needs ``transactional_db`` (mark it ``django_db(transaction=True)``).
One browser per session, a fresh context (cookies, storage) per test. When a test fails,
a screenshot and the page's HTML go to ``tests/e2e/artifacts/<test name>.png|.html``.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
PASSWORD = "correct-horse-battery-staple-42"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def skip_or_fail(reason: str):
    """Skips, unless FALSIFIABLE_E2E_REQUIRED=1 (CI) says the journeys must run."""
    if os.environ.get("FALSIFIABLE_E2E_REQUIRED", "") in {"1", "true", "yes"}:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        skip_or_fail(
            "Chromium is not installed: run scripts/ensure_chromium.sh "
            "(or set CHROMIUM_PATH) to run the browser journeys"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (scripts/bootstrap.sh dev)")
    # Playwright's sync API runs an asyncio loop in this thread; the ORM calls the tests
    # make between browser steps are still synchronous and safe. Only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=CHROMIUM_ARGS,
            headless=True,
        )
    except Exception as exc:
        playwright.stop()
        restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)
        skip_or_fail(f"Chromium at {path} did not start ({exc}); see scripts/ensure_chromium.sh")
    yield browser
    browser.close()
    playwright.stop()
    restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)


def restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture(scope="session")
def date_field_order(browser) -> str:
    """The order in which this Chromium's <input type=date> takes digits: "dmy", "mdy", "ymd".

    Headless Chromium lays the field out in its own UI locale, whatever the page's locale,
    so journeys that type a date (keyboard only) ask once instead of assuming.
    """
    page = browser.new_page()
    try:
        page.set_content('<input type="date" id="d">')
        page.focus("#d")
        page.keyboard.type("0102")
        page.keyboard.type("2003")
        value = page.input_value("#d")
    finally:
        page.close()
    orders = {"2003-02-01": "dmy", "2003-01-02": "mdy"}
    return orders.get(value, "ymd")


def date_keys(value, order: str) -> str:
    """The digits to type into a date field for ``value`` (a date), in the field's order."""
    parts = {"d": f"{value.day:02d}", "m": f"{value.month:02d}", "y": f"{value.year:04d}"}
    return "".join(parts[letter] for letter in order)


class ConsoleLog:
    """Console errors (CSP violations among them) and uncaught exceptions of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} (at {message.location.get('url', '?')})")

    def assert_clean(self) -> None:
        errors, self.errors = self.errors, []
        assert not errors, "console errors:\n" + "\n".join(errors)


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing leaves the machine: only the live server answers.
    context.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r")https?://"),
        lambda route: route.abort(),
    )
    yield context
    context.close()


@pytest.fixture
def page(context, request):
    page = context.new_page()
    page.console = ConsoleLog(page)
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone; the test's own error matters more
            print(f"could not save artifacts for {name}: {exc}")
    page.close()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="ada", password=PASSWORD)


def give_session(context, user, live_server) -> None:
    """Logs ``user`` in to ``context`` with a session cookie (no login form round trip)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def logged_in(context, user, live_server):
    """Logs ``user`` in by giving the browser a session cookie (no login form round trip)."""
    give_session(context, user, live_server)
    return user


@pytest.fixture
def no_js_page(browser, live_server, logged_in):
    """A page of a browser with JavaScript off, logged in as ``logged_in``."""
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    give_session(context, logged_in, live_server)
    page = context.new_page()
    yield page
    context.close()
