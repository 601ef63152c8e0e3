"""The whole journey: the coordinator fixes the blockers and sends the demo plan for agreement,
every core agency agrees, the coordinator publishes, and the public reads the plan."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from partners.models import Agency, Membership

PASSWORD = "demo-password-2021"


def representatives() -> list[tuple[str, str]]:
    """A person who speaks for each core agency (the demo has one, for the police)."""
    User = get_user_model()
    people = []
    for agency in Agency.objects.filter(partnerships__slug="lichfield").order_by("name"):
        speaker = Membership.objects.filter(agency=agency, may_speak_for_agency=True).first()
        if speaker is None:
            user = User.objects.create_user(f"rep.{agency.slug}", password=PASSWORD)
            speaker = Membership.objects.create(user=user, agency=agency, may_speak_for_agency=True)
        people.append((speaker.user.username, agency.name))
    return people


def _add_an_action_to_each_empty_priority(page, assert_accessible):
    # Five priorities have no actions yet: add one to each, from the blocker's own link.
    blockers = page.get_by_role("link", name=re.compile(r"^Add an action.*The priority"))
    for number in range(blockers.count()):
        blockers.first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
        if number == 0:
            assert_accessible(page)
        page.get_by_label("Theme").select_option(label="Early Intervention and Prevention")
        page.get_by_role("textbox", name=re.compile("^Action")).fill(
            f"Partnership problem-solving plan number {number + 1}"
        )
        page.get_by_label("Lead agency").select_option(label="Lichfield District Council")
        page.get_by_role("group", name="New outcome").get_by_role(
            "textbox", name=re.compile("^Outcome")
        ).fill("Fewer incidents reported")
        page.get_by_role("button", name="Add action").click()
        expect(page.get_by_text("The action was added to the plan.")).to_be_visible()
        page.goto("/plans/lichfield/2021-22/readiness/")


def _each_agency_agrees(session, reps, assert_accessible):
    # Each core agency agrees, through someone who speaks for it.
    for index, (username, agency) in enumerate(reps):
        context, rep = session(username)
        rep.goto("/plans/lichfield/2021-22/agreement/")
        expect(rep.get_by_role("heading", level=1)).to_have_text("Agree the plan")
        if index == 0:
            assert_accessible(rep)
        rep.get_by_label("We agree the plan").check()
        rep.get_by_label("Comment").fill(f"Agreed for {agency}.")
        rep.get_by_role("button", name="Record the answer").click()
        expect(rep.get_by_text(f"{agency}'s answer was recorded.")).to_be_visible()
        if index == 0:
            assert_accessible(rep)
        context.close()


def test_from_draft_to_public_plan(session, demo, assert_accessible):
    reps = representatives()
    coordinator_context, page = session("coordinator")
    assert_accessible(page)
    page.goto("/plans/lichfield/2021-22/workspace/")
    assert_accessible(page)
    page.get_by_role("link", name="Readiness and agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness and agreement")
    assert_accessible(page)

    # Sending too early is refused with the reason.
    page.get_by_role("button", name="Send for agreement").click()
    expect(page.get_by_text(re.compile("cannot be sent for agreement yet"))).to_be_visible()

    _add_an_action_to_each_empty_priority(page, assert_accessible)

    expect(page.get_by_text("Nothing blocks the plan")).to_be_visible()
    page.get_by_role("button", name="Send for agreement").click()
    expect(
        page.get_by_text("The plan was sent to the core agencies for agreement.")
    ).to_be_visible()
    assert_accessible(page)

    _each_agency_agrees(session, reps, assert_accessible)

    page.reload()
    answers = page.get_by_role("region", name="Answers of the core agencies")
    expect(answers.get_by_role("cell", name="Agreed", exact=True)).to_have_count(len(reps))
    page.get_by_role("button", name="Mark the plan agreed").click()
    expect(page.get_by_text("The plan is agreed. It can be published now.")).to_be_visible()
    page.get_by_role("button", name="Publish plan").click()
    expect(page.get_by_text("The plan was published.")).to_be_visible()
    assert_accessible(page)
    coordinator_context.close()

    # Anyone reads the published plan, without signing in.
    context, public = session()
    public.goto("/plans/lichfield/2021-22/")
    expect(public.get_by_role("heading", level=1)).to_have_text(
        "Community Safety Delivery Plan Outline 2021 – 2022"
    )
    expect(public.get_by_text(re.compile(r"Version 1, published"))).to_be_visible()
    expect(public.get_by_text("Partnership problem-solving plan number 1")).to_be_visible()
    assert_accessible(public)
    public.get_by_role("link", name="All versions and what changed").click()
    assert_accessible(public)
    context.close()
