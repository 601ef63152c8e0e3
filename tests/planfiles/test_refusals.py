"""All or nothing: a file with any bad row changes nothing, and says which rows are bad and why.

Each test imports a file with one kind of fault next to good rows, and checks that the database
is exactly as before (history included) and that the message names the row, the column and the
reason. Files that cannot be read at all are refused as a whole, with a message saying what to
do.
"""

from __future__ import annotations

import pytest

from actions.models import Action
from planfiles.format import HEADER, PlanFileRefused, read_plan_file
from tests.planfiles.conftest import (
    csv_bytes,
    plan_row,
    run_import,
    xlsx_bytes,
)
from tests.snapshots import database_snapshot

GOOD = plan_row()
OTHER_GOOD = plan_row(action="Joint patrols in the city centre", theme="Public Confidence")


def refused_rows(rows, **options):
    """Import good rows around the bad one; the import must change nothing and report errors."""
    before = database_snapshot()
    report = run_import(csv_bytes(rows), **options)
    assert database_snapshot() == before
    assert not report.ok
    return report.errors


def only_error(errors):
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# -- Bad rows: every one reported by row and column, nothing imported.


def test_a_missing_required_cell_is_reported_by_row_and_column(lichfield):
    errors = refused_rows([GOOD, OTHER_GOOD, plan_row(priority="", action="Third action")])
    error = only_error(errors)
    assert (error.row, error.column) == (4, "priority")
    assert "blank" in error.message and "priority" in error.message
    assert str(error).startswith("Row 4, priority: This cell is blank")


def test_a_bad_date_is_reported_with_the_expected_form(lichfield):
    error = only_error(refused_rows([GOOD, plan_row(target_date="31/02/2022", action="Other")]))
    assert (error.row, error.column) == (3, "target_date")
    assert "“31/02/2022” is not a date written YYYY-MM-DD" in error.message


def test_an_impossible_date_is_refused(lichfield):
    error = only_error(refused_rows([plan_row(target_date="2022-02-30")]))
    assert (error.row, error.column) == (2, "target_date")


def test_an_unknown_agency_is_reported_on_every_row_and_listed_once_with_the_known_ones(
    lichfield,
):
    before = database_snapshot()
    report = run_import(
        csv_bytes(
            [
                plan_row(lead_agency="Staffs Police"),
                plan_row(action="Second", supporting_agencies="LDC; Staffs Police"),
                plan_row(action="Third", lead_agency="Nobody Council"),
            ]
        )
    )
    assert database_snapshot() == before
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "lead_agency"),
        (3, "supporting_agencies"),
        (4, "lead_agency"),
    ]
    assert "No agency is called “Staffs Police”" in report.errors[0].message
    (summary,) = report.unknown
    assert summary.names == ["Nobody Council", "Staffs Police"]
    assert "Staffordshire Police (Police)" in summary.message
    assert summary.message.count("Staffs Police") == 1


def test_an_unknown_theme_is_an_error_without_create_missing(lichfield):
    error = only_error(refused_rows([GOOD, plan_row(action="Other", theme="Enforcement")]))
    assert (error.row, error.column) == (3, "theme")
    assert "No theme of the partnership is called “Enforcement”" in error.message


def test_an_unknown_partnership_is_an_error_listing_the_known_ones(lichfield, other_partnership):
    rows = [plan_row(partnership="Cannock Chase CSP"), plan_row(partnership="Cannock Chase CSP")]
    before = database_snapshot()
    report = run_import(csv_bytes(rows))
    assert database_snapshot() == before
    error = report.errors[0]
    assert (error.row, error.column) == (2, "partnership")
    assert "No partnership is called “Cannock Chase CSP”" in error.message
    (summary,) = report.unknown
    assert "Lichfield District Community Safety Partnership" in summary.message
    assert "Tamworth Community Safety Partnership" in summary.message


def test_an_agency_outside_the_partnership_is_refused(lichfield, other_agency):
    error = only_error(refused_rows([plan_row(supporting_agencies="West Mercia Police")]))
    assert (error.row, error.column) == (2, "supporting_agencies")
    assert "West Mercia Police is not a member of Lichfield" in error.message


