"""Importing a plan file: every row checked first, then everything written at once, or nothing.

`plan_import` works in passes inside one transaction:

1. each row on its own: required cells, dates, lengths, outcome and measure lines; and every row
   must name the same plan;
2. the names the rows use, looked up in a handful of queries (partnership, plan, agencies, themes,
   priorities, the plan's actions with their agencies and outcomes); then, row by row, what the
   import will create, change or leave alone;
3. only if no row had an error and this is not a dry run: everything written with bulk inserts
   and updates, history included (actions/plan_file/writer.py).

Any error anywhere means nothing is written, and every error is reported by row and column.
This replaces django-import-export's per-row `save()`: a 5,000-row file takes a few dozen
queries, not tens of thousands (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from actions.models import Action, Outcome
from partners.models import Agency, Partnership
from planfiles.format import (
    HEADER,
    PlanFileTable,
    clean_text,
    one_line,
    parse_iso_date,
    split_lines,
)
from planfiles.report import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportReport,
    RowError,
    RowPlan,
    UnknownNames,
)
from priorities.models import Plan, Priority, Theme, period_label

# The longest text each column may hold: the model fields' limits.
MAX_LENGTHS = {
    "partnership": Partnership._meta.get_field("name").max_length,
    "plan_title": Plan._meta.get_field("title").max_length,
    "priority": Priority._meta.get_field("title").max_length,
    "theme": Theme._meta.get_field("name").max_length,
    "lead_agency": Agency._meta.get_field("name").max_length,
    "supporting_agencies": Agency._meta.get_field("name").max_length,
    "measure": Outcome._meta.get_field("measure").max_length,
}
REQUIRED = ("partnership", "plan_title", "plan_start", "plan_end", "priority")
PLAN_COLUMNS = ("partnership", "plan_title", "plan_start", "plan_end")
ACTION_COLUMNS = (
    "theme",
    "outcome",
    "lead_agency",
    "supporting_agencies",
    "target_date",
    "measure",
)
WORDS = {
    "partnership": "partnership",
    "plan_title": "plan's title",
    "plan_start": "plan's start date",
    "plan_end": "plan's end date",
    "priority": "priority",
}


def plan_import(
    *,
    table: PlanFileTable,
    user=None,
    create_missing: bool = False,
    dry_run: bool = False,
    into: Plan | None = None,
    allowed: Callable[[Plan], bool] | None = None,
) -> ImportReport:
    """Import a plan file, all or nothing.

    `into`: the plan the file must be for (the plan's import page); without it, the file's
    partnership and period find the plan, and a missing plan is created as a draft.
    `allowed`: asked about the plan before anything is written (the admin's rules).
    `create_missing`: create unknown partnerships, agencies and themes instead of refusing them,
    and let known agencies join the partnership.
    """
    report = ImportReport(
        filename=table.filename,
        rows_read=len(table.rows),
        dry_run=dry_run,
        create_missing=create_missing,
    )
    errors = report.errors
    with transaction.atomic():
        if into is not None:
            # Imports into one plan wait for each other: a second click sees the first's work.
            into = Plan.objects.select_for_update().select_related("partnership").get(pk=into.pk)
        rows = read_rows(table, errors)
        context = Context(create_missing=create_missing)
        reference = check_one_plan(rows, errors)
        resolve_plan(reference, context, into, errors)
        check_plan(reference, context, report, errors, allowed)
        load_names(context)
        planned = plan_rows(rows, context, errors)
        _fill_report(report, context, planned)
        errors.sort(key=_error_order)
        if errors or dry_run:
            return report
        # Imported here: the writer needs the planning types defined below.
        from planfiles.writer import write_import

        try:
            with transaction.atomic():
                write_import(context, planned, user=user)
        except IntegrityError:
            errors.append(
                RowError(
                    None,
                    None,
                    "Someone changed the plan while it was being imported, so nothing was "
                    "imported. Upload the file again.",
                )
            )
            return report
        report.plan = context.target
    return report


def _error_order(error: RowError):
    column = HEADER.index(error.column) if error.column in HEADER else len(HEADER)
    return (error.row or 0, column)


# -- Pass 1: each row on its own.


@dataclass
class Row:
    number: int
    values: dict[str, str]
    start: datetime.date | None = None
    end: datetime.date | None = None
    target_date: datetime.date | None = None
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)

    @property
    def is_action(self) -> bool:
        return bool(self.values["action"])


def read_rows(table: PlanFileTable, errors: list[RowError]) -> list[Row]:
    rows = []
    for source in table.rows:
        values = {
            name: value if name in ("outcome", "measure") else clean_text(value)
            for name, value in source.cells.items()
        }
        row = Row(source.number, values)
        add = _adder(errors, row.number)
        if source.extra:
            cells = ", ".join(f"“{value.strip()[:40]}”" for value in source.extra)
            add(
                None,
                f"The row has more cells than the header's {len(HEADER)} columns ({cells}). "
                "Move them into the right column or remove them.",
            )
        for name in REQUIRED:
            if not values[name]:
                add(name, f"This cell is blank: every row must give the {WORDS[name]}.")
        for name, limit in MAX_LENGTHS.items():
            if name not in ("supporting_agencies", "measure") and len(values[name]) > limit:
                add(name, _too_long(len(values[name]), limit))
        row.start = _date(values, "plan_start", add)
        row.end = _date(values, "plan_end", add)
        row.target_date = _date(values, "target_date", add)
        if row.start and row.end and row.end <= row.start:
            add("plan_end", "The plan's end date must be after its start date.")
        if not row.is_action:
            _check_priority_row(values, add)
        row.supporting = _supporting(values["supporting_agencies"], add)
        row.outcomes = _outcomes(values["outcome"], values["measure"], add)
        rows.append(row)
    return rows


def _adder(errors: list[RowError], number: int) -> Callable[[str | None, str], None]:
    def add(column: str | None, message: str) -> None:
        errors.append(RowError(number, column, message))

    return add


def _too_long(length: int, limit: int) -> str:
    return f"The text is {length} characters long; the most this column may hold is {limit}."


def _date(values: dict[str, str], name: str, add) -> datetime.date | None:
    text = values[name]
    if not text:
        return None
    value = parse_iso_date(text)
    if value is None:
        add(name, f"“{text}” is not a date written YYYY-MM-DD (for example 2022-03-31).")
    return value


def _check_priority_row(values: dict[str, str], add) -> None:
    """A row without an action names a priority (one with no actions yet), and nothing else."""
    filled = [name for name in ACTION_COLUMNS if values[name].strip()]
    if filled:
        add(
            "action",
            "This cell is blank, but the row fills in "
            + ", ".join(filled)
            + ". Give the action's text: a row without an action may only name a priority.",
        )


def _supporting(text: str, add) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    limit = MAX_LENGTHS["supporting_agencies"]
    for part in text.split(";"):
        name = part.strip()
        if not name or name.casefold() in seen:
            continue
        if len(name) > limit:
            add("supporting_agencies", f"“{name[:40]}…”: {_too_long(len(name), limit)}")
            continue
        seen.add(name.casefold())
        names.append(name)
    return names


def _outcomes(outcome_text: str, measure_text: str, add) -> list[tuple[str, str]]:
    """(outcome, measure) pairs: line N of the measure cell belongs to line N of the outcome."""
    outcome_lines = split_lines(outcome_text)
    measure_lines = split_lines(measure_text)
    limit = MAX_LENGTHS["measure"]
    pairs = []
    for index in range(max(len(outcome_lines), len(measure_lines))):
        outcome = outcome_lines[index] if index < len(outcome_lines) else ""
        measure = measure_lines[index] if index < len(measure_lines) else ""
        if len(measure) > limit:
            add("measure", f"Line {index + 1}: {_too_long(len(measure), limit)}")
        if measure and not outcome:
            add(
                "measure",
                f"Line {index + 1} has a measure (“{measure[:60]}”) but line {index + 1} of the "
                "outcome cell is blank: line N of the measure belongs to line N of the outcome.",
            )
        if outcome:
            pairs.append((outcome, measure))
    return pairs


def check_one_plan(rows: list[Row], errors: list[RowError]) -> Row | None:
    """The row that names the plan; every other row must name the same one."""
    reference = next((row for row in rows if all(row.values[c] for c in PLAN_COLUMNS)), None)
    if reference is None:
        return None
    for row in rows:
        for column in PLAN_COLUMNS:
            mine, theirs = row.values[column], reference.values[column]
            # Partnerships match by name case-insensitively; the rest must match exactly.
            same = _fold(mine) == _fold(theirs) if column == "partnership" else mine == theirs
            if mine and not same:
                errors.append(
                    RowError(
                        row.number,
                        column,
                        f"“{mine}” differs from row {reference.number} (“{theirs}”): a plan file "
                        "holds one plan, and every row must name it the same way.",
                    )
                )
    return reference


# -- Pass 2: the names, and the plan.


def _fold(name: str) -> str:
    return name.strip().casefold()


@dataclass(eq=False)
class NewThing:
    """Something the import will create: an agency, a theme or a priority."""

    name: str
    first_row: int
    obj: object = None  # the saved object, once written

    @property
    def pk(self):
        return self.obj.pk if self.obj is not None else None


class Names:
    """Agencies or themes found by name or short name, case-insensitively, each name once."""

    def __init__(self, items, *, core_ids: set[int] | None = None):
        self.core_ids = core_ids or set()
        self.items = list(items)
        self.by_pk = {item.pk: item for item in self.items}
        self.by_name: dict[str, list] = defaultdict(list)
        self.by_short: dict[str, list] = defaultdict(list)
        for item in self.items:
            self.by_name[_fold(item.name)].append(item)
            if item.short_name:
                self.by_short[_fold(item.short_name)].append(item)
        self.cache: dict[str, tuple[object | None, str | None]] = {}

    def find(self, name: str) -> tuple[object | None, str | None]:
        """(the match, None); (None, None) if unknown; (None, why) if the name is ambiguous."""
        key = _fold(name)
        if key not in self.cache:
            self.cache[key] = self._find(name.strip(), key)
        return self.cache[key]

    def _find(self, name: str, key: str):
        # A full name wins over a short name: "Police" is the agency called Police, if any.
        for index in (self.by_name, self.by_short):
            matches = index.get(key, [])
            if len(matches) > 1:
                exact = [m for m in matches if name in (m.name, m.short_name)]
                core = [m for m in matches if m.pk in self.core_ids]
                matches = exact if len(exact) == 1 else core or matches
            if len(matches) == 1:
                return matches[0], None
            if matches:
                names = " or ".join(f"“{m.name}”" for m in matches)
                return None, f"“{name}” could be {names}: use the full name."
        return None, None

    def known(self) -> list[str]:
        return [
            f"{item.name} ({item.short_name})" if item.short_name else item.name
            for item in sorted(self.items, key=lambda item: item.name.casefold())
        ]


@dataclass
class Context:
    """What the import knows once the names are looked up, and what it will create."""

    create_missing: bool
    partnership: Partnership | None = None
    new_partnership: Partnership | None = None
    partnership_unknown: bool = False
    plan: Plan | None = None
    new_plan: Plan | None = None
    agencies: Names = field(default_factory=lambda: Names([]))
    themes: Names = field(default_factory=lambda: Names([]))
    priorities: dict[str, Priority] = field(default_factory=dict)
    new_agencies: dict[str, NewThing] = field(default_factory=dict)
    new_themes: dict[str, NewThing] = field(default_factory=dict)
    new_priorities: dict[str, NewThing] = field(default_factory=dict)
    joining: dict[int, Agency] = field(default_factory=dict)
    existing: dict[tuple, ExistingAction] = field(default_factory=dict)
    unknown: dict[str, dict[str, None]] = field(
        default_factory=lambda: {"partnership": {}, "agency": {}, "theme": {}}
    )

    @property
    def target(self) -> Plan | None:
        return self.plan or self.new_plan


def find_plan(partnership: Partnership, start: datetime.date, end: datetime.date) -> Plan | None:
    """The partnership's plan for exactly this period: the draft one if there are several."""
    plans = list(
        Plan.objects.filter(partnership=partnership, period_start=start, period_end=end).order_by(
            "-pk"
        )
    )
    drafts = [plan for plan in plans if plan.is_draft]
    return (drafts or plans or [None])[0]


def resolve_plan(reference: Row | None, context: Context, into: Plan | None, errors) -> None:
    if into is not None:
        context.partnership, context.plan = into.partnership, into
        if reference is not None:
            _check_into(reference, into, errors)
        return
    if reference is None:
        context.partnership_unknown = True  # the blank plan columns are reported already
        return
    name = reference.values["partnership"]
    match = next(
        (p for p in Partnership.objects.order_by("pk") if _fold(p.name) == _fold(name)), None
    )
    if match is not None:
        context.partnership = match
    elif context.create_missing:
        context.new_partnership = Partnership(name=name)
    else:
        context.partnership_unknown = True
        context.unknown["partnership"][name] = None
        errors.append(
            RowError(
                reference.number,
                "partnership",
                f"No partnership is called “{name}” (every row names it). Check the spelling, "
                "or use the “create missing” option to create it.",
            )
        )
        return
    if reference.start and reference.end and reference.end > reference.start:
        _resolve_period(reference, context, errors)


def _check_into(reference: Row, into: Plan, errors) -> None:
    name = reference.values["partnership"]
    if _fold(name) != _fold(into.partnership.name):
        errors.append(
            RowError(
                reference.number,
                "partnership",
                f"This file is for “{name}”, but you are importing into a plan of "
                f"{into.partnership.name}. Correct the partnership column, or import the file "
                "into that partnership's plan.",
            )
        )
    elif (
        reference.start
        and reference.end
        and (reference.start, reference.end)
        != (
            into.period_start,
            into.period_end,
        )
    ):
        errors.append(
            RowError(
                reference.number,
                "plan_start",
                f"This file's plan runs from {reference.start} to {reference.end}, but this "
                f"is the plan for {into.period}, which runs from {into.period_start} to "
                f"{into.period_end}. Change plan_start and plan_end on every row to match, "
                "or import the file into the plan it names.",
            )
        )


def _resolve_period(reference: Row, context: Context, errors) -> None:
    start, end = reference.start, reference.end
    if context.partnership is not None:
        context.plan = find_plan(context.partnership, start, end)
        if context.plan is not None:
            # Imports into one plan wait for each other.
            Plan.objects.select_for_update().filter(pk=context.plan.pk).exists()
            return
        label = period_label(start, end)
        clash = Plan.objects.filter(partnership=context.partnership).for_period(label).first()
        if clash is not None:
            errors.append(
                RowError(
                    reference.number,
                    "plan_start",
                    f"{context.partnership} already has a plan for {label}, running from "
                    f"{clash.period_start} to {clash.period_end}; this file's plan runs from "
                    f"{start} to {end}. Change plan_start and plan_end to match it.",
                )
            )
            return
    context.new_plan = Plan(
        partnership=context.partnership or context.new_partnership,
        title=reference.values["plan_title"],
        period_start=start,
        period_end=end,
        status=Plan.Status.DRAFT,
    )


def check_plan(reference, context: Context, report: ImportReport, errors, allowed) -> None:
    plan = context.target
    if plan is None or reference is None:
        return
    report.partnership_name = plan.partnership.name
    report.plan_name = f"{plan.partnership.name} {plan.period}: {plan.title}"
    report.partnership_created = context.new_partnership is not None
    report.plan_created = context.new_plan is not None
    if context.plan is not None and not plan.is_draft:
        errors.append(
            RowError(
                None,
                None,
                f"The plan {plan.partnership} {plan.period} is "
                f"{plan.get_status_display().lower()}: only a draft plan can take an import.",
            )
        )
    if context.plan is not None and plan.title != reference.values["plan_title"]:
        report.warnings.append(
            f"The file calls the plan “{reference.values['plan_title']}”; it keeps its title "
            f"“{plan.title}”."
        )
    if allowed is not None and not allowed(plan):
        errors.append(
            RowError(None, None, f"You may not import into the plans of {plan.partnership}.")
        )


def load_names(context: Context) -> None:
    partnership = context.partnership
    core_ids: set[int] = set()
    themes: list[Theme] = []
    if partnership is not None:
        core_ids = set(partnership.core_agencies.values_list("pk", flat=True))
        themes = list(partnership.themes.order_by("order", "pk"))
    context.agencies = Names(Agency.objects.order_by("name"), core_ids=core_ids)
    context.themes = Names(themes)
    if context.plan is not None:
        context.priorities = {p.title: p for p in context.plan.priorities.order_by("order", "pk")}
        context.existing = load_existing(context.plan)


def resolve_agency(name: str, row: Row, column: str, context: Context, errors):
    """An Agency, a NewThing to create, or None (with an error recorded)."""
    agency, problem = context.agencies.find(name)
    if problem:
        errors.append(RowError(row.number, column, problem))
        return None
    if agency is None:
        if context.create_missing:
            return context.new_agencies.setdefault(_fold(name), NewThing(name, row.number))
        context.unknown["agency"].setdefault(name, None)
        errors.append(
            RowError(row.number, column, f"No agency is called “{name}” (by name or short name).")
        )
        return None
    if context.partnership is None or agency.pk in context.agencies.core_ids:
        if context.partnership is None:
            context.joining[agency.pk] = agency  # a new partnership: its agencies join it
        return agency
    if context.create_missing:
        context.joining[agency.pk] = agency
        return agency
    errors.append(
        RowError(
            row.number,
            column,
            f"{agency.name} is not a member of {context.partnership.name}. Add it to the "
            "partnership's core agencies, or use the “create missing” option.",
        )
    )
    return None


def resolve_theme(name: str, row: Row, context: Context, errors):
    """A Theme, a NewThing to create, or None (with an error recorded, or none to make)."""
    if context.partnership_unknown:
        return None  # the partnership's error says it all
    theme, problem = context.themes.find(name)
    if problem:
        errors.append(RowError(row.number, "theme", problem))
        return None
    if theme is not None:
        return theme
    if context.create_missing:
        if len(name) > MAX_LENGTHS["theme"]:
            errors.append(RowError(row.number, "theme", _too_long(len(name), 120)))
            return None
        return context.new_themes.setdefault(_fold(name), NewThing(name, row.number))
    context.unknown["theme"].setdefault(name, None)
    errors.append(
        RowError(
            row.number,
            "theme",
            f"No theme of the partnership is called “{name}” (by name or short name).",
        )
    )
    return None


# -- Pass 2, continued: what happens to each row.


@dataclass
class ExistingOutcome:
    pk: int
    description: str
    measure: str
    order: int


@dataclass
class ExistingAction:
    pk: int
    priority_id: int
    theme_id: int | None
    description: str
    lead_agency_id: int | None
    target_date: datetime.date | None
    order: int
    version: int
    supporting: dict[int, int] = field(default_factory=dict)  # agency id -> through row id
    outcomes: list[ExistingOutcome] = field(default_factory=list)


def load_existing(plan: Plan) -> dict[tuple, ExistingAction]:
    """The plan's actions keyed by (priority, theme, text), in three queries."""
    actions = {
        values["pk"]: ExistingAction(**values)
        for values in Action.objects.filter(priority__plan=plan)
        .order_by("order", "pk")
        .values(
            "pk",
            "priority_id",
            "theme_id",
            "description",
            "lead_agency_id",
            "target_date",
            "order",
            "version",
        )
    }
    through = Action.supporting_agencies.through.objects.filter(action__priority__plan=plan)
    for pk, action_id, agency_id in through.values_list("pk", "action_id", "agency_id"):
        actions[action_id].supporting[agency_id] = pk
    outcomes = Outcome.objects.filter(action__priority__plan=plan).order_by("order", "pk")
    for values in outcomes.values("pk", "action_id", "description", "measure", "order"):
        action_id = values.pop("action_id")
        actions[action_id].outcomes.append(ExistingOutcome(**values))
    keyed: dict[tuple, ExistingAction] = {}
    for action in actions.values():
        key = (action.priority_id, action.theme_id, clean_text(action.description))
        keyed.setdefault(key, action)  # two identical actions: the first is the one matched
    return keyed


@dataclass
class OutcomeChanges:
    create: list[tuple[str, str, int]] = field(default_factory=list)  # description, measure, order
    update: list[tuple[ExistingOutcome, str, int]] = field(default_factory=list)
    delete: list[ExistingOutcome] = field(default_factory=list)


@dataclass
class Planned:
    """One row's part in the import: what it refers to and what will be written."""

    row: Row
    result: RowPlan
    priority: Priority | NewThing
    theme: Theme | NewThing | None = None
    lead: Agency | NewThing | None = None
    supporting: list = field(default_factory=list)
    existing: ExistingAction | None = None
    supporting_changed: bool = False
    outcome_changes: OutcomeChanges | None = None


def plan_rows(rows: list[Row], context: Context, errors: list[RowError]) -> list[Planned]:
    planned: list[Planned] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        title = row.values["priority"]
        if not title:
            continue
        priority = context.priorities.get(title) or context.new_priorities.setdefault(
            title, NewThing(title, row.number)
        )
        if not row.is_action:
            kind = CREATE if isinstance(priority, NewThing) else UNCHANGED
            result = RowPlan(row.number, kind, title, "", "")
            if _duplicate(seen, (title, None, None), row, errors):
                continue
            planned.append(Planned(row, result, priority))
            continue
        item = _plan_action(row, priority, context, errors, seen)
        if item is not None:
            planned.append(item)
    return planned


def _duplicate(seen: dict[tuple, int], key: tuple, row: Row, errors) -> bool:
    if key in seen:
        errors.append(
            RowError(
                row.number,
                "action" if key[2] else "priority",
                f"This row repeats row {seen[key]}: the same priority, theme and action. Each "
                "action may appear once in a plan file; remove one of the two rows.",
            )
        )
        return True
    seen[key] = row.number
    return False


def _key_of(thing) -> tuple | None:
    if thing is None:
        return None
    return ("new", _fold(thing.name)) if isinstance(thing, NewThing) else ("pk", thing.pk)


def _plan_action(row: Row, priority, context: Context, errors, seen) -> Planned | None:
    values = row.values
    before = len(errors)
    theme = resolve_theme(values["theme"], row, context, errors) if values["theme"] else None
    lead = None
    if values["lead_agency"]:
        lead = resolve_agency(values["lead_agency"], row, "lead_agency", context, errors)
    supporting = [
        agency
        for name in row.supporting
        if (agency := resolve_agency(name, row, "supporting_agencies", context, errors))
    ]
    if lead is not None and any(agency is lead for agency in supporting):
        errors.append(
            RowError(
                row.number,
                "supporting_agencies",
                f"{lead.name} leads this action, so it cannot also support it.",
            )
        )
    theme_key = _key_of(theme) if theme is not None else ("name", _fold(values["theme"]))
    if _duplicate(seen, (values["priority"], theme_key, values["action"]), row, errors):
        return None
    if len(errors) > before:
        return None
    theme_name = theme.name if theme is not None else ""
    item = Planned(
        row,
        RowPlan(row.number, CREATE, values["priority"], theme_name, values["action"]),
        priority,
        theme,
        lead,
        supporting,
    )
    if not isinstance(priority, NewThing) and not isinstance(theme, NewThing):
        theme_id = theme.pk if theme is not None else None
        item.existing = context.existing.get((priority.pk, theme_id, values["action"]))
    if item.existing is not None:
        _compare(item, context)
    _check_lead_active(item, errors)
    return item


def _check_lead_active(item: Planned, errors) -> None:
    lead = item.lead
    if not isinstance(lead, Agency) or lead.active:
        return
    if item.existing is not None and item.existing.lead_agency_id == lead.pk:
        return
    errors.append(
        RowError(
            item.row.number,
            "lead_agency",
            f"{lead.name} is inactive, so it cannot lead a new action. Choose an active agency, "
            "or make the agency active again in the admin.",
        )
    )


def _agency_names(ids, context: Context) -> str:
    names = sorted(context.agencies.by_pk[pk].name for pk in ids if pk in context.agencies.by_pk)
    return ", ".join(names) if names else "none"


def _compare(item: Planned, context: Context) -> None:
    """What differs between the row and the action it matches, in words."""
    existing, row, changes = item.existing, item.row, item.result.changes
    lead_id = item.lead.pk if item.lead is not None else None
    if (item.lead is not None and lead_id is None) or existing.lead_agency_id != lead_id:
        old = _agency_names([existing.lead_agency_id], context)
        changes.append(f"Lead agency: {old} → {item.lead.name if item.lead else 'none'}")
    wanted = {agency.pk for agency in item.supporting}
    if None in wanted or wanted != set(existing.supporting):
        item.supporting_changed = True
        new = ", ".join(sorted(agency.name for agency in item.supporting)) or "none"
        changes.append(
            f"Supporting agencies: {_agency_names(existing.supporting, context)} → {new}"
        )
    if existing.target_date != row.target_date:
        changes.append(
            f"Target date: {existing.target_date or 'none'} → {row.target_date or 'none'}"
        )
    current = [(one_line(o.description), one_line(o.measure)) for o in existing.outcomes]
    if current != row.outcomes:
        item.outcome_changes = _outcome_changes(existing.outcomes, row.outcomes, changes)
    item.result.kind = UPDATE if changes else UNCHANGED


def _outcome_changes(existing: list[ExistingOutcome], wanted, changes: list[str]):
    """Keep the outcomes the file still lists (with their baselines and targets), by text."""
    pool: dict[str, list[ExistingOutcome]] = defaultdict(list)
    for outcome in existing:
        pool[one_line(outcome.description)].append(outcome)
    result = OutcomeChanges()
    reordered = False
    for order, (description, measure) in enumerate(wanted, start=1):
        if pool.get(description):
            outcome = pool[description].pop(0)
            if one_line(outcome.measure) != measure:
                changes.append(
                    f"Measure of “{description}”: “{one_line(outcome.measure)}” → “{measure}”"
                )
                result.update.append((outcome, measure, order))
            elif outcome.order != order:
                reordered = True
                result.update.append((outcome, outcome.measure, order))
        else:
            changes.append(f"Outcome added: “{description}”")
            result.create.append((description, measure, order))
    for outcomes in pool.values():
        for outcome in outcomes:
            changes.append(f"Outcome removed: “{one_line(outcome.description)}”")
            result.delete.append(outcome)
    if reordered and not changes:
        changes.append("Outcomes put in the file's order")
    return result


def _fill_report(report: ImportReport, context: Context, planned: list[Planned]) -> None:
    report.rows = [item.result for item in planned]
    report.priorities_created = list(context.new_priorities)
    report.themes_created = [thing.name for thing in context.new_themes.values()]
    report.agencies_created = [thing.name for thing in context.new_agencies.values()]
    report.agencies_joining = sorted(
        (agency.name for agency in context.joining.values()), key=str.casefold
    )
    report.unknown = unknown_summaries(context)


def unknown_summaries(context: Context) -> list[UnknownNames]:
    summaries = []
    for kind in ("partnership", "agency", "theme"):
        names = sorted(context.unknown[kind], key=str.casefold)
        if not names:
            continue
        if kind == "partnership":
            known = list(Partnership.objects.order_by("name").values_list("name", flat=True))
        else:
            known = (context.agencies if kind == "agency" else context.themes).known()
        summaries.append(UnknownNames(kind, names, known))
    return summaries
