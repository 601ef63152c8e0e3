"""Progress on a published plan's actions: recorded by the lead agency, the latest one the action's
current state, and an update due when the latest is older than a quarter."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from actions.models import Action
from tracking.models import ProgressUpdate

# An action whose latest update is older than a quarter is due an update.
UPDATE_INTERVAL = datetime.timedelta(days=91)


def update_due_since(today: datetime.date | None = None) -> datetime.date:
    """Updates dated before this day are too old: the action is due a new one."""
    return (today or timezone.localdate()) - UPDATE_INTERVAL


def with_latest_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Annotate each action with the date and RAG of its latest update (one query in all)."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-date", "-created_at")
    return actions.annotate(
        latest_update_date=Subquery(latest.values("date")[:1]),
        latest_rag=Subquery(latest.values("rag")[:1]),
        latest_percent=Subquery(latest.values("percent_complete")[:1]),
    )


def updates_due(actions: QuerySet[Action], today: datetime.date | None = None) -> QuerySet[Action]:
    """Actions of published plans with no update in the last quarter (nor ever)."""
    since = update_due_since(today)
    return (
        with_latest_update(actions)
        .filter(priority__plan__last_published_at__isnull=False)
        .exclude(status__in=[Action.Status.COMPLETED, Action.Status.WITHDRAWN])
        # Spelled out for the never-updated: NOT (NULL = 'complete') would drop them.
        .filter(Q(latest_rag__isnull=True) | ~Q(latest_rag=ProgressUpdate.Rag.COMPLETE))
        .filter(Q(latest_update_date__isnull=True) | Q(latest_update_date__lt=since))
    )


def is_update_due(action: Action, today: datetime.date | None = None) -> bool:
    """For one annotated action (see with_latest_update)."""
    if not action.priority.plan.has_published_version:
        return False
    if action.status in (Action.Status.COMPLETED, Action.Status.WITHDRAWN):
        return False
    if getattr(action, "latest_rag", None) == ProgressUpdate.Rag.COMPLETE:
        return False
    latest = getattr(action, "latest_update_date", None)
    return latest is None or latest < update_due_since(today)


@transaction.atomic
def progress_record(
    *,
    action: Action,
    user: Any,
    date: datetime.date,
    rag: str,
    narrative: str,
    percent_complete: int | None = None,
) -> ProgressUpdate:
    """Record how an action is going. Updates are kept, never overwritten."""
    update = ProgressUpdate(
        action=action,
        date=date,
        rag=rag,
        percent_complete=percent_complete,
        narrative=narrative,
        created_by=user,
    )
    update.full_clean()
    update.save()
    return update
