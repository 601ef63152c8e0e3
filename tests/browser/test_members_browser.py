"""People without the Django admin, in a real browser, with axe-core on every page visited: the
coordinator invites a new officer to Bromford, whose e-mail's link (sent by the worker) sets
their password; they sign in and edit Bromford's action; the link works once, and not after 7
days. A leaver is removed and the coordinator sees the work they left. A forgotten password is
reset by e-mail."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Agency, Partnership
from people import services
from tests.people.conftest import run_worker

NEW = "new.officer@example.org"
PASSWORD = "bromford estates 2021 walk"


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def link_path(to: str, start: str) -> str:
    """The path of the link in the newest e-mail to `to` (run the worker first)."""
    (message,) = [m for m in mail.outbox if to in m.to][-1:]
    return re.search(rf"https?://[^/\s]+({re.escape(start)}\S+)", message.body).group(1)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def _a_late_link_is_refused(page, run_worker, assert_accessible):
    # A second invitation's link does not work after 7 days.
    coordinator = get_user_model().objects.get(username="coordinator")
    invitation = services.invitation_create(
        by=coordinator,
        agency=Agency.objects.get(name="Staffordshire Police"),
        email="late.officer@example.org",
    )
    run_worker()
    late = link_path("late.officer@example.org", "/invitation/")
    invitation.refresh_from_db()
    with time_machine.travel(invitation.expires_at + datetime.timedelta(minutes=1)):
        page.goto(late)
        expect(page.get_by_text("This invitation has expired")).to_be_visible()
        assert_accessible(page)
    assert timezone.now() < invitation.expires_at


def test_a_leaver_is_removed_and_the_coordinator_sees_the_work_they_left(
    page, demo, sign_in, assert_accessible
):
    sign_in(page, "coordinator")
    page.goto("/partnerships/lichfield/members/")
    bromford = page.get_by_role("region", name="Bromford Housing Group")
    bromford.get_by_role("link", name=re.compile("^Remove Ben Brooks")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Ben Brooks from Bromford Housing Group?"
    )
    expect(page.get_by_text("their account will be closed")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("^Working closely to offer support"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Remove Ben Brooks").click()

    expect(
        page.get_by_text("Ben Brooks is no longer a member of Bromford Housing Group.")
    ).to_be_visible()
    work = page.get_by_role("region", name="Work nobody is left to do")
    expect(
        work.get_by_role("link", name=re.compile("^Working closely to offer support"))
    ).to_be_visible()
    expect(page.get_by_role("region", name="Changes of membership")).to_contain_text(
        "Ben Brooks was removed from Bromford Housing Group (has left: account closed)"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Change the allowed e-mail domains").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allowed e-mail domains")
    assert_accessible(page)
    page.get_by_label("Allowed e-mail domains").fill("bromford.co.uk")
    page.get_by_role("button", name="Save the domains").click()
    expect(
        page.get_by_text("The allowed e-mail domains are saved: bromford.co.uk.")
    ).to_be_visible()

    request = services.access_request_create(
        email="joe.bloggs@bromford.co.uk",
        partnership=Partnership.objects.get(slug="lichfield"),
        first_name="Joe",
        last_name="Bloggs",
    )
    page.reload()
    page.get_by_role("link", name=re.compile("^Approve or refuse")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joe Bloggs asks to join")
    assert_accessible(page)
    page.get_by_label("Approve: let them in").check()
    page.get_by_label("Their agency").select_option(label="Bromford Housing Group")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Joe Bloggs is now a member of Bromford Housing Group")).to_be_visible()
    # Bromford has someone again: its action is no longer left without anyone.
    expect(
        page.get_by_role("region", name="Work nobody is left to do").get_by_role(
            "link", name=re.compile("^Working closely to offer support")
        )
    ).to_have_count(0)
    assert_accessible(page)
    request.refresh_from_db()
    assert request.outcome == "approved"
    sign_out(page)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("bromford.officer")
    page.get_by_label("Password").fill("demo-password-2021")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your username and password did not match.")).to_be_visible()


def test_a_forgotten_password_is_reset_by_email(page, demo, assert_accessible, sign_in):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    assert_accessible(page)
    page.get_by_label("Email").fill("police.officer@example.org")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)

    run_worker()
    page.goto(link_path("police.officer@example.org", "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_role("textbox", name="New password*", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="New password confirmation*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    assert_accessible(page)

    sign_in(page, "police.officer", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
    page.get_by_role("link", name="My plan work").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)


def _invite_nia(page, assert_accessible):
    page.get_by_role("link", name="Invite someone to Bromford Housing Group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a person")
    expect(page.get_by_role("combobox", name=re.compile("^Agency"))).to_have_value(
        str(Agency.objects.get(slug="bromford-housing-group").pk)
    )
    assert_accessible(page)
    page.get_by_role("button", name="Send the invitation").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Officer")
    page.get_by_label("E-mail address").fill(NEW)
    page.get_by_role("button", name="Send the invitation").click()
    expect(
        page.get_by_text(f"An invitation to Bromford Housing Group is on its way to {NEW}.")
    ).to_be_visible()
    expect(page.get_by_text(f"{NEW} (Nia Officer): waiting to be sent")).to_be_visible()
    assert_accessible(page)
    assert mail.outbox == []  # the worker sends it


def test_the_invitation_journey(page, demo, sign_in, assert_accessible):
    sign_in(page, "coordinator")
    page.get_by_role("link", name="My plan work").click()
    page.get_by_role(
        "link", name="Members of Lichfield District Community Safety Partnership"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Members of Lichfield District Community Safety Partnership"
    )
    assert_accessible(page)

    _invite_nia(page, assert_accessible)

    run_worker()
    link = link_path(NEW, "/invitation/")
    sign_out(page)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to CSP Action Plan")
    assert "/invitation/" in page.url and link not in page.url  # the token left the address bar
    assert_accessible(page)
    page.get_by_role("textbox", name="Password*", exact=True).fill("short")
    page.get_by_role("textbox", name="Password again*", exact=True).fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("too short")
    assert_accessible(page)
    page.get_by_role("textbox", name="Password*", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Password again*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your account is ready.")).to_be_visible()
    assert_accessible(page)

    sign_in(page, NEW, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
    page.get_by_role("link", name="My plan work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan work")
    led = page.get_by_role("region", name=re.compile("Actions my agency leads"))
    expect(
        led.get_by_role("link", name=re.compile("^Working closely to offer support"))
    ).to_be_visible()
    assert_accessible(page)
    led.get_by_role("link", name=re.compile("^Working closely to offer support")).click()
    page.get_by_role("link", name="Edit action and outcomes").click()
    assert_accessible(page)
    page.get_by_label("Target date").fill("2022-01-31")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    expect(page.get_by_text("Nia Officer").first).to_be_visible()  # the history names her
    assert_accessible(page)
    sign_out(page)

    # The link works once.
    page.goto(link)
    expect(page.get_by_text("This invitation has already been used.")).to_be_visible()
    assert_accessible(page)

    _a_late_link_is_refused(page, run_worker, assert_accessible)
