"""`python manage.py verify_versions`: check every published version against the checksum taken
when it was published. For cron: prints each version that fails and exits non-zero."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lifecycle.models import PublishedVersion


class Command(BaseCommand):
    help = (
        "Check that every published version is still exactly what was published (SHA-256). "
        "Exits non-zero, naming them, if any is not."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        versions = PublishedVersion.objects.select_related("plan__partnership").order_by("pk")
        checked, altered = 0, []
        for version in versions.iterator(chunk_size=100):
            checked += 1
            if not version.is_intact:
                altered.append(version)
        for version in altered:
            self.stderr.write(f"ALTERED: {version} (id {version.pk}).")
        if altered:
            raise CommandError(
                f"{len(altered)} of {checked} published version(s) no longer match their "
                "checksum: they are not served. Restore them from a backup (docs/deployment.md)."
            )
        self.stdout.write(f"{checked} published version(s) checked: all match their checksum.")
