"""Progress on a published plan's actions: recorded by the lead agency, the latest update the
action's current state and its status, and the updates owed by the plan's reporting calendar
(tracking/reporting.py).

What is owed, and when (each action of a published plan that is not completed or withdrawn, and
whose latest update is not "Complete"):

- A period has its update when the action's latest update is dated on or after the period's
  start; the days between a period's end and its due date belong to that period, so an update in
  them is the earlier period's and the next one starts after that due date.
- A period without its update is "due" from DUE_SOON_DAYS before it ends until its due date, and
  "overdue" from the next day until the next period's due date, when the next period's own update
  takes its place. A late update clears it. The last period stays overdue until it has its
  update: a plan whose year has ended asks for its final update and nothing after.
- So an action owes at most two updates at once: the last period's, overdue, while the next one's
  is due; one update then settles both.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from actions.models import Action
from partners.history import record_author
from partners.models import Membership
from partners.permissions import agency_ids, can, coordinated_partnership_ids
from priorities.models import Plan
from tracking.models import ProgressUpdate, ReportingPeriod
from tracking.reporting import ensure_reporting_periods, periods_by_plan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A period's update is due from this many days before the period ends.
DUE_SOON_DAYS = 14

DUE: Literal["due"] = "due"
OVERDUE: Literal["overdue"] = "overdue"
OwedState = Literal["due", "overdue"]

FINISHED = (Action.Status.COMPLETED, Action.Status.WITHDRAWN)


@dataclass(frozen=True)
class OwedUpdate:
    """An action's update owed for a reporting period: "due" or "overdue"."""

    action: Action
    period: ReportingPeriod
    state: OwedState

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE


def due_from(period: ReportingPeriod) -> datetime.date:
    """The first day a period's update is due."""
    return max(period.start, period.end - datetime.timedelta(days=DUE_SOON_DAYS))


def _late_until(periods: Sequence[ReportingPeriod], index: int) -> datetime.date:
    """The last day a period's missing update is overdue: the next period's due date."""
    return periods[index + 1].due if index + 1 < len(periods) else datetime.date.max


def _counts_from(periods: Sequence[ReportingPeriod], index: int) -> datetime.date:
    """The first day an update counts for the period: its start, or the day after the previous
    period's due date when that is later (those days are the previous period's)."""
    start = periods[index].start
    if index == 0:
        return start
    return max(start, periods[index - 1].due + datetime.timedelta(days=1))


def period_window(
    periods: Sequence[ReportingPeriod], index: int
) -> tuple[datetime.date, datetime.date]:
    """The days whose updates are a period's: from its first counting day (`_counts_from`) to
    its due date. A progress report for the period reads the updates of these days."""
    return _counts_from(periods, index), periods[index].due


def owed_periods(
    periods: Sequence[ReportingPeriod], last_update: datetime.date | None, today: datetime.date
) -> list[tuple[ReportingPeriod, OwedState]]:
    """The periods an action owes an update for on `today`, each "due" or "overdue", given the
    date of its latest update up to `today` (None: never updated)."""
    owed: list[tuple[ReportingPeriod, OwedState]] = []
    for index, period in enumerate(periods):
        if last_update is not None and last_update >= _counts_from(periods, index):
            continue
        if due_from(period) <= today <= period.due:
            owed.append((period, DUE))
        elif period.due < today <= _late_until(periods, index):
            owed.append((period, OVERDUE))
    return owed


class LatestUpdate(TypedDict):
    """What with_latest_update() adds to each action: its latest update's date, RAG and %."""

    latest_update_date: datetime.date | None
    latest_rag: str | None
    latest_percent: int | None


if TYPE_CHECKING:
    # Only for the type checker: at run time the alias takes one argument.
    ActionWithLatest = WithAnnotations[Action, LatestUpdate]


