"""axe-core on every page type the other browser journeys do not already visit."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from actions.models import Action
from lifecycle.services import plan_amend, plan_publish
from priorities.models import Plan
from tracking.models import Measure


def test_remaining_page_types_have_no_accessibility_violations(
    page, demo, sign_in, assert_accessible
):
    coordinator = get_user_model().objects.get(username="coordinator")
    plan = Plan.objects.get(partnership__slug="lichfield")
    for _ in range(2):  # two published versions, to compare
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
        plan.refresh_from_db()
        plan_publish(plan=plan, user=coordinator)
        plan_amend(plan=plan, user=coordinator)
        Action.objects.filter(priority__plan=plan).update(target_date="2022-03-31")
    action = Action.objects.filter(priority__plan=plan).first()
    priority = action.priority
    measure = Measure.objects.get(plan=plan)

    public = [
        "/accessibility/",
        "/plans/lichfield/2021-22/versions/",
        "/plans/lichfield/2021-22/versions/1/",
        "/plans/lichfield/2021-22/versions/compare/?from=1&to=2",
        "/no-such-page/",
    ]
    for url in public:
        page.goto(url)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)

    sign_in(page, "coordinator")
    members = [
        f"/priorities/{priority.pk}/edit/",
        f"/priorities/{priority.pk}/delete/",
        "/plans/lichfield/2021-22/measures/add/",
        f"/plans/lichfield/2021-22/measures/{measure.pk}/edit/",
        "/plans/lichfield/2021-22/import/",
        "/plans/lichfield/2021-22/assessment/",
        "/plans/lichfield/2021-22/assessment/edit/",
        f"/actions/{action.pk}/services/",
    ]
    for url in members:
        response = page.goto(url)
        assert response.status in (200, 403), url
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)

    # The error pages and the lockout page.
    page.goto(f"/actions/{action.pk}/edit/")  # an amended plan is a draft: the editor opens
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit action")
    page.get_by_role("textbox", name=re.compile("^Action")).fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert_accessible(page)
