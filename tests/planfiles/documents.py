"""Plans as partnerships write them, built for the tests: Word documents and spreadsheets laid out
their own way, from a few lines of description.

`word(blocks)` builds a .docx with python-docx: `Heading`, `Para` (bold or not) and `Table` (rows
of cell texts, merged ranges, line breaks written as paragraphs or as breaks). `xlsx(sheets)` and
`csv(rows)` build spreadsheets, `xlsx` with merged ranges too.
"""

from __future__ import annotations

import csv as csv_module
import io
from dataclasses import dataclass, field

import docx
import openpyxl


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str
    bold: bool = False


@dataclass
class Table:
    rows: list[list[str]]
    # ((first row, first column), (last row, last column)), 0-based, inclusive: merged cells.
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    breaks: str = "paragraphs"  # how a cell's line breaks are written: "paragraphs" or "runs"


def word(blocks: list[Heading | Para | Table], *, title: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.text).bold = block.bold or None
        else:
            _table(document, block)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _table(document, block: Table) -> None:
    width = max(len(row) for row in block.rows)
    table = document.add_table(rows=len(block.rows), cols=width)
    covered = set()
    for (top, left), (bottom, right) in block.merges:
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    covered.add((r, c))
    cells = [[table.cell(r, c) for c in range(width)] for r in range(len(block.rows))]
    for r, row in enumerate(block.rows):
        for c, text in enumerate(row):
            if (r, c) not in covered:
                _write(cells[r][c], text, block.breaks)
    for (top, left), (bottom, right) in block.merges:
        cells[top][left].merge(cells[bottom][right])


def _write(cell, text: str, breaks: str) -> None:
    lines = text.split("\n")
    if breaks == "paragraphs":
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
        return
    run = cell.paragraphs[0].add_run()
    for index, line in enumerate(lines):
        if index:
            run.add_break()
        run.add_text(line)


@dataclass
class Sheet:
    title: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)  # "A5:F5"


def xlsx(sheets: list[Sheet]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title)
        for row in sheet.rows:
            worksheet.append(row)
        for cells in sheet.merges:
            worksheet.merge_cells(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv(rows: list[list[str]]) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv_module.writer(stream, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return stream.getvalue().encode("utf-8")
