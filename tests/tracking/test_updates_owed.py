"""Updates due and overdue by the reporting calendar, walked day by day through a plan's year and
beyond it; the notices for notifications; the pages that list them, in a fixed number of
queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActionFactory, MembershipFactory, UserFactory
from tracking.models import ReportingPeriod
from tracking.progress import (
    DUE_SOON_DAYS,
    due_soon_and_overdue_for_notifications,
    progress_record,
    updates_owed,
)
from tracking.reporting import ensure_reporting_periods

D = datetime.date


@pytest.fixture
def year(plan, action, priority, council, publish, lead_officer, supporting_officer):
    """The published 2021-22 plan with two actions: the police's (`action`, updated now and then)
    and the council's (never updated)."""
    never = ActionFactory(
        priority=priority, theme=action.theme, lead_agency=council, description="Never updated"
    )
    publish(plan)
    return {"police": action, "council": never}


def states(today=None, **kwargs):
    names = {"Triaging of ASB reports to key agencies": "police", "Never updated": "council"}
    return sorted(
        (names[item.action.description], item.period.name[-2:], item.state)
        for item in updates_owed(today=today, **kwargs)
    )


# The police record an update on these days (dated that day); the council never does.
POLICE_UPDATES = {
    D(2021, 7, 10): "in the days between Q1's end and its due date: Q1's update",
    D(2021, 11, 1): "late for Q2 (overdue since 16 October); dated in Q3, it is Q3's too",
    D(2022, 3, 20): "Q4's, the final update, while it is due",
}

# Every day the owed updates change, from 1 April 2021 to 31 May 2022, and what they become.
CHANGES = [
    (D(2021, 4, 1), []),
    # Q1 (April–June) is due from 14 days before it ends until 15 July.
    (D(2021, 6, 16), [("council", "Q1", "due"), ("police", "Q1", "due")]),
    (D(2021, 7, 10), [("council", "Q1", "due")]),
    (D(2021, 7, 16), [("council", "Q1", "overdue")]),
    # Q2 is due from 16 September; Q1 stays overdue until Q2's due date replaces it.
    (
        D(2021, 9, 16),
        [("council", "Q1", "overdue"), ("council", "Q2", "due"), ("police", "Q2", "due")],
    ),
    (D(2021, 10, 16), [("council", "Q2", "overdue"), ("police", "Q2", "overdue")]),
    (D(2021, 11, 1), [("council", "Q2", "overdue")]),
    (D(2021, 12, 17), [("council", "Q2", "overdue"), ("council", "Q3", "due")]),
    (D(2022, 1, 16), [("council", "Q3", "overdue")]),
    (
        D(2022, 3, 17),
        [("council", "Q3", "overdue"), ("council", "Q4", "due"), ("police", "Q4", "due")],
    ),
    (D(2022, 3, 20), [("council", "Q3", "overdue"), ("council", "Q4", "due")]),
    # The year is over: only the final update is asked for, until it is given.
    (D(2022, 4, 16), [("council", "Q4", "overdue")]),
]


def test_a_year_of_reporting_periods_day_by_day(year, lead_officer):
    seen = []
    day = D(2021, 4, 1)
    with time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0), tick=False) as traveller:
        while day <= D(2022, 5, 31):
            traveller.move_to(datetime.datetime.combine(day, datetime.time(9, 0)))
            if day in POLICE_UPDATES:
                progress_record(
                    action=year["police"],
                    user=lead_officer,
                    date=day,
                    rag="on_track",
                    narrative=POLICE_UPDATES[day],
                )
            now = states()
            if not seen or seen[-1][1] != now:
                seen.append((day, now))
            day += datetime.timedelta(days=1)
    assert seen == CHANGES


def test_years_after_a_plan_ended_it_asks_only_for_its_final_update(year):
    assert states(today=D(2026, 11, 29)) == [
        ("council", "Q4", "overdue"),
        ("police", "Q4", "overdue"),
    ]
    # An update dated in the final quarter's part of the calendar, or later, settles it for good.
    for day in (D(2022, 1, 16), D(2026, 11, 29)):
        year["police"].updates.all().delete()
        year["police"].updates.create(date=day, rag="on_track", narrative="Final")
        assert states(today=D(2026, 11, 29)) == [("council", "Q4", "overdue")]
    # An update from before the final quarter's updates were gathered does not.
    year["police"].updates.all().delete()
    year["police"].updates.create(date=D(2022, 1, 15), rag="on_track", narrative="Q3's")
    assert ("police", "Q4", "overdue") in states(today=D(2026, 11, 29))


