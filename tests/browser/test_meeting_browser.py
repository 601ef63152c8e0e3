"""Agreement as partnerships give it: a demo officer answers online, another is told why they may
not record a meeting, and the coordinator records the remaining agencies' answers given at a
board meeting in one form. axe-core on every page visited."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from actions.models import Action
from lifecycle.services import plan_send_for_agreement
from priorities.models import Plan
from tests.factories import ActionFactory, OutcomeFactory

READINESS = "/plans/lichfield/2021-22/readiness/"
MEETING = "/plans/lichfield/2021-22/agreement/meeting/"
AT_MEETING = ["Staffordshire Fire and Rescue Service", "Staffordshire Probation Service", "Pathway"]


def out_for_agreement() -> None:
    """The demo plan, its empty priorities given an action each, sent for agreement."""
    plan = Plan.objects.get(partnership__slug="lichfield")
    theme = plan.partnership.themes.order_by("order").first()
    lead = Action.objects.filter(priority__plan=plan).first().lead_agency
    for priority in plan.priorities.filter(actions__isnull=True):
        action = ActionFactory(priority=priority, theme=theme, lead_agency=lead)
        OutcomeFactory(action=action, description="Fewer incidents reported")
    coordinator = get_user_model().objects.get(username="coordinator")
    plan_send_for_agreement(plan=plan, user=coordinator)


def _record_the_meeting(page, assert_accessible):
    # Nothing chosen: the page says what to do.
    page.get_by_role("button", name="Record the answers").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the date of the meeting")
    expect(summary).to_contain_text("Enter where the minutes record the answers")
    assert_accessible(page)

    page.get_by_label("Date of the meeting").fill("2021-04-22")
    page.get_by_label("Minutes reference").fill("Board minutes, 22 April 2021, item 5")
    for agency in AT_MEETING:
        page.get_by_role("group", name=f"{agency}'s answer").get_by_label("Agreed the plan").check()
    page.get_by_role("group", name="Humankind's answer").get_by_label("Asked for changes").check()
    page.get_by_label("Changes Humankind asked for").fill("Name the recovery service's outreach.")
    page.get_by_role("button", name="Record the answers").click()


def test_the_coordinator_records_a_board_meeting(session, demo, assert_accessible) -> None:
    out_for_agreement()

    # Bromford's officer speaks for it now: they answer online.
    context, officer = session("bromford.officer", locale="en-GB")
    officer.goto(READINESS)
    assert_accessible(officer)
    officer.get_by_role("link", name="Give your agency's answer").click()
    officer.get_by_label("We agree the plan").check()
    officer.get_by_role("button", name="Record the answer").click()
    expect(officer.get_by_text("Bromford Housing Group's answer was recorded.")).to_be_visible()
    # Only the coordinator records a meeting; the 403 says so, and who to ask.
    response = officer.goto(MEETING)
    assert response.status == 403
    expect(officer.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(
        officer.get_by_text(
            re.compile(r"Only the partnership's coordinator can record the answers given")
        )
    ).to_be_visible()
    expect(officer.get_by_role("listitem").filter(has_text="Casey Coordinator")).to_be_visible()
    assert_accessible(officer)
    context.close()

    context, page = session("coordinator", locale="en-GB")
    page.goto(READINESS)
    answers = page.get_by_role("region", name="Answers of the core agencies")
    # Six agencies have no demo officer: nobody can answer for them online.
    expect(answers.get_by_text("No one can answer online for this agency")).to_have_count(6)
    assert_accessible(page)
    page.get_by_role("link", name="Record answers given at a meeting", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record answers given at a meeting")
    assert_accessible(page)

    _record_the_meeting(page, assert_accessible)

    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness and agreement")
    expect(
        page.get_by_text(re.compile("The answers given at the meeting of 22 April 2021"))
    ).to_be_visible()
    answers = page.get_by_role("region", name="Answers of the core agencies")
    recorded = "Recorded by Casey Coordinator at the meeting of 22 April 2021"
    expect(answers.get_by_text(re.compile(recorded))).to_have_count(len(AT_MEETING) + 1)
    for agency in AT_MEETING:
        row = answers.get_by_role("row").filter(has_text=agency)
        expect(row.get_by_role("cell", name="Agreed", exact=True)).to_be_visible()
    humankind = answers.get_by_role("row").filter(has_text="Humankind")
    expect(humankind.get_by_role("cell", name="Asked for changes", exact=True)).to_be_visible()
    assert_accessible(page)
    context.close()
