"""`python manage.py import_figures FILE [--dry-run] [--user USERNAME]`: figures kept in a
spreadsheet, saved as CSV, all or nothing.

Prints a summary; exits non-zero, having changed nothing, if the file has any error.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from planfiles.figures_file import (
    HEADER,
    FiguresFileRefused,
    check_filename,
    check_size,
    read_figures_file,
)
from planfiles.figures_import import figures_import
from planfiles.management.file_import import FileImportCommand

USER_HELP = "Record the figures as entered by this person (default: nobody in particular)."


class Command(FileImportCommand):
    help = (
        "Import agencies' figures from a CSV file (UTF-8) with the header row "
        f"{','.join(HEADER)}. A figure already entered for the same measure, agency and period "
        "is corrected (its history keeps the old value). Any bad row means nothing is imported."
    )
    file_help = "The figures file: a .csv file in UTF-8."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", metavar="USERNAME", help=USER_HELP)

    def handle(self, *args: Any, file: str, user: str | None, **options: Any) -> None:
        person = _person(user)
        path = Path(file)
        try:
            data = self.read(path, check_name=check_filename, check_size=check_size)
            rows = read_figures_file(data)
        except FiguresFileRefused as exc:
            raise CommandError(f"{path.name}: {exc.message}") from None
        report = figures_import(
            rows=rows, dry_run=options["dry_run"], user=person, source=path.name
        )
        self.finish(path, report.summary(), report.errors)


def _person(username: str | None) -> Any:
    """The person to record as entering the figures: nobody in particular without --user."""
    if not username:
        return None
    person = get_user_model().objects.filter(username=username).first()
    if person is None:
        raise CommandError(f"There is no user called “{username}”.")
    return person
