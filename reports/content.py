"""What a progress report says: computed once, here, and laid out by the page, the PDF and the
Word document alike (reports/views.py, reports/documents.py).

Two reports for the board and the council's crime and disorder scrutiny committee:

- the **quarterly progress report** for one reporting period of a plan (tracking/reporting.py):
  each action's state as of the period's due date, the update it gave for the period (an update
  dated from the period's first counting day to its due date, tracking.progress.period_window),
  and the exceptions first: off track, at risk, no update for the period;
- the **annual review** for the plan's whole year: the same, what was completed, what carries
  into next year's plan (lifecycle.services.is_finished, the rule next year's plan follows), and
  the measures over the year.

Both have a version for the public, which leaves restricted actions out (and says how many).
Every figure, count and text is plain data here: the tests compare them with the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.utils import formats, timezone

from actions.models import Action
from lifecycle.services import is_finished
from priorities.models import Plan
from tracking.dashboard import NO_UPDATE, RAG_LABELS, WITHDRAWN, RagBar, rag_bar
from tracking.figures import MeasureData, measures_data, target_text
from tracking.funding import FundingPosition, funding_position
from tracking.models import ProgressUpdate, ReportingPeriod
from tracking.progress import period_window
from tracking.reporting import add_months, reporting_periods

Kind = Literal["quarterly", "annual"]

# The exceptions, most pressing first.
EXCEPTIONS = (ProgressUpdate.Rag.OFF_TRACK, ProgressUpdate.Rag.AT_RISK, NO_UPDATE)


def day(date: datetime.date | None) -> str:
    """A date as the site writes it: "1 May 2021"; "" for none."""
    return formats.date_format(date, "j F Y") if date else ""


def money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"£{amount:,.2f}"


# -- The pieces.


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and for a RAG status its key (shown as a badge with the words)."""

    text: str
    rag: str = ""
    number: bool = False


@dataclass(frozen=True)
class Table:
    """A table as the page, the PDF and the Word document all show it: each row's first cell is
    the row's heading."""

    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    empty: str = "None."  # what the table says when it has no rows


@dataclass(frozen=True)
class ActionLine:
    """An action as the report shows it."""

    id: int
    description: str
    priority: str
    theme: str
    lead_agency: str
    rag: str  # a RAG key (RAG_ORDER)
    percent: int | None
    narrative: str  # the update the action gave for the report's period ("" if none)
    update_date: datetime.date | None  # that update's date
    last_update: datetime.date | None  # the latest update up to the report's date, any period
    target_date: datetime.date | None
    status: str  # the action's status as people read it
    restricted: bool

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def lead_label(self) -> str:
        return self.lead_agency or "Not chosen"

    @property
    def why(self) -> str:
        """Why an exception is one, in words."""
        if self.rag == NO_UPDATE:
            last = day(self.last_update)
            return f"No update for the period (last update: {last or 'never'})"
        return f"{self.rag_label} since {day(self.update_date)}"


@dataclass(frozen=True)
class MeasureBlock:
    """A measure: where it stands (baseline, target, latest, direction) and its figures."""

    data: MeasureData

    @property
    def name(self) -> str:
        return self.data.measure.name

    @property
    def summary(self) -> Table:
        measure, trend = self.data.measure, self.data.trend
        baseline = (
            _number(measure.baseline)
            + (f" ({measure.baseline_period})" if measure.baseline_period else "")
            if measure.baseline is not None
            else "Not set"
        )
        target = _number(measure.target) if measure.target is not None else "Not set"
        latest = (
            f"{_number(trend.latest)} in {trend.latest_label}"
            if trend.latest is not None
            else "No complete figures yet"
        )
        left_out = "; ".join(trend.left_out) or "None"
        return Table(
            caption=f"{measure.name} ({measure.unit}): where it stands",
            columns=["Measure", "Value"],
            rows=[
                [Cell("Baseline"), Cell(baseline)],
                [Cell("Target"), Cell(target)],
                [Cell("Latest"), Cell(latest)],
                [Cell("Direction of travel"), Cell(trend.direction_text)],
                [Cell("Against the target"), Cell(target_text(measure, trend))],
                [Cell("Left out (partial totals)"), Cell(left_out)],
            ],
        )

    @property
    def figures(self) -> Table:
        data = self.data
        rows = [
            [Cell(label)] + [Cell(_figure(cell.value, cell.partial), number=True) for cell in cells]
            for label, cells in data.rows
        ]
        return Table(
            caption=f"Figures for {data.measure.name}, by period and agency",
            columns=["Period", *(series.name for series in data.series)],
            rows=rows,
            empty="No figures for these periods.",
        )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def _figure(value: Decimal | None, partial: str) -> str:
    if value is None:
        return "—"
    return _number(value) + (f" (partial: {partial})" if partial else "")


