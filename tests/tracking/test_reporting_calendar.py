"""A plan's reporting calendar: its quarters by default, each due on the 15th of the month after
it; the coordinator moves the due dates; members read them; others see nothing."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from priorities.models import Plan
from tests.factories import PlanFactory
from tests.snapshots import database_snapshot
from tracking.models import ReportingPeriod
from tracking.reporting import (
    current_period,
    default_periods,
    ensure_reporting_periods,
    reporting_calendar_save,
    reporting_periods,
)

D = datetime.date


def calendar_of(periods):
    return [(p.name, p.start, p.end, p.due) for p in periods]


YEAR_2021_22 = [
    ("2021-22 Q1", D(2021, 4, 1), D(2021, 6, 30), D(2021, 7, 15)),
    ("2021-22 Q2", D(2021, 7, 1), D(2021, 9, 30), D(2021, 10, 15)),
    ("2021-22 Q3", D(2021, 10, 1), D(2021, 12, 31), D(2022, 1, 15)),
    ("2021-22 Q4", D(2022, 1, 1), D(2022, 3, 31), D(2022, 4, 15)),
]


def url(plan):
    return reverse("reporting_calendar", args=[plan.partnership.slug, plan.period])


@pytest.fixture
def stored(plan):
    """The plan's periods, stored as the data migration and the notifications store them."""
    return ensure_reporting_periods([plan])[plan.pk]


# -- The default calendar.


def test_a_plans_year_is_four_quarters_each_due_on_the_15th_of_the_month_after(plan):
    assert calendar_of(default_periods(plan)) == YEAR_2021_22


def test_a_longer_plan_has_more_quarters(partnership):
    plan = PlanFactory(
        partnership=partnership, period_start=D(2005, 4, 1), period_end=D(2008, 3, 31)
    )
    periods = default_periods(plan)
    assert len(periods) == 12
    assert [p.name for p in periods[3:5]] == ["2005-06 Q4", "2006-07 Q1"]
    assert calendar_of(periods)[-1] == ("2007-08 Q4", D(2008, 1, 1), D(2008, 3, 31), D(2008, 4, 15))


def test_a_calendar_year_plan_is_named_by_its_year(partnership):
    plan = PlanFactory(
        partnership=partnership, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31)
    )
    assert [(p.name, p.start, p.end) for p in default_periods(plan)][0] == (
        "2022 Q1",
        D(2022, 1, 1),
        D(2022, 3, 31),
    )


def test_reading_a_calendar_stores_nothing_and_ensuring_it_stores_it_once(plan):
    assert calendar_of(reporting_periods(plan)) == YEAR_2021_22
    assert not ReportingPeriod.objects.exists()
    ensure_reporting_periods([plan])
    ensure_reporting_periods([plan])
    assert calendar_of(ReportingPeriod.objects.filter(plan=plan)) == YEAR_2021_22
    assert all(p.pk for p in reporting_periods(plan))


def test_the_database_refuses_a_second_period_starting_the_same_day_and_a_due_date_too_early(
    stored,
):
    first = stored[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(
            plan=first.plan, name="Again", start=first.start, end=first.end, due=first.due
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.filter(pk=first.pk).update(due=D(2021, 6, 29))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2021, 3, 31), None),
        (D(2021, 4, 1), "2021-22 Q1"),
        (D(2021, 7, 15), "2021-22 Q1"),
        (D(2021, 7, 16), "2021-22 Q2"),
        (D(2022, 4, 15), "2021-22 Q4"),
        (D(2026, 11, 29), "2021-22 Q4"),  # the year is over: its final update
    ],
)
def test_the_current_period_is_the_first_whose_due_date_has_not_passed(plan, today, expected):
    found = current_period(reporting_periods(plan), today)
    assert (found.name if found else None) == expected


# -- The data migration: existing plans get their calendar; going back removes it.


def test_the_data_migration_stores_the_default_calendar_of_every_plan_and_goes_back(
    plan, partnership
):
    from django.apps import apps

    migration = importlib.import_module(
        "tracking.migrations.0003_reporting_periods_of_existing_plans"
    )
    longer = PlanFactory(
        partnership=partnership, period_start=D(2005, 4, 1), period_end=D(2008, 3, 31)
    )
    migration.create_periods(apps, None)
    assert calendar_of(ReportingPeriod.objects.filter(plan=plan)) == YEAR_2021_22
    assert calendar_of(ReportingPeriod.objects.filter(plan=longer)) == calendar_of(
        default_periods(longer)
    )
    migration.create_periods(apps, None)  # a plan that has its calendar keeps it
    assert ReportingPeriod.objects.count() == 16
    migration.remove_periods(apps, None)
    assert not ReportingPeriod.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_removes_and_restores_the_calendars():
    from django.core.management import call_command

    from tests.factories import PartnershipFactory

    plan = PlanFactory(partnership=PartnershipFactory(slug="lichfield"))
    assert not ReportingPeriod.objects.exists()
    call_command("migrate", "tracking", "0002", verbosity=0)
    call_command("migrate", verbosity=0)
    assert calendar_of(ReportingPeriod.objects.filter(plan=plan)) == YEAR_2021_22


