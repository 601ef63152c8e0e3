"""What the commands that import a file (`import_plan`, `import_figures`) have in common."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planfiles.report import RowError
from planfiles.tabular import visible


class FileImportCommand(BaseCommand):
    """Import one file, all or nothing, for scripts and cron.

    Prints a summary; exits non-zero, having changed nothing, if the file has any error. Every
    line it prints shows control characters escaped (`visible`): no file, nor its name, writes
    commands to the terminal.
    """

    file_help = "The file to import."

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            # What stops the command may repeat the file's name or text, too.
            raise CommandError(visible(str(exc)), returncode=exc.returncode) from None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=self.file_help)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )

    def read(
        self, path: Path, *, check_name: Callable[[str], object], check_size: Callable[[int], None]
    ) -> bytes:
        """The file's bytes, once its name and size pass the file's checks (which raise
        `FileRefused`)."""
        check_name(path.name)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        check_size(path.stat().st_size)
        return path.read_bytes()

    def finish(
        self, path: Path, summary: list[str], errors: list[RowError], notes: Iterable[str] = ()
    ) -> None:
        """Print the summary, then the notes and errors; fail if there are errors."""
        for line in summary:
            self.stdout.write(visible(line))
        for note in notes:
            self.stderr.write(visible(note))
        for error in errors:
            self.stderr.write(visible(str(error)))
        if errors:
            count = len(errors)
            raise CommandError(
                f"{path.name}: {count} error{'s' if count != 1 else ''}; nothing was imported."
            )
