"""Pass 1 of a plan file's import: each row on its own.

Required cells, dates, lengths, outcome and measure lines; and every row must name the same
plan. What the file does not carry (its partnership, period, title) may be given (`PlanGiven`);
given values that differ from what the file carries are errors. Nothing here touches the database.

Actions, outcomes and measures may be as long as real plans write them (text fields, no limit).
Dates are read as people write them (planfiles/dates.py); a target date that is no date at all
("Ongoing") is kept as the action's timescale note, with a notice, not an error.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from partners.models import Agency, Partnership
from partners.names import fold_name
from planfiles.dates import read_date
from planfiles.format import HEADER, PlanFileTable, clean_text, split_lines
from planfiles.planning import Row
from planfiles.report import Add, RowError, adder, char_limit
from priorities.models import Plan, Priority, Theme, period_label

# The longest text each column may hold: the model fields' limits (actions, outcomes and
# measures are text fields, as long as a plan needs).
MAX_LENGTHS = {
    "partnership": char_limit(Partnership, "name"),
    "plan_title": char_limit(Plan, "title"),
    "priority": char_limit(Priority, "title"),
    "theme": char_limit(Theme, "name"),
    "lead_agency": char_limit(Agency, "name"),
    "supporting_agencies": char_limit(Agency, "name"),
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
# What to do when a file laid out its own way does not give the plan.
GIVE = {
    "partnership": "Give it: import_plan --partnership NAME, or import the file from the plan's "
    "page.",
    "plan_title": "Give it: import_plan --title TITLE, or import the file from the plan's page.",
    "plan_start": "Give the period: import_plan --period YYYY-YY (for example 2021-22), or "
    "import the file from the plan's page.",
    "plan_end": "Give the period: import_plan --period YYYY-YY (for example 2021-22), or "
    "import the file from the plan's page.",
}


@dataclass(frozen=True)
class PlanGiven:
    """The plan as given besides the file: by import_plan's options (`strict`: a file that
    carries another value is an error), or by the plan whose page imports it (not strict: the
    plan's own checks say what differs)."""

    partnership: str = ""
    title: str = ""
    period: str = ""  # e.g. "2021-22"
    start: datetime.date | None = None
    end: datetime.date | None = None
    strict: bool = True


def read_rows(
    table: PlanFileTable,
    errors: list[RowError],
    notices: list[RowError] | None = None,
    given: PlanGiven | None = None,
) -> list[Row]:
    """Each row checked on its own. `notices`: what is read differently from how it is written
    (a target date kept as a timescale note), for the report to show; never an error."""
    notices = [] if notices is None else notices
    cleaned = [
        {
            name: value if name in ("outcome", "measure") else clean_text(value)
            for name, value in source.cells.items()
        }
        for source in table.rows
    ]
    if given is not None:
        _apply_given(cleaned, table, given, errors)
    if table.title_guess:
        for values in cleaned:
            values["plan_title"] = values["plan_title"] or clean_text(table.title_guess)
    if not table.canonical:
        _check_plan_given(cleaned, errors)
    rows = []
    for source, values in zip(table.rows, cleaned, strict=True):
        row = Row(source.number, values)
        add = adder(errors, row.number)
        if source.extra:
            cells = ", ".join(f"“{value.strip()[:40]}”" for value in source.extra)
            add(
                None,
                f"The row has more cells than the header's {len(HEADER)} columns ({cells}). "
                "Move them into the right column or remove them.",
            )
        _check_cells(values, add, required=REQUIRED if table.canonical else ("priority",))
        row.start = _date(values, "plan_start", add)
        row.end = _date(values, "plan_end", add)
        row.target_date = _target_date(row, add, notices)
        if row.start and row.end and row.end <= row.start:
            add("plan_end", "The plan's end date must be after its start date.")
        if not row.is_action:
            _check_priority_row(values, add)
        row.supporting = _supporting(values["supporting_agencies"], add)
        row.outcomes = _outcomes(values["outcome"], values["measure"])
        rows.append(row)
    return rows


def too_long(length: int, limit: int) -> str:
    return f"The text is {length} characters long; the most this column may hold is {limit}."


def _check_cells(values: dict[str, str], add: Add, *, required: tuple[str, ...]) -> None:
    """The cells every row must fill, and the single-value cells' lengths."""
    for name in required:
        if not values[name]:
            add(name, f"This cell is blank: every row must give the {WORDS[name]}.")
    for name, limit in MAX_LENGTHS.items():
        if name != "supporting_agencies" and len(values[name]) > limit:
            add(name, too_long(len(values[name]), limit))


def not_a_date(text: str) -> str:
    return (
        f"“{text}” is not a date written YYYY-MM-DD (for example 2022-03-31), nor like "
        "31/03/2022, 31 March 2022, March 2022 or Q4 2021-22."
    )


def _date(values: dict[str, str], name: str, add: Add) -> datetime.date | None:
    text = values[name]
    if not text:
        return None
    reading = read_date(text, first_day=name == "plan_start")
    if reading.date is None:
        add(name, not_a_date(text))
    return reading.date


def _target_date(row: Row, add: Add, notices: list[RowError]) -> datetime.date | None:
    """The action's target date; text that is no date at all is kept as its timescale note."""
    text = row.values["target_date"]
    if not text:
        return None
    reading = read_date(text)
    if reading.invalid:
        add("target_date", not_a_date(text) + " Correct the date.")
    elif reading.note and row.is_action:
        row.timescale = reading.note
        notices.append(
            RowError(
                row.number,
                "target_date",
                f"“{reading.note}” is not a date: the target date is left blank and "
                f"“{reading.note}” is kept as the action's timescale.",
            )
        )
    elif reading.note:
        add("target_date", not_a_date(text))
    return reading.date


def _apply_given(
    cleaned: list[dict[str, str]], table: PlanFileTable, given: PlanGiven, errors: list[RowError]
) -> None:
    """Fill what the file leaves blank; a strict value the file contradicts is an error, once."""
    wanted = {"partnership": given.partnership, "plan_title": given.title}
    if given.start is not None and given.end is not None:
        wanted |= {"plan_start": given.start.isoformat(), "plan_end": given.end.isoformat()}
    reported: set[str] = set()
    for source, values in zip(table.rows, cleaned, strict=True):
        for column, message in _clashes(values, given) if given.strict else []:
            if column not in reported:
                reported.add(column)
                errors.append(RowError(source.number, column, message))
        for name, value in wanted.items():
            if value and not values[name]:
                values[name] = value
        if "plan_start" in wanted and not (values["plan_start"] and values["plan_end"]):
            # A file giving half the period takes the whole of the given one.
            values["plan_start"], values["plan_end"] = wanted["plan_start"], wanted["plan_end"]


def _clashes(values: dict[str, str], given: PlanGiven) -> list[tuple[str, str]]:
    """The values the row carries that differ from the given ones: (column, message)."""
    found = []
    partnership, title = values["partnership"], values["plan_title"]
    if given.partnership and partnership and fold_name(partnership) != fold_name(given.partnership):
        found.append(("partnership", _disagree(partnership, "--partnership", given.partnership)))
    if given.title and title and title != given.title:
        found.append(("plan_title", _disagree(title, "--title", given.title)))
    if given.period and values["plan_start"] and values["plan_end"]:
        start = read_date(values["plan_start"], first_day=True).date
        end = read_date(values["plan_end"]).date
        if start and end and period_label(start, end) != given.period:
            label = f"{start} to {end} ({period_label(start, end)})"
            found.append(("plan_start", _disagree(label, "--period", given.period)))
    return found


def _disagree(mine: str, option: str, value: str) -> str:
    return (
        f"The file says “{mine}”, but {option} says “{value}”. Correct the file or {option}: "
        "they must agree."
    )


def _check_plan_given(cleaned: list[dict[str, str]], errors: list[RowError]) -> None:
    """A file laid out its own way gives the plan once for all rows, or not at all: say once
    what is missing, not on every row."""
    for name in PLAN_COLUMNS:
        if cleaned and any(not values[name] for values in cleaned):
            if name == "plan_title" and all(not values[name] for values in cleaned):
                continue  # needed only for a new plan (planfiles/matching.py)
            if all(not values[name] for values in cleaned):
                if name == "plan_end" and all(not values["plan_start"] for values in cleaned):
                    continue  # the period is missing: said once, on plan_start
                words = "plan's period" if name == "plan_start" else WORDS[name]
                message = f"The file does not give the {words}. {GIVE[name]}"
                errors.append(RowError(None, name, message))
            else:
                for values in cleaned:
                    if not values[name]:
                        values[name] = next(v[name] for v in cleaned if v[name])


def _check_priority_row(values: dict[str, str], add: Add) -> None:
    """A row without an action names a priority (one with no actions yet), and nothing else."""
    filled = [name for name in ACTION_COLUMNS if values[name].strip()]
    if filled:
        add(
            "action",
            "This cell is blank, but the row fills in "
            + ", ".join(filled)
            + ". Give the action's text: a row without an action may only name a priority.",
        )


def _supporting(text: str, add: Add) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    limit = MAX_LENGTHS["supporting_agencies"]
    for part in text.split(";"):
        name = part.strip()
        if not name or fold_name(name) in seen:
            continue
        if len(name) > limit:
            add("supporting_agencies", f"“{name[:40]}…”: {too_long(len(name), limit)}")
            continue
        seen.add(fold_name(name))
        names.append(name)
    return names


def _outcomes(outcome_text: str, measure_text: str) -> list[tuple[str, str]]:
    """(outcome, measure) pairs: line N of the measure cell belongs to line N of the outcome. A
    measure whose outcome line is blank stands alone: it belongs to the action ("", measure)."""
    outcome_lines = split_lines(outcome_text)
    measure_lines = split_lines(measure_text)
    pairs = []
    for index in range(max(len(outcome_lines), len(measure_lines))):
        outcome = outcome_lines[index] if index < len(outcome_lines) else ""
        measure = measure_lines[index] if index < len(measure_lines) else ""
        if outcome or measure:
            pairs.append((outcome, measure))
    return pairs


def check_one_plan(rows: list[Row], errors: list[RowError]) -> Row | None:
    """The row that names the plan; every other row must name the same one."""
    # The title may be left out by a file laid out its own way: its plan may exist already.
    needed = [column for column in PLAN_COLUMNS if column != "plan_title"]
    reference = next((row for row in rows if all(row.values[c] for c in needed)), None)
    if reference is None:
        return None
    for row in rows:
        for column in PLAN_COLUMNS:
            mine, theirs = row.values[column], reference.values[column]
            # Partnerships match by name as names do (partners/names.py); the rest exactly.
            same = (
                fold_name(mine) == fold_name(theirs) if column == "partnership" else mine == theirs
            )
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
