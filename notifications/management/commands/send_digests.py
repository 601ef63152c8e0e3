from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each person the daily digest of the notifications they chose to hear of once a "
        "day. Run daily from cron; safe to run any number of times: one digest a person a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        for line in sent:
            self.stdout.write(f"Sent: {line}")
        self.stdout.write(f"{len(sent)} digest(s) sent.")
