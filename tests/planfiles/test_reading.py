"""Reading files: row numbers as a spreadsheet shows them, and XLSX cells as the text they mean."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from planfiles.format import HEADER, read_plan_file
from planfiles.tabular import escape_cell, unescape_cell
from tests.planfiles.conftest import csv_bytes, plan_row, xlsx_bytes


def test_rows_are_numbered_as_the_spreadsheet_numbers_them():
    rows = [plan_row(action="One\nspanning\nlines"), {}, plan_row(action="Two")]
    table = read_plan_file(csv_bytes(rows), kind="csv")
    # The blank row 3 is skipped; the multi-line cell is still one row.
    assert [(row.number, row.cells["action"]) for row in table.rows] == [
        (2, "One\nspanning\nlines"),
        (4, "Two"),
    ]


def test_short_rows_are_padded_and_trailing_blank_header_cells_ignored():
    data = (",".join(HEADER) + ",,\r\n" + "Lichfield,Plan\r\n").encode()
    (row,) = read_plan_file(data, kind="csv").rows
    assert row.cells["partnership"] == "Lichfield"
    assert row.cells["measure"] == ""
    assert row.extra == ()


def test_xlsx_dates_and_numbers_become_the_text_they_show():
    values = list(plan_row().values())
    values[2] = datetime.datetime(2021, 4, 1)
    values[3] = datetime.date(2022, 3, 31)
    values[6] = 2021
    values[10] = datetime.datetime(2022, 3, 31, 0, 0)
    values[11] = 12.0
    data = xlsx_bytes([list(HEADER), [], values])
    (row,) = read_plan_file(data, kind="xlsx").rows
    assert row.number == 3
    assert row.cells["plan_start"] == "2021-04-01"
    assert row.cells["plan_end"] == "2022-03-31"
    assert row.cells["action"] == "2021"
    assert row.cells["target_date"] == "2022-03-31"
    assert row.cells["measure"] == "12"


def test_xlsx_header_may_follow_blank_rows():
    data = xlsx_bytes([[], list(HEADER), list(plan_row().values())])
    (row,) = read_plan_file(data, kind="xlsx").rows
    assert row.number == 3


@settings(database=None)  # nothing written into the working tree
@given(st.text())
def test_escaping_always_round_trips_and_never_leaves_a_formula_start(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
