"""`import_plan` and `export_plan`: for scripts and cron, with summaries and exit codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action
from tests.planfiles.conftest import csv_bytes, plan_row
from tests.snapshots import database_snapshot


def import_plan(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row(), plan_row(action="Second", priority="Fraud")]))
    out, _ = import_plan(path)
    assert "Plan: Lichfield District Community Safety Partnership 2021-22" in out
    assert "Rows read: 2." in out
    assert "Actions: 2 created, 0 updated, 0 unchanged." in out
    assert "Priorities created: Fraud." in out
    assert "Errors: 0." in out
    assert Action.objects.filter(description="Second").exists()


def test_import_with_errors_prints_each_and_exits_non_zero(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(
        csv_bytes([plan_row(target_date="2022-13-01"), plan_row(lead_agency="Nobody")])
    )
    before = database_snapshot()
    with pytest.raises(CommandError, match="plan.csv: 3 errors; nothing was imported") as caught:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_plan", str(path), stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert database_snapshot() == before
    assert "Errors: 3. Nothing was imported." in out.getvalue()
    errors = err.getvalue()
    assert "Row 2, target_date: “2022-13-01” is not a date written YYYY-MM-DD" in errors
    assert "Row 3, lead_agency: No agency is called “Nobody”" in errors
    assert "Row 3, action: This row repeats row 2" in errors
    assert "Known agencies:" in errors


def test_dry_run_changes_nothing(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row()]))
    before = database_snapshot()
    out, _ = import_plan(path, "--dry-run")
    assert "Actions: 1 to create, 0 to update, 0 unchanged." in out
    assert "Dry run: nothing was saved." in out
    assert database_snapshot() == before


def test_create_missing_creates_unknown_names(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row(lead_agency="Lichfield Youth Trust")]))
    with pytest.raises(CommandError):
        import_plan(path)
    out, _ = import_plan(path, "--create-missing")
    assert "Agencies created: Lichfield Youth Trust." in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", b"%PDF", "is not a CSV, XLSX or Word file"),
        ("plan.csv", b"", "The file is empty"),
        ("plan.csv", b"a,b\r\n1,2\r\n", "not the plan file's header"),
    ],
)
def test_a_file_refused_as_a_whole_exits_non_zero(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        import_plan(path)


def test_a_missing_file_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        import_plan(tmp_path / "missing.csv")


def test_a_file_over_the_limit_is_refused_before_reading(db, tmp_path, settings):
    settings.PLAN_FILE_MAX_BYTES = 10
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row()]))
    with pytest.raises(CommandError, match="the largest plan file we accept is 10 bytes"):
        import_plan(path)


def test_export_writes_csv_to_standard_output(lichfield, action):
    out = io.StringIO()
    call_command("export_plan", "--partnership", "lichfield", "--period", "2021-22", stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeffpartnership,plan_title,")
    assert "Triaging of ASB reports to key agencies" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_writes_each_format_to_a_file(lichfield, action, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    err = io.StringIO()
    call_command(
        "export_plan", "--partnership", "LICHFIELD District Community Safety Partnership",
        "--period", "2021-22", "--output", str(path), stderr=err,
    )  # fmt: skip
    data = path.read_bytes()
    assert data.startswith({"csv": b"\xef\xbb\xbf", "xlsx": b"PK", "json": b"["}[fmt])
    if fmt == "json":
        assert json.loads(data)[0]["action"] == action.description


def test_a_three_year_plan_is_named_like_2005_08(partnership, tmp_path):
    from tests.factories import ActionFactory, PlanFactory, PriorityFactory

    plan = PlanFactory(partnership=partnership, period_start="2005-04-01", period_end="2008-03-31")
    ActionFactory(priority=PriorityFactory(plan=plan), description="Three-year action")
    out = io.StringIO()
    call_command("export_plan", "--partnership", "lichfield", "--period", "2005-08", stdout=out)
    assert ",2005-04-01,2008-03-31," in out.getvalue()


def test_export_format_option_wins_over_the_file_name(lichfield, action, tmp_path):
    path = tmp_path / "out.txt"
    call_command(
        "export_plan", "--partnership", "lichfield", "--period", "2021-22",
        "--format", "json", "--output", str(path), stderr=io.StringIO(),
    )  # fmt: skip
    assert json.loads(path.read_bytes())


def test_export_refuses_xlsx_to_the_terminal(lichfield):
    with pytest.raises(CommandError, match="give --output FILE"):
        call_command(
            "export_plan", "--partnership", "lichfield", "--period", "2021-22",
            "--format", "xlsx", stdout=io.StringIO(),
        )  # fmt: skip


def test_export_names_the_known_partnerships_and_periods(lichfield):
    with pytest.raises(CommandError, match=r"Known: Lichfield .* \(lichfield\)"):
        call_command("export_plan", "--partnership", "nowhere", "--period", "2021-22")
    with pytest.raises(CommandError, match="has no plan for “2005-08”.*Its plans: 2021-22"):
        call_command("export_plan", "--partnership", "lichfield", "--period", "2005-08")


# -- Plans laid out their own way: what the file does not carry, and what its columns are.


LICHFIELD = (
    "--partnership",
    "Lichfield District Community Safety Partnership",
    "--period",
    "2021-22",
)


def own_layout(tmp_path, rows, name="plan.csv"):
    from tests.planfiles.documents import csv

    path = tmp_path / name
    path.write_bytes(csv(rows))
    return path


def test_a_plan_laid_out_its_own_way_takes_the_partnership_period_and_title_given(
    partnership, tmp_path
):
    from priorities.models import Plan

    path = own_layout(
        tmp_path,
        [
            ["Priority", "What we will do", "By when"],
            ["Fraud", "Courier fraud talks", "Q2 2022-23"],
        ],
    )
    out, _ = import_plan(
        path, "--partnership", "lichfield district community safety partnership",
        "--period", "2022-23", "--title", "Delivery Plan 2022-23",
    )  # fmt: skip
    assert "The file: 1 action (columns: “Priority” → priority" in out
    assert "“What we will do” → action" in out
    assert "Actions: 1 created" in out
    plan = Plan.objects.get(partnership=partnership, title="Delivery Plan 2022-23")
    assert plan.period == "2022-23"
    action = Action.objects.get(description="Courier fraud talks")
    assert str(action.target_date) == "2022-09-30"


def test_a_plan_laid_out_its_own_way_without_a_partnership_says_what_to_give(db, tmp_path):
    path = own_layout(tmp_path, [["Priority", "Action"], ["Fraud", "Courier fraud talks"]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=err)
    errors = err.getvalue()
    assert "partnership: The file does not give the partnership. Give it: import_plan " \
        "--partnership NAME" in errors  # fmt: skip
    assert "plan_start: The file does not give the plan's period. Give the period: " \
        "import_plan --period YYYY-YY" in errors  # fmt: skip


def test_a_new_plan_needs_a_title(partnership, tmp_path):
    path = own_layout(tmp_path, [["Priority", "Action"], ["Fraud", "Courier fraud talks"]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command(
            "import_plan", str(path), *LICHFIELD, stdout=io.StringIO(), stderr=err
        )  # fmt: skip
    assert "plan_title: The file does not give the plan's title, and the partnership has no " \
        "plan for 2021-22 yet. Give it: import_plan --title TITLE." in err.getvalue()  # fmt: skip


def test_a_given_value_the_file_contradicts_is_an_error(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row()]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_plan", str(path), "--period", "2022-23", "--title", "Another",
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert "Row 2, plan_title: The file says “Community Safety Delivery Plan”, but --title " \
        "says “Another”" in err.getvalue()  # fmt: skip
    assert "Row 2, plan_start: The file says “2021-04-01 to 2022-03-31 (2021-22)”, but " \
        "--period says “2022-23”" in err.getvalue()  # fmt: skip


def test_given_values_the_file_agrees_with_are_fine(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row()]))
    out, _ = import_plan(
        path, "--partnership", "Lichfield District Community Safety Partnership",
        "--period", "2021-22",
    )  # fmt: skip
    assert "Errors: 0." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2021/22"], "“2021/22” is not a plan period: write it YYYY-YY"),
        (["--column", "deliverable=Action"], "“deliverable” is not a column of a plan"),
        (["--column", "measure=Performance notes"], "No header row has a column headed as"),
    ],
)
def test_bad_options_are_refused_before_anything_is_read(lichfield, tmp_path, args, message):
    path = own_layout(tmp_path, [["Priority", "Action"], ["Fraud", "Courier fraud talks"]])
    before = database_snapshot()
    with pytest.raises(CommandError, match=message):
        import_plan(path, *args)
    assert database_snapshot() == before


def test_a_column_option_names_what_a_heading_holds(lichfield, tmp_path):
    path = own_layout(
        tmp_path,
        [
            ["Priority", "Our commitments", "Comments"],
            ["Fraud", "Courier fraud talks", "Talks held"],
        ],
    )
    with pytest.raises(CommandError):
        import_plan(path, *LICHFIELD)
    out, _ = import_plan(
        path, *LICHFIELD, "--column", "action=Our commitments", "--column", "measure=comments"
    )
    assert "“Our commitments” → action" in out and "“Comments” → measure" in out
    outcome = Action.objects.get(description="Courier fraud talks").outcomes.get()
    assert (outcome.description, outcome.measure) == ("", "Talks held")


def test_notes_say_what_was_read_otherwise_than_written(lichfield, tmp_path):
    path = own_layout(
        tmp_path,
        [["Priority", "Action", "Lead", "Timescale"], ["Fraud", "Courier talks", "All", "Ongoing"]],
    )
    out, _ = import_plan(path, *LICHFIELD)
    assert "Note: Row 2, lead_agency: “All” names no one agency to lead" in out
    assert "Note: Row 2, target_date: “Ongoing” is not a date" in out