def test_an_update_dated_after_today_is_not_counted_for_a_day_before_it(year):
    year["police"].updates.create(date=D(2021, 7, 1), rag="on_track", narrative="x")
    assert ("police", "Q1", "due") in states(today=D(2021, 6, 20))
    assert ("police", "Q1", "due") not in states(today=D(2021, 7, 1))


def test_the_coordinators_due_dates_move_the_states(year, plan, coordinator):
    from tracking.reporting import reporting_calendar_save

    reporting_calendar_save(plan=plan, user=coordinator, due_dates={D(2021, 4, 1): D(2021, 7, 2)})
    assert states(today=D(2021, 7, 2)) == [("council", "Q1", "due"), ("police", "Q1", "due")]
    assert states(today=D(2021, 7, 3)) == [
        ("council", "Q1", "overdue"),
        ("police", "Q1", "overdue"),
    ]


def test_due_starts_a_fixed_number_of_days_before_the_period_ends(year):
    first_day = D(2021, 6, 30) - datetime.timedelta(days=DUE_SOON_DAYS)
    assert states(today=first_day - datetime.timedelta(days=1)) == []
    assert ("police", "Q1", "due") in states(today=first_day)


def test_finished_withdrawn_and_unpublished_actions_owe_nothing(year, plan, partnership):
    from actions.models import Action
    from tests.factories import PlanFactory, PriorityFactory

    Action.objects.filter(pk=year["council"].pk).update(status=Action.Status.WITHDRAWN)
    year["police"].updates.create(date=D(2021, 5, 1), rag="complete", narrative="Done")
    draft = PlanFactory(
        partnership=partnership, period_start=D(2022, 4, 1), period_end=D(2023, 3, 31)
    )
    ActionFactory(priority=PriorityFactory(plan=draft))
    assert states(today=D(2021, 7, 1)) == []
    assert states(today=D(2022, 7, 1)) == []


def test_a_person_owes_their_agencys_actions_and_a_coordinator_the_partnerships(
    year, lead_officer, supporting_officer, unrelated_officer, coordinator, outsider
):
    today = D(2021, 7, 1)
    assert states(today, user=lead_officer) == [("police", "Q1", "due")]
    assert states(today, user=supporting_officer) == [("council", "Q1", "due")]
    assert states(today, user=unrelated_officer) == []
    assert states(today, user=outsider) == []
    assert states(today, user=coordinator) == [("council", "Q1", "due"), ("police", "Q1", "due")]


def test_selecting_owed_updates_writes_nothing_and_reads_stored_due_dates(year, plan):
    assert states(today=D(2021, 7, 1))
    assert not ReportingPeriod.objects.exists()  # read from the default calendar
    ensure_reporting_periods([plan])
    ReportingPeriod.objects.filter(plan=plan, name="2021-22 Q1").update(due=D(2021, 6, 30))
    assert states(today=D(2021, 7, 1)) == [
        ("council", "Q1", "overdue"),
        ("police", "Q1", "overdue"),
    ]


# -- Notices for notifications.


def notices(today):
    return sorted(
        (n.user.username, n.period.name[-2:], n.state, sorted(a.description for a in n.actions))
        for n in due_soon_and_overdue_for_notifications(today)
    )


def test_each_lead_agency_member_gets_one_notice_per_period_and_state(
    year, lead_officer, supporting_officer, police
):
    MembershipFactory(user=UserFactory(username="zoe"), agency=police)
    ActionFactory(
        priority=year["police"].priority,
        theme=year["police"].theme,
        lead_agency=police,
        description="Joint patrols",
    )
    inactive = MembershipFactory(user=UserFactory(username="yves"), agency=police).user
    inactive.is_active = False
    inactive.save()
    police_actions = ["Joint patrols", "Triaging of ASB reports to key agencies"]
    assert notices(D(2021, 9, 20)) == [
        ("alice", "Q1", "overdue", police_actions),
        ("alice", "Q2", "due", police_actions),
        ("bob", "Q1", "overdue", ["Never updated"]),
        ("bob", "Q2", "due", ["Never updated"]),
        ("zoe", "Q1", "overdue", police_actions),
        ("zoe", "Q2", "due", police_actions),
    ]
    # Every period the notices name is stored, so that a notification can record it.
    keys = {n.key for n in due_soon_and_overdue_for_notifications(D(2021, 9, 20))}
    assert all(period_id for _, period_id, _ in keys)
    assert ReportingPeriod.objects.filter(plan=year["police"].priority.plan).count() == 4


