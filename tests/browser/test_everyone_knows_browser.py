"""Everyone knows what they owe: the coordinator sends the plan for agreement; the police's
representative finds it on their home page, in their inbox and in their e-mail, whose link opens
the answer form; they answer; the coordinator records the other agencies at a board meeting in one
form and publishes; every member gets the news of it by e-mail once (news comes in the daily
digest). axe-core on every page."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from actions.models import Action, Outcome
from partners.models import Agency
from priorities.models import Plan


@pytest.fixture
def e_mail_at_once(settings, live_server):
    """E-mails are sent by the task when the request's transaction commits (no worker here);
    their links point at the live server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    mail.outbox = []


def _nothing_blocks(plan: Plan) -> None:
    """The demo's five priorities without actions get one each (the journey is not drafting)."""
    council = Agency.objects.get(name="Lichfield District Council")
    theme = plan.partnership.themes.order_by("order").first()
    for priority in plan.priorities.filter(actions__isnull=True):
        action = Action.objects.create(
            priority=priority, theme=theme, lead_agency=council, description="Problem-solving"
        )
        Outcome.objects.create(action=action, description="Fewer incidents")


def _agree_at_the_meeting_and_publish(coordinator, assert_accessible):
    # The coordinator records the other agencies' answers given at the board meeting.
    coordinator.goto("/plans/lichfield/2021-22/readiness/")
    coordinator.get_by_role("link", name="Record answers given at a meeting").first.click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Date of the meeting").fill("2021-04-28")
    coordinator.get_by_label(re.compile("Minutes reference")).fill("CSP board 28/04/2021 item 4")
    for agreed in coordinator.get_by_label("Agreed the plan").all():
        agreed.check()
    coordinator.get_by_role("button", name="Record the answers").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Readiness and agreement")
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name="Mark the plan agreed").click()
    expect(coordinator.get_by_text("The plan is agreed.")).to_be_visible()
    mail.outbox = []
    coordinator.get_by_role("button", name="Publish plan").click()
    expect(coordinator.get_by_text("The plan was published.")).to_be_visible()
    assert_accessible(coordinator)


def test_the_plan_reaches_each_person_who_must_act(
    session, live_server, demo, e_mail_at_once, assert_accessible
):
    plan = Plan.objects.get(partnership__slug="lichfield")
    _nothing_blocks(plan)

    def signed_in(username: str):
        _, page = session(username)
        assert_accessible(page)
        return page

    # The police's representative has other work to do already (in the other partnership, too).
    police = signed_in("police.officer")
    waiting = re.search(
        r"\((\d+)\)", police.get_by_role("link", name=re.compile("^To do")).inner_text()
    )
    before = int(waiting[1]) if waiting else 0

    coordinator = signed_in("coordinator")
    coordinator.goto("/plans/lichfield/2021-22/readiness/")
    coordinator.get_by_role("button", name="Send for agreement").click()
    expect(coordinator.get_by_text("sent to the core agencies for agreement")).to_be_visible()
    assert_accessible(coordinator)

    # The police's representative: on their home page, in their inbox, and by e-mail.
    police.reload()
    expect(
        police.get_by_text("Staffordshire Police's answer to the plan is awaited.")
    ).to_be_visible()
    expect(police.get_by_role("link", name=f"To do ({before + 1})")).to_be_visible()
    police.get_by_role("link", name=re.compile(r"^Notifications \(\d+ unread\)")).click()
    expect(police.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(police)
    expect(
        police.get_by_role("link", name=re.compile("Staffordshire Police's agreement"))
    ).to_be_visible()
    to_police = [m for m in mail.outbox if "police.officer@example.org" in m.to]
    assert len(to_police) == 1
    link = re.search(r"http://\S+/plans/lichfield/2021-22/agreement/", to_police[0].body)[0]
    assert link == f"{live_server.url}/plans/lichfield/2021-22/agreement/"
    police.goto(link)
    expect(police.get_by_role("heading", level=1)).to_have_text("Agree the plan")
    assert_accessible(police)
    police.get_by_label("We agree the plan").check()
    police.get_by_role("button", name="Record the answer").click()
    expect(police.get_by_text("Staffordshire Police's answer was recorded.")).to_be_visible()

    _agree_at_the_meeting_and_publish(coordinator, assert_accessible)

    # Every member, but the coordinator who published, gets the news once: in the day's digest
    # (news comes by digest unless a person chooses otherwise), however often the job runs.
    call_command("send_digests", stdout=io.StringIO())
    call_command("send_digests", stdout=io.StringIO())
    published = [m for m in mail.outbox if "version 1 of the plan is published" in m.body]
    recipients = sorted(address for m in published for address in m.to)
    members = sorted(
        user.email
        for user in get_user_model()
        .objects.filter(memberships__agency__partnerships=plan.partnership)
        .exclude(username="coordinator")
        .distinct()
    )
    assert recipients == members
