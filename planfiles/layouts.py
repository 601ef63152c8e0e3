"""Plans laid out their own way: tables of a Word document, sheets of a spreadsheet, read into the
canonical plan file's rows (planfiles/format.py, `HEADER`) for the importer.

A table is a grid of text cells (`Grid`). In it:

- A **header row** is a row, among the table's first 10, whose headings name an action column and
  at least one other role (planfiles/columns.py). Later header rows restate or change the columns.
- The **seed's layout** is a header row whose first cell is not a heading but a theme's name:
  `[theme, "Actions", "Outcomes", …]` (the seed's, and planfiles/word_export.py's seven columns).
  It is recognised because the rows under it leave the first cell blank (or repeat the theme, a
  merged cell); the theme applies to them. Any other unrecognised column is not imported.
- A **merged row** (one cell across the whole table) names the priority of the rows after it; in a
  Word table this includes a merged first row. In a spreadsheet the rows above the header are title
  rows instead: the first one is the plan's title if nothing else gives it.
- Each action's **priority** comes from its priority column, else the last merged row, else what
  is above the table (the heading or bold paragraph just above a Word table; the sheet's name in a
  workbook of several sheets). A blank priority or theme cell repeats the one above (merged cells,
  or a grouped layout).
- A row with no action but an outcome or measure (or the same action again, as a merged action
  cell gives) adds its lines to the action above: its outcomes, measures and supporting agencies.
- A priority named with no action under it becomes a priority with no actions yet.

Line breaks inside a cell separate outcomes and measures, as in the canonical file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from planfiles.columns import IGNORE, ColumnInfo, TableInfo, heading_key, role_of
from planfiles.format import HEADER, one_line, split_lines
from planfiles.report import RowError
from planfiles.tabular import SourceRow

HEADER_ROWS = 10  # the header row must be among a table's first rows
ACTION_CELLS = ("outcome", "measure", "lead_agency", "supporting_agencies", "target_date")


@dataclass
class Grid:
    """A table as text: each row's number in its table or sheet, its cells, and whether it is one
    cell merged across the whole table."""

    label: str  # "Table 2", "Sheet “Plan”", "The file"
    rows: list[tuple[int, list[str], bool]]
    above: str = ""  # the priority a table's position gives (a heading above it, a sheet's name)
    word: bool = False  # a Word table (merged rows above the header name a priority)
    follows_table: bool = False  # nothing but blank paragraphs between it and the table before


@dataclass
class Recognised:
    rows: list[SourceRow] = field(default_factory=list)
    places: dict[int, str] = field(default_factory=dict)  # row number -> "Table 2, row 5"
    tables: list[TableInfo] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    title_guess: str = ""
    headings: set[str] = field(default_factory=set)  # every heading key seen in a header row


@dataclass
class _Columns:
    """A header row's columns: each role's position, and the theme a seed-layout row gives."""

    info: list[ColumnInfo]
    positions: dict[str, int]
    theme_names: bool = False  # column 0 holds theme names (the seed's layout)
    theme: str = ""  # the theme of the header row itself, in the seed's layout


@dataclass
class _Pending:
    """An action row being gathered (continuation rows add to it)."""

    number: int
    place: str
    cells: dict[str, str]
    outcomes: list[str]
    measures: list[str]


def is_header(cells: list[str], choices: Mapping[str, str]) -> bool:
    roles = {role_of(cell, choices)[0] for cell in cells}
    roles.discard(None)
    roles.discard(IGNORE)
    return "action" in roles and len(roles) >= 2


def recognise(
    grids: list[Grid], choices: Mapping[str, str], *, sheet_numbers: bool = False
) -> Recognised:
    """The grids' rows as plan rows. `sheet_numbers`: number rows as the (single) sheet does;
    otherwise rows are numbered in order and each has a place ("Table 2, row 5")."""
    result = Recognised()
    reader = _Reader(result, choices, sheet_numbers=sheet_numbers)
    for grid in grids:
        reader.read(grid)
    return result


class _Reader:
    def __init__(
        self, result: Recognised, choices: Mapping[str, str], *, sheet_numbers: bool
    ) -> None:
        self.result = result
        self.choices = choices
        self.sheet_numbers = sheet_numbers
        self.previous: _Columns | None = None
        self.previous_width = 0
        self.previous_priority = ""

    # -- A table.

    def read(self, grid: Grid) -> None:
        info = TableInfo(grid.label)
        self.result.tables.append(info)
        rows = grid.rows
        width = max((len(cells) for _, cells, _ in rows), default=0)
        start = next(
            (i for i, (_, cells, _) in enumerate(rows[:HEADER_ROWS]) if self._header(cells)),
            None,
        )
        state = _State(priority=grid.above)
        columns: _Columns | None = None
        if start is not None:
            own_priority = "priority" in self._columns(rows[start][1], rows[start + 1 :]).positions
            self._above_header(grid, rows[:start], state, titles_only=own_priority)
            rows = rows[start:]
        elif self.previous is not None and grid.follows_table and width == self.previous_width:
            # A table split by a page break: the part after it has no header of its own.
            columns = self.previous
            state.priority = self.previous_priority
            state.theme = columns.theme if columns.theme_names else ""
        else:
            info.skipped = (
                "no header row among its first 10 rows names an action column and another "
                "column we know"
            )
            return
        self._body(grid, info, rows, columns, state)
        self.previous_width = width

    def _header(self, cells: list[str]) -> bool:
        if is_header(cells, self.choices):
            self.result.headings.update(heading_key(cell) for cell in cells if cell.strip())
            return True
        return False

    def _above_header(
        self,
        grid: Grid,
        rows: list[tuple[int, list[str], bool]],
        state: _State,
        *,
        titles_only: bool,
    ) -> None:
        """Rows above the header: in a Word table without a priority column, a row of one text
        (merged across) names the priority; otherwise they are titles, the first the plan's."""
        for number, cells, merged in rows:
            texts = [one_line(cell) for cell in cells if cell.strip()]
            if not texts:
                continue
            if grid.word and not titles_only and (merged or len(set(texts)) == 1):
                state.section(texts[0], number)
            elif not self.result.title_guess and not grid.word:
                self.result.title_guess = texts[0]

    def _body(
        self,
        grid: Grid,
        info: TableInfo,
        rows: list[tuple[int, list[str], bool]],
        columns: _Columns | None,
        state: _State,
    ) -> None:
        for index, (number, cells, merged) in enumerate(rows):
            if not any(cell.strip() for cell in cells):
                continue
            if self._header(cells):
                self._flush(state)
                columns = self._columns(cells, rows[index + 1 :])
                if not info.columns:
                    info.columns = columns.info
                if columns.theme_names:
                    state.theme = columns.theme
                continue
            if columns is None:
                continue
            if merged:
                self._flush(state)
                state.section(one_line(cells[0]), number)
                continue
            self._row(grid, state, columns, number, cells)
        self._finish(grid, info, state)
        self.previous = columns
        self.previous_priority = state.priority

    def _columns(self, cells: list[str], below: list[tuple[int, list[str], bool]]) -> _Columns:
        info: list[ColumnInfo] = []
        positions: dict[str, int] = {}
        for position, heading in enumerate(cells):
            role, how = role_of(heading, self.choices)
            if role is not None and role != IGNORE and role in positions:
                role, how = None, "repeated"  # the first column of a role is the one read
            if role is not None and role != IGNORE:
                positions[role] = position
            info.append(ColumnInfo(position, " ".join(heading.split()), role, how))
        columns = _Columns(info, positions)
        first = info[0] if info else None
        if (
            first is not None
            and first.role is None
            and first.how != "repeated"
            and "theme" not in positions
            and _theme_names(cells[0], below, self.choices)
        ):
            first.role, first.how = "theme", "layout"
            positions["theme"] = 0
            columns.theme_names = True
            columns.theme = one_line(cells[0])
        return columns

    # -- A row.

    def _row(
        self, grid: Grid, state: _State, columns: _Columns, number: int, cells: list[str]
    ) -> None:
        def cell(role: str) -> str:
            position = columns.positions.get(role)
            return cells[position] if position is not None and position < len(cells) else ""

        priority_cell = one_line(cell("priority"))
        if priority_cell and priority_cell != state.priority:
            self._flush(state)
            state.section(priority_cell, number)
        theme_cell = one_line(cell("theme"))
        if columns.theme_names:
            theme = theme_cell or columns.theme
        else:
            if theme_cell:
                state.theme = theme_cell
            theme = state.theme
        action = cell("action").strip()
        values = {role: cell(role) for role in HEADER if role in columns.positions}
        pending = state.pending
        same = (
            pending is not None
            and pending.cells["priority"] == state.priority
            and pending.cells["theme"] == theme
        )
        if not action or (
            same and pending is not None and pending.cells["action"].strip() == action
        ):
            if (
                pending is not None
                and same
                and any(values.get(r, "").strip() for r in ACTION_CELLS)
            ):
                _continue(pending, values)
            return
        if not state.priority:
            state.orphans.append(number)
            return
        self._flush(state)
        place = f"{grid.label}, row {number}"
        cells_by_role = dict.fromkeys(HEADER, "") | values
        cells_by_role |= {"priority": state.priority, "theme": theme, "action": cell("action")}
        state.pending = _Pending(
            number=number,
            place=place,
            cells=cells_by_role,
            outcomes=[],
            measures=[],
        )
        _extend(state.pending, values.get("outcome", ""), values.get("measure", ""))
        state.use(state.priority, number)

    def _flush(self, state: _State) -> None:
        pending = state.pending
        if pending is None:
            return
        state.pending = None
        cells = dict(pending.cells)
        cells["outcome"] = "\n".join(pending.outcomes)
        cells["measure"] = "\n".join(pending.measures)
        state.out.append((pending.number, cells, pending.place))
        state.found += 1

    def _emit(self, cells: dict[str, str], number: int, place: str) -> None:
        if not self.sheet_numbers:
            number = len(self.result.rows) + 1
            self.result.places[number] = place
        self.result.rows.append(SourceRow(number, cells))

    def _finish(self, grid: Grid, info: TableInfo, state: _State) -> None:
        self._flush(state)
        info.rows = state.found
        for title, number in state.named.items():
            if title not in state.used:
                # A priority with no actions yet: a row naming it alone.
                cells = dict.fromkeys(HEADER, "") | {"priority": title}
                state.out.append((number, cells, f"{grid.label}, row {number}"))
        for number, cells, place in sorted(state.out, key=lambda item: item[0]):
            self._emit(cells, number, place)
        info.priorities = list(state.named)
        if state.orphans:
            rows = ", ".join(str(n) for n in state.orphans[:10])
            more = f" and {len(state.orphans) - 10} more" if len(state.orphans) > 10 else ""
            self.result.problems.append(
                RowError(
                    None,
                    "priority",
                    f"{grid.label} gives no priority for the actions of its rows {rows}{more}. "
                    "Give the table a priority column, a first row naming the priority (merged "
                    "across the table), or a heading just above it; in a spreadsheet, a "
                    "priority column.",
                )
            )


