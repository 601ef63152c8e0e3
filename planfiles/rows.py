"""Pass 1 of a plan file's import: each row on its own.

Required cells, dates, lengths, outcome and measure lines; and every row must name the same
plan. Nothing here touches the database.
"""

from __future__ import annotations

import datetime

from actions.models import Outcome
from partners.models import Agency, Partnership
from partners.names import fold_name
from planfiles.format import HEADER, PlanFileTable, clean_text, parse_iso_date, split_lines
from planfiles.planning import Row
from planfiles.report import Add, RowError, adder
from priorities.models import Plan, Priority, Theme

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


def read_rows(table: PlanFileTable, errors: list[RowError]) -> list[Row]:
    rows = []
    for source in table.rows:
        values = {
            name: value if name in ("outcome", "measure") else clean_text(value)
            for name, value in source.cells.items()
        }
        row = Row(source.number, values)
        add = adder(errors, row.number)
        if source.extra:
            cells = ", ".join(f"“{value.strip()[:40]}”" for value in source.extra)
            add(
                None,
                f"The row has more cells than the header's {len(HEADER)} columns ({cells}). "
                "Move them into the right column or remove them.",
            )
        _check_cells(values, add)
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


def too_long(length: int, limit: int) -> str:
    return f"The text is {length} characters long; the most this column may hold is {limit}."


def _check_cells(values: dict[str, str], add: Add) -> None:
    """The cells every row must fill, and the single-value cells' lengths."""
    for name in REQUIRED:
        if not values[name]:
            add(name, f"This cell is blank: every row must give the {WORDS[name]}.")
    for name, limit in MAX_LENGTHS.items():
        if name not in ("supporting_agencies", "measure") and len(values[name]) > limit:
            add(name, too_long(len(values[name]), limit))


def _date(values: dict[str, str], name: str, add: Add) -> datetime.date | None:
    text = values[name]
    if not text:
        return None
    value = parse_iso_date(text)
    if value is None:
        add(name, f"“{text}” is not a date written YYYY-MM-DD (for example 2022-03-31).")
    return value


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


def _outcomes(outcome_text: str, measure_text: str, add: Add) -> list[tuple[str, str]]:
    """(outcome, measure) pairs: line N of the measure cell belongs to line N of the outcome."""
    outcome_lines = split_lines(outcome_text)
    measure_lines = split_lines(measure_text)
    limit = MAX_LENGTHS["measure"]
    pairs = []
    for index in range(max(len(outcome_lines), len(measure_lines))):
        outcome = outcome_lines[index] if index < len(outcome_lines) else ""
        measure = measure_lines[index] if index < len(measure_lines) else ""
        if len(measure) > limit:
            add("measure", f"Line {index + 1}: {too_long(len(measure), limit)}")
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
