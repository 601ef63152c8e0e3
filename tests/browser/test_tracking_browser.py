"""Through the year: a housing association enters its ASB figure, the police record progress,
and the coordinator's dashboard shows both."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lifecycle.services import plan_publish
from priorities.models import Plan


def _police_record_progress(session, assert_accessible):
    # The police record progress on an action they lead.
    context, page = session("police.officer")
    page.get_by_role("link", name="My updates due").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My updates due")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Record an update.*Triaging of ASB reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a progress update")
    assert_accessible(page)
    page.get_by_label("At risk").check()
    page.get_by_label("Percentage complete (optional)").fill("35")
    page.get_by_label("Narrative").fill(
        "Triage meetings weekly; housing partners joining from July."
    )
    page.get_by_role("button", name="Record update").click()
    expect(page.get_by_text("Your progress update was recorded.")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_figures_and_progress_reach_the_dashboard(session, demo, assert_accessible):
    plan = Plan.objects.get(partnership__slug="lichfield")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
    plan.refresh_from_db()
    plan_publish(plan=plan, user=get_user_model().objects.get(username="coordinator"))

    # Bromford enters its own quarterly ASB figure.
    context, page = session("bromford.officer")
    page.goto("/plans/lichfield/2021-22/workspace/")
    page.get_by_role("link", name="Measures and figures").click()
    assert_accessible(page)
    page.get_by_role("link", name="ASB incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ASB incidents")
    assert_accessible(page)
    expect(page.get_by_role("combobox", name=re.compile("^Agency"))).to_contain_text(
        "Bromford Housing Group"
    )
    page.get_by_role("combobox", name=re.compile("^Period")).select_option(label="2021-22 Q1")
    page.get_by_role("spinbutton", name=re.compile(r"^Figure \(incidents\)")).fill("84")
    page.get_by_label("Confidence note (optional)").fill("Provisional: June not yet validated")
    page.get_by_role("button", name="Save figure").click()
    expect(
        page.get_by_text("Bromford Housing Group's figure for 2021-22 Q1 was recorded.")
    ).to_be_visible()
    assert_accessible(page)
    context.close()

    _police_record_progress(session, assert_accessible)

    # The coordinator's dashboard shows both.
    context, page = session("coordinator")
    page.goto("/plans/lichfield/2021-22/workspace/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    figures = page.get_by_role("table", name=re.compile("Figures for ASB incidents"))
    row = figures.get_by_role("row", name=re.compile("2021-22 Q1"))
    expect(row.get_by_role("cell").first).to_have_text("84")
    per_priority = page.get_by_role("table", name=re.compile("per priority"))
    asb = per_priority.get_by_role("row", name=re.compile(r"^Anti-social Behaviour"))
    expect(asb.get_by_role("cell").nth(1)).to_have_text("1")  # at risk
    assert_accessible(page)
    context.close()
