"""The figures file: agencies' figures in a CSV file (UTF-8, with or without the byte-order mark
Excel writes) with the header row exactly

    partnership,plan_period,measure,agency,period,value,confidence

one row per figure. A file that cannot be read at all is refused with `FiguresFileRefused`,
whose message says what to do; otherwise its rows go to `figures_import`
(planfiles/figures_import.py), which checks every one. The reading is planfiles/tabular.py's,
shared with the plan file; the words of the refusals are the figures file's (`FIGURES_FILE`).
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings

from planfiles.tabular import FileRefused, SourceRow, TableFile, read_table

HEADER: tuple[str, ...] = (
    "partnership",
    "plan_period",
    "measure",
    "agency",
    "period",
    "value",
    "confidence",
)
MAX_ROWS = 100_000

UTF8_ADVICE = (
    "Save it again as “CSV UTF-8 (Comma delimited)” (in Excel: File › Save As), or choose UTF-8 "
    "as the encoding, and run the import again."
)
NOT_TEXT = (
    "The file is not a CSV text file (it looks like an Excel workbook or another binary file). "
    "Save the sheet as “CSV UTF-8 (Comma delimited)” (.csv) and import that."
)

# The figures file's name for a file refused as a whole (one class for every file we read).
FiguresFileRefused = FileRefused

FIGURES_FILE = TableFile(
    title="figures file",
    header=HEADER,
    max_lines=MAX_ROWS,
    empty=f"The file is empty. A figures file has the header row {','.join(HEADER)} and one row "
    "per figure.",
    no_rows="The file has a header but no rows under it: there are no figures to import.",
    too_long=f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.",
    zipped=NOT_TEXT,
    binary=NOT_TEXT,
    utf16_advice=UTF8_ADVICE,
    utf8_advice=UTF8_ADVICE,
)


def max_bytes() -> int:
    return int(getattr(settings, "FIGURES_FILE_MAX_BYTES", 5 * 1024 * 1024))


def check_filename(filename: str) -> None:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".csv":
        return
    if suffix in (".xlsx", ".xls", ".xlsm", ".ods", ".numbers"):
        raise FiguresFileRefused(
            f"“{filename}” is a spreadsheet, not a CSV file. Save the sheet as "
            "“CSV UTF-8 (Comma delimited)” (.csv) and run the import on that file."
        )
    raise FiguresFileRefused(
        f"“{filename}” is not a CSV file. Figures are imported from a CSV file (.csv, UTF-8) with "
        f"the header row: {','.join(HEADER)}"
    )


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise FiguresFileRefused(
            f"The file is {size:,} bytes; the largest figures file we read is {limit:,} bytes. "
            "Split it into smaller files."
        )


def read_figures_file(data: bytes) -> list[SourceRow]:
    """The file's rows, numbered as a spreadsheet numbers them; or refuse the whole file."""
    check_size(len(data))
    return read_table(data, FIGURES_FILE)
