"""`python manage.py draw_published_files`: draw the documents (PDF, Word) of every published
version that lacks them. Run it on each deployment: versions published before the documents were
stored, or while no worker ran, are drawn here instead of waiting for a visitor to ask."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.models import PublishedVersion, VersionAltered
from lifecycle.published_files import draw_missing


class Command(BaseCommand):
    help = (
        "Draw and store the PDF and Word document of every published version that lacks them "
        "(--redraw: all of them again, after a change to their layout)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--redraw",
            action="store_true",
            help="Draw every version's documents again, replacing the stored ones.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        versions = PublishedVersion.objects.select_related("plan__partnership").order_by("pk")
        checked, drawn, altered = 0, 0, []
        for version in versions.iterator(chunk_size=20):
            checked += 1
            try:
                kinds = draw_missing(version, redraw=options["redraw"])
            except VersionAltered:
                altered.append(version)
                continue
            if kinds:
                drawn += 1
                self.stdout.write(f"{version}: drew {', '.join(kinds)}.")
        for version in altered:
            self.stderr.write(f"ALTERED: {version} (id {version.pk}): not drawn.")
        self.stdout.write(f"{checked} published version(s): {drawn} drawn, the others had theirs.")
        if altered:
            raise CommandError(
                f"{len(altered)} published version(s) no longer match their checksum and were "
                "not drawn (see verify_versions)."
            )
