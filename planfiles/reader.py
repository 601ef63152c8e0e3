"""Plans as partnerships keep them: a Word document's tables, or a spreadsheet with its own
headings (every sheet of a workbook), read into a `PlanFileTable` for the importer.

The file's bytes are checked by planfiles/word_file.py (Word) or planfiles/format.py
(spreadsheets); the tables are read by planfiles/layouts.py. What a Word document carries besides
its tables is read here:

- the plan's title: the document's Title property, else its first paragraph if that is a heading
  or bold (a guess: `--title` or the plan's page wins without an error);
- a new plan's introduction, context and aspirations: the paragraphs under headings so named;
- in a document planfiles/word_export.py wrote, the partnership, the title and the period, from
  its properties (`Community safety plan, <start> to <end>`): these the file *carries*, so a
  different `--partnership`, `--period` or `--title` is an error, as it is for a spreadsheet with
  those columns. Such a document also keeps agency names exactly as written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence

from lxml import etree

from planfiles.columns import TableInfo
from planfiles.format import (
    HEADER,
    MAX_ROWS,
    PLAN_FILE,
    PlanFileRefused,
    PlanFileTable,
    one_line,
)
from planfiles.layouts import Grid, Recognised, recognise
from planfiles.tabular import Record, cell_text, check_cells, check_header
from planfiles.word_file import Paragraph, WordDocument, WordTable, read_word

OUR_APPLICATION = "CSP Action Plan"
_OUR_SUBJECT = re.compile(r"Community safety plan, (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")
ABOUT = {"introduction": "introduction", "context": "context", "aspirations": "aspirations"}
_DEFAULT_SHEET = re.compile(r"(sheet|feuil|tabelle|hoja|foglio)\s*\d*", re.I)
SPREADSHEET_ML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

COLUMN_ADVICE = (
    "Give the columns headings we know (README.md lists them: for example Action, Outcome, "
    "Measure, Lead agency, Supporting agencies, Target date, Priority, Theme), or say which "
    "column is which with import_plan --column ROLE=HEADING."
)


# -- Word.


def read_word_plan(
    data: bytes, *, filename: str, limit: int, choices: Mapping[str, str]
) -> PlanFileTable:
    document = read_word(data, limit=limit)
    if not document.tables:
        raise PlanFileRefused(
            "The document has no table. A plan's actions are read from tables: one row per "
            "action under a header row (Action, Outcome, Lead agency, …), or the seed's layout "
            "(a table per priority, with rows for each theme). Put the actions in a table and "
            "upload the document again."
        )
    grids = _word_grids(document)
    _check_cells(grids)
    found = recognise(grids, choices)
    if not found.rows and not found.problems:
        raise PlanFileRefused(
            f"None of the document's {_tables(len(document.tables))} has a header row naming an "
            "action column and another column we know, in its first 10 rows ("
            + _first_rows(document.tables)
            + "). "
            + COLUMN_ADVICE
        )
    ours = _ours(document)
    table = _table(found, kind="docx", filename=filename)
    table.exact_names = ours is not None
    table.title_guess = document.title or _first_heading(document)
    table.about = _about(document)
    if ours is not None:
        _carry(table, ours)
    return table


def _tables(count: int) -> str:
    return "table" if count == 1 else f"{count} tables"


def _first_rows(tables: list[WordTable]) -> str:
    described = []
    for table in tables[:3]:
        first = next((row for row in table.rows if any(c.strip() for c in row)), [])
        cells = ", ".join(
            f"“{' '.join(c.split())[:30]}”" for c in dict.fromkeys(first) if c.strip()
        )
        described.append(f"table {table.number} starts {cells or 'empty'}")
    if len(tables) > 3:
        described.append("…")
    return "; ".join(described)


def _word_grids(document: WordDocument) -> list[Grid]:
    grids: list[Grid] = []
    heading = ""
    text_since_table = True
    for block in document.blocks:
        if isinstance(block, Paragraph):
            if block.text:
                text_since_table = True
                if block.heading or block.bold:
                    heading = one_line(block.text)
            continue
        rows = [
            (n, cells, merged)
            for n, (cells, merged) in enumerate(zip(block.rows, block.merged, strict=True), start=1)
        ]
        grids.append(
            Grid(
                f"Table {block.number}",
                rows,
                above=heading,
                word=True,
                follows_table=bool(grids) and not text_since_table,
            )
        )
        heading, text_since_table = "", False
    return grids


def _first_heading(document: WordDocument) -> str:
    first = next((b for b in document.blocks if not isinstance(b, Paragraph) or b.text), None)
    if isinstance(first, Paragraph) and (first.heading or first.bold):
        return one_line(first.text)
    return ""


def _about(document: WordDocument) -> dict[str, str]:
    """The paragraphs under the headings Introduction, Context and Aspirations."""
    about: dict[str, list[str]] = {}
    current: list[str] | None = None
    for block in document.blocks:
        if not isinstance(block, Paragraph):
            current = None
            continue
        if not block.text:
            continue
        if block.heading:
            name = ABOUT.get(block.text.strip().casefold())
            current = about.setdefault(name, []) if name else None
        elif current is not None:
            current.append(block.text)
    return {name: "\n".join(lines) for name, lines in about.items() if lines}


def _ours(document: WordDocument) -> tuple[str, str, str, str] | None:
    """(partnership, title, start, end) of a document planfiles/word_export.py wrote."""
    match = _OUR_SUBJECT.fullmatch(document.subject)
    if document.application != OUR_APPLICATION or match is None:
        return None
    partnership = document.company or document.creator
    return partnership, document.title, match[1], match[2]


def _carry(table: PlanFileTable, ours: tuple[str, str, str, str]) -> None:
    values = dict(zip(("partnership", "plan_title", "plan_start", "plan_end"), ours, strict=True))
    for row in table.rows:
        for name, value in values.items():
            if value and not row.cells[name].strip():
                row.cells[name] = value


# -- Spreadsheets.


def read_sheets_plan(
    data: bytes,
    records: list[Record],
    *,
    kind: str,
    filename: str,
    limit: int,
    choices: Mapping[str, str],
) -> PlanFileTable:
    """A CSV file (its records), or every sheet of a workbook, read by its headings."""
    # A workbook is read again, every sheet with its merged cells; a CSV file's records will do.
    by_kind = {"xlsx": _workbook_grids}
    grids = by_kind[kind](data) if kind in by_kind else [Grid("The file", _grid_rows(records))]
    _check_cells(grids)
    found = recognise(grids, choices, sheet_numbers=len(grids) == 1)
    if not found.rows and not found.problems:
        raise PlanFileRefused(_no_header(records))
    return _table(found, kind=kind, filename=filename)


def _check_cells(grids: list[Grid]) -> None:
    """No cell of any table or sheet holds a control character (planfiles/tabular.py)."""
    for grid in grids:
        where = f"{grid.label}: " if len(grids) > 1 or grid.word else ""
        for number, cells, _ in grid.rows:
            check_cells(number, cells, PLAN_FILE, where=where)


def _grid_rows(records: Sequence[Record]) -> list[tuple[int, list[str], bool]]:
    rows = []
    for number, cells in records:
        if number > MAX_ROWS + 1:
            raise PlanFileRefused(PLAN_FILE.too_long)
        rows.append((number, [cell_text(cell) for cell in cells], False))
    return rows


def _no_header(records: Sequence[Record]) -> str:
    first = next(
        (
            [cell_text(c) for c in cells]
            for _, cells in records
            if any(cell_text(c).strip() for c in cells)
        ),
        [],
    )
    try:
        check_header(first, PLAN_FILE)
        canonical = ""
    except PlanFileRefused as exc:
        canonical = exc.message
    return (
        "None of the first 10 rows is a header row naming an action column and another column "
        "we know, so the plan's columns could not be found. " + canonical + " " + COLUMN_ADVICE
    )


def _workbook_grids(data: bytes) -> list[Grid]:
    # Imported here: openpyxl is only needed for XLSX files. The workbook was opened once
    # already (its first sheet), so it is known to be readable and within the size limits.
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    grids: list[Grid] = []
    try:
        sheets = list(workbook.worksheets)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for sheet in sheets:
                sheet.reset_dimensions()
                records = list(enumerate(sheet.iter_rows(values_only=True), start=1))
                rows = _grid_rows(records)
                _merge(rows, _merged_ranges(archive, sheet))
                above = (
                    sheet.title
                    if len(sheets) > 1 and not _DEFAULT_SHEET.fullmatch(sheet.title)
                    else ""
                )
                grids.append(Grid(f"Sheet “{sheet.title}”", rows, above=above))
    finally:
        workbook.close()
    return grids


def _merged_ranges(archive: zipfile.ZipFile, sheet: object) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells as (first row, first column, last row, last column), 1-based."""
    from openpyxl.utils.cell import range_boundaries

    path = getattr(sheet, "_worksheet_path", None)
    if not path or path not in archive.namelist():
        return []
    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(path) as stream:
        for _, element in etree.iterparse(
            stream, tag=SPREADSHEET_ML + "mergeCell", resolve_entities=False, no_network=True
        ):
            try:
                bounds = range_boundaries(element.get("ref", ""))
            except (ValueError, TypeError):
                continue
            first_col, first_row, last_col, last_row = bounds
            if first_col and first_row and last_col and last_row:
                ranges.append((first_row, first_col, last_row, last_col))
            element.clear()
    return ranges


