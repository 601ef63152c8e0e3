"""Reminders 14, 7 and 1 days before the deadline: what each agency owes, sent once."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from lifecycle.models import Agreement, Reminder
from lifecycle.reminders import due_reminder
from priorities.models import Plan
from tests.factories import ActionFactory

DEADLINE = datetime.date(2021, 5, 1)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 7, 0), tick=False)


def days_before(n: int) -> datetime.date:
    return DEADLINE - datetime.timedelta(days=n)


@pytest.fixture
def run(settings, django_capture_on_commit_callbacks):
    """`send_reminders`, its output. Reminders are told through the notifications; their e-mails
    go at once here (the immediate task backend), when the command's transaction commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def do() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out)
        return out.getvalue()

    return do


@pytest.fixture
def owing(plan, priority, council, supporting_officer, lead_officer, coordinator, action):
    """The council leads an action with no outcome and no theme; the police owe nothing."""
    return ActionFactory(priority=priority, lead_agency=council, description="Council street audit")


@pytest.mark.parametrize(
    ("days_left", "due"),
    [
        (20, None),
        (15, None),
        (14, 14),
        (10, 14),
        (8, 14),
        (7, 7),
        (2, 7),
        (1, 1),
        (0, None),
        (-3, None),
    ],
)
def test_which_reminder_is_due(days_left, due):
    assert due_reminder(days_left) == due


@pytest.mark.parametrize("n", [14, 7, 1])
def test_agency_members_are_told_what_their_agency_owes(
    owing, supporting_officer, coordinator, n, run
):
    with at(days_before(n)):
        output = run()
    to_council = [m for m in mail.outbox if supporting_officer.email in m.to]
    assert len(to_council) == 1
    body = to_council[0].body
    assert "Council street audit" in body
    assert "no outcome and no theme" in body
    assert f"{n} day" in to_council[0].subject
    summary = [m for m in mail.outbox if coordinator.email in m.to]
    assert (
        len(summary) == 1 and "Lichfield District Council: 1 action to complete" in summary[0].body
    )
    assert "reminder(s) sent" in output


def test_an_agency_that_owes_nothing_gets_nothing(owing, lead_officer, run):
    with at(days_before(14)):
        run()
    assert not [m for m in mail.outbox if lead_officer.email in m.to]


def test_running_twice_the_same_day_sends_each_reminder_once(owing, run):
    with at(days_before(7)):
        run()
        first = len(mail.outbox)
        output = run()
    assert first == 2  # the council's members and the coordinator's summary
    assert len(mail.outbox) == first
    assert "0 reminder(s) sent" in output
    assert Reminder.objects.count() == 2


def test_each_reminder_on_its_day_and_none_between(owing, run):
    sent_on = {}
    for n in range(16, -2, -1):
        before = len(mail.outbox)
        with at(days_before(n)):
            run()
        sent_on[n] = len(mail.outbox) - before
    assert {n: count for n, count in sent_on.items() if count} == {14: 2, 7: 2, 1: 2}


def test_a_missed_day_is_caught_up_once(owing, run):
    with at(days_before(12)):  # the server was down on the 14th day
        run()
    assert len(mail.outbox) == 2
    assert set(Reminder.objects.values_list("days_before", flat=True)) == {14}
    with at(days_before(11)):
        run()
    assert len(mail.outbox) == 2


def test_agreement_is_owed_while_the_plan_is_out_for_agreement(
    owing, plan, representative, housing, police, run
):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION, consultation_round=1)
    Agreement.objects.create(
        plan=plan,
        agency=police,
        round=1,
        decision="agreed",
        decided_at=datetime.datetime(2021, 4, 10, tzinfo=datetime.UTC),
    )
    with at(days_before(7)):
        run()
    to_housing = [m for m in mail.outbox if representative.email in m.to]
    assert len(to_housing) == 1
    assert "agreement to the plan" in to_housing[0].body
    assert "/plans/lichfield/2021-22/agreement/" in to_housing[0].body


def test_nothing_is_sent_for_a_published_plan(owing, plan, publish, run):
    publish(plan)
    with at(days_before(7)):
        run()
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_reminder_is_also_in_each_members_inbox(owing, supporting_officer, coordinator, run):
    from notifications.models import Kind, Notification

    with at(days_before(7)):
        run()
        run()
    mine = Notification.objects.filter(recipient=supporting_officer, kind=Kind.DEADLINE_REMINDER)
    assert mine.count() == 1
    assert "Council street audit" in mine.get().body
    assert mine.get().url == "/plans/lichfield/2021-22/workspace/"
    summary = Notification.objects.get(recipient=coordinator, kind=Kind.DEADLINE_REMINDER)
    assert summary.url == "/plans/lichfield/2021-22/readiness/"
