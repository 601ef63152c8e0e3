"""Real browser tests: a live server, headless system Chromium driven by Playwright, axe-core.

Without Chromium these tests skip with the reason; under CI (CI=true) that is a failure instead.
"""

import io
import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there
# are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        reason = "Chromium is not installed (apt-get install chromium); browser tests need it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Under CI a browser test may not skip: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


# WCAG 2.2 A and AA (the Public Sector Bodies Accessibility Regulations' standard) and axe's
# best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22a",
            "wcag22aa",
            "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page as it stands; fail with axe's report on any violation."""

    def check(page) -> None:
        page.wait_for_load_state("load")
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, (
            f"axe-core found violations on {page.url}:\n{results.generate_report()}"
        )

    return check


@pytest.fixture
def demo(transactional_db, settings):
    """The Lichfield demo plan and users, as `make run` loads them."""
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.fixture
def sign_in(assert_accessible):
    def do(page, username: str, password: str = "demo-password-2021") -> None:
        page.goto("/accounts/login/")
        assert_accessible(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")

    return do


@pytest.fixture
def session(browser, live_server):
    """A browser session of its own (its own cookies) on the live server: signed in as
    `username`, on their home page, or anonymous without one. Returns (context, page)."""

    from playwright.sync_api import expect

    def open_session(username: str | None = None, *, timeout: int = 15_000, **options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(timeout)
        page = context.new_page()
        if username:
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill("demo-password-2021")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
        return context, page

    return open_session


@pytest.fixture(scope="session")
def browser_oidc_issuer(live_server):
    """The test OpenID Connect provider (tests/sso.py), sending the browser back to the live
    server."""
    from tests.sso import running_provider

    with running_provider([f"{live_server.url}/oidc/callback/"]) as issuer:
        yield issuer


@pytest.fixture
def browser_sso(settings, browser_oidc_issuer):
    """Single sign-on on, with the test provider; returns its issuer."""
    from tests.sso import configure

    configure(settings, browser_oidc_issuer)
    return browser_oidc_issuer