def with_latest_update(actions: QuerySet[Action]) -> QuerySet[ActionWithLatest]:
    """Annotate each action with the date, RAG and percentage of its latest update (one query)."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-date", "-created_at")
    return actions.annotate(
        latest_update_date=Subquery(latest.values("date")[:1]),
        latest_rag=Subquery(latest.values("rag")[:1]),
        latest_percent=Subquery(latest.values("percent_complete")[:1]),
    )


def may_owe_updates(action: Action) -> bool:
    """Whether the action (annotated by with_latest_update) is one that owes updates at all."""
    return (
        action.priority.plan.has_published_version
        and action.status not in FINISHED
        and getattr(action, "latest_rag", None) != ProgressUpdate.Rag.COMPLETE
    )


def owing_actions(actions: QuerySet[Action]) -> QuerySet[Action]:
    """The actions that owe updates at all (may_owe_updates, in the database), annotated."""
    return (
        with_latest_update(actions)
        .filter(priority__plan__last_published_at__isnull=False)
        .exclude(status__in=FINISHED)
        # Spelled out for the never-updated: NOT (NULL = 'complete') would drop them.
        .filter(Q(latest_rag__isnull=True) | ~Q(latest_rag=ProgressUpdate.Rag.COMPLETE))
    )


def reported_by(user: Any) -> Q:
    """The actions a person reports on: those their agencies lead, and every action of the
    partnerships they coordinate."""
    return Q(lead_agency__in=agency_ids(user)) | Q(
        priority__plan__partnership__in=coordinated_partnership_ids(user)
    )


def plans_reported_by(user: Any) -> QuerySet[Plan]:
    """The plans that hold the actions a person reports on (`reported_by`), found through the
    indexes: the database then reads those plans' actions only. (`reported_by` alone is an OR
    across two tables, which makes PostgreSQL read every published plan's actions: seconds in a
    country of 1,500 plans.)"""
    led = Action.objects.filter(lead_agency__in=agency_ids(user)).values("priority__plan")
    return Plan.objects.filter(Q(partnership__in=coordinated_partnership_ids(user)) | Q(pk__in=led))


# Above this many actions their updates are fetched by plan, not by a list of ids (databases
# limit the parameters of one query).
IDS_IN_ONE_QUERY = 1000


def _last_updates(
    actions: Sequence[Action], plan_ids: Iterable[int], today: datetime.date
) -> dict[int, datetime.date]:
    """The date of each action's latest update up to `today`, by action id (one query)."""
    updates = ProgressUpdate.objects.filter(date__lte=today)
    if len(actions) <= IDS_IN_ONE_QUERY:
        updates = updates.filter(action__in=[action.pk for action in actions])
    else:
        updates = updates.filter(action__priority__plan__in=list(plan_ids))
    return dict(
        updates.order_by()
        .values("action_id")
        .annotate(last=Max("date"))
        .values_list("action_id", "last")
    )


def owed_for(actions: Sequence[Action], today: datetime.date | None = None) -> list[OwedUpdate]:
    """The updates these fetched actions owe on `today` (today if not given), in their order.
    Two queries whatever their number; it writes nothing."""
    today = today or timezone.localdate()
    owing = [action for action in actions if may_owe_updates(action)]
    if not owing:
        return []
    plans = {action.priority.plan.pk: action.priority.plan for action in owing}
    calendars = periods_by_plan(plans.values())
    last_updates = _last_updates(owing, plans.keys(), today)
    return [
        OwedUpdate(action, period, state)
        for action in owing
        for period, state in owed_periods(
            calendars.get(action.priority.plan.pk, []), last_updates.get(action.pk), today
        )
    ]


def updates_owed(
    *,
    user: Any = None,
    plans: Iterable[Plan] | QuerySet[Plan] | None = None,
    today: datetime.date | None = None,
) -> list[OwedUpdate]:
    """Every update owed on `today` (today if not given): of the actions a person reports on
    (`user`: their agencies' and their coordinated partnerships'), of some plans (`plans`), or
    of every published plan. Ordered by partnership, plan, priority and action; an action may owe
    two periods at once (the last one overdue while the next is due). Three queries whatever the
    number of actions; it writes nothing."""
    found = owing_actions(Action.objects.all())
    if user is not None:
        found = found.filter(reported_by(user), priority__plan__in=plans_reported_by(user))
    if plans is not None:
        found = found.filter(priority__plan__in=plans)
    fetched = found.select_related("priority__plan__partnership", "lead_agency", "theme").order_by(
        "priority__plan__partnership__name",
        "-priority__plan__period_start",
        "priority__order",
        "order",
        "pk",
    )
    return owed_for(list(fetched), today)


