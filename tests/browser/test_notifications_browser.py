"""An officer finds their notifications from the header, opens one, marks the rest read, and
chooses how they are told; axe-core on every page visited."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from notifications.models import Kind, Mode, NotificationPreference
from notifications.services import notify
from priorities.models import Plan


def test_inbox_and_preferences(page, demo, sign_in, assert_accessible):
    officer = get_user_model().objects.get(username="police.officer")
    plan = Plan.objects.get(partnership__slug="lichfield")
    notify(
        kind=Kind.SENT_FOR_AGREEMENT,
        recipients=[officer],
        key=f"plan-{plan.pk}-round-1",
        subject="Lichfield 2021-22: Staffordshire Police's agreement is awaited",
        body="The coordinator sent the plan for agreement. Read it and give your agency's answer.",
        url="/plans/lichfield/2021-22/agreement/",
        plan=plan,
        why="you speak for Staffordshire Police in the Lichfield partnership",
    )
    notify(
        kind=Kind.PLAN_PUBLISHED,
        recipients=[officer],
        key=f"plan-{plan.pk}-v1",
        subject="Lichfield 2021-22 is published",
        body="Version 1 of the plan is published.",
        url="/plans/lichfield/2021-22/",
        plan=plan,
        why="you are a member of Staffordshire Police, a core agency of the partnership",
    )

    sign_in(page, "police.officer")
    page.get_by_role("link", name="Notifications (2 unread)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text("You have 2 unread notifications.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=re.compile(r"^Mark as read.*is published")).click()
    expect(page.get_by_text("“Lichfield 2021-22 is published” is marked as read.")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications (1 unread)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("agreement is awaited")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agree the plan")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_text("You have no unread notifications.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Choose how you are told").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you are told")
    assert_accessible(page)
    published = page.get_by_role("group", name="A plan is published")
    expect(published.get_by_label("Daily digest e-mail")).to_be_checked()
    published.get_by_label("In the site only, no e-mail").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification preferences are saved.")).to_be_visible()
    expect(published.get_by_label("In the site only, no e-mail")).to_be_checked()
    assert_accessible(page)
    assert (
        NotificationPreference.objects.get(user=officer, kind=Kind.PLAN_PUBLISHED).mode == Mode.SITE
    )

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/notifications/")
    assert_accessible(page)
