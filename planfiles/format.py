"""The canonical plan file on disk: reading CSV and XLSX into rows, writing CSV, XLSX and JSON.

Nothing here touches the database. A file that cannot be read as a plan file at all (wrong type,
empty, wrong header, not UTF-8, too big) is refused with `PlanFileRefused`, whose message says what
to do; a file that can be read becomes a `PlanFileTable` of numbered rows for the importer to
validate. The reading itself is planfiles/tabular.py's, shared with the figures file; the words
of the refusals are the plan file's (`PLAN_FILE`).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import tablib
from django.conf import settings

from planfiles import tabular
from planfiles.columns import TableInfo
from planfiles.report import RowError
from planfiles.tabular import (
    OLE_MAGIC,
    ZIP_MAGIC,
    FileRefused,
    Record,
    SourceRow,
    TableFile,
    csv_records,
    escape_cell,
    read_table,
    visible,
)

HEADER: tuple[str, ...] = (
    "partnership",
    "plan_title",
    "plan_start",
    "plan_end",
    "priority",
    "theme",
    "action",
    "outcome",
    "lead_agency",
    "supporting_agencies",
    "target_date",
    "measure",
)

KINDS = ("csv", "xlsx", "docx")
EXPORT_FORMATS = ("csv", "xlsx", "json", "docx")  # docx: planfiles/word_export.py
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# A file this size holds far more than any plan; beyond it we stop rather than fill memory.
MAX_ROWS = 50_000
# An XLSX file is a zip: refuse one that would unpack to more than this many times its limit.
MAX_XLSX_EXPANSION = 40

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NEWLINES = re.compile(r"\r\n|\r")

# The plan file's name for a file refused as a whole (one class for every file we read).
PlanFileRefused = FileRefused

PLAN_FILE = TableFile(
    title="plan file",
    header=HEADER,
    max_lines=MAX_ROWS + 1,  # the header, then the rows
    empty="The file is empty. Upload a plan file with a header row and rows.",
    no_rows="The file has a header but no rows under it: there is nothing to import.",
    too_long=f"The file has more than {MAX_ROWS:,} rows. A plan file holds one row per action: "
    "split it into smaller files.",
    zipped="The file is named .csv but is an Excel workbook or another zipped file. Rename it "
    ".xlsx if it is a workbook, or save it as “CSV UTF-8 (Comma delimited)”.",
    binary="The file is not a CSV text file. Save the plan as “CSV UTF-8 (Comma delimited)” "
    "(.csv) or as an Excel workbook (.xlsx) and upload it again.",
    utf16_advice="Save it again as “CSV UTF-8 (Comma delimited)” and upload it again.",
    utf8_advice="Save it again as “CSV UTF-8 (Comma delimited)”, or choose UTF-8 as the "
    "encoding, and upload it again.",
)


@dataclass
class PlanFileTable:
    rows: list[SourceRow] = field(default_factory=list)
    kind: str = "csv"
    filename: str = ""
    # False: a Word document or a spreadsheet laid out its own way (planfiles/reader.py), read
    # by its headings; these say how.
    canonical: bool = True
    # Agency names are exactly as the product wrote them (the canonical file, our own Word
    # export): a lead cell naming an unknown agency is not split at "/" or ",".
    exact_names: bool = True
    tables: list[TableInfo] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)  # the import stops on any
    notes: list[str] = field(default_factory=list)  # what the reader left out, and why
    places: dict[int, str] = field(default_factory=dict)  # row number -> "Table 2, row 5"
    title_guess: str = ""  # the plan's title, if nothing else gives it
    about: dict[str, str] = field(default_factory=dict)  # a new plan's introduction, …
    headings: set[str] = field(default_factory=set)  # heading keys of every header row


# -- Text: the same normalisation on the way out and the way in.


def normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text)


def clean_text(text: str) -> str:
    """A single-value cell as the product stores it: Unix newlines, no surrounding space."""
    return normalise_newlines(text).strip()


def split_lines(text: str) -> list[str]:
    """The lines of a multi-line cell (outcomes, measures), each trimmed; no trailing blanks."""
    lines = [line.strip() for line in normalise_newlines(text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def one_line(text: str) -> str:
    """An outcome or measure as one line of a multi-line cell: inner line breaks become spaces."""
    return " ".join(part.strip() for part in normalise_newlines(text).split("\n") if part.strip())


def parse_iso_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD, or None if the text is anything else."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def max_bytes() -> int:
    return int(getattr(settings, "PLAN_FILE_MAX_BYTES", 5 * 1024 * 1024))


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


# -- Reading.


def kind_for_filename(filename: str) -> str:
    """ "csv", "xlsx" or "docx" from the file's name; refuse any other kind of file."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".xlsx", ".docx"):
        return suffix.lstrip(".")
    if suffix in (".xls", ".xlsm", ".ods", ".numbers"):
        raise PlanFileRefused(
            f"“{filename}” is a spreadsheet type we cannot read. Save it as an Excel workbook "
            "(.xlsx) or as “CSV UTF-8 (Comma delimited)” (.csv) and upload it again."
        )
    if suffix in (".docm", ".dotm"):
        raise PlanFileRefused(
            f"“{filename}” is a macro-enabled Word document, and macros are never opened here. "
            "Open it in Word and save it as “Word Document (.docx)”, which leaves the macros "
            "out, then upload it again."
        )
    if suffix in (".doc", ".dot", ".dotx", ".rtf", ".odt", ".pages"):
        raise PlanFileRefused(
            f"“{filename}” is a kind of document we cannot read. Open it in Word and save it as "
            "“Word Document (.docx)”, then upload it again."
        )
    raise PlanFileRefused(
        f"“{filename}” is not a CSV, XLSX or Word file. Upload the plan as a CSV file (.csv, "
        "UTF-8), an Excel workbook (.xlsx) or a Word document (.docx)."
    )


