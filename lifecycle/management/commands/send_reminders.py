from typing import Any

from django.core.management.base import BaseCommand

from lifecycle.reminders import send_reminders
from tracking.notices import notify_updates_owed


class Command(BaseCommand):
    help = (
        "Tell people what is due today: deadline reminders (14, 7 and 1 days before each plan's "
        "deadline) and progress updates due soon or overdue in the reporting calendar. Run daily "
        "from cron; safe to run any number of times: each is told once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders()
        for line in sent:
            self.stdout.write(f"Sent: {line}")
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
        told = notify_updates_owed()
        for line in told:
            self.stdout.write(f"Told: {line}")
        self.stdout.write(f"{len(told)} update notice(s) sent.")
