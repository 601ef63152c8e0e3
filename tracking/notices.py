"""Progress updates due soon and overdue, told to the officers of each action's lead agency
through the notifications, once per person, reporting period and state."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils import formats

from notifications.models import Kind
from notifications.services import notify
from tracking.progress import UpdateNotice, due_soon_and_overdue_for_notifications


@transaction.atomic
def notify_updates_owed(*, today: datetime.date | None = None) -> list[str]:
    """Tell everyone whose agency owes updates today; a line per person told for the first time."""
    told = []
    for notice in due_soon_and_overdue_for_notifications(today):
        if _tell(notice):
            told.append(f"{notice.user}: {len(notice.actions)} update(s) {notice.state}")
    return told


def _tell(notice: UpdateNotice) -> bool:
    period = notice.period
    plan = period.plan
    due = formats.date_format(period.due)
    overdue = notice.state == "overdue"
    lines = "\n".join(f"- {truncatewords(action.description, 16)}" for action in notice.actions)
    count = len(notice.actions)
    agency = notice.actions[0].lead_agency
    return bool(
        notify(
            kind=Kind.UPDATE_OVERDUE if overdue else Kind.UPDATE_DUE_SOON,
            recipients=[notice.user],
            key=f"period-{period.pk}-{notice.state}",
            subject=(
                f"{plan.partnership.name} {plan.period}: {count} progress update"
                f"{'s' if count != 1 else ''} {'overdue' if overdue else 'due'} for {period.name}"
            ),
            body=(
                f"{'These updates were due' if overdue else 'Updates are due'} by {due} for "
                f"{period.name}, on the actions {agency} leads:\n{lines}"
            ),
            url=reverse("update_my_actions", args=[plan.partnership.slug, plan.period]),
            plan=plan,
            why=f"you are a member of {agency}, which leads these actions",
        )
    )
