"""`python manage.py import_plan FILE [--dry-run] [--create-missing] [--partnership NAME]
[--period YYYY-YY] [--title TITLE] [--column ROLE=HEADING ...]`: for scripts and cron.

FILE is the canonical plan file (.csv or .xlsx with the canonical header), or a plan as a
partnership keeps it: a Word document (.docx) or a spreadsheet with its own headings, read by its
headings (planfiles/columns.py). Prints how the file was read and a summary; exits non-zero,
having changed nothing, if the file has any error.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from planfiles.columns import ROLES, ColumnChoiceError, heading_key, parse_choices
from planfiles.dates import period_dates
from planfiles.format import (
    PlanFileRefused,
    PlanFileTable,
    check_size,
    kind_for_filename,
    read_plan_file,
)
from planfiles.importer import plan_import
from planfiles.management.file_import import FileImportCommand
from planfiles.rows import PlanGiven
from planfiles.tabular import visible

CREATE_MISSING_HELP = (
    "Create the partnerships, agencies and themes the file names that do not exist yet (and let "
    "known agencies join the partnership), instead of refusing the file."
)


class Command(FileImportCommand):
    help = (
        "Import a plan, all or nothing: the canonical plan file (CSV in UTF-8, or XLSX), a Word "
        "document (.docx, such as the seed's), or a spreadsheet laid out its own way, whose "
        "columns are recognised by their headings. The plan is found by its partnership and "
        "period, and created as a draft if missing."
    )
    file_help = "The plan: a .csv (UTF-8), .xlsx or .docx file."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--create-missing", action="store_true", help=CREATE_MISSING_HELP)
        parser.add_argument(
            "--partnership",
            metavar="NAME",
            help="The partnership, if the file does not name it (an error if it names another).",
        )
        parser.add_argument(
            "--period",
            metavar="YYYY-YY",
            help="The plan's period, e.g. 2021-22, if the file does not give it (an error if it "
            "gives another). A new plan runs from 1 April to 31 March.",
        )
        parser.add_argument(
            "--title",
            metavar="TITLE",
            help="The plan's title, if the file does not give it (an error if it gives another).",
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="ROLE=HEADING",
            help="Read the column headed HEADING as ROLE, one of: "
            + ", ".join(ROLES)
            + ", or ignore. Repeat for several columns.",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        dry_run: bool,
        create_missing: bool,
        partnership: str | None = None,
        period: str | None = None,
        title: str | None = None,
        column: list[str] | None = None,
        **options: Any,
    ) -> None:
        path = Path(file)
        given = _given(partnership, period, title)
        try:
            choices = parse_choices(column or [])
        except ColumnChoiceError as exc:
            raise CommandError(str(exc)) from None
        try:
            data = self.read(path, check_name=kind_for_filename, check_size=check_size)
            table = read_plan_file(
                data, kind=kind_for_filename(path.name), filename=path.name, columns=choices
            )
        except PlanFileRefused as exc:
            raise CommandError(exc.message) from None
        _check_choices(column or [], table)
        self._describe(table)
        report = plan_import(
            table=table, create_missing=create_missing, dry_run=dry_run, given=given
        )
        if report.plan_name:
            self.stdout.write(visible(f"Plan: {report.plan_name}"))
        notes = [summary.message for summary in report.unknown]
        if report.errors:
            notes += [*report.notes, *map(str, report.notices)]
        self.finish(path, report.summary(), report.errors, notes)

    def _describe(self, table: PlanFileTable) -> None:
        """How a file laid out its own way was read: each table's columns and rows."""
        if table.canonical:
            return
        for info in table.tables:
            if info.skipped:
                continue
            columns = ", ".join(
                f"“{column.heading}” → {column.role}"
                for column in info.columns
                if column.role and column.role != "ignore"
            )
            self.stdout.write(
                f"{info.label}: {info.rows} action{'s' if info.rows != 1 else ''} "
                f"(columns: {columns})."
            )


def _given(partnership: str | None, period: str | None, title: str | None) -> PlanGiven | None:
    if not (partnership or period or title):
        return None
    if period and period_dates(period) is None:
        raise CommandError(
            f"“{period}” is not a plan period: write it YYYY-YY, the start year and the end "
            "year's last two digits (for example 2021-22)."
        )
    return PlanGiven(
        partnership=" ".join((partnership or "").split()),
        title=(title or "").strip(),
        period=(period or "").strip(),
    )


def _check_choices(specs: list[str], table: PlanFileTable) -> None:
    """Every --column must name a heading of a header row."""
    missing = [spec for spec in specs if heading_key(spec.partition("=")[2]) not in table.headings]
    if missing:
        headings = ", ".join(
            f"“{column.heading}”"
            for info in table.tables
            for column in info.columns
            if column.heading
        )
        raise CommandError(
            "No header row has a column headed as "
            + ", ".join(f"--column {spec}" for spec in missing)
            + f" says. Headings found: {headings or 'none'}."
        )
