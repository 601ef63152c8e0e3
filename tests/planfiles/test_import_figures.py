"""`manage.py import_figures FILE [--dry-run]`: agencies' figures from a CSV file, all or nothing.

Every refused row is reported by number, column and reason, and leaves the database as it was.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AgencyFactory, UserFactory
from tracking.models import Figure

HEADER = "partnership,plan_period,measure,agency,period,value,confidence"
GOOD_ROWS = [
    "lichfield,2021-22,ASB incidents,Staffordshire Police,2021-22 Q1,120,Validated",
    "Lichfield District Community Safety Partnership,2021-22,asb incidents,bromford,"
    "2021-22 Q1,35.5,provisional: June not yet validated",
    "lichfield,2021-22,ASB incidents,POLICE,2020-21 Q4,98,",
]


def write(tmp_path, lines, *, name="figures.csv", encoding="utf-8", bom=False) -> str:
    path = tmp_path / name
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes(("\ufeff".encode() if bom else b"") + data)
    return str(path)


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_figures", path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refuse(path, *args) -> tuple[str, str]:
    """Run the command expecting failure: (the error's message, what it wrote on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_figures", path, *args, stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


def state() -> list[tuple]:
    """Every figure and every history row: what a refused import must leave alone."""
    figures = list(
        Figure.objects.order_by("pk").values_list(
            "measure_id", "agency_id", "period_start", "value", "confidence"
        )
    )
    return figures + [("history", Figure.history.count())]


@pytest.fixture
def plan_with_measures(plan, asb_measure, monthly_measure, annual_measure, police, housing):
    return plan


# -- A good file.


@pytest.mark.parametrize("bom", [False, True])
def test_a_good_file_creates_the_figures(tmp_path, plan_with_measures, asb_measure, bom):
    out, err = run(write(tmp_path, [HEADER, *GOOD_ROWS], bom=bom))
    assert "Rows read: 3." in out
    assert "Figures: 3 created, 0 updated, 0 unchanged." in out
    assert err == ""
    figures = {
        (f.agency.short_name, f.period_start): (f.value, f.confidence)
        for f in Figure.objects.select_related("agency")
    }
    assert figures == {
        ("Police", datetime.date(2021, 4, 1)): (Decimal("120.00"), "Validated"),
        ("Bromford", datetime.date(2021, 4, 1)): (
            Decimal("35.50"),
            "provisional: June not yet validated",
        ),
        ("Police", datetime.date(2021, 1, 1)): (Decimal("98.00"), ""),
    }
    assert all(f.measure == asb_measure for f in Figure.objects.all())
    history = Figure.history.all()
    assert history.count() == 3
    assert {h.history_change_reason for h in history} == {"Imported from figures.csv"}


def test_periods_follow_each_measures_frequency(tmp_path, plan_with_measures):
    lines = [
        HEADER,
        "lichfield,2021-22,Repeat callers,LDC,April 2021,4,",
        "lichfield,2021-22,Repeat callers,LDC,march 2022,6,",
        "lichfield,2021-22,Residents feeling safe,Lichfield District Council,2021-22,81.25,",
    ]
    run(write(tmp_path, lines))
    assert sorted(Figure.objects.values_list("measure__name", "period_start", "value")) == [
        ("Repeat callers", datetime.date(2021, 4, 1), Decimal("4.00")),
        ("Repeat callers", datetime.date(2022, 3, 1), Decimal("6.00")),
        ("Residents feeling safe", datetime.date(2021, 4, 1), Decimal("81.25")),
    ]


def test_running_the_same_file_again_changes_nothing(tmp_path, plan_with_measures):
    path = write(tmp_path, [HEADER, *GOOD_ROWS])
    run(path)
    before = state()
    out, _ = run(path)
    assert "Figures: 0 created, 0 updated, 3 unchanged." in out
    assert state() == before


def test_a_correction_replaces_the_value_and_history_keeps_the_old_one(
    tmp_path, plan_with_measures, asb_measure, police, lead_officer
):
    figure = Figure.objects.create(
        measure=asb_measure,
        agency=police,
        period_start=datetime.date(2021, 4, 1),
        value=Decimal("110"),
        confidence="Provisional",
        entered_by=lead_officer,
    )
    importer = UserFactory(username="importer")
    out, _ = run(write(tmp_path, [HEADER, GOOD_ROWS[0]]), "--user", "importer")
    assert "Figures: 0 created, 1 updated, 0 unchanged." in out
    figure.refresh_from_db()
    assert figure.value == Decimal("120.00")
    assert figure.confidence == "Validated"
    assert figure.entered_by == importer
    assert Figure.objects.count() == 1
    old, new = figure.history.order_by("history_date", "history_id")
    assert (old.value, old.confidence) == (Decimal("110.00"), "Provisional")
    assert (new.value, new.history_type, new.history_user) == (Decimal("120.00"), "~", importer)


def test_dry_run_writes_nothing(tmp_path, plan_with_measures, asb_measure, police):
    Figure.objects.create(
        measure=asb_measure, agency=police, period_start=datetime.date(2021, 4, 1), value=1
    )
    before = state()
    out, _ = run(write(tmp_path, [HEADER, *GOOD_ROWS]), "--dry-run")
    assert "Figures: 2 to create, 1 to update, 0 unchanged." in out
    assert "Dry run: nothing was saved." in out
    assert state() == before


def test_a_cell_escaped_by_an_export_is_read_back(tmp_path, plan_with_measures):
    run(write(tmp_path, [HEADER, GOOD_ROWS[0].replace("Validated", "'+ estimate")]))
    assert Figure.objects.get().confidence == "+ estimate"


def test_thousands_separators_and_blank_lines_are_accepted(tmp_path, plan_with_measures):
    lines = [HEADER, "", 'lichfield,2021-22,ASB incidents,Police,2021-22 Q2,"1,234.5",', ",,,,,,"]
    out, _ = run(write(tmp_path, lines))
    assert "Rows read: 1." in out
    assert Figure.objects.get().value == Decimal("1234.50")


# -- Bad rows: every one reported, nothing written.


BAD_ROWS = [
    (
        "Tamworth,2021-22,ASB incidents,Police,2021-22 Q1,1,",
        "partnership",
        "No partnership is called “Tamworth”",
    ),
    ("lichfield,2023-24,ASB incidents,Police,2021-22 Q1,1,", "plan_period", "no plan for 2023-24"),
    (
        "lichfield,2021/22,ASB incidents,Police,2021-22 Q1,1,",
        "plan_period",
        "“2021/22” is not a plan period",
    ),
    ("lichfield,2021-22,Burglaries,Police,2021-22 Q1,1,", "measure", "no measure called"),
    ("lichfield,2021-22,ASB incidents,Nobody,2021-22 Q1,1,", "agency", "No agency is called"),
    (
        "lichfield,2021-22,ASB incidents,West Mercia Police,2021-22 Q1,1,",
        "agency",
        "West Mercia Police is not a core agency of Lichfield",
    ),
    ("lichfield,2021-22,ASB incidents,Police,2021 Q1,1,", "period", "is not a quarter"),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q5,1,", "period", "is not a quarter"),
    ("lichfield,2021-22,Repeat callers,Police,2021-22 Q1,1,", "period", "is not a month"),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q1,lots,", "value", "is not a number"),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q1,1.234,", "value", "two decimal places"),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q1,1e5,", "value", "is not a number"),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q1,,", "value", "This cell is blank"),
    ("lichfield,2021-22,ASB incidents,,2021-22 Q1,1,", "agency", "This cell is blank"),
    (
        "lichfield,2021-22,ASB incidents,Police,2021-22 Q1,1," + "x" * 301,
        "confidence",
        "the most is 300",
    ),
    ("lichfield,2021-22,ASB incidents,Police,2021-22 Q1,1,,surplus", None, "more cells"),
]