def actions_to_update(user: Any, plan: Plan) -> list[Action]:
    """The plan's actions this person may record progress on (the lead agency's officers and the
    coordinator: tracking.update_progress), withdrawn ones aside, each annotated with its latest
    update (with_latest_update, and `latest_narrative`). One query."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-date", "-created_at")
    actions = (
        with_latest_update(Action.objects.filter(priority__plan=plan))
        .annotate(latest_narrative=Subquery(latest.values("narrative")[:1]))
        .exclude(status=Action.Status.WITHDRAWN)
        .select_related("priority__plan__partnership", "lead_agency", "theme")
        .order_by("priority__order", "order", "pk")
    )
    return [action for action in actions if can(user, "tracking.update_progress", action)]


@dataclass(frozen=True)
class UpdateNotice:
    """What to tell one person on a day: their agency's actions whose update for a period is
    due (soon) or overdue. A notification records each (user, period, state) once."""

    user: Any
    period: ReportingPeriod
    state: OwedState
    actions: tuple[Action, ...]

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.user.pk, self.period.pk, self.state)


def due_soon_and_overdue_for_notifications(
    today: datetime.date | None = None,
) -> list[UpdateNotice]:
    """The notices for `today`: every update owed that day (updates_owed), for each active member
    of the action's lead agency, grouped by person, period and state. It lists all that is owed,
    not only what became owed that day, so that a day the job did not run is caught up: send each
    notice's key once. It stores the periods of published plans that had none (their ids name
    them). Five queries whatever the number of actions and people (seven when periods are
    stored)."""
    # What a notification records names a stored period: store those of the plans without.
    ensure_reporting_periods(
        Plan.objects.filter(last_published_at__isnull=False, reporting_periods__isnull=True)
    )
    owed = updates_owed(today=today)
    members: dict[int, list[Any]] = {}
    for membership in (
        Membership.objects.filter(
            agency__in={item.action.lead_agency_id for item in owed}, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    ):
        members.setdefault(membership.agency_id, []).append(membership.user)
    notices: dict[tuple[int, int, str], UpdateNotice] = {}
    for item in owed:
        for user in members.get(item.action.lead_agency_id or 0, []):
            key = (user.pk, item.period.pk, item.state)
            found = notices.get(key)
            actions = (*found.actions, item.action) if found else (item.action,)
            notices[key] = UpdateNotice(user, item.period, item.state, actions)
    return list(notices.values())


# -- Recording progress.


def status_after(status: str, rag: str) -> str:
    """An action's status once its latest update has this RAG: completed when complete, in
    progress otherwise (a completed action reopens). A withdrawn action stays withdrawn."""
    if status == Action.Status.WITHDRAWN:
        return status
    return (
        Action.Status.COMPLETED if rag == ProgressUpdate.Rag.COMPLETE else Action.Status.IN_PROGRESS
    )


def _status_follows_progress(action: Action, user: Any) -> None:
    """Set the action's status from its latest update, as the next version of the action, with
    `user` on record in its history."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    latest = locked.updates.latest()
    status = status_after(locked.status, latest.rag)
    if status == locked.status:
        return
    locked.status = status
    locked.version += 1
    locked.updated_by = user
    record_author(locked, user)
    locked._change_reason = f"Progress update: {latest.get_rag_display()}"
    locked.save(update_fields=["status", "version", "updated_by", "updated_at"])
    action.status, action.version, action.updated_by = status, locked.version, user


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
    """Record how an action is going. Updates are kept, never overwritten; the action's status
    follows its latest update (status_after). `user` None is the system (the demo loader)."""
    update = ProgressUpdate(
        action=action,
        date=date,
        rag=rag,
        percent_complete=percent_complete,
        narrative=narrative,
        created_by=user,
    )
    update.full_clean(exclude=["created_by"] if user is None else None)
    update.save()
    _status_follows_progress(action, user)
    return update


@dataclass(frozen=True)
class ProgressEntry:
    """One action's update among several recorded together."""

    action: Action
    rag: str
    narrative: str
    percent_complete: int | None = None


@transaction.atomic
def progress_record_many(
    *, user: Any, date: datetime.date, entries: Sequence[ProgressEntry]
) -> list[ProgressUpdate]:
    """Record several actions' updates together: all of them, or (on any error) none."""
    return [
        progress_record(
            action=entry.action,
            user=user,
            date=date,
            rag=entry.rag,
            narrative=entry.narrative,
            percent_complete=entry.percent_complete,
        )
        for entry in entries
    ]
