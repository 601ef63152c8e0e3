"""`python manage.py import_plan FILE [--dry-run] [--create-missing]`: for scripts and cron.

Prints a summary; exits non-zero, having changed nothing, if the file has any error.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from planfiles.format import PlanFileRefused, check_size, kind_for_filename, read_plan_file
from planfiles.importer import plan_import
from planfiles.management.file_import import FileImportCommand
from planfiles.tabular import visible

CREATE_MISSING_HELP = (
    "Create the partnerships, agencies and themes the file names that do not exist yet (and let "
    "known agencies join the partnership), instead of refusing the file."
)


class Command(FileImportCommand):
    help = (
        "Import a plan file (CSV in UTF-8, or XLSX) in the canonical format, all or nothing. "
        "The plan is found by the partnership and period the file names, and created as a "
        "draft if missing."
    )
    file_help = "The plan file: a .csv (UTF-8) or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--create-missing", action="store_true", help=CREATE_MISSING_HELP)

    def handle(
        self, *args: Any, file: str, dry_run: bool, create_missing: bool, **options: Any
    ) -> None:
        path = Path(file)
        try:
            data = self.read(path, check_name=kind_for_filename, check_size=check_size)
            table = read_plan_file(data, kind=kind_for_filename(path.name), filename=path.name)
        except PlanFileRefused as exc:
            raise CommandError(exc.message) from None
        report = plan_import(table=table, create_missing=create_missing, dry_run=dry_run)
        if report.plan_name:
            self.stdout.write(visible(f"Plan: {report.plan_name}"))
        notes = [summary.message for summary in report.unknown]
        self.finish(path, report.summary(), report.errors, notes)