@pytest.mark.parametrize(("line", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_by_row_column_and_reason_and_nothing_changes(
    tmp_path, plan_with_measures, other_agency, asb_measure, police, line, column, reason
):
    Figure.objects.create(
        measure=asb_measure, agency=police, period_start=datetime.date(2021, 4, 1), value=7
    )
    before = state()
    # The bad row is row 3: a good row above it is not imported either.
    message, err = refuse(write(tmp_path, [HEADER, GOOD_ROWS[1], line]))
    where = "Row 3" + (f", {column}" if column else "")
    assert f"{where}: " in err
    assert reason in err
    assert "figures.csv: 1 error; nothing was imported." in message
    assert state() == before


def test_every_bad_row_is_reported_and_nothing_changes(tmp_path, plan_with_measures, other_agency):
    lines = [HEADER, GOOD_ROWS[0], *(line for line, _, _ in BAD_ROWS)]
    message, err = refuse(write(tmp_path, lines))
    reported = [line for line in err.splitlines() if line.startswith("Row ")]
    assert [line.split(":")[0] for line in reported] == [
        f"Row {number}" + (f", {column}" if column else "")
        for number, (_, column, _) in enumerate(BAD_ROWS, start=3)
    ]
    assert f"{len(BAD_ROWS)} errors; nothing was imported." in message
    assert Figure.objects.count() == 0


def test_a_repeated_figure_is_refused_naming_the_first_row(tmp_path, plan_with_measures):
    lines = [HEADER, GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0].replace("Police", "police")]
    _, err = refuse(write(tmp_path, lines))
    assert "Row 4: This row repeats row 2: the same measure, agency and period." in err
    assert Figure.objects.count() == 0


def test_an_ambiguous_short_name_is_refused(tmp_path, plan_with_measures, partnership):
    twin = AgencyFactory(name="Police Scotland", short_name="Police", slug="police-scotland")
    partnership.core_agencies.add(twin)
    _, err = refuse(
        write(tmp_path, [HEADER, GOOD_ROWS[0].replace("Staffordshire Police", "police")])
    )
    assert "Row 2, agency: “police” could be any of Police Scotland, Staffordshire Police" in err


def test_a_short_name_shared_with_an_agency_outside_the_partnership_is_not_ambiguous(
    tmp_path, plan_with_measures, police
):
    AgencyFactory(name="Police Scotland", short_name="Police", slug="police-scotland")
    run(write(tmp_path, [HEADER, GOOD_ROWS[0].replace("Staffordshire Police", "police")]))
    assert Figure.objects.get().agency == police


# -- Files refused as a whole.


def test_a_file_that_is_not_csv_is_refused(tmp_path, plan_with_measures):
    message, _ = refuse(write(tmp_path, [HEADER, *GOOD_ROWS], name="figures.xlsx"))
    assert "is a spreadsheet, not a CSV file" in message
    message, _ = refuse(write(tmp_path, [HEADER], name="figures.txt"))
    assert "is not a CSV file" in message
    assert Figure.objects.count() == 0


def test_a_workbook_renamed_csv_is_refused(tmp_path, plan_with_measures):
    path = tmp_path / "figures.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100)
    message, _ = refuse(str(path))
    assert "is not a CSV text file" in message


def test_an_empty_file_is_refused(tmp_path, plan_with_measures):
    message, _ = refuse(write(tmp_path, [""]))
    assert "The file is empty" in message


def test_a_header_without_rows_is_refused(tmp_path, plan_with_measures):
    message, _ = refuse(write(tmp_path, [HEADER]))
    assert "no rows under it" in message


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("partnership,plan,measure,agency,period,value,confidence", "missing: plan_period"),
        ("partnership,plan_period,measure,agency,value,period,confidence", "different order"),
        ("partnership,plan_period,measure,agency,period,value", "missing: confidence"),
    ],
)
def test_a_wrong_header_is_refused_saying_what_is_wrong(
    tmp_path, plan_with_measures, header, detail
):
    message, _ = refuse(write(tmp_path, [header, GOOD_ROWS[0]]))
    assert "The first row is not the figures file's header" in message
    assert detail in message
    assert f"must be exactly: {HEADER}" in message
    assert Figure.objects.count() == 0


