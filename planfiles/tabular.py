"""Tabular files, whatever they hold: bytes into numbered rows of text cells, and rows into CSV.

Every file we read (the plan file, the figures file) is a header row and rows under it. A file
that cannot be read at all (empty, too long, not UTF-8, a workbook named .csv, a wrong header,
broken CSV) is refused with `FileRefused`, whose message says what to do; each kind of file
(`TableFile`) words those messages for the people who send it. Row numbers are the
spreadsheet's: the header is row 1, and a CSV cell spanning several lines is still one row.

Every file we write escapes the cells a spreadsheet would run as a formula (`escape_cell`), and
every file we read takes that escape off again (`unescape_cell`).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old-style .xls (and .doc) files

# A cell starting with one of "=+-@\t\r" is run as a formula by spreadsheet programs. On export
# such a cell gets a leading quote; a cell that already starts with quotes before one of these
# gets one more, so that import can take exactly one quote off and give back the original text.
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")

# A line of a file as read: its number, and its cells as the reader found them.
Record = tuple[int, Sequence[object]]


class FileRefused(Exception):
    """The file as a whole cannot be read. The message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SourceRow:
    number: int
    cells: dict[str, str]
    # Non-blank cells beyond the header's columns: an error for the importer to report.
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableFile:
    """One kind of file: its header, its length, and its own words for each refusal."""

    title: str  # "plan file": "The first row is not the plan file's header (…)"
    header: tuple[str, ...]
    max_lines: int  # a file with more lines than this is refused with `too_long`
    empty: str
    no_rows: str
    too_long: str
    zipped: str  # a .csv file that is a zip: an Excel workbook, most often
    binary: str  # a .csv file that is an old-style workbook or another binary file
    utf16_advice: str
    utf8_advice: str


# -- Cells.


def escape_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula: `=1+1` is written `'=1+1`."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell`: take off the one quote it added, and only that."""
    return text[1:] if _ESCAPED.match(text) else text


def cell_text(value: object) -> str:
    """A cell's value as the text the file means by it."""
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


# -- Reading.


def read_table(
    data: bytes, form: TableFile, *, records: Iterable[Record] | None = None
) -> list[SourceRow]:
    """The rows under the file's header, each with its number; or refuse the whole file.

    `records`: the file's lines, if it is not CSV (an XLSX workbook's rows). Read lazily, after
    the file is found not to be empty.
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused(form.empty)
    width = len(form.header)
    rows: list[SourceRow] = []
    header_seen = False
    for number, cells in csv_records(data, form) if records is None else records:
        if number > form.max_lines:
            raise FileRefused(form.too_long)
        values = [cell_text(cell) for cell in cells]
        if not any(value.strip() for value in values):
            continue  # blank rows: spreadsheets are full of them
        if not header_seen:
            check_header(values, form)
            header_seen = True
            continue
        extra = tuple(value for value in values[width:] if value.strip())
        values = (values + [""] * width)[:width]
        rows.append(SourceRow(number, dict(zip(form.header, values, strict=True)), extra))
    if not header_seen:
        raise FileRefused(form.empty)
    if not rows:
        raise FileRefused(form.no_rows)
    return rows


def check_header(values: list[str], form: TableFile) -> None:
    found = [value.strip().lstrip("\ufeff").strip() for value in values]
    while found and not found[-1]:
        found.pop()
    if tuple(found) == form.header:
        return
    missing = [name for name in form.header if name not in found]
    unexpected = [name for name in found if name not in form.header]
    details = []
    if missing:
        details.append("missing: " + ", ".join(missing))
    if unexpected:
        details.append("not expected: " + ", ".join(f"“{name}”" for name in unexpected))
    if not details:
        details.append("the columns are in a different order")
    raise FileRefused(
        f"The first row is not the {form.title}'s header ("
        + "; ".join(details)
        + f"). The header row must be exactly: {','.join(form.header)}"
    )


def csv_records(data: bytes, form: TableFile) -> Iterator[Record]:
    """The lines of a CSV file in UTF-8 (with or without the byte-order mark Excel writes)."""
    reader = csv.reader(io.StringIO(_decode(data, form), newline=""), strict=True)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise FileRefused(
            f"The file is not valid CSV near line {reader.line_num}: {exc}. Check for a stray "
            "quotation mark, or save the file again as “CSV UTF-8 (Comma delimited)”."
        ) from None


def _decode(data: bytes, form: TableFile) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "The file is saved as UTF-16 (“Unicode text”), not UTF-8. " + form.utf16_advice
        )
    if data.startswith(ZIP_MAGIC):
        raise FileRefused(form.zipped)
    if data.startswith(OLE_MAGIC) or b"\x00" in data[:4096]:
        raise FileRefused(form.binary)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has a character that is not UTF-8 "
            f"(byte 0x{byte}); the file was probably saved as “CSV (Comma delimited)” in a "
            "Windows encoding. " + form.utf8_advice
        ) from None


# -- Writing.


def write_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """RFC 4180 CSV in UTF-8, with the byte-order mark Excel needs and CRLF line ends.

    Text is escaped against formulas; numbers (Decimal, int) are written as numbers: we made them,
    so they cannot be formulas, and a negative figure stays a number.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_written(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _written(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return escape_cell(str(value))