# Actions, outcomes and measures have no limit (tests/planfiles/test_long_text.py).
@pytest.mark.parametrize(("column", "limit"), [("priority", 200), ("plan_title", 200)])
def test_text_too_long_is_reported_with_the_limit(lichfield, column, limit):
    rows = [GOOD, plan_row(action="Other", **{column: "x" * (limit + 1)})]
    errors = refused_rows(rows)
    error = next(e for e in errors if e.column == column)
    assert error.row == 3
    assert f"{limit + 1} characters long; the most this column may hold is {limit}" in (
        error.message
    )


def test_a_duplicate_row_names_the_row_it_repeats(lichfield):
    error = only_error(refused_rows([GOOD, OTHER_GOOD, dict(GOOD, outcome="Something else")]))
    assert (error.row, error.column) == (4, "action")
    assert "repeats row 2" in error.message


def test_a_duplicate_counts_short_names_and_case_as_the_same_theme(lichfield):
    copy = dict(GOOD, theme=" prevention ")
    error = only_error(refused_rows([GOOD, copy]))
    assert (error.row, error.column) == (3, "action")


def test_every_bad_row_is_reported_not_just_the_first(lichfield):
    rows = [
        plan_row(target_date="2022-02-30"),
        plan_row(action="B", lead_agency="Nobody"),
        GOOD | {"action": "C", "supporting_agencies": "Police"},
        plan_row(action="D", plan_end="2021-01-01"),
    ]
    errors = refused_rows(rows)
    assert [(e.row, e.column) for e in errors] == [
        (2, "target_date"),
        (3, "lead_agency"),
        (4, "supporting_agencies"),
        (5, "plan_end"),
        (5, "plan_end"),
    ]


def test_a_row_naming_another_plan_is_refused(lichfield):
    error = only_error(refused_rows([GOOD, plan_row(action="B", plan_start="2020-04-01")]))
    assert (error.row, error.column) == (3, "plan_start")
    assert "a plan file holds one plan" in error.message


def test_extra_cells_beyond_the_header_are_refused(lichfield):
    data = csv_bytes([GOOD]) + b"a,b,c,d,e,f,g,h,i,j,k,l,stray\r\n"
    before = database_snapshot()
    report = run_import(data)
    assert database_snapshot() == before
    assert any(e.row == 3 and "more cells than the header" in e.message for e in report.errors)


def test_a_lead_agency_also_supporting_is_refused(lichfield):
    error = only_error(refused_rows([plan_row(supporting_agencies="Police; LDC")]))
    assert (error.row, error.column) == (2, "supporting_agencies")
    assert "Staffordshire Police leads this action, so it cannot also support it" in error.message


def test_a_measure_without_an_outcome_line_is_a_measure_of_the_action(lichfield):
    # Once refused ("line N of the measure belongs to line N of the outcome"); real plans give
    # measures for actions whose outcome they leave unsaid.
    report = run_import(csv_bytes([plan_row(outcome="One", measure="m1\nm2")]))
    assert report.ok, [str(e) for e in report.errors]
    action = Action.objects.get(description=GOOD["action"])
    assert [(o.description, o.measure) for o in action.outcomes.order_by("order")] == [
        ("One", "m1"),
        ("", "m2"),
    ]


def test_a_plan_that_is_not_a_draft_takes_no_import(lichfield):
    lichfield.status = "consultation"
    lichfield.save()
    error = only_error(refused_rows([GOOD]))
    assert error.row is None
    assert "only a draft plan can take an import" in error.message


def test_create_missing_does_not_excuse_a_bad_row(lichfield):
    errors = refused_rows(
        [plan_row(lead_agency="New Agency"), plan_row(action="B", target_date="31/13/2022")],
        create_missing=True,
    )
    assert [(e.row, e.column) for e in errors] == [(3, "target_date")]
    assert not Action.objects.filter(description="B").exists()


# -- Files refused as a whole.


def refused_file(data: bytes, filename: str = "plan.csv", limit=None) -> str:
    before = database_snapshot()
    with pytest.raises(PlanFileRefused) as caught:
        read_plan_file(data, kind=_kind(filename), filename=filename, limit=limit)
    assert database_snapshot() == before
    return caught.value.message