@dataclass(frozen=True)
class PrioritySection:
    id: int
    title: str
    bar: RagBar
    actions: list[ActionLine]
    measures: list[MeasureBlock]

    @property
    def table(self) -> Table:
        return Table(
            caption=f"Actions for {self.title}",
            columns=["Action", "Lead agency", "RAG status", "% complete", "Update for the period"],
            rows=[
                [
                    Cell(line.description),
                    Cell(line.lead_label),
                    Cell(line.rag_label, rag=line.rag),
                    Cell("" if line.percent is None else f"{line.percent}%", number=True),
                    Cell(
                        f"{day(line.update_date)}: {line.narrative}"
                        if line.narrative
                        else "No update for the period"
                    ),
                ]
                for line in self.actions
            ],
            empty="No actions for this priority.",
        )


@dataclass
class Report:
    """A quarterly progress report or an annual review, whole."""

    kind: Kind
    plan_id: int
    partnership: str
    plan_title: str
    plan_period: str  # "2021-22"
    period_name: str  # "2021-22 Q1", or "2021-22" for the year
    start: datetime.date
    end: datetime.date
    as_of: datetime.date  # updates up to this day count (the period's due date)
    produced: datetime.date
    public: bool
    restricted_left_out: int
    summary: RagBar
    exceptions: list[ActionLine]
    sections: list[PrioritySection]
    other_measures: list[MeasureBlock]
    funding: FundingPosition
    completed: list[ActionLine] = field(default_factory=list)  # annual review
    carried: list[ActionLine] = field(default_factory=list)  # annual review
    year_ended: bool = True

    @property
    def title(self) -> str:
        if self.kind == "annual":
            return f"Annual review {self.period_name}"
        return f"Quarterly progress report {self.period_name}"

    @property
    def subtitle(self) -> str:
        version = " Version for the public." if self.public else ""
        return (
            f"{self.partnership}, {self.plan_title}. {day(self.start)} to {day(self.end)}; "
            f"updates up to {day(self.as_of)}; produced {day(self.produced)}.{version}"
        )

    @property
    def actions(self) -> list[ActionLine]:
        return [line for section in self.sections for line in section.actions]

    @property
    def exceptions_table(self) -> Table:
        return _action_table(
            "Exceptions: actions off track, at risk or without an update for the period",
            self.exceptions,
            ["RAG status", "Why"],
            lambda line: [
                Cell(line.rag_label, rag=line.rag),
                Cell(line.why),
            ],
            "No exceptions: every action is on track or complete, with its update.",
        )

    @property
    def completed_table(self) -> Table:
        return _action_table(
            "Actions completed in the year",
            self.completed,
            ["Completed"],
            lambda line: [
                Cell(day(line.last_update) or line.status),
            ],
            "No action was completed in the year.",
        )

    @property
    def carried_table(self) -> Table:
        return _action_table(
            "Actions carried into next year's plan",
            self.carried,
            ["RAG status", "Target date"],
            lambda line: [
                Cell(line.rag_label, rag=line.rag),
                Cell(day(line.target_date) or "None"),
            ],
            "Nothing carries into next year's plan.",
        )

    @property
    def funding_table(self) -> Table:
        rows = [
            [
                Cell(source.label),
                Cell(money(source.allocated), number=True),
                Cell(money(source.committed), number=True),
                Cell(str(source.services), number=True),
                Cell(source.status),
            ]
            for source in self.funding.sources
        ]
        rows.append(
            [
                Cell("Total"),
                Cell(money(self.funding.allocated), number=True),
                Cell(money(self.funding.committed), number=True),
                Cell(str(self.funding.summary.services), number=True),
                Cell(
                    f"{len(self.funding.over_committed)} source"
                    f"{'s' if len(self.funding.over_committed) != 1 else ''} over-committed"
                ),
            ]
        )
        return Table(
            caption="Funding: allocated against committed, by source",
            columns=["Funding source", "Allocated", "Committed", "Services", "Position"],
            rows=rows,
        )

    def outline(self) -> list[tuple[int, str]]:
        """Every heading, in order, with its level: what the page, the PDF and the Word document
        all show."""
        headings = [(1, self.title), (2, "Summary"), (2, "Exceptions")]
        if self.kind == "annual":
            headings += [(2, "Completed in the year"), (2, "Carried into next year's plan")]
        headings.append((2, "Progress by priority"))
        for section in self.sections:
            headings.append((3, section.title))
            headings += [(4, block.name) for block in section.measures]
        if self.other_measures:
            headings.append((2, "Other measures"))
            headings += [(3, block.name) for block in self.other_measures]
        headings.append((2, "Funding"))
        return headings

    def tables(self) -> list[Table]:
        """Every table, in the order the documents show them."""
        found = [self.exceptions_table]
        if self.kind == "annual":
            found += [self.completed_table, self.carried_table]
        for section in self.sections:
            found.append(section.table)
            for block in section.measures:
                found += [block.summary, block.figures]
        for block in self.other_measures:
            found += [block.summary, block.figures]
        found.append(self.funding_table)
        return found


