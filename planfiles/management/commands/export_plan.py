"""Export a plan as the canonical plan file, or as a Word document, for scripts and cron.

`python manage.py export_plan --partnership NAME_OR_SLUG --period 2021-22
[--format csv|xlsx|json|docx] [--output FILE] [--published-version N]`
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from lifecycle.models import VersionAltered
from partners.models import Partnership
from planfiles.exporter import PlanExportError, plan_export, version_export
from planfiles.format import EXPORT_FORMATS
from priorities.models import Plan

# The formats that are not text, and what they are called.
BINARY = {"xlsx": "An XLSX file", "docx": "A Word document"}


class Command(BaseCommand):
    help = (
        "Export a plan as the canonical plan file (CSV, XLSX or JSON) or as a Word document "
        "laid out as the seed is (DOCX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--partnership", required=True, help="The partnership's name or slug, e.g. lichfield."
        )
        parser.add_argument(
            "--period", required=True, help="The plan's period, e.g. 2021-22 or 2005-08."
        )
        parser.add_argument(
            "--format",
            choices=EXPORT_FORMATS,
            help="csv, xlsx, json or docx (default: from the output file's name, else csv).",
        )
        parser.add_argument(
            "--output",
            help="The file to write (default: standard output; not for xlsx or docx).",
        )
        parser.add_argument(
            "--published-version",
            type=int,
            dest="version_number",
            help="A published version's number: export that frozen copy, not the plan as it is.",
        )

    def handle(
        self,
        *args: Any,
        partnership: str,
        period: str,
        format: str | None,
        output: str | None,
        version_number: int | None = None,
        **options: Any,
    ) -> None:
        plan = find_plan(partnership, period)
        fmt = format or _format_from(output)
        try:
            if version_number is None:
                data, _, _ = plan_export(plan, fmt)
            else:
                version = plan.versions.filter(number=version_number).first()
                if version is None:
                    numbers = ", ".join(
                        str(n) for n in plan.versions.values_list("number", flat=True)
                    )
                    raise CommandError(
                        f"{plan.partnership} {plan.period} has no published version "
                        f"{version_number}. Its versions: {numbers or 'none'}."
                    )
                data, _, _ = version_export(version.data, fmt, filename="")
        except (PlanExportError, VersionAltered) as exc:
            raise CommandError(str(exc)) from None
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Wrote {plan.partnership} {plan.period} to {output} ({fmt}).")
        elif fmt in BINARY:
            raise CommandError(f"{BINARY[fmt]} cannot go to the terminal: give --output FILE.")
        else:
            self.stdout.write(data.decode("utf-8"), ending="")


def _format_from(output: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in EXPORT_FORMATS else "csv"


def find_plan(name_or_slug: str, period: str) -> Plan:
    partnerships = list(
        Partnership.objects.filter(Q(slug=name_or_slug) | Q(name__iexact=name_or_slug.strip()))
    )
    if not partnerships:
        known = ", ".join(
            f"{name} ({slug})" for name, slug in Partnership.objects.values_list("name", "slug")
        )
        raise CommandError(
            f"No partnership has the name or slug “{name_or_slug}”. Known: {known or 'none'}."
        )
    partnership = partnerships[0]
    plans = list(Plan.objects.filter(partnership=partnership).for_period(period).order_by("-pk"))
    if not plans:
        periods = ", ".join(plan.period for plan in partnership.plans.all()) or "none"
        raise CommandError(
            f"{partnership} has no plan for “{period}” (write the period like 2021-22). "
            f"Its plans: {periods}."
        )
    return plans[0]
