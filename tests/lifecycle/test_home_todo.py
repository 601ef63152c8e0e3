"""Home is a to-do list: for each plan a person belongs to, what they owe, with the link to do it;
counts at the top and in the header; a clear empty state; plans grouped by year."""

import datetime
import html
import math
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.models import Agreement
from lifecycle.todo import deadline_text, todo_for
from priorities.models import Plan
from priorities.selectors import PARTNERSHIPS_PER_PAGE
from tests.factories import ActionFactory, OutcomeFactory, PartnershipFactory, PlanFactory

TODAY = datetime.date(2021, 4, 20)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def home_at(client, user, day: datetime.date = TODAY):
    """The home page as `user` sees it on `day` (signed in that day: sessions end when idle)."""
    with at(day):
        client.force_login(user)
        return client.get("/")


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def to_consultation(plan: Plan, round_: int = 1) -> None:
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.CONSULTATION, consultation_round=round_
    )
    plan.refresh_from_db()


@pytest.fixture
def blocking(priority, police):
    """An action the police lead that has no outcome (it blocks the plan)."""
    return ActionFactory(priority=priority, lead_agency=police, description="Police patrol plan")


def test_an_officer_sees_their_agencys_actions_that_block_the_plan(
    client, plan, action, blocking, lead_officer
):
    response = home_at(client, lead_officer)
    page = text_of(response)
    assert "1 action to complete" in page
    assert "“Police patrol plan” (Anti-social Behaviour (ASB)) has no outcome and no theme" in page
    assert f'href="/actions/{blocking.pk}/edit/"' in response.content.decode()
    # A complete action of theirs is not listed; nor is anything for another agency's officer.
    assert "Triaging of ASB reports" not in page


def test_the_agreement_awaited_from_an_agency_one_speaks_for(
    client, plan, action, representative, housing, police
):
    to_consultation(plan)
    client.force_login(representative)
    with at(TODAY):
        page = client.get("/")
    assert "Bromford Housing Group's answer to the plan is awaited." in text_of(page)
    assert 'href="/plans/lichfield/2021-22/agreement/"' in page.content.decode()
    Agreement.objects.create(
        plan=plan, agency=housing, round=1, decision="agreed", decided_at=timezone.now()
    )
    with at(TODAY):
        assert "answer to the plan is awaited" not in text_of(client.get("/"))


def test_the_coordinator_sees_the_changes_asked_for(client, plan, action, coordinator, housing):
    to_consultation(plan)
    Agreement.objects.create(
        plan=plan,
        agency=housing,
        round=1,
        decision="changes_requested",
        comment="Add the youth service",
        decided_at=timezone.now(),
    )
    client.force_login(coordinator)
    with at(TODAY):
        page = text_of(client.get("/"))
    assert "1 request for changes" in page
    assert "Bromford Housing Group asked for changes: “Add the youth service”" in page


def test_updates_due_and_overdue_of_a_published_plan(client, plan, action, lead_officer, publish):
    publish(plan)
    # Q1 ends 30 June: its update is due (by 15 July).
    page = text_of(home_at(client, lead_officer, datetime.date(2021, 6, 20)))
    assert "1 update due" in page
    assert "Due: the 2021-22 Q1 update of “Triaging of ASB reports to key agencies”" in page
    page = text_of(home_at(client, lead_officer, datetime.date(2021, 7, 20)))  # past its due date
    assert "1 update overdue" in page
    assert "Overdue: the 2021-22 Q1 update" in page


def test_counts_at_the_top_are_in_the_header_too(client, plan, action, blocking, lead_officer):
    client.force_login(lead_officer)
    with at(TODAY):
        page = text_of(client.get("/plans/lichfield/2021-22/workspace/"))
    assert "To do (1)" in page


def test_home_works_out_the_to_do_list_once_for_the_list_and_the_header(
    client, plan, action, blocking, lead_officer, monkeypatch
):
    from lifecycle import home_views, todo
    from lifecycle.templatetags import todo as todo_tags

    made = []

    def counted(*args, **kwargs):
        made.append(args)
        return todo.todo_for(*args, **kwargs)

    monkeypatch.setattr(home_views, "todo_for", counted)
    monkeypatch.setattr(todo_tags, "todo_for", counted)
    client.force_login(lead_officer)
    with at(TODAY):
        page = text_of(client.get("/"))
    assert "To do (1)" in page
    assert len(made) == 1


def test_nothing_waiting_says_so(client, plan, action, supporting_officer):
    client.force_login(supporting_officer)
    with at(TODAY):
        page = text_of(client.get("/"))
    assert "Nothing is waiting for you" in page
    assert "To do (" not in page


