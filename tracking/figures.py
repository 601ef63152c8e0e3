"""Measures and the figures every agency contributes: entered, corrected, and read as series
over time for charts and tables."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from actions.models import Outcome
from partners.history import record_author
from partners.models import Agency
from partners.permissions import Refused, agency_ids, can
from priorities.models import Plan
from tracking.models import Figure, Measure
from tracking.periods import period_label


@transaction.atomic
def figure_save(
    *,
    measure: Measure,
    agency: Agency,
    period_start: datetime.date,
    value: Decimal,
    user: Any | None,
    confidence: str = "",
) -> tuple[Figure, bool]:
    """Save an agency's figure, if the person may enter it (partners/permissions.py: an agency
    enters only its own; the coordinator any; `user` None is the system, e.g. the demo loader);
    a figure for the same measure, agency and period is corrected in place (history keeps the old
    value). Returns the figure and whether it was new."""
    figure = Figure(measure=measure, agency=agency, period_start=period_start)
    if user is not None and not can(user, "tracking.enter_figure", figure):
        raise Refused(
            f"Only {agency} or the coordinator can enter {agency}'s figures.",
            partnership_id=measure.plan.partnership_id,
        )
    existing = (
        Figure.objects.select_for_update()
        .filter(measure=measure, agency=agency, period_start=period_start)
        .first()
    )
    created = existing is None
    if existing is not None:
        figure = existing
    figure.value, figure.confidence = value, confidence
    figure.entered_by = user
    record_author(figure, user)
    figure.save()
    return figure, created


def agencies_for_figures(user: Any, plan: Plan) -> QuerySet[Agency]:
    """The agencies this person may enter figures for: their own, or all for the coordinator."""
    core = plan.partnership.core_agencies.order_by("name")
    if can(user, "lifecycle.run_plan", plan):
        return core
    return core.filter(pk__in=agency_ids(user))


# -- A measure's figures over time, for charts and tables.


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


@transaction.atomic
def measure_save(
    *,
    plan: Plan,
    user: Any,
    name: str,
    measure: Measure | None = None,
    outcomes: Iterable[Outcome] = (),
    **values: Any,
) -> Measure:
    """Define a measure of the plan, or change one: its name, unit, what counts, how often it is
    counted, its priority and outcomes, baseline and target (the other Measure fields, by name)."""
    measure = measure or Measure(plan=plan)
    measure.name = name
    for field_name, value in values.items():
        measure._meta.get_field(field_name)  # only the model's own fields
        setattr(measure, field_name, value)
    measure.full_clean()
    record_author(measure, user)
    measure.save()
    measure.outcomes.set(list(outcomes))
    return measure
