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