def test_a_past_plans_deadline_is_a_date_not_a_count_of_days(plan):
    assert deadline_text(plan, datetime.date(2021, 4, 20)) == (
        "11 days to the deadline (1 May 2021)"
    )
    assert deadline_text(plan, datetime.date(2021, 5, 1)) == "The deadline is today"
    assert deadline_text(plan, datetime.date(2021, 5, 4)) == "3 days past the deadline"
    # Years later, the plan's year is over: when the deadline was, not "2038 days late".
    assert deadline_text(plan, datetime.date(2026, 11, 29)) == "Deadline was 1 May 2021"


def test_a_published_plans_deadline_is_a_date(plan, publish):
    publish(plan)
    plan.refresh_from_db()
    assert deadline_text(plan, datetime.date(2021, 5, 10)) == "Deadline was 1 May 2021"


def test_plans_are_grouped_by_year_newest_first(client, plan, partnership, lead_officer):
    PlanFactory(
        partnership=partnership,
        title="Next year's plan",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
        deadline=datetime.date(2022, 5, 1),
    )
    client.force_login(lead_officer)
    with at(TODAY):
        page = text_of(client.get("/"))
    assert page.index("2022-23") < page.index("2021-22")
    assert page.index("Next year's plan") < page.index("Community Safety Delivery Plan")


def test_home_and_header_counts_do_not_grow_with_actions_or_notifications(
    client, plan, priority, police, lead_officer, django_assert_max_num_queries
):
    from notifications.models import Kind
    from notifications.services import notify

    client.force_login(lead_officer)
    ActionFactory(priority=priority, lead_agency=police)
    with at(TODAY), CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    for number in range(60):
        action = ActionFactory(priority=priority, lead_agency=police)
        if number % 2:
            OutcomeFactory(action=action)
        notify(
            kind=Kind.PLAN_PUBLISHED,
            recipients=[lead_officer],
            key=f"test-{number}",
            subject="Published",
            body="Published.",
            url="/",
            why="you are a member",
        )
    other = PartnershipFactory(slug="other", core_agencies=[police])
    for year in range(2010, 2020):
        PlanFactory(
            partnership=other,
            period_start=datetime.date(year, 4, 1),
            period_end=datetime.date(year + 1, 3, 31),
        )
    with at(TODAY), django_assert_max_num_queries(len(few)):
        assert client.get("/").status_code == 200


def test_the_to_do_list_is_the_selectors(plan, action, blocking, lead_officer):
    with at(TODAY):
        todo = todo_for(lead_officer)
    assert [item.plan for item in todo.plans] == [plan]
    assert todo.blocking == 1 and todo.total == 1
    assert [a.description for a in todo.plans[0].blocking] == ["Police patrol plan"]


def test_the_public_list_is_paged_and_searched(client, db):
    for number in range(30):
        PartnershipFactory(name=f"Partnership {number:02d}", slug=f"p{number:02d}")
    first = text_of(client.get("/"))
    assert "Partnership 00" in first and "Partnership 29" not in first
    pages = math.ceil(30 / PARTNERSHIPS_PER_PAGE)
    assert f"Page 1 of {pages}" in first
    assert "Partnership 29" in text_of(client.get(f"/?page={pages}"))
    found = text_of(client.get("/?q=partnership 17"))
    assert "Partnership 17" in found and "Partnership 16" not in found


def test_each_plan_on_home_says_its_period_and_stage_and_links_to_its_page(
    client, plan, lead_officer
):
    """The public sees published plans only; a member also the drafts, with their deadline, and
    which stage a published plan's new revision is at."""
    draft = PlanFactory(
        partnership=plan.partnership,
        title="Next year's plan",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
        deadline=datetime.date(2022, 5, 1),
    )
    published_at = timezone.make_aware(datetime.datetime(2021, 5, 1, 9))
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.CONSULTATION, last_published_at=published_at
    )
    public = client.get("/").content.decode()
    assert f'<a href="{plan.get_absolute_url()}">{plan.title}</a>' in public
    assert "— 2021-22, published</span>" in public
    assert "Next year" not in public and "revision" not in public
    client.force_login(lead_officer)
    member = text_of(client.get("/"))
    assert f"{plan.title} — 2021-22, published; a new revision is at the consultation stage" in (
        member
    )
    assert "Next year's plan — 2022-23, draft, due 1 May 2022" in member
    assert f'href="{draft.get_absolute_url()}"' in client.get("/").content.decode()
