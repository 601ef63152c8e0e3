"""Everyone is told their part: each event of the plan's life becomes a notification for the right
people, once; the person who acted is not told; progress updates due and overdue through a
year of reporting periods are told once each, and a finished plan asks only for its final one."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from actions.services import action_update
from lifecycle.services import (
    MeetingAnswer,
    plan_amend,
    plan_answer,
    plan_mark_agreed,
    plan_publish,
    plan_record_meeting,
    plan_send_for_agreement,
)
from notifications.models import Kind, Notification
from priorities.models import Plan
from tests.factories import OutcomeFactory


def told(kind: str) -> dict[str, int]:
    """Who was told of this kind of event, and how many times."""
    counts: dict[str, int] = {}
    for username in Notification.objects.filter(kind=kind).values_list(
        "recipient__username", flat=True
    ):
        counts[username] = counts.get(username, 0) + 1
    return counts


@pytest.fixture
def ready(plan, action, representative, lead_officer, supporting_officer, coordinator, police):
    """A plan nothing blocks; the police and Bromford each have someone who speaks for them."""
    action.target_date = datetime.date(2022, 3, 31)
    action.save()
    lead_officer.memberships.filter(agency=police).update(may_speak_for_agency=True)
    return plan


def test_sending_for_agreement_tells_each_agencys_representatives(ready, coordinator):
    plan_send_for_agreement(plan=ready, user=coordinator)
    plan_send_for_agreement_again = Plan.objects.get(pk=ready.pk)
    assert told(Kind.SENT_FOR_AGREEMENT) == {"alice": 1, "dana": 1}
    note = Notification.objects.get(recipient__username="dana", kind=Kind.SENT_FOR_AGREEMENT)
    assert note.url == "/plans/lichfield/2021-22/agreement/"
    assert "Bromford Housing Group" in note.why
    assert plan_send_for_agreement_again.in_consultation


def test_an_edit_in_consultation_asks_those_who_answered_again(
    ready, coordinator, representative, housing, action
):
    plan_send_for_agreement(plan=ready, user=coordinator)
    plan_answer(plan=ready, user=representative, agency=housing, decision="agreed")
    action.refresh_from_db()
    action_update(
        action=action, user=coordinator, expected_version=action.version, description="Edited"
    )
    assert told(Kind.ROUND_CLEARED) == {"dana": 1}  # only Bromford had answered


def test_changes_asked_for_and_every_agency_answered_reach_the_coordinator(
    ready, coordinator, representative, housing, lead_officer, police, partnership
):
    partnership.core_agencies.set([police, housing])
    plan_send_for_agreement(plan=ready, user=coordinator)
    plan_answer(
        plan=ready,
        user=representative,
        agency=housing,
        decision="changes_requested",
        comment="Add a youth outcome",
    )
    assert told(Kind.CHANGES_REQUESTED) == {"erin": 1}
    assert told(Kind.ALL_ANSWERED) == {}
    plan_answer(plan=ready, user=lead_officer, agency=police, decision="agreed")
    assert told(Kind.ALL_ANSWERED) == {"erin": 1}


def test_answers_recorded_at_a_meeting_are_answers_too(
    ready, coordinator, housing, police, partnership
):
    partnership.core_agencies.set([police, housing])
    plan_send_for_agreement(plan=ready, user=coordinator)
    plan_record_meeting(
        plan=ready,
        user=coordinator,
        date=datetime.date.today(),
        minutes_reference="Board 12",
        answers={
            police: MeetingAnswer("agreed"),
            housing: MeetingAnswer("changes_requested", "More on victims"),
        },
    )
    # The coordinator recorded them: not told of their own record.
    assert told(Kind.CHANGES_REQUESTED) == {} and told(Kind.ALL_ANSWERED) == {}


def test_agreed_published_and_amended_reach_every_member_but_the_coordinator_acting(
    ready,
    coordinator,
    representative,
    housing,
    lead_officer,
    police,
    supporting_officer,
    unrelated_officer,
):
    plan_send_for_agreement(plan=ready, user=coordinator)
    plan_mark_agreed(
        plan=ready,
        user=coordinator,
        reasons={a.pk: "Agreed at the board" for a in ready.partnership.core_agencies.all()},
    )
    members = {"alice": 1, "bob": 1, "charlie": 1, "dana": 1}
    assert told(Kind.PLAN_AGREED) == members
    plan_publish(plan=ready, user=coordinator)
    plan_publish_again = told(Kind.PLAN_PUBLISHED)
    assert plan_publish_again == members
    plan_amend(plan=ready, user=coordinator)
    assert told(Kind.PLAN_AMENDED) == members


def run_reminders() -> None:
    call_command("send_reminders", stdout=io.StringIO())


def test_a_year_of_reporting_periods_tells_each_update_due_and_overdue_once(
    plan, action, lead_officer, publish
):
    OutcomeFactory(action=action)
    publish(plan)
    day = datetime.date(2021, 4, 1)
    told = Notification.objects.count()
    while day <= datetime.date(2023, 6, 30):
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 7), tick=False):
            run_reminders()
            if Notification.objects.count() != told:
                # Run again on each day someone was told something: nobody is told twice.
                told = Notification.objects.count()
                run_reminders()
                assert Notification.objects.count() == told
        day += datetime.timedelta(days=1)
    notes = Notification.objects.filter(
        recipient=lead_officer, kind__in=[Kind.UPDATE_DUE_SOON, Kind.UPDATE_OVERDUE]
    ).order_by("created_at")
    due = [n.key for n in notes if n.kind == Kind.UPDATE_DUE_SOON]
    overdue = [n.key for n in notes if n.kind == Kind.UPDATE_OVERDUE]
    periods = list(plan.reporting_periods.order_by("start"))
    assert len(periods) == 4
    # Each quarter's update: due once, then overdue once (no update was ever recorded).
    assert due == [f"period-{p.pk}-due" for p in periods]
    assert overdue == [f"period-{p.pk}-overdue" for p in periods]
    # After the plan's year, nothing more than its final update was asked for.
    last_due = periods[-1].due
    assert all(n.created_at.date() <= last_due + datetime.timedelta(days=1) for n in notes)