def check_size(size: int, limit: int | None = None) -> None:
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise PlanFileRefused(
            f"The file is {describe_size(size)}; the largest plan file we accept is "
            f"{describe_size(limit)}. Split the plan into smaller files, or remove columns "
            "and sheets that are not part of the plan file."
        )


def read_plan_file(
    data: bytes,
    *,
    kind: str,
    filename: str = "",
    limit: int | None = None,
    columns: dict[str, str] | None = None,
) -> PlanFileTable:
    """Read a whole plan file, or refuse it with a message saying what is wrong.

    A CSV or XLSX file whose first row is the canonical header is read as the plan file, as it
    always was. Any other file (a Word document, a spreadsheet with its own headings) is read by
    its headings (planfiles/reader.py). `columns`: headings a person said the meaning of
    (heading key -> role, planfiles/columns.py); with any, the file is read by its headings.
    """
    check_size(len(data), limit)
    limit = max_bytes() if limit is None else limit
    if kind == "docx":
        from planfiles.reader import read_word_plan

        return read_word_plan(data, filename=visible(filename), limit=limit, choices=columns or {})
    records = list(_records(data, kind, limit=limit))
    first = next(
        (cells for _, cells in records if any(tabular.cell_text(c).strip() for c in cells)), None
    )
    if first is None or (not columns and _is_canonical(first)):
        rows = read_table(data, PLAN_FILE, records=records)
        # The name as messages repeat it: a name, too, may hold control characters.
        return PlanFileTable(rows=rows, kind=kind, filename=visible(filename))
    from planfiles.reader import read_sheets_plan

    return read_sheets_plan(
        data, records, kind=kind, filename=visible(filename), limit=limit, choices=columns or {}
    )


def _is_canonical(cells: Sequence[object]) -> bool:
    """Whether a row is the canonical header, exactly (as `tabular.check_header` asks)."""
    found = [tabular.cell_text(c).strip().lstrip("\ufeff").strip() for c in cells]
    while found and not found[-1]:
        found.pop()
    return tuple(found) == HEADER


