from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.demo import DEMO_PASSWORD, DEMO_USERS, demo_load_plan, demo_load_users
from operations.demo_area import AREA_NAME
from operations.demo_area import NAME as DEMO_NAME


class Command(BaseCommand):
    help = (
        "Load Lichfield District CSP's 2021–22 delivery plan, its area (Staffordshire) with a "
        "second, invented partnership, and the demo users. "
        "Safe to run again: nothing already there is changed or duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Load the plan only, without the demo users (allowed with DEBUG off).",
        )

    def handle(self, *args, no_users: bool = False, **options):
        if not no_users and not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users while DEBUG is off: their password is public. "
                "Set DEBUG=true on a development machine, or use --no-users to load only the plan."
            )
        plan = demo_load_plan()
        self.stdout.write(f"Loaded {plan.partnership}: {plan.title} ({plan.period}).")
        self.stdout.write(
            f"Loaded the area {AREA_NAME} with a second, invented partnership: {DEMO_NAME}, "
            "its plan published, with progress, figures and funding."
        )
        if not no_users:
            demo_load_users()
            names = ", ".join(["admin"] + [row[0] for row in DEMO_USERS])
            self.stdout.write(f"Demo users: {names} — password {DEMO_PASSWORD}")
