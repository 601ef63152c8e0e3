"""The reporting calendar of every plan there is: its quarters, each due on the 15th of the month
after it ends (as tracking/reporting.py makes them; written out here so that the migration stays
as it is when that module changes). Going back removes every reporting period."""

import calendar
import datetime
from collections.abc import Iterator
from typing import Any

from django.db import migrations


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _label(start: datetime.date, end: datetime.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year % 100:02d}"


def _quarters(
    start: datetime.date, end: datetime.date
) -> Iterator[tuple[str, datetime.date, datetime.date, datetime.date]]:
    index = 0
    while (first := _add_months(start, 3 * index)) <= end:
        last = min(_add_months(start, 3 * (index + 1)) - datetime.timedelta(days=1), end)
        year = index // 4
        year_start = _add_months(start, 12 * year)
        year_end = _add_months(start, 12 * (year + 1)) - datetime.timedelta(days=1)
        due = _add_months(last.replace(day=1), 1).replace(day=15)
        yield f"{_label(year_start, year_end)} Q{index % 4 + 1}", first, last, due
        index += 1


def create_periods(apps: Any, schema_editor: Any) -> None:
    Plan = apps.get_model("priorities", "Plan")
    ReportingPeriod = apps.get_model("tracking", "ReportingPeriod")
    have = set(ReportingPeriod.objects.values_list("plan_id", flat=True))
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(plan=plan, name=name, start=first, end=last, due=due)
        for plan in Plan.objects.exclude(pk__in=have).order_by("pk")
        for name, first, last, due in _quarters(plan.period_start, plan.period_end)
    )


def remove_periods(apps: Any, schema_editor: Any) -> None:
    apps.get_model("tracking", "ReportingPeriod").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tracking", "0002_reporting_period"),
    ]

    operations = [
        migrations.RunPython(create_periods, remove_periods),
    ]
