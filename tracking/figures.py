"""Measures and the figures every agency contributes: entered, corrected, and read as series
over time for charts and tables."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

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
#
# Honest totals: the agencies that report a measure are those with any figure for it. A period in
# which some of them have no figure yet has a combined value that is only part of the picture
# (Bromford's 104 without the police's 400-odd is not a fall): it is marked partial ("1 of 2
# agencies") in tables, drawn as a separate marker with no line into it, and left out of the
# direction of travel and the comparison with the target.

TOTAL_NAME = "All agencies combined"


@dataclass
class Series:
    """One line of a chart and one column of its table: an agency's figures, or a total of
    several (`reporting` of them report the measure; `counted` says how many had a figure for
    each period, so a period with fewer is partial)."""

    name: str
    values: dict[datetime.date, Decimal]
    is_total: bool = False
    counted: dict[datetime.date, int] = field(default_factory=dict)
    reporting: int = 0
    # What a total adds up: "agencies" within a partnership, "partnerships" across an area.
    parts: str = "agencies"

    def is_partial(self, period: datetime.date) -> bool:
        return period in self.values and self.counted.get(period, self.reporting) < self.reporting

    def partial_note(self, period: datetime.date) -> str:
        """ "1 of 2 agencies" for a partial period, else ""."""
        if not self.is_partial(period):
            return ""
        return f"{self.counted.get(period, 0)} of {self.reporting} {self.parts}"

    @property
    def whole(self) -> dict[datetime.date, Decimal]:
        """The values that are not partial: those a trend may be read from."""
        return {p: v for p, v in self.values.items() if not self.is_partial(p)}


@dataclass(frozen=True)
class Cell:
    """A value of the table beside a chart; `partial` says what it lacks ("1 of 2 agencies")."""

    value: Decimal | None
    partial: str = ""


Direction = Literal["up", "down", "same"]


@dataclass(frozen=True)
class Trend:
    """A measure's direction of travel and how it stands against its target, read from its
    headline series (the combined total, or the one agency's figures) over whole periods only."""

    latest: Decimal | None = None
    latest_label: str = ""
    previous: Decimal | None = None
    previous_label: str = ""
    direction: Direction | None = None
    # Whether the latest whole value meets the target: None when there is no target, or no way
    # to tell whether lower or higher is better (a target without a baseline).
    meets_target: bool | None = None
    left_out: tuple[str, ...] = ()  # partial periods after the latest whole one, with why

    @property
    def direction_text(self) -> str:
        if self.latest is None:
            return "No complete figures yet"
        if self.previous is None or self.direction is None:
            return f"{_number(self.latest)} in {self.latest_label}; no earlier period to compare"
        change = self.latest - self.previous
        if self.direction == "same":
            return (
                f"No change: {_number(self.latest)} in {self.latest_label}, "
                f"as in {self.previous_label}"
            )
        word = "Up" if self.direction == "up" else "Down"
        percent = f" ({abs(change) / self.previous:.0%})" if self.previous else ""
        return (
            f"{word} {_number(abs(change))}{percent}: {_number(self.latest)} in "
            f"{self.latest_label}, from {_number(self.previous)} in {self.previous_label}"
        )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


@dataclass
class MeasureData:
    measure: Measure
    periods: list[datetime.date]
    series: list[Series]

    @property
    def labels(self) -> list[str]:
        return [period_label(p, self.measure.frequency) for p in self.periods]

    @property
    def rows(self) -> list[tuple[str, list[Cell]]]:
        """The table beside the chart: a row per period, a column per series."""
        return [
            (label, [Cell(s.values.get(period), s.partial_note(period)) for s in self.series])
            for label, period in zip(self.labels, self.periods, strict=True)
        ]

    @property
    def headline(self) -> Series | None:
        """The series the measure is judged by: the combined total of several agencies, or the
        one agency's figures."""
        totals = [s for s in self.series if s.is_total]
        if totals:
            return totals[0]
        return self.series[0] if len(self.series) == 1 else None

    @property
    def has_partial(self) -> bool:
        return any(s.is_partial(p) for s in self.series for p in self.periods)

    @property
    def target_text(self) -> str:
        """How the latest whole value stands against the target, in words."""
        return target_text(self.measure, self.trend)

    @property
    def trend(self) -> Trend:
        headline = self.headline
        if headline is None:
            return Trend()
        label = dict(zip(self.periods, self.labels, strict=True))
        whole = sorted(headline.whole.items())
        left_out = tuple(
            f"{label[p]} ({headline.partial_note(p)})"
            for p in self.periods
            if headline.is_partial(p) and (not whole or p > whole[-1][0])
        )
        if not whole:
            return Trend(left_out=left_out)
        (last, latest), before = whole[-1], whole[-2] if len(whole) > 1 else None
        direction: Direction | None = None
        if before is not None:
            direction = "up" if latest > before[1] else "down" if latest < before[1] else "same"
        return Trend(
            latest=latest,
            latest_label=label[last],
            previous=before[1] if before else None,
            previous_label=label[before[0]] if before else "",
            direction=direction,
            meets_target=_meets_target(self.measure, latest),
            left_out=left_out,
        )


def lower_is_better(measure: Measure) -> bool | None:
    """Whether the measure aims down (a target below the baseline) or up; None if unknown."""
    if measure.target is None or measure.baseline is None or measure.target == measure.baseline:
        return None
    return measure.target < measure.baseline


def _meets_target(measure: Measure, value: Decimal) -> bool | None:
    lower = lower_is_better(measure)
    if lower is None or measure.target is None:
        return None
    return value <= measure.target if lower else value >= measure.target


def target_text(measure: Measure, trend: Trend) -> str:
    """How the latest whole value stands against the target, in words."""
    if measure.target is None:
        return "No target set"
    target = _number(measure.target)
    if trend.latest is None:
        return f"Target {target}: no complete figures to compare yet"
    gap = trend.latest - measure.target
    if gap == 0:
        return f"At the target of {target}"
    side = "above" if gap > 0 else "below"
    verdict = {True: " (met)", False: " (not met)", None: ""}[trend.meets_target]
    return f"{_number(abs(gap))} {side} the target of {target}{verdict}"


def _combined(
    name: str, parts: dict[str, dict[datetime.date, Decimal]], label: str = "agencies"
) -> Series:
    """The total of several series, period by period, with how many had a value for each."""
    total: dict[datetime.date, Decimal] = defaultdict(Decimal)
    counted: dict[datetime.date, int] = defaultdict(int)
    for values in parts.values():
        for period, value in values.items():
            total[period] += value
            counted[period] += 1
    return Series(
        name, dict(total), is_total=True, counted=dict(counted), reporting=len(parts), parts=label
    )


def measures_data(
    plan: Plan,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[MeasureData]:
    """Each measure of a plan over time: a series per source agency and, for several, the
    combined total (partial where not every agency has a figure). `since` and `until` keep the
    periods that start within them. Two queries."""
    measures = list(plan.measures.select_related("priority").order_by("name"))
    figures = Figure.objects.filter(measure__plan=plan).select_related("agency")
    by_measure: dict[int, list[Figure]] = defaultdict(list)
    for figure in figures.order_by("period_start", "agency__name"):
        by_measure[figure.measure_id].append(figure)
    result = []
    for measure in measures:
        rows = by_measure.get(measure.pk, [])
        # Every agency that reports the measure counts, even with no figure in the window.
        agencies: dict[str, dict[datetime.date, Decimal]] = {
            figure.agency.name: {} for figure in rows
        }
        rows = [
            f
            for f in rows
            if (since is None or f.period_start >= since)
            and (until is None or f.period_start <= until)
        ]
        periods = sorted({f.period_start for f in rows})
        for figure in rows:
            agencies[figure.agency.name][figure.period_start] = figure.value
        series = [Series(name, values) for name, values in sorted(agencies.items())]
        if len(series) > 1:
            series.append(_combined(TOTAL_NAME, dict(sorted(agencies.items()))))
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
