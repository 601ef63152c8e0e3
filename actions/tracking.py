"""Through the year: progress on actions, and the figures every agency contributes."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from actions.models import Action, Figure, Measure, ProgressUpdate
from actions.periods import period_label
from partners.models import Agency
from priorities.models import Plan

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
def progress_record(*, action: Action, user, form) -> ProgressUpdate:
    update = form.save(commit=False)
    update.action = action
    update.created_by = user
    update.save()
    return update


@transaction.atomic
def figure_save(*, figure: Figure, user) -> tuple[Figure, bool]:
    """Save an agency's figure; a figure for the same measure, agency and period is corrected in
    place (history keeps the old value). Returns the figure and whether it was new."""
    existing = (
        Figure.objects.select_for_update()
        .filter(measure=figure.measure, agency=figure.agency, period_start=figure.period_start)
        .first()
    )
    if existing is None:
        figure.entered_by = user
        figure._history_user = user
        figure.save()
        return figure, True
    existing.value = figure.value
    existing.confidence = figure.confidence
    existing.entered_by = user
    existing._history_user = user
    existing.save()
    return existing, False


# -- The dashboard's numbers.


@dataclass
class Series:
    name: str
    values: dict[datetime.date, Decimal]
    is_total: bool = False


@dataclass
class MeasureData:
    measure: Measure
    periods: list[datetime.date]
    series: list[Series]

    @property
    def labels(self) -> list[str]:
        return [period_label(p, self.measure.frequency) for p in self.periods]

    @property
    def rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """The table beside the chart: a row per period, a column per series."""
        return [
            (label, [s.values.get(period) for s in self.series])
            for label, period in zip(self.labels, self.periods, strict=True)
        ]


def measures_data(plan: Plan) -> list[MeasureData]:
    """Each measure of a plan over time: a series per source agency and the combined total."""
    measures = list(plan.measures.select_related("priority").order_by("name"))
    figures = Figure.objects.filter(measure__plan=plan).select_related("agency")
    by_measure: dict[int, list[Figure]] = defaultdict(list)
    for figure in figures.order_by("period_start", "agency__name"):
        by_measure[figure.measure_id].append(figure)
    result = []
    for measure in measures:
        rows = by_measure.get(measure.pk, [])
        periods = sorted({f.period_start for f in rows})
        agencies: dict[str, dict[datetime.date, Decimal]] = {}
        total: dict[datetime.date, Decimal] = defaultdict(Decimal)
        for figure in rows:
            agencies.setdefault(figure.agency.name, {})[figure.period_start] = figure.value
            total[figure.period_start] += figure.value
        series = [Series(name, values) for name, values in sorted(agencies.items())]
        if len(series) > 1:
            series.append(Series("All agencies combined", dict(total), is_total=True))
        result.append(MeasureData(measure, periods, series))
    return result


@dataclass
class RagCount:
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


RAG_COLUMNS = [*ProgressUpdate.Rag.choices, ("none", "No update yet")]


def rag_by(actions: list[Action], key) -> list[RagCount]:
    """Count annotated actions by latest RAG status, grouped by `key(action)`."""
    groups: dict[str, RagCount] = {}
    for action in actions:
        label = key(action)
        group = groups.setdefault(label, RagCount(label, {value: 0 for value, _ in RAG_COLUMNS}))
        group.counts[action.latest_rag or "none"] += 1
    return list(groups.values())


def agencies_for_figures(user, plan: Plan) -> QuerySet[Agency]:
    """The agencies this person may enter figures for: their own, or all for the coordinator."""
    # Imported here: partners.permissions reads models of every app.
    from partners.permissions import agency_ids, can

    core = plan.partnership.core_agencies.order_by("name")
    if can(user, "priorities.run_plan", plan):
        return core
    return core.filter(pk__in=agency_ids(user))