def _action_table(
    caption: str,
    lines: list[ActionLine],
    columns: list[str],
    cells: Callable[[ActionLine], list[Cell]],
    empty: str,
) -> Table:
    """A table of actions from across the plan: each named with its priority and lead agency,
    then `columns` with their `cells`."""
    return Table(
        caption,
        ["Action", "Priority", "Lead agency", *columns],
        [
            [Cell(line.description), Cell(line.priority), Cell(line.lead_label), *cells(line)]
            for line in lines
        ],
        empty,
    )


# -- Building a report.


@dataclass(frozen=True)
class _Window:
    start: datetime.date  # the first day whose updates are the period's
    as_of: datetime.date  # the last (the period's due date)


def _latest_updates(actions: Sequence[Action], as_of: datetime.date) -> dict[int, ProgressUpdate]:
    """Each action's latest update up to `as_of`, by action id: one query."""
    latest: dict[int, ProgressUpdate] = {}
    updates = ProgressUpdate.objects.filter(
        action__in=[action.pk for action in actions], date__lte=as_of
    ).order_by("action_id", "-date", "-created_at", "-pk")
    for update in updates:
        latest.setdefault(update.action_id, update)
    return latest


def _rag(action: Action, update: ProgressUpdate | None, window: _Window) -> str:
    """The action's RAG key in the report: complete once completed (in any period); a period's
    update's RAG; withdrawn; or no update for the period."""
    if action.status == Action.Status.COMPLETED or (
        update is not None and update.rag == ProgressUpdate.Rag.COMPLETE
    ):
        return ProgressUpdate.Rag.COMPLETE
    if update is not None and update.date >= window.start:
        return update.rag
    if action.status == Action.Status.WITHDRAWN:
        return WITHDRAWN
    return NO_UPDATE


def _line(action: Action, update: ProgressUpdate | None, window: _Window) -> ActionLine:
    in_period = update if update is not None and update.date >= window.start else None
    return ActionLine(
        id=action.pk,
        description=action.description,
        priority=action.priority.title,
        theme=action.theme.name if action.theme else "",
        lead_agency=action.lead_agency.name if action.lead_agency else "",
        rag=_rag(action, update, window),
        percent=in_period.percent_complete if in_period else None,
        narrative=in_period.narrative if in_period else "",
        update_date=in_period.date if in_period else None,
        last_update=update.date if update else None,
        target_date=action.target_date,
        status=action.get_status_display(),
        restricted=action.restricted,
    )


