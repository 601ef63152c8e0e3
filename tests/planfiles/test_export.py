"""Exporting a plan as the canonical plan file: columns, order, escaping, and what it refuses."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from planfiles.exporter import PlanExportError, plan_export, plan_export_rows
from planfiles.format import HEADER
from planfiles.tabular import escape_cell, unescape_cell
from tests.factories import ActionFactory, AgencyFactory, OutcomeFactory, PriorityFactory


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_the_canonical_header_and_one_row_per_action(lichfield, action):
    data, content_type, filename = plan_export(lichfield, "csv")
    assert content_type == "text/csv; charset=utf-8"
    assert filename == "lichfield-2021-22-plan.csv"
    assert data.splitlines()[0].decode("utf-8-sig") == ",".join(HEADER)
    assert b"\r\n" in data  # RFC 4180 line ends
    header, row = csv_rows(data)
    assert dict(zip(header, row, strict=True)) == {
        "partnership": "Lichfield District Community Safety Partnership",
        "plan_title": "Community Safety Delivery Plan",
        "plan_start": "2021-04-01",
        "plan_end": "2022-03-31",
        "priority": "Anti-social Behaviour (ASB)",
        "theme": "Early Intervention and Prevention",
        "action": "Triaging of ASB reports to key agencies",
        "outcome": "Quicker more effective responses",
        "lead_agency": "Staffordshire Police",
        "supporting_agencies": "Lichfield District Council",
        "target_date": "",
        "measure": "",
    }


def test_agencies_and_themes_are_written_by_full_name_sorted(lichfield, action, housing):
    action.supporting_agencies.add(housing)
    row = plan_export_rows(lichfield)[0]
    assert row[9] == "Bromford Housing Group; Lichfield District Council"


def test_several_outcomes_stand_on_lines_with_their_measures(lichfield, action):
    OutcomeFactory(
        action=action, description="Fewer\nrepeat calls", measure="Repeat calls", order=5
    )
    row = plan_export_rows(lichfield)[0]
    assert row[7] == "Quicker more effective responses\nFewer repeat calls"
    assert row[11] == "\nRepeat calls"  # line 2 of the measure belongs to line 2 of the outcome


def test_rows_follow_the_plans_order_and_list_priorities_without_actions(
    lichfield, priority, action, partnership, council
):
    themes = {theme.name: theme for theme in partnership.themes.all()}
    action.order = 1
    action.save()
    ActionFactory(priority=priority, theme=None, description="No theme yet", order=0)
    ActionFactory(
        priority=priority, theme=themes["Public Confidence"], description="Comms", order=0
    )
    ActionFactory(priority=priority, theme=action.theme, description="Second in cell", order=99)
    PriorityFactory(plan=lichfield, title="Fraud", order=priority.order + 1)
    rows = plan_export_rows(lichfield)
    assert [(r[4], r[5], r[6]) for r in rows] == [
        ("Anti-social Behaviour (ASB)", "Early Intervention and Prevention", action.description),
        ("Anti-social Behaviour (ASB)", "Early Intervention and Prevention", "Second in cell"),
        ("Anti-social Behaviour (ASB)", "Public Confidence", "Comms"),
        ("Anti-social Behaviour (ASB)", "", "No theme yet"),
        ("Fraud", "", ""),
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_escaped_and_restored(start):
    text = f'{start}HYPERLINK("http://evil")'
    assert escape_cell(text) == "'" + text
    assert unescape_cell(escape_cell(text)) == text


@pytest.mark.parametrize(
    "text", ["'=x", "''=x", "'quoted'", "O'Brien", "'", "", "plain", "a=b", "2021-04-01"]
)
def test_escaping_is_undone_exactly(text):
    assert unescape_cell(escape_cell(text)) == text


def test_a_hand_typed_leading_quote_is_kept(db):
    assert unescape_cell("'hotspot areas' are") == "'hotspot areas' are"


def test_formulas_are_escaped_in_csv_and_xlsx_but_not_json(lichfield, action):
    action.description = '=HYPERLINK("http://evil.example","Click")'
    action.save()
    csv_data = plan_export(lichfield, "csv")[0]
    assert csv_rows(csv_data)[1][6] == "'" + action.description
    workbook = openpyxl.load_workbook(io.BytesIO(plan_export(lichfield, "xlsx")[0]))
    cell = workbook.active["G2"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == "'" + action.description
    records = json.loads(plan_export(lichfield, "json")[0])
    assert records[0]["action"] == action.description


def test_xlsx_export_is_a_workbook_with_the_header_in_bold(lichfield, action):
    data, content_type, filename = plan_export(lichfield, "xlsx")
    assert filename.endswith(".xlsx")
    assert content_type.startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert tuple(c.value for c in sheet[1]) == HEADER
    assert sheet["A1"].font.bold


def test_an_agency_with_a_semicolon_in_its_name_cannot_be_exported(lichfield, action, partnership):
    odd = AgencyFactory(name="Police; Fire", slug="police-fire")
    partnership.core_agencies.add(odd)
    action.supporting_agencies.add(odd)
    with pytest.raises(PlanExportError, match="has a semicolon in its name"):
        plan_export(lichfield, "csv")


def test_a_control_character_cannot_go_into_a_workbook(lichfield, action):
    action.description = "Bell\x07 ringing"
    action.save()
    with pytest.raises(PlanExportError, match="Export the plan as CSV or JSON"):
        plan_export(lichfield, "xlsx")
    assert plan_export(lichfield, "csv")[0]


def test_export_takes_a_fixed_number_of_queries(
    lichfield, priority, partnership, django_assert_max_num_queries
):
    for n in range(30):
        ActionFactory(priority=priority, description=f"Action {n}")
    with django_assert_max_num_queries(6):
        plan_export(lichfield, "csv")
