"""`python manage.py import_plan FILE [--dry-run] [--create-missing]`: for scripts and cron.

Prints a summary; exits non-zero, having changed nothing, if the file has any error.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planfiles.format import PlanFileRefused, check_size, kind_for_filename, read_plan_file
from planfiles.importer import plan_import


class Command(BaseCommand):
    help = (
        "Import a plan file (CSV in UTF-8, or XLSX) in the canonical format, all or nothing. "
        "The plan is found by the partnership and period the file names, and created as a "
        "draft if missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The plan file: a .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create the partnerships, agencies and themes the file names that do not exist "
            "yet (and let known agencies join the partnership), instead of refusing the file.",
        )

    def handle(self, *args, file: str, dry_run: bool, create_missing: bool, **options):
        path = Path(file)
        try:
            kind = kind_for_filename(path.name)
            if not path.is_file():
                raise CommandError(f"There is no file at {path}.")
            check_size(path.stat().st_size)
            table = read_plan_file(path.read_bytes(), kind=kind, filename=path.name)
        except PlanFileRefused as exc:
            raise CommandError(exc.message) from None
        report = plan_import(table=table, create_missing=create_missing, dry_run=dry_run)
        if report.plan_name:
            self.stdout.write(f"Plan: {report.plan_name}")
        for line in report.summary():
            self.stdout.write(line)
        for summary in report.unknown:
            self.stderr.write(summary.message)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            count = len(report.errors)
            raise CommandError(
                f"{path.name}: {count} error{'s' if count != 1 else ''}; nothing was imported."
            )
