"""A plan's reporting calendar: the periods its lead agencies report progress on, and when.

By default a plan's year is cut into quarters from the day it starts (2021-22: April–June,
July–September, October–December, January–March; a longer plan has more of them), each due on
the 15th of the month after it ends. The coordinator moves the due dates on the plan's reporting
calendar page.

Reading a calendar writes nothing: a plan with no stored periods reads its default ones, unsaved.
They are stored when something is recorded about them (the coordinator saves the due dates, the
notifications are worked out, next year's plan copies the calendar); a data migration stored those
of the plans there were then.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats

from partners.history import record_author
from priorities.models import Plan
from tracking.models import ReportingPeriod

# Updates are due on this day of the month after a period ends, until the coordinator says else.
DEFAULT_DUE_DAY = 15
MONTHS_PER_PERIOD = 3
PERIODS_PER_YEAR = 4


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where it is shorter (31 → 30)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


def year_label(start: datetime.date, end: datetime.date) -> str:
    """A year as people write it: 2021-22, or 2022 for a calendar year."""
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year % 100:02d}"


def quarters(
    start: datetime.date, end: datetime.date
) -> list[tuple[str, datetime.date, datetime.date]]:
    """(name, first day, last day) of each quarter from `start` to `end`: "2021-22 Q1", …"""
    result = []
    index = 0
    while (first := add_months(start, MONTHS_PER_PERIOD * index)) <= end:
        after = add_months(start, MONTHS_PER_PERIOD * (index + 1))
        year = index // PERIODS_PER_YEAR
        year_start = add_months(start, 12 * year)
        year_end = add_months(start, 12 * (year + 1)) - datetime.timedelta(days=1)
        name = f"{year_label(year_start, year_end)} Q{index % PERIODS_PER_YEAR + 1}"
        result.append((name, first, min(after - datetime.timedelta(days=1), end)))
        index += 1
    return result


def default_due(end: datetime.date) -> datetime.date:
    """The 15th of the month after a period's last day."""
    return add_months(end.replace(day=1), 1).replace(day=DEFAULT_DUE_DAY)


def default_periods(plan: Plan) -> list[ReportingPeriod]:
    """The plan's quarters, each due on the 15th of the month after it (unsaved)."""
    return [
        ReportingPeriod(plan=plan, name=name, start=first, end=last, due=default_due(last))
        for name, first, last in quarters(plan.period_start, plan.period_end)
    ]


def _stored(plan_ids: Iterable[int]) -> dict[int, list[ReportingPeriod]]:
    found: dict[int, list[ReportingPeriod]] = {}
    for period in ReportingPeriod.objects.filter(plan_id__in=list(plan_ids)).order_by("start"):
        found.setdefault(period.plan_id, []).append(period)
    return found


def periods_by_plan(plans: Iterable[Plan]) -> dict[int, list[ReportingPeriod]]:
    """Each plan's reporting periods by plan id, in order: those stored, or the default ones
    (unsaved: reading a calendar writes nothing) for a plan with none stored. One query."""
    plans = list(plans)
    found = _stored(plan.pk for plan in plans)
    for plan in plans:
        if plan.pk not in found:
            found[plan.pk] = default_periods(plan)
    return found


def reporting_periods(plan: Plan) -> list[ReportingPeriod]:
    """The plan's reporting periods in order (the default ones, unsaved, if none are stored)."""
    return periods_by_plan([plan])[plan.pk]


def ensure_reporting_periods(plans: Iterable[Plan]) -> dict[int, list[ReportingPeriod]]:
    """As periods_by_plan, storing the default periods of the plans that had none, so that every
    period has an id (for what is recorded about it: notifications, due dates)."""
    plans = list(plans)
    found = _stored(plan.pk for plan in plans)
    missing = [plan for plan in plans if plan.pk not in found]
    if missing:
        # Two processes may store the same plan's periods at once: the second adds nothing.
        ReportingPeriod.objects.bulk_create(
            [period for plan in missing for period in default_periods(plan)],
            ignore_conflicts=True,
        )
        found.update(_stored(plan.pk for plan in missing))
    return found


def current_period(
    periods: Sequence[ReportingPeriod], today: datetime.date
) -> ReportingPeriod | None:
    """The period whose updates are being gathered on `today`: the first whose due date has not
    passed. Once the last has passed, the last (the plan's final update); before the plan's year
    starts, none."""
    if not periods or today < periods[0].start:
        return None
    return next((period for period in periods if today <= period.due), periods[-1])


def due_date_problems(
    periods: Sequence[ReportingPeriod], due_dates: Sequence[datetime.date | None]
) -> dict[int, str]:
    """What is wrong with these due dates of these periods (by their index), in words.

    Each period's updates are due on or after its last day, and before the next period ends: so
    the due dates run in order, and no period's updates are due after the next one's.
    """
    problems = {}
    for index, (period, due) in enumerate(zip(periods, due_dates, strict=True)):
        following = periods[index + 1] if index + 1 < len(periods) else None
        if due is None:
            problems[index] = f"Enter the date {period.name}'s updates are due by"
        elif due < period.end:
            problems[index] = (
                f"{period.name}'s updates must be due on or after its last day, "
                f"{formats.date_format(period.end)}"
            )
        elif following is not None and due >= following.end:
            problems[index] = (
                f"{period.name}'s updates must be due before {following.name} ends, "
                f"on {formats.date_format(following.end)}"
            )
    return problems


@transaction.atomic
def reporting_calendar_save(
    *, plan: Plan, user: Any, due_dates: Mapping[datetime.date, datetime.date]
) -> list[ReportingPeriod]:
    """Set the due dates of the plan's reporting periods (keyed by the day each period starts;
    a period not named keeps its date). History records who changed them."""
    ensure_reporting_periods([plan])
    periods = list(ReportingPeriod.objects.select_for_update().filter(plan=plan).order_by("start"))
    wanted = [due_dates.get(period.start, period.due) for period in periods]
    problems = due_date_problems(periods, wanted)
    if problems:
        raise ValidationError(list(problems.values()))
    for period, due in zip(periods, wanted, strict=True):
        if due != period.due:
            period.due = due
            record_author(period, user)
            period.save(update_fields=["due"])
    return periods


@transaction.atomic
def reporting_periods_copy(*, source: Plan, plan: Plan) -> list[ReportingPeriod]:
    """Store `plan`'s periods with the due dates of `source`'s calendar: each period is due as
    many days after it ends as the same period of `source` (the default where `source` has no
    such period, or where the old dates do not fit the new periods). For next year's plan; a
    plan that has periods keeps them."""
    existing = list(plan.reporting_periods.order_by("start"))
    if existing:
        return existing
    periods = default_periods(plan)
    earlier = reporting_periods(source)
    dues = [
        period.end + (earlier[index].due - earlier[index].end)
        if index < len(earlier)
        else period.due
        for index, period in enumerate(periods)
    ]
    if not due_date_problems(periods, dues):
        for period, due in zip(periods, dues, strict=True):
            period.due = due
    return ReportingPeriod.objects.bulk_create(periods)
