"""Signing in with the organisation's account and the two-step sign-in, in a real browser against
a real OpenID Connect provider (tests/oidc/provider.mjs), with axe-core on every page of ours:
the sign-in page's button, the invitation page's offer, the page of someone waiting for a
coordinator, of someone refused, of a sign-in that could not be checked and of a provider that did
not answer; setting up an authenticator app, the recovery codes, the code asked for, a wrong code
and too many of them."""

import base64
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.oath import TOTP
from playwright.sync_api import expect

from partners.models import Agency, Partnership
from people import services
from tests.people.conftest import run_worker

LABEL = "Sign in with Lichfield District Council"
NEW = "new.officer@bromford.co.uk"


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def at_the_provider(page, email: str) -> None:
    expect(page.get_by_role("heading", name="Test organisation: sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def test_an_invited_officer_signs_in_with_their_organisations_account(
    page, demo, browser_sso, assert_accessible
):
    services.invitation_create(
        by=get_user_model().objects.get(username="coordinator"),
        agency=Agency.objects.get(slug="bromford-housing-group"),
        email=NEW,
        partnership=Partnership.objects.get(slug="lichfield"),
    )
    run_worker()
    (message,) = [m for m in mail.outbox if NEW in m.to]
    link = re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body).group(1)

    page.goto(link)
    expect(
        page.get_by_role("heading", name="Sign in with your organisation's account")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=LABEL).click()
    at_the_provider(page, NEW)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
    expect(page.get_by_text("Signed in as New Officer")).to_be_visible()
    assert_accessible(page)


def test_the_sign_in_page_waiting_and_refused(page, demo, browser_sso, assert_accessible):
    Partnership.objects.filter(slug="lichfield").update(allowed_email_domains="bromford.co.uk")

    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_role("link", name=LABEL).click()
    at_the_provider(page, "joe.bloggs@bromford.co.uk")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your request to join is waiting for a coordinator"
    )
    expect(
        page.get_by_text("Lichfield District Community Safety Partnership: asked on")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()  # not signed in
    assert_accessible(page)

    page.context.clear_cookies()  # someone else, at the provider too
    page.goto("/accounts/login/")
    page.get_by_role("link", name=LABEL).click()
    at_the_provider(page, "someone@elsewhere.example")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot sign in with this account"
    )
    expect(
        page.get_by_text("no partnership here accepts people from elsewhere.example")
    ).to_be_visible()
    assert_accessible(page)


def test_a_sign_in_that_cannot_be_checked_and_a_provider_that_does_not_answer(
    page, demo, browser_sso, assert_accessible, settings
):
    page.goto("/accounts/login/")
    page.get_by_role("link", name=LABEL).click()  # a real state in this browser's session …
    expect(page.get_by_role("heading", name="Test organisation: sign in")).to_be_visible()
    page.goto("/oidc/callback/?code=made-up&state=forged")  # … and a forged one in the link
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Signing in with your organisation's account did not work"
    )
    assert_accessible(page)

    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    page.goto("/accounts/login/")
    page.get_by_role("link", name=LABEL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your organisation's sign-in service did not answer"
    )
    assert_accessible(page)


def next_code(page) -> str:
    """The code an authenticator app would show half a minute from now (the one just used is
    never accepted twice), from the key the set-up page shows as text."""
    secret = page.locator("#two-step-secret").inner_text().replace(" ", "")
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30
    return f"{totp.token():06d}"


def test_two_step_sign_in_for_an_admin(page, demo, sign_in, assert_accessible, settings):
    settings.REQUIRE_TWO_FACTOR = frozenset({"admins", "coordinators"})
    settings.AXES_FAILURE_LIMIT = 2

    sign_in(page, "admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    code = next_code(page)
    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Confirm the app").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_accessible(page)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm the app").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your code")
    assert_accessible(page)
    for _ in range(2):
        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many wrong codes")
    assert_accessible(page)