def _actions(plan: Plan, public: bool) -> tuple[list[Action], int]:
    found: QuerySet[Action] = (
        Action.objects.filter(priority__plan=plan)
        .select_related("priority", "theme", "lead_agency")
        .order_by("priority__order", "priority__pk", "order", "pk")
    )
    actions = list(found)
    if not public:
        return actions, 0
    shown = [action for action in actions if not action.restricted]
    return shown, len(actions) - len(shown)


def _build(
    plan: Plan,
    *,
    kind: Kind,
    name: str,
    start: datetime.date,
    end: datetime.date,
    window: _Window,
    measures: list[MeasureData],
    public: bool,
) -> Report:
    actions, left_out = _actions(plan, public)
    latest = _latest_updates(actions, window.as_of)
    lines = {action.pk: _line(action, latest.get(action.pk), window) for action in actions}
    by_priority: dict[int, list[ActionLine]] = {}
    for action in actions:
        by_priority.setdefault(action.priority_id, []).append(lines[action.pk])
    blocks: dict[int | None, list[MeasureBlock]] = {}
    for data in measures:
        blocks.setdefault(data.measure.priority_id, []).append(MeasureBlock(data))
    priorities = list(plan.priorities.order_by("order", "pk"))
    sections = [
        PrioritySection(
            id=priority.pk,
            title=priority.title,
            bar=rag_bar(line.rag for line in by_priority.get(priority.pk, [])),
            actions=by_priority.get(priority.pk, []),
            measures=blocks.get(priority.pk, []),
        )
        for priority in priorities
    ]
    known = {priority.pk for priority in priorities}
    every = list(lines.values())
    report = Report(
        kind=kind,
        plan_id=plan.pk,
        partnership=plan.partnership.name,
        plan_title=plan.title,
        plan_period=plan.period,
        period_name=name,
        start=start,
        end=end,
        as_of=window.as_of,
        produced=timezone.localdate(),
        public=public,
        restricted_left_out=left_out,
        summary=rag_bar(line.rag for line in every),
        exceptions=sorted(
            (line for line in every if line.rag in EXCEPTIONS),
            key=lambda line: EXCEPTIONS.index(line.rag),  # stable: plan order within each
        ),
        sections=sections,
        other_measures=[
            block for key, found in blocks.items() if key not in known for block in found
        ],
        funding=funding_position(plan),
    )
    if kind == "annual":
        report.completed = [line for line in every if line.rag == ProgressUpdate.Rag.COMPLETE]
        report.carried = [lines[action.pk] for action in actions if not _finished(action, latest)]
        report.year_ended = timezone.localdate() > plan.period_end
    return report


def _finished(action: Action, latest: dict[int, ProgressUpdate]) -> bool:
    """The rule next year's plan follows (lifecycle.services.is_finished), as of the review."""
    update = latest.get(action.pk)
    action.latest_rag = update.rag if update else None  # type: ignore[attr-defined]
    return is_finished(action)


def quarterly_report(plan: Plan, period: ReportingPeriod, *, public: bool) -> Report:
    """The progress report for one of the plan's reporting periods."""
    periods = reporting_periods(plan)
    index = next(i for i, p in enumerate(periods) if p.start == period.start)
    first, due = period_window(periods, index)
    return _build(
        plan,
        kind="quarterly",
        name=period.name,
        start=period.start,
        end=period.end,
        window=_Window(first, due),
        measures=measures_data(plan, until=period.end),
        public=public,
    )


def annual_review(plan: Plan, *, public: bool) -> Report:
    """The review of the plan's whole year: every update of the year counts, up to the last
    period's due date; the measures over the year and the year before it."""
    periods = reporting_periods(plan)
    as_of = periods[-1].due if periods else plan.period_end
    return _build(
        plan,
        kind="annual",
        name=plan.period,
        start=plan.period_start,
        end=plan.period_end,
        window=_Window(plan.period_start, as_of),
        measures=measures_data(
            plan, since=add_months(plan.period_start, -12), until=plan.period_end
        ),
        public=public,
    )