# -- The coordinator sets the due dates.


def test_the_coordinator_moves_a_due_date_and_history_records_who(plan, stored, coordinator):
    reporting_calendar_save(plan=plan, user=coordinator, due_dates={D(2021, 7, 1): D(2021, 10, 8)})
    q2 = ReportingPeriod.objects.get(plan=plan, start=D(2021, 7, 1))
    assert q2.due == D(2021, 10, 8)
    assert q2.history.latest().history_user == coordinator
    assert ReportingPeriod.objects.get(plan=plan, start=D(2021, 4, 1)).due == D(2021, 7, 15)


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (D(2021, 6, 29), "2021-22 Q1's updates must be due on or after its last day, 30 June 2021"),
        (
            D(2021, 9, 30),
            "2021-22 Q1's updates must be due before 2021-22 Q2 ends, on 30 September 2021",
        ),
    ],
)
def test_a_due_date_before_the_period_ends_or_after_the_next_one_ends_is_refused(
    plan, stored, coordinator, due, message
):
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        reporting_calendar_save(plan=plan, user=coordinator, due_dates={D(2021, 4, 1): due})
    assert caught.value.messages == [message]
    assert database_snapshot() == before


def test_saving_the_calendar_of_a_plan_without_stored_periods_stores_them(plan, coordinator):
    reporting_calendar_save(plan=plan, user=coordinator, due_dates={D(2021, 10, 1): D(2022, 1, 31)})
    assert [p.due for p in ReportingPeriod.objects.filter(plan=plan)] == [
        D(2021, 7, 15),
        D(2021, 10, 15),
        D(2022, 1, 31),
        D(2022, 4, 15),
    ]


def form_data(**changes):
    data = {f"due_{n}": row[3].isoformat() for n, row in enumerate(YEAR_2021_22, start=1)}
    return data | changes


def test_the_page_saves_the_due_dates(client, plan, stored, coordinator):
    client.force_login(coordinator)
    page = client.get(url(plan)).content.decode()
    assert "2021-22 Q3: updates due by" in page
    response = client.post(url(plan), form_data(due_3="2022-01-21"))
    assert response.status_code == 302 and response.url == url(plan)
    assert ReportingPeriod.objects.get(plan=plan, name="2021-22 Q3").due == D(2022, 1, 21)


def test_a_bad_due_date_is_explained_beside_its_field_and_nothing_is_saved(
    client, plan, stored, coordinator
):
    client.force_login(coordinator)
    before = database_snapshot()
    response = client.post(url(plan), form_data(due_2="2021-09-01", due_4=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_due_2"' in page and 'href="#id_due_4"' in page
    assert "Enter the date 2021-22 Q4&#x27;s updates are due by" in page
    assert "on or after its last day, 30 September 2021" in page
    assert 'value="2021-09-01"' in page  # what was typed is kept
    assert database_snapshot() == before


# -- Who may do what.

# fmt: off
MATRIX = {
    #        anon     lead  supp  unrel repr  coord outsdr admin
    "GET":  ("login", 200,  200,  200,  200,  200,  404,   200),
    "POST": ("login", 403,  403,  403,  403,  "done", 404, "done"),
}
# fmt: on
ROLES = (
    "anonymous",
    "lead_officer",
    "supporting_officer",
    "unrelated_officer",
    "representative",
    "coordinator",
    "other_coordinator",
    "admin_user",
)


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.PUBLISHED])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
def test_members_read_the_calendar_and_only_the_coordinator_sets_it(
    client, request, plan, stored, publish, status, method, role
):
    if status == Plan.Status.PUBLISHED:
        publish(plan)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    expected = MATRIX[method][ROLES.index(role)]
    before = database_snapshot()
    if method == "GET":
        response = client.get(url(plan))
    else:
        response = client.post(url(plan), form_data(due_1="2021-07-09"))
    if expected == "login":
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url(plan)}"
    elif expected == "done":
        assert response.status_code == 302
        assert ReportingPeriod.objects.get(plan=plan, name="2021-22 Q1").due == D(2021, 7, 9)
        return
    else:
        assert response.status_code == expected
    assert database_snapshot() == before
    if expected == 403:
        assert "Only the partnership&#x27;s coordinator sets when updates are due" in (
            response.content.decode()
        )


def test_members_see_the_dates_without_a_form(client, plan, stored, lead_officer):
    client.force_login(lead_officer)
    page = client.get(url(plan)).content.decode()
    assert '<form method="post" novalidate>' not in page
    assert "15 July 2021" in page and "15 April 2022" in page