def test_through_a_year_each_notice_appears_once_a_period_and_ends_with_the_final_update(
    year, lead_officer
):
    sent = {}
    day = D(2021, 4, 1)
    while day <= D(2022, 6, 30):
        if day in POLICE_UPDATES:
            year["police"].updates.create(date=day, rag="on_track", narrative="x")
        for notice in due_soon_and_overdue_for_notifications(day):
            if notice.user == lead_officer:
                sent.setdefault((notice.period.name, notice.state), day)
        day += datetime.timedelta(days=1)
    assert sent == {
        ("2021-22 Q1", "due"): D(2021, 6, 16),
        ("2021-22 Q2", "due"): D(2021, 9, 16),
        ("2021-22 Q2", "overdue"): D(2021, 10, 16),
        ("2021-22 Q4", "due"): D(2022, 3, 17),
    }
    assert not [
        n for n in due_soon_and_overdue_for_notifications(D(2026, 11, 29)) if n.user == lead_officer
    ]


def test_notices_are_worked_out_in_a_fixed_number_of_queries(
    year, police, council, django_assert_max_num_queries
):
    due_soon_and_overdue_for_notifications(D(2021, 7, 1))  # stores the periods
    with CaptureQueriesContext(connection) as few:
        due_soon_and_overdue_for_notifications(D(2021, 7, 1))
    for number in range(30):
        ActionFactory(
            priority=year["police"].priority, lead_agency=police if number % 2 else council
        )
        MembershipFactory(agency=police if number % 2 else council)
    with django_assert_max_num_queries(len(few)):
        assert len(due_soon_and_overdue_for_notifications(D(2021, 7, 1))) > 30


# -- The pages that list them.


def test_my_updates_due_says_due_and_overdue_and_links_to_update_my_actions(
    client, year, plan, lead_officer
):
    client.force_login(lead_officer)
    with time_machine.travel(datetime.datetime(2021, 10, 16, 9, 0), tick=False):
        page = client.get(reverse("my_updates_due")).content.decode()
    assert "Triaging of ASB reports" in page and "Never updated" not in page
    assert "Overdue</span> 2021-22 Q2 update, due 15 October 2021" in page
    assert f'href="{reverse("update_my_actions", args=["lichfield", "2021-22"])}"' in page
    with time_machine.travel(datetime.datetime(2021, 9, 16, 9, 0), tick=False):
        page = client.get(reverse("my_updates_due")).content.decode()
    assert "Due</span> 2021-22 Q2 update, by 15 October 2021" in page


def test_the_dashboard_lists_the_owed_updates_and_links_to_the_new_pages(
    client, year, plan, coordinator
):
    client.force_login(coordinator)
    with time_machine.travel(datetime.datetime(2021, 7, 16, 9, 0), tick=False):
        page = client.get(reverse("plan_dashboard", args=["lichfield", "2021-22"])).content.decode()
    assert 'id="due-heading">Updates due <span class="badge text-bg-warning">2</span>' in page
    assert page.count("Overdue</span> 2021-22 Q1 update") == 2
    assert f'href="{reverse("update_my_actions", args=["lichfield", "2021-22"])}"' in page
    assert f'href="{reverse("reporting_calendar", args=["lichfield", "2021-22"])}"' in page
    # The title is the page's name (it held the funding summary's section).
    assert (
        "<title>Dashboard: Community Safety Delivery Plan 2021-22 – CSP Action Plan</title>" in page
    )


def test_my_updates_due_queries_do_not_grow_with_the_actions(
    client, year, plan, police, coordinator, django_assert_max_num_queries
):
    ensure_reporting_periods([plan])
    url = reverse("my_updates_due")
    client.force_login(coordinator)
    with time_machine.travel(datetime.datetime(2021, 9, 20, 9, 0), tick=False):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        for _ in range(40):
            ActionFactory(priority=year["police"].priority, lead_agency=police)
        with django_assert_max_num_queries(len(few)):
            page = client.get(url).content.decode()
    assert page.count("Record an update") == 2 * (2 + 40)
