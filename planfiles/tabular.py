"""Tabular files, whatever they hold: bytes into numbered rows of text cells, and rows into CSV.

Every file we read (the plan file, the figures file) is a header row and rows under it. A file
that cannot be read at all (empty, too long, not UTF-8, a workbook named .csv, a wrong header,
broken CSV) is refused with `FileRefused`, whose message says what to do; each kind of file
(`TableFile`) words those messages for the people who send it. Row numbers are the
spreadsheet's: the header is row 1, and a CSV cell spanning several lines is still one row.

Every file we write escapes the cells a spreadsheet would run as a formula (`escape_cell`), and
every file we read takes that escape off again (`unescape_cell`).

Hostile bytes: a text file holding a control character (NUL, ESC, …: any but tab, CR and LF)
anywhere is refused as not a text file, and so is a workbook's cell holding one
(`check_text`); every message that repeats text from a file shows control characters escaped
(`visible`), wherever it is shown: the commands' output, the pages, the admin.
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

# Characters no text holds: the C0 controls but tab, LF and CR; DEL; the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a message shows escaped: those, CR (it would let a terminal overwrite what came before it
# on the line), and the bidirectional overrides and isolates (they reorder what follows them).
_SHOWN_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# A line of a file as read: its number, and its cells as the reader found them.
Record = tuple[int, Sequence[object]]


def visible(text: str) -> str:
    """Text from a file as a message repeats it: each control character written as an escape
    (ESC as `\\x1b`, NUL as `\\x00`), so that no file can move a terminal's cursor, colour its
    text, hide part of a message or reorder it. Tab and line breaks stay. The one helper every
    message uses (the reports' errors and summaries, the refusals, the commands' output)."""
    return _SHOWN_ESCAPED.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class FileRefused(Exception):
    """The file as a whole cannot be read. The message says why and what to do."""

    def __init__(self, message: str) -> None:
        message = visible(message)  # it may repeat the file's own text
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
        if records is not None:
            check_cells(number, values, form)  # a CSV file's text is checked whole
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


def check_text(text: str, form: TableFile) -> None:
    """Refuse text holding a control character other than tab, CR and LF, wherever it is: no
    text file holds one (a NUL is a binary file's; an ESC starts a terminal's commands)."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    raise FileRefused(
        f"The file is not a text file: line {line} holds a control character "
        f"({visible(found[0])}), which text never holds. It may be another kind of file named "
        f"as a {form.title}, or damaged. " + form.utf8_advice
    )


def check_cells(number: int, values: list[str], form: TableFile, *, where: str = "") -> None:
    """Refuse a workbook's or a document's row whose cell holds a control character (a cell can
    hold some that a text file cannot: DEL and the C1 controls). `where`: the table or sheet,
    for a file of several ("Table 2: ")."""
    if _CONTROL.search("".join(values)) is None:
        return  # one search a row, in the common case
    for index, value in enumerate(values):
        found = _CONTROL.search(value)
        if found is not None:
            raise FileRefused(
                f"{where}Row {number}, column {column_letter(index)}: the cell "
                f"“{value.strip()[:80]}” holds a control character ({visible(found[0])}), which "
                f"text never holds. Remove it from the cell, save the {form.title} and try again."
            )


def column_letter(index: int) -> str:
    """A column as spreadsheets name it: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has a character that is not UTF-8 "
            f"(byte 0x{byte}); the file was probably saved as “CSV (Comma delimited)” in a "
            "Windows encoding. " + form.utf8_advice
        ) from None
    check_text(text, form)
    return text


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
