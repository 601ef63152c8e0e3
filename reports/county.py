"""The county view: an area's partnerships side by side, for the commissioner's office and the
county's community safety team (partners.models.Area; its analysts read, and change nothing).

For one plan year (e.g. 2021-22), across the area's partnerships: each plan's stage and deadline;
its actions per theme of the Police, Fire and Crime Commissioner, counted under the commissioner's
own wording (`Theme.opfcc_name`) so that they add up, with each partnership's own name for the
theme beside it; funding by source, allocated against committed; and one measure (by name)
compared across the partnerships on one chart, each partnership's combined total a line (a
partial total, where not all its agencies have a figure, a marker apart).

Only counts, names and figures: no action's text, so nothing restricted is shown.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.safestring import SafeString

from actions.models import Action
from partners.models import Area, Partnership
from priorities.models import DEFAULT_THEMES, Plan
from tracking.charts import line_chart
from tracking.figures import MeasureData, Series, measures_data
from tracking.funding import SourcePosition, funding_position
from tracking.models import CommissionedService, Measure

NO_THEME = "No theme chosen yet"
# The commissioner's themes in the order the commissioner lists them.
OPFCC_ORDER = [opfcc for _, _, opfcc in DEFAULT_THEMES]


@dataclass(frozen=True)
class PlanRow:
    partnership: Partnership
    plan: Plan | None  # None: no plan for the year

    @property
    def stage(self) -> str:
        if self.plan is None:
            return "No plan for this year"
        stage = self.plan.get_status_display()
        if not self.plan.is_published and self.plan.has_published_version:
            stage += " (a revision: the public reads the last published version)"
        return str(stage)

    @property
    def deadline(self) -> str:
        """The deadline and where the plan stands against it, in words."""
        plan = self.plan
        if plan is None or plan.deadline is None:
            return "No deadline set"
        when = formats.date_format(plan.deadline, "j F Y")
        if plan.has_published_version and plan.last_published_at is not None:
            published = timezone.localdate(plan.last_published_at)
            met = "met" if published <= plan.deadline else "missed"
            return f"{when}: {met} (published {formats.date_format(published, 'j F Y')})"
        days = (plan.deadline - timezone.localdate()).days
        if days < 0:
            return f"{when}: passed {-days} day{'s' if days != -1 else ''} ago, not published"
        return f"{when}: {days} day{'s' if days != 1 else ''} left"


@dataclass(frozen=True)
class ThemeRow:
    """Actions under one of the commissioner's themes (or a partnership's own, or none)."""

    opfcc: str  # the commissioner's wording; for a theme without one, the partnership's own name
    is_opfcc: bool
    counts: list[int]  # per partnership, in the overview's order
    own_names: list[list[str]]  # per partnership: its own names for the theme where they differ

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[tuple[int, list[str]]]:
        return list(zip(self.counts, self.own_names, strict=True))


@dataclass(frozen=True)
class SourceRow:
    """A funding source across the partnerships: each one's position (None where the source
    neither allocates nor is committed there)."""

    label: str
    positions: list[SourcePosition | None]

    @property
    def allocated(self) -> Decimal:
        return sum((p.allocated or Decimal(0) for p in self.positions if p), Decimal("0.00"))

    @property
    def committed(self) -> Decimal:
        return sum((p.committed for p in self.positions if p), Decimal("0.00"))


@dataclass
class AreaOverview:
    area: Area
    period: str  # the plan year shown, e.g. "2021-22" ("" when the area has no plans)
    periods: list[str]  # every plan year of the area's partnerships, newest first
    partnerships: list[Partnership]
    plans: list[PlanRow]
    themes: list[ThemeRow] = field(default_factory=list)
    funding: list[SourceRow] = field(default_factory=list)
    measure_names: list[str] = field(default_factory=list)
    measure: str = ""
    comparison: MeasureData | None = None
    chart: SafeString | None = None
    units: list[str] = field(default_factory=list)  # the measure's units (one, or a warning)

    @property
    def theme_totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.themes) for i in range(len(self.partnerships))]

    @property
    def action_total(self) -> int:
        return sum(self.theme_totals)


def _plans_by_period(partnerships: list[Partnership]) -> dict[str, dict[int, Plan]]:
    found: dict[str, dict[int, Plan]] = defaultdict(dict)
    plans = Plan.objects.filter(partnership__in=partnerships).order_by("period_start")
    for plan in plans:
        found[plan.period][plan.partnership_id] = plan  # the latest start wins, as at /plans/
    return found


def _default_period(by_period: dict[str, dict[int, Plan]]) -> str:
    """The year the area works on today (its plans' latest that has begun), else the latest."""
    today = timezone.localdate()
    starts = {
        label: min(plan.period_start for plan in plans.values())
        for label, plans in by_period.items()
    }
    begun = [label for label, start in starts.items() if start <= today]
    pool = begun or list(starts)
    return max(pool, key=lambda label: starts[label]) if pool else ""


def area_overview(area: Area, *, period: str = "", measure: str = "") -> AreaOverview:
    """The area's partnerships side by side for one plan year (the one the area works on today
    unless `period` names another) and one measure (the one most partnerships count unless
    `measure` names another, by name, whatever its case)."""
    partnerships = list(area.partnerships.order_by("name"))
    by_period = _plans_by_period(partnerships)
    periods = sorted(by_period, reverse=True)
    if period not in by_period:
        period = _default_period(by_period)
    chosen = by_period.get(period, {})
    overview = AreaOverview(
        area=area,
        period=period,
        periods=periods,
        partnerships=partnerships,
        plans=[PlanRow(p, chosen.get(p.pk)) for p in partnerships],
    )
    plans = [row.plan for row in overview.plans if row.plan is not None]
    overview.themes = _themes(partnerships, plans)
    overview.funding = _funding(partnerships, chosen)
    _compare(overview, partnerships, chosen, measure)
    return overview


def _themes(partnerships: list[Partnership], plans: list[Plan]) -> list[ThemeRow]:
    """Actions counted per commissioner's theme and partnership, in one query."""
    column = {p.pk: i for i, p in enumerate(partnerships)}
    rows = (
        Action.objects.filter(priority__plan__in=plans)
        .values("priority__plan__partnership_id", "theme__name", "theme__opfcc_name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, bool], list[int]] = {}
    names: dict[tuple[str, bool], list[set[str]]] = {}
    for row in rows:
        own, opfcc = row["theme__name"], (row["theme__opfcc_name"] or "").strip()
        key = (opfcc, True) if opfcc else (own or NO_THEME, False)
        index = column[row["priority__plan__partnership_id"]]
        counts.setdefault(key, [0] * len(partnerships))[index] += row["count"]
        found = names.setdefault(key, [set() for _ in partnerships])
        if own and opfcc and own != opfcc:
            found[index].add(own)
    # The commissioner's themes always show, in the commissioner's order, even when empty.
    for opfcc in OPFCC_ORDER:
        counts.setdefault((opfcc, True), [0] * len(partnerships))
        names.setdefault((opfcc, True), [set() for _ in partnerships])

    def order(key: tuple[str, bool]) -> tuple[int, int, str]:
        name, is_opfcc = key
        if is_opfcc:
            rank = OPFCC_ORDER.index(name) if name in OPFCC_ORDER else len(OPFCC_ORDER)
            return (0, rank, name)
        return (2 if name == NO_THEME else 1, 0, name)

    return [
        ThemeRow(key[0], key[1], counts[key], [sorted(found) for found in names[key]])
        for key in sorted(counts, key=order)
    ]


def _funding(partnerships: list[Partnership], chosen: dict[int, Plan]) -> list[SourceRow]:
    positions = {
        p.pk: {s.source: s for s in funding_position(chosen[p.pk]).sources}
        for p in partnerships
        if p.pk in chosen
    }
    used = {source for found in positions.values() for source in found}
    labels = dict(CommissionedService.Source.choices)
    order = [s for s in CommissionedService.Source.values if s in used]
    order += sorted(used - set(order))
    return [
        SourceRow(
            str(labels.get(source, source)),
            [positions.get(p.pk, {}).get(source) for p in partnerships],
        )
        for source in order
    ]


def _compare(
    overview: AreaOverview,
    partnerships: list[Partnership],
    chosen: dict[int, Plan],
    wanted: str,
) -> None:
    """One measure across the partnerships: each one's headline series (its combined total,
    partial where not all its agencies have a figure) as a line of one chart."""
    measures = list(Measure.objects.filter(plan__in=chosen.values()).order_by("name"))
    by_name: dict[str, list[Measure]] = defaultdict(list)
    for found in measures:
        by_name[found.name.casefold()].append(found)
    if not by_name:
        return
    names = {key: found[0].name for key, found in by_name.items()}
    overview.measure_names = sorted(names.values(), key=str.casefold)
    key = wanted.casefold() if wanted.casefold() in by_name else ""
    if not key:  # the measure most partnerships count; then by name
        key = min(by_name, key=lambda k: (-len(by_name[k]), names[k].casefold()))
    overview.measure = names[key]
    first = by_name[key][0]
    same = [m for m in by_name[key] if m.frequency == first.frequency]
    overview.units = sorted({m.unit for m in same})
    series = []
    plan_of = {m.plan_id: m for m in same}
    for partnership in partnerships:
        plan = chosen.get(partnership.pk)
        if plan is None or plan.pk not in plan_of:
            continue
        data = next(d for d in measures_data(plan) if d.measure.pk == plan_of[plan.pk].pk)
        headline = data.headline
        if headline is None or not headline.values:
            continue
        series.append(
            Series(
                partnership.name,
                dict(headline.values),
                counted=dict(headline.counted),
                reporting=headline.reporting,
                parts=headline.parts,
            )
        )
    periods: list[datetime.date] = sorted({p for s in series for p in s.values})
    template = Measure(name=first.name, unit=first.unit, frequency=first.frequency)
    overview.comparison = MeasureData(template, periods, series)
    if periods:
        overview.chart = line_chart(
            overview.comparison,
            "area-measure",
            title=f"{first.name} ({first.unit}) by period and partnership",
            references=False,
        )
