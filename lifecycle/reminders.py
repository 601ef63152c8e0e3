"""Deadline reminders: 14, 7 and 1 days before, each agency is told what it still owes.

Each reminder is recorded under a unique constraint, and told through the notifications (in the
site, and by e-mail as each person prefers, queued for the worker), so running the command any
number of times a day sends each reminder once. A day missed (the server was down) is caught up
the next day with the reminder that was due.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from lifecycle.models import Reminder
from lifecycle.readiness import Readiness, plan_readiness
from notifications.models import Kind as NotificationKind
from notifications.services import notify
from partners.models import Agency
from priorities.models import Plan

User = get_user_model()

REMINDER_DAYS = (14, 7, 1)


def due_reminder(days_left: int | None) -> int | None:
    """Which reminder is due with this many days left: 14, 7, 1, or none."""
    if days_left is None or days_left < 1:
        return None
    due = [days for days in REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


@dataclass
class Owed:
    agency: Agency
    actions: list[Action] = field(default_factory=list)
    agreement: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.actions or self.agreement)


def what_agencies_owe(plan: Plan, readiness: Readiness) -> list[Owed]:
    led = (
        Action.objects.filter(priority__plan=plan, lead_agency__isnull=False)
        .select_related("priority", "theme")
        .with_outcome_count()
        .order_by("priority__order", "order")
    )
    owed = {answer.agency.pk: Owed(answer.agency) for answer in readiness.answers}
    for action in led:
        if action.lead_agency_id in owed and action.blocking_gaps:
            owed[action.lead_agency_id].actions.append(action)
    if plan.in_consultation:
        for answer in readiness.pending:
            owed[answer.agency.pk].agreement = True
    return list(owed.values())


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str
    why: str


def _record_and_notify(
    *,
    plan: Plan,
    agency: Agency | None,
    kind: str,
    days: int,
    recipients: list[Any],
    message: Message,
    now: datetime.datetime,
) -> bool:
    """Record the reminder and tell the people; a second attempt finds the record and tells
    nobody again."""
    if not recipients or plan.deadline is None:
        return False
    try:
        with transaction.atomic():
            Reminder.objects.create(
                plan=plan,
                agency=agency,
                kind=kind,
                days_before=days,
                deadline=plan.deadline,
                sent_at=now,
                recipients=", ".join(user.email or user.get_username() for user in recipients),
            )
            notify(
                kind=NotificationKind.DEADLINE_REMINDER,
                recipients=recipients,
                key=f"plan-{plan.pk}-deadline-{plan.deadline}-{days}-{agency.pk if agency else 0}",
                subject=message.subject,
                body=message.body,
                url=message.url,
                plan=plan,
                why=message.why,
            )
    except IntegrityError:
        return False  # already sent
    return True


def send_reminders(*, today: datetime.date | None = None) -> list[str]:
    """Send every reminder due today; returns a line per reminder sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    plans = (
        Plan.objects.exclude(status=Plan.Status.PUBLISHED)
        .filter(deadline__isnull=False, deadline__gt=today)
        .select_related("partnership")
    )
    sent = []
    for plan in plans:
        days = due_reminder((plan.deadline - today).days)
        if days is not None:
            sent += _send_plan_reminders(plan, days=days, today=today, now=now)
    return sent


def _send_plan_reminders(
    plan: Plan, *, days: int, today: datetime.date, now: datetime.datetime
) -> list[str]:
    """Each agency that still owes something is told what; the coordinators get a summary."""
    readiness = plan_readiness(plan, today=today)
    owing = [item for item in what_agencies_owe(plan, readiness) if item.anything]
    context = {"plan": plan, "readiness": readiness, "days": days, "site_url": settings.SITE_URL}
    subject = f"{plan.partnership.name} {plan.period}: {readiness.deadline_text} to the deadline"
    tell = functools.partial(_record_and_notify, plan=plan, days=days, now=now)
    sent = []
    for item in owing:
        members = list(
            User.objects.filter(memberships__agency=item.agency, is_active=True).order_by("pk")
        )
        message = Message(
            subject=subject,
            body=render_to_string("lifecycle/email/reminder_agency.txt", context | {"owed": item}),
            url=plan.get_workspace_url(),
            why=f"you are a member of {item.agency.name} in {plan.partnership.name}",
        )
        if tell(agency=item.agency, kind=Reminder.Kind.AGENCY, recipients=members, message=message):
            sent.append(f"{plan} — {item.agency}: {len(members)} recipient(s)")
    coordinators = list(plan.partnership.coordinators.filter(is_active=True).order_by("pk"))
    summary = Message(
        subject=f"Summary — {subject}",
        body=render_to_string(
            "lifecycle/email/reminder_coordinator.txt", context | {"owed": owing}
        ),
        url=reverse("plan_readiness", args=[plan.partnership.slug, plan.period]),
        why=f"you coordinate {plan.partnership.name}",
    )
    if tell(agency=None, kind=Reminder.Kind.COORDINATOR, recipients=coordinators, message=summary):
        sent.append(f"{plan} — coordinator summary: {len(coordinators)} recipient(s)")
    return sent