def _records(data: bytes, kind: str, *, limit: int | None) -> Iterator[Record]:
    # A generator: nothing here runs before the file is found not to be empty.
    if kind == "xlsx":
        yield from _xlsx_records(data, limit=limit)
    elif kind == "csv":
        yield from csv_records(data, PLAN_FILE)
    else:
        raise PlanFileRefused("Upload the plan as a CSV file (.csv, UTF-8) or an XLSX workbook.")


def _xlsx_records(data: bytes, *, limit: int | None) -> Iterator[Record]:
    # Imported here: openpyxl is only needed for XLSX files.
    import openpyxl

    if not data.startswith(ZIP_MAGIC):
        if data.startswith(OLE_MAGIC):
            raise PlanFileRefused(
                "The file is an old-style Excel workbook (.xls). Save it as an Excel workbook "
                "(.xlsx) or as “CSV UTF-8 (Comma delimited)” and upload it again."
            )
        raise PlanFileRefused(
            "The file is named .xlsx but is not an Excel workbook. Save the plan as an Excel "
            "workbook (.xlsx) or as “CSV UTF-8 (Comma delimited)” (.csv) and upload it again."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_EXPANSION * (max_bytes() if limit is None else limit):
            raise PlanFileRefused(
                "The workbook unpacks to far more data than a plan file holds. Save the plan "
                "alone in a new workbook, or as CSV, and upload it again."
            )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except PlanFileRefused:
        raise
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise PlanFileRefused(
            "The file could not be read as an Excel workbook (.xlsx): it may be damaged or "
            "password-protected. Save it again as .xlsx or as “CSV UTF-8 (Comma delimited)”."
        ) from None
    try:
        sheet = workbook.active or workbook.worksheets[0]
        # Some programs write a wrong sheet size; without this, read-only mode believes them.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


# -- Writing. Rows are tuples of twelve strings in the header's order.


def to_dataset(rows: list[tuple[str, ...]], *, title: str = "Plan") -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(HEADER), title=title)
    for row in rows:
        dataset.append(list(row))
    return dataset


def _escaped(rows: list[tuple[str, ...]]) -> list[list[str]]:
    return [[escape_cell(value) for value in row] for row in rows]


def write_csv(rows: list[tuple[str, ...]]) -> bytes:
    """RFC 4180 CSV in UTF-8, with the byte-order mark Excel needs to read it as UTF-8."""
    return tabular.write_csv(HEADER, rows)


# Column widths in the workbook, in characters: room for the text without a sea of scrolling.
XLSX_WIDTHS = (30, 30, 11, 11, 30, 25, 60, 50, 28, 40, 11, 40)


def write_xlsx(rows: list[tuple[str, ...]], *, title: str = "Plan") -> bytes:
    """An Excel workbook: bold, frozen header; multi-line cells wrapped.

    Written with openpyxl's streaming (write-only) workbook rather than tablib's XLSX writer,
    which addresses every cell through the sheet and measures every cell for column widths:
    this takes about half the time for a 5,000-row plan (docs/benchmarks.md).
    """
    # Imported here: openpyxl is only needed for XLSX files.
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\\*?:/\[\]]", "-", title)[:31] or "Plan")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def cell(value: str, *, font: Font | None = None) -> Cell:
        item = WriteOnlyCell(sheet, value=value)
        if font is not None:
            item.font = font
        if "\n" in value:
            item.alignment = wrap
        return item

    sheet.append([cell(name, font=bold) for name in HEADER])
    for row in _escaped(rows):
        sheet.append([cell(value) if "\n" in value else value for value in row])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def write_json(rows: list[tuple[str, ...]]) -> bytes:
    """A list of objects, one per row, keyed by the header. Not escaped: no spreadsheet runs it."""
    records = [dict(zip(HEADER, row, strict=True)) for row in rows]
    return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(rows: list[tuple[str, ...]], fmt: str, *, title: str = "Plan") -> bytes:
    if fmt == "csv":
        return write_csv(rows)
    if fmt == "xlsx":
        return write_xlsx(rows, title=title)
    if fmt == "json":
        return write_json(rows)
    raise ValueError(f"Unknown plan file format {fmt!r}: use csv, xlsx or json.")
