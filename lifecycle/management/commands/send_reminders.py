from typing import Any

from django.core.management.base import BaseCommand

from lifecycle.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail deadline reminders due today (14, 7 and 1 days before each plan's deadline). "
        "Run daily from cron; safe to run any number of times: each reminder is sent once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders()
        for line in sent:
            self.stdout.write(f"Sent: {line}")
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
