"""Through the year in a browser: the police update all their actions on one page (a wrong row
is named and keeps what was typed), and the coordinator moves a due date. axe-core on each page."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from actions.models import Action
from lifecycle.services import plan_publish
from priorities.models import Plan
from tracking.models import ProgressUpdate


def publish_demo_plan() -> Plan:
    plan = Plan.objects.get(partnership__slug="lichfield")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
    plan.refresh_from_db()
    plan_publish(plan=plan, user=get_user_model().objects.get(username="coordinator"))
    return plan


def test_the_police_update_their_actions_together(page, demo, sign_in, assert_accessible):
    plan = publish_demo_plan()
    police = list(
        Action.objects.filter(priority__plan=plan, lead_agency__short_name="Police").order_by(
            "priority__order", "order", "pk"
        )
    )
    assert len(police) >= 2
    sign_in(page, "police.officer")
    page.get_by_role("link", name="My updates due").first.click()
    expect(page.get_by_text(re.compile("Overdue")).first).to_be_visible()
    page.get_by_role("link", name=re.compile("^Update my actions in Lichfield")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update my actions")
    assert_accessible(page)

    first = page.get_by_role("group", name=re.compile(r"^Row 1: "))
    first.get_by_label(re.compile("^Complete")).check()
    first.get_by_label("Narrative").fill("Triage runs daily with every partner.")
    second = page.get_by_role("group", name=re.compile(r"^Row 2: "))
    second.get_by_label("Percentage complete (optional)").fill("60")
    page.get_by_role("button", name="Save updates").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Row 2")
    expect(summary).to_contain_text("Choose how the action is going")
    assert_accessible(page)
    expect(first.get_by_label("Narrative")).to_have_value("Triage runs daily with every partner.")
    expect(first.get_by_label(re.compile("^Complete"))).to_be_checked()
    summary.get_by_role("link", name=re.compile("Row 2.*Say what has happened")).click()
    expect(page).to_have_url(re.compile(r"#id_action-\d+-narrative$"))
    second.get_by_label("Narrative").fill("Halfway through the training.")
    second.get_by_label(re.compile("^On track")).check()
    page.get_by_role("button", name="Save updates").click()

    expect(page.get_by_text("2 progress updates were recorded.")).to_be_visible()
    assert_accessible(page)
    assert ProgressUpdate.objects.filter(action__priority__plan=plan).count() == 2
    police[0].refresh_from_db()
    assert police[0].status == Action.Status.COMPLETED


def test_the_coordinator_moves_a_due_date(page, demo, sign_in, assert_accessible):
    publish_demo_plan()
    sign_in(page, "coordinator")
    page.goto("/plans/lichfield/2021-22/dashboard/")
    page.get_by_role("link", name="Reporting calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting calendar")
    assert_accessible(page)
    page.get_by_label("2021-22 Q1: updates due by").fill("2021-06-01")
    page.get_by_role("button", name="Save due dates").click()
    expect(page.get_by_role("alert")).to_contain_text("on or after its last day, 30 June 2021")
    assert_accessible(page)
    page.get_by_label("2021-22 Q1: updates due by").fill("2021-07-09")
    page.get_by_role("button", name="Save due dates").click()
    expect(page.get_by_text("The reporting calendar was saved.")).to_be_visible()
    expect(page.get_by_label("2021-22 Q1: updates due by")).to_have_value("2021-07-09")