def test_a_file_not_in_utf8_is_refused_with_advice(tmp_path, plan_with_measures):
    line = GOOD_ROWS[0].replace("Validated", "£ provisional")
    message, _ = refuse(write(tmp_path, [HEADER, line], encoding="cp1252"))
    assert "The file is not UTF-8 text: line 2" in message
    assert "CSV UTF-8 (Comma delimited)" in message
    assert Figure.objects.count() == 0


def test_a_utf16_file_is_refused_with_advice(tmp_path, plan_with_measures):
    message, _ = refuse(write(tmp_path, [HEADER, GOOD_ROWS[0]], encoding="utf-16"))
    assert "UTF-16" in message
    assert "CSV UTF-8 (Comma delimited)" in message


def test_a_missing_file_is_refused(tmp_path, plan_with_measures):
    message, _ = refuse(str(tmp_path / "nowhere.csv"))
    assert "There is no file at" in message


def test_an_unknown_user_is_refused(tmp_path, plan_with_measures):
    message, _ = refuse(write(tmp_path, [HEADER, GOOD_ROWS[0]]), "--user", "nobody")
    assert "There is no user called “nobody”." in message
    assert Figure.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(tmp_path, plan_with_measures, settings):
    settings.FIGURES_FILE_MAX_BYTES = 100
    message, _ = refuse(write(tmp_path, [HEADER, *GOOD_ROWS]))
    assert "the largest figures file we read is 100 bytes" in message