@dataclass
class _State:
    priority: str = ""
    theme: str = ""
    pending: _Pending | None = None
    # The priorities the table names (merged rows, priority cells, and any its actions take
    # from above it), in order; and those that have actions.
    named: dict[str, int] = field(default_factory=dict)  # title -> the row that names it
    used: set[str] = field(default_factory=set)
    orphans: list[int] = field(default_factory=list)
    found: int = 0
    out: list[tuple[int, dict[str, str], str]] = field(default_factory=list)

    def section(self, title: str, number: int) -> None:
        self.priority = title
        self.theme = ""
        if title:
            self.named.setdefault(title, number)

    def use(self, title: str, number: int) -> None:
        self.named.setdefault(title, number)
        self.used.add(title)


def _theme_names(
    heading: str, below: list[tuple[int, list[str], bool]], choices: Mapping[str, str]
) -> bool:
    """Whether column 0 of a header row holds a theme's name (the seed's layout): the rows under
    it, up to the next header row, leave that cell blank or repeat the name (a merged cell)."""
    name = one_line(heading)
    for _, cells, merged in below:
        if merged or not any(cell.strip() for cell in cells):
            continue
        if is_header(cells, choices):
            break
        first = one_line(cells[0]) if cells else ""
        if first and first != name:
            return False
    return True


def _extend(pending: _Pending, outcome: str, measure: str) -> None:
    """Add a row's outcome and measure lines, keeping line N of each together."""
    outcomes, measures = pending.outcomes, pending.measures
    width = max(len(outcomes), len(measures))
    outcomes += [""] * (width - len(outcomes))
    measures += [""] * (width - len(measures))
    outcomes += split_lines(outcome)
    measures += split_lines(measure)
    width = max(len(outcomes), len(measures))
    outcomes += [""] * (width - len(outcomes))
    measures += [""] * (width - len(measures))


def _continue(pending: _Pending, values: dict[str, str]) -> None:
    _extend(pending, values.get("outcome", ""), values.get("measure", ""))
    cells = pending.cells
    more = values.get("supporting_agencies", "").strip()
    if more:
        cells["supporting_agencies"] = "; ".join(
            part for part in (cells["supporting_agencies"].strip(), more) if part
        )
    for role in ("lead_agency", "target_date"):
        if not cells[role].strip() and values.get(role, "").strip():
            cells[role] = values[role]
