"""`python manage.py import_figures FILE [--dry-run] [--user USERNAME]`: figures kept in a
spreadsheet, saved as CSV, all or nothing.

Prints a summary; exits non-zero, having changed nothing, if the file has any error.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from planfiles.figures_file import (
    HEADER,
    FiguresFileRefused,
    check_filename,
    check_size,
    read_figures_file,
)
from planfiles.figures_import import figures_import


class Command(BaseCommand):
    help = (
        "Import agencies' figures from a CSV file (UTF-8) with the header row "
        f"{','.join(HEADER)}. A figure already entered for the same measure, agency and period "
        "is corrected (its history keeps the old value). Any bad row means nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The figures file: a .csv file in UTF-8.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Record the figures as entered by this person (default: nobody in particular).",
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        path = Path(file)
        person = None
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"There is no user called “{user}”.")
        try:
            check_filename(path.name)
            if not path.is_file():
                raise CommandError(f"There is no file at {path}.")
            check_size(path.stat().st_size)
            rows = read_figures_file(path.read_bytes())
        except FiguresFileRefused as exc:
            raise CommandError(f"{path.name}: {exc.message}") from None
        report = figures_import(rows=rows, dry_run=dry_run, user=person, source=path.name)
        for line in report.summary():
            self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            count = len(report.errors)
            raise CommandError(
                f"{path.name}: {count} error{'s' if count != 1 else ''}; nothing was imported."
            )
