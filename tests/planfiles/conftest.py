"""Helpers for the plan file's tests: files built row by row, and the database as a snapshot.

The rows name the plan of tests/conftest.py (Lichfield, 2021-22) and its cast of agencies.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from planfiles.format import HEADER, kind_for_filename, read_plan_file
from planfiles.importer import plan_import

# Hypothesis keeps its files under .pytest_cache (ignored by git), not in the working tree.
set_hypothesis_home_dir(Path(__file__).resolve().parents[2] / ".pytest_cache" / "hypothesis")

PLAN_COLUMNS = {
    "partnership": "Lichfield District Community Safety Partnership",
    "plan_title": "Community Safety Delivery Plan",
    "plan_start": "2021-04-01",
    "plan_end": "2022-03-31",
}


def plan_row(**cells: str) -> dict[str, str]:
    """A row of the conftest plan: an action with a theme, a lead, a supporter and an outcome."""
    row = PLAN_COLUMNS | {
        "priority": "Anti-social Behaviour (ASB)",
        "theme": "Early Intervention and Prevention",
        "action": "Street-based outreach for young people at risk",
        "outcome": "Fewer young people drawn into ASB",
        "lead_agency": "Staffordshire Police",
        "supporting_agencies": "Lichfield District Council",
        "target_date": "2022-03-31",
        "measure": "Referrals made",
    }
    return row | cells


def csv_bytes(rows: list[dict[str, str]], *, header=HEADER, bom: bool = False) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return (("\ufeff" if bom else "") + stream.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    """A workbook whose first sheet holds these rows (the header included) as they are."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def run_import(data: bytes, filename: str = "plan.csv", **options):
    table = read_plan_file(data, kind=kind_for_filename(filename), filename=filename)
    return plan_import(table=table, **options)


@pytest.fixture
def lichfield(plan, priority, action, police, council, housing, unrelated_agency):
    """The conftest plan with its priority and one action (police-led, council-supported)."""
    return plan