def _merge(
    rows: list[tuple[int, list[str], bool]], ranges: list[tuple[int, int, int, int]]
) -> None:
    """Merged cells repeat their value in every cell they cover; a row that is one merged cell
    across (nothing else in it) is a merged row."""
    by_number = {number: index for index, (number, _, _) in enumerate(rows)}
    for first_row, first_col, last_row, last_col in ranges:
        top = by_number.get(first_row)
        if top is None:
            continue
        source = rows[top][1]
        value = source[first_col - 1] if first_col - 1 < len(source) else ""
        for number in range(first_row, min(last_row, first_row + MAX_ROWS) + 1):
            index = by_number.get(number)
            if index is None:
                continue
            _, cells, _ = rows[index]
            if len(cells) < last_col:
                cells += [""] * (last_col - len(cells))
            for column in range(first_col - 1, last_col):
                cells[column] = value
            outside = [
                c for i, c in enumerate(cells) if not first_col - 1 <= i < last_col and c.strip()
            ]
            if last_col > first_col and value.strip() and not outside:
                rows[index] = (rows[index][0], cells, True)


# -- Both.


def _table(found: Recognised, *, kind: str, filename: str) -> PlanFileTable:
    notes = []
    for info in found.tables:
        notes += _table_notes(info)
    return PlanFileTable(
        rows=found.rows,
        kind=kind,
        filename=filename,
        canonical=False,
        exact_names=False,
        tables=found.tables,
        problems=found.problems,
        notes=notes,
        places=found.places,
        title_guess=found.title_guess,
        headings=found.headings,
    )


def _table_notes(info: TableInfo) -> list[str]:
    if info.skipped:
        return [f"{info.label} was not read: {info.skipped}."]
    notes = []
    for column in info.columns:
        if column.role is None and column.heading:
            why = (
                "a second column of the same kind"
                if column.how == "repeated"
                else "its heading is not one we know"
            )
            notes.append(f"{info.label}: the column “{column.heading}” is not imported ({why}).")
    return notes


__all__ = ["HEADER", "read_sheets_plan", "read_word_plan"]