def _kind(filename):
    from planfiles.format import kind_for_filename

    return kind_for_filename(filename)


@pytest.mark.parametrize("filename", ["plan.pdf", "plan.txt", "plan"])
def test_a_file_that_is_not_csv_xlsx_or_word_is_refused(filename):
    with pytest.raises(PlanFileRefused, match="is not a CSV, XLSX or Word file"):
        _kind(filename)


def test_an_old_excel_file_is_refused_with_advice():
    with pytest.raises(PlanFileRefused, match=r"Save it as an Excel workbook \(.xlsx\)"):
        _kind("plan.xls")


@pytest.mark.django_db
def test_a_pdf_renamed_xlsx_is_refused():
    message = refused_file(b"%PDF-1.4 not a workbook", "plan.xlsx")
    assert "is not an Excel workbook" in message


@pytest.mark.django_db
def test_a_workbook_renamed_csv_is_refused():
    message = refused_file(xlsx_bytes([list(HEADER)]), "plan.csv")
    assert "Rename it .xlsx" in message


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,\r\n"])
def test_an_empty_file_is_refused(data):
    assert "The file is empty" in refused_file(data)


@pytest.mark.django_db
def test_a_header_without_rows_is_refused():
    assert "no rows under it" in refused_file(csv_bytes([]))


@pytest.mark.django_db
def test_an_empty_workbook_is_refused():
    assert "The file is empty" in refused_file(xlsx_bytes([]), "plan.xlsx")


# A header other than the canonical one is read by its headings (tests/planfiles/
# test_own_layouts.py): these two files were refused before real plans came in.


def test_a_header_with_a_column_missing_and_one_unknown_is_read_by_its_headings(lichfield):
    header = [name for name in HEADER if name != "measure"] + ["notes"]
    report = run_import(csv_bytes([plan_row()], header=header))
    assert report.ok, [str(e) for e in report.errors]
    assert not report.canonical
    assert [(c.heading, c.role) for c in report.tables[0].columns][-1] == ("notes", "ignore")


def test_a_header_in_another_order_is_read_by_its_headings(lichfield):
    header = list(HEADER)
    header[0], header[1] = header[1], header[0]
    report = run_import(csv_bytes([plan_row()], header=header))
    assert report.ok, [str(e) for e in report.errors]
    assert Action.objects.filter(description=GOOD["action"]).exists()


@pytest.mark.django_db
def test_a_header_naming_no_column_we_know_is_refused_with_the_canonical_header():
    message = refused_file(csv_bytes([plan_row()], header=[f"column {n}" for n in range(12)]))
    assert "None of the first 10 rows is a header row" in message
    assert "The first row is not the plan file's header" in message
    assert ",".join(HEADER) in message


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_the_line_and_advice():
    data = csv_bytes([plan_row(), plan_row(action="Café outreach")]).decode().encode("cp1252")
    message = refused_file(data)
    assert "not UTF-8" in message
    assert "line 3" in message
    assert "CSV UTF-8" in message


@pytest.mark.django_db
def test_a_utf16_file_is_refused_with_advice():
    data = csv_bytes([plan_row()]).decode().encode("utf-16")
    assert "UTF-16" in refused_file(data)


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PLAN_FILE_MAX_BYTES = 1000
    data = csv_bytes([plan_row(action=f"Action {n}") for n in range(10)])
    message = refused_file(data)
    assert "the largest plan file we accept is 1000 bytes" in message


@pytest.mark.django_db
def test_the_size_limit_defaults_to_five_megabytes():
    from django.conf import settings

    assert settings.PLAN_FILE_MAX_BYTES == 5 * 1024 * 1024


@pytest.mark.django_db
def test_broken_csv_quoting_is_refused_with_the_line():
    data = csv_bytes([plan_row()]) + b'a,"b"c,d\r\n'
    assert "not valid CSV near line 3" in refused_file(data)


@pytest.mark.django_db
def test_a_damaged_workbook_is_refused():
    data = xlsx_bytes([list(HEADER)])[:200]
    assert "could not be read as an Excel workbook" in refused_file(data, "plan.xlsx")
