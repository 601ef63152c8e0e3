"""The canonical plan file on disk: reading CSV and XLSX into rows, writing CSV, XLSX and JSON.

Nothing here touches the database. A file that cannot be read as a plan file at all (wrong type,
empty, wrong header, not UTF-8, too big) is refused with `PlanFileRefused`, whose message says what
to do; a file that can be read becomes a `PlanFileTable` of numbered rows for the importer to
validate. Row numbers are the spreadsheet's: the header is row 1, so the first action is row 2,
and a CSV cell spanning several lines is still one row.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import tablib
from django.conf import settings

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

KINDS = ("csv", "xlsx")
EXPORT_FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

# A file this size holds far more than any plan; beyond it we stop rather than fill memory.
MAX_ROWS = 50_000
# An XLSX file is a zip: refuse one that would unpack to more than this many times its limit.
MAX_XLSX_EXPANSION = 40

# A cell starting with one of these is run as a formula by spreadsheet programs. On export such
# a cell gets a leading quote; a cell that already starts with quotes before one of these gets
# one more, so that import can take exactly one quote off and give back the original text.
FORMULA_START = "=+-@\t\r"
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NEWLINES = re.compile(r"\r\n|\r")

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old-style .xls (and .doc) files


class PlanFileRefused(Exception):
    """The file as a whole cannot be read as a plan file. The message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SourceRow:
    number: int
    cells: dict[str, str]
    # Non-blank cells beyond the header's twelve columns: an error for the importer to report.
    extra: tuple[str, ...] = ()


@dataclass
class PlanFileTable:
    rows: list[SourceRow] = field(default_factory=list)
    kind: str = "csv"
    filename: str = ""


# -- Text: the same normalisation on the way out and the way in.


def escape_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula: `=1+1` is written `'=1+1`."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell`: take off the one quote it added, and only that."""
    return text[1:] if _ESCAPED.match(text) else text


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
    """ "csv" or "xlsx" from the file's name; refuse any other kind of file."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xls", ".xlsm", ".ods", ".numbers"):
        raise PlanFileRefused(
            f"“{filename}” is a spreadsheet type we cannot read. Save it as an Excel workbook "
            "(.xlsx) or as “CSV UTF-8 (Comma delimited)” (.csv) and upload it again."
        )
    raise PlanFileRefused(
        f"“{filename}” is not a CSV or XLSX file. Upload the plan as a CSV file (.csv, UTF-8) "
        "or an Excel workbook (.xlsx)."
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
    data: bytes, *, kind: str, filename: str = "", limit: int | None = None
) -> PlanFileTable:
    """Read a whole plan file, or refuse it with a message saying what is wrong."""
    check_size(len(data), limit)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise PlanFileRefused("The file is empty. Upload a plan file with a header row and rows.")
    if kind == "xlsx":
        records = _xlsx_records(data, limit=limit)
    elif kind == "csv":
        records = _csv_records(data)
    else:
        raise PlanFileRefused("Upload the plan as a CSV file (.csv, UTF-8) or an XLSX workbook.")
    table = PlanFileTable(kind=kind, filename=filename)
    header_seen = False
    for number, cells in records:
        if number - 1 > MAX_ROWS:
            raise PlanFileRefused(
                f"The file has more than {MAX_ROWS:,} rows. A plan file holds one row per "
                "action: split it into smaller files."
            )
        values = [_as_text(cell) for cell in cells]
        if not any(value.strip() for value in values):
            continue  # blank rows: spreadsheets are full of them
        if not header_seen:
            _check_header(values)
            header_seen = True
            continue
        extra = tuple(value for value in values[len(HEADER) :] if value.strip())
        values = (values + [""] * len(HEADER))[: len(HEADER)]
        table.rows.append(SourceRow(number, dict(zip(HEADER, values, strict=True)), extra))
    if not header_seen:
        raise PlanFileRefused("The file is empty. Upload a plan file with a header row and rows.")
    if not table.rows:
        raise PlanFileRefused(
            "The file has a header but no rows under it: there is nothing to import."
        )
    return table


def _check_header(values: list[str]) -> None:
    found = [value.strip().lstrip("\ufeff").strip() for value in values]
    while found and not found[-1]:
        found.pop()
    if tuple(found) == HEADER:
        return
    expected = ",".join(HEADER)
    missing = [name for name in HEADER if name not in found]
    unexpected = [name for name in found if name not in HEADER]
    details = []
    if missing:
        details.append("missing: " + ", ".join(missing))
    if unexpected:
        details.append("not expected: " + ", ".join(f"“{name}”" for name in unexpected))
    if not missing and not unexpected:
        details.append("the columns are in a different order")
    raise PlanFileRefused(
        "The first row is not the plan file's header ("
        + "; ".join(details)
        + f"). The header row must be exactly: {expected}"
    )


def _csv_records(data: bytes):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanFileRefused(
            "The file is saved as UTF-16 (“Unicode text”), not UTF-8. Save it again as "
            "“CSV UTF-8 (Comma delimited)” and upload it again."
        )
    if data.startswith(ZIP_MAGIC):
        raise PlanFileRefused(
            "The file is named .csv but is an Excel workbook or another zipped file. Rename it "
            ".xlsx if it is a workbook, or save it as “CSV UTF-8 (Comma delimited)”."
        )
    if data.startswith(OLE_MAGIC) or b"\x00" in data[:4096]:
        raise PlanFileRefused(
            "The file is not a CSV text file. Save the plan as “CSV UTF-8 (Comma delimited)” "
            "(.csv) or as an Excel workbook (.xlsx) and upload it again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise PlanFileRefused(
            f"The file is not UTF-8 text: line {line} has a character that is not UTF-8 "
            f"(byte 0x{byte}); the file was probably saved as “CSV (Comma delimited)” in a "
            "Windows encoding. Save it again as “CSV UTF-8 (Comma delimited)”, or choose "
            "UTF-8 as the encoding, and upload it again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise PlanFileRefused(
            f"The file is not valid CSV near line {reader.line_num}: {exc}. Check for a stray "
            "quotation mark, or save the file again as “CSV UTF-8 (Comma delimited)”."
        ) from None


def _xlsx_records(data: bytes, *, limit: int | None):
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


def _as_text(value) -> str:
    """A cell's value as the text the plan file means by it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_cell(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- Writing. Rows are tuples of twelve strings in the header's order.


def to_dataset(rows: list[tuple[str, ...]], *, title: str = "Plan") -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(HEADER), title=title)
    for row in rows:
        dataset.append(list(row))
    return dataset


def _escaped(rows):
    return [[escape_cell(value) for value in row] for row in rows]


def write_csv(rows: list[tuple[str, ...]]) -> bytes:
    """RFC 4180 CSV in UTF-8, with the byte-order mark Excel needs to read it as UTF-8."""
    dataset = tablib.Dataset(*_escaped(rows), headers=list(HEADER))
    return ("\ufeff" + dataset.export("csv", lineterminator="\r\n")).encode("utf-8")


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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\\*?:/\[\]]", "-", title)[:31] or "Plan")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def cell(value: str, *, font=None):
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
