"""Next year's plan takes the unfinished actions only, moves their target dates into the new year
(or clears them), keeps the reporting calendar's due dates, and says what it did."""

import datetime

import pytest
from django.contrib.messages import get_messages

from actions.models import Action
from lifecycle.services import next_target_date, plan_start_next_year
from priorities.models import Plan
from tests.factories import ActionFactory, PlanFactory
from tracking.models import ReportingPeriod
from tracking.reporting import ensure_reporting_periods, reporting_calendar_save

D = datetime.date


@pytest.fixture
def actions(plan, priority, action, police):
    """The plan's actions as the year ends: two finished, one reported complete, four to carry
    on with target dates of every kind."""

    def make(description, **values):
        return ActionFactory(
            priority=priority,
            theme=action.theme,
            lead_agency=police,
            description=description,
            **values,
        )

    reported_complete = make("Reported complete", status=Action.Status.IN_PROGRESS)
    reported_complete.updates.create(date=D(2022, 2, 1), rag="complete", narrative="Done")
    reopened = make("Complete, then at risk", target_date=D(2022, 3, 31))
    reopened.updates.create(date=D(2021, 9, 1), rag="complete", narrative="Done")
    reopened.updates.create(date=D(2021, 12, 1), rag="at_risk", narrative="Not done after all")
    return {
        "completed": make("Completed", status=Action.Status.COMPLETED),
        "withdrawn": make("Withdrawn", status=Action.Status.WITHDRAWN),
        "reported_complete": reported_complete,
        "in_the_year": make("Due in December", target_date=D(2021, 12, 31)),
        "already_next_year": make("Due next June", target_date=D(2022, 6, 30)),
        "too_old": make("Due long ago", target_date=D(2020, 1, 31)),
        "reopened": reopened,
        "no_date": action,  # conftest's action: no target date
    }


def copies(new_plan):
    return dict(
        Action.objects.filter(priority__plan=new_plan).values_list("description", "target_date")
    )


def test_only_unfinished_actions_are_copied_with_their_dates_moved_or_cleared(
    plan, actions, coordinator
):
    started = plan_start_next_year(plan=plan, user=coordinator)
    assert copies(started.plan) == {
        "Triaging of ASB reports to key agencies": None,
        "Due in December": D(2022, 12, 31),  # moved a year on
        "Due next June": D(2022, 6, 30),  # already in the new year: kept
        "Due long ago": None,  # before the old plan's year: cleared
        "Complete, then at risk": D(2023, 3, 31),
    }
    assert (started.copied, started.left_behind, started.dates_moved, started.dates_cleared) == (
        5,
        3,
        2,
        1,
    )
    assert started.message == (
        "Next year's plan was started: Community Safety Delivery Plan. 5 unfinished actions "
        "copied; 3 finished or withdrawn actions left behind. 2 target dates moved a year on. "
        "1 target date cleared, as a year on would not fall in the new plan's period: set them "
        "in the new plan."
    )
    # The old plan's actions are as they were.
    assert Action.objects.get(pk=actions["in_the_year"].pk).target_date == D(2021, 12, 31)


def test_the_stage_page_says_what_it_did(client, plan, actions, coordinator):
    client.force_login(coordinator)
    response = client.post("/plans/lichfield/2021-22/stage/next-year/")
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Next year's plan was started: Community Safety Delivery Plan. ")
    assert "5 unfinished actions copied; 3 finished or withdrawn actions left behind." in message


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, None),
        (D(2021, 4, 1), D(2022, 4, 1)),
        (D(2022, 3, 31), D(2023, 3, 31)),
        (D(2022, 4, 1), D(2022, 4, 1)),
        (D(2024, 1, 1), D(2024, 1, 1)),  # beyond the new year: left as the coordinator set it
        (D(2021, 3, 31), None),
    ],
)
def test_a_target_date_moves_into_the_new_year_or_is_cleared(plan, partnership, target, expected):
    new = Plan(partnership=partnership, period_start=D(2022, 4, 1), period_end=D(2023, 3, 31))
    assert next_target_date(target, old=plan, new=new) == expected


def test_29_february_moves_to_28_february(partnership):
    old = PlanFactory(
        partnership=partnership, period_start=D(2023, 4, 1), period_end=D(2024, 3, 31)
    )
    new = Plan(partnership=partnership, period_start=D(2024, 4, 1), period_end=D(2025, 3, 31))
    assert next_target_date(D(2024, 2, 29), old=old, new=new) == D(2025, 2, 28)


def test_the_new_plans_calendar_keeps_the_coordinators_due_dates(plan, coordinator):
    ensure_reporting_periods([plan])
    reporting_calendar_save(plan=plan, user=coordinator, due_dates={D(2021, 4, 1): D(2021, 7, 9)})
    started = plan_start_next_year(plan=plan, user=coordinator)
    assert [
        (p.name, p.start, p.due) for p in ReportingPeriod.objects.filter(plan=started.plan)
    ] == [
        ("2022-23 Q1", D(2022, 4, 1), D(2022, 7, 9)),
        ("2022-23 Q2", D(2022, 7, 1), D(2022, 10, 15)),
        ("2022-23 Q3", D(2022, 10, 1), D(2023, 1, 15)),
        ("2022-23 Q4", D(2023, 1, 1), D(2023, 4, 15)),
    ]
