"""Reporting periods for figures: months, quarters and years of the UK financial year.

A period is stored as the date it starts; people read and write it as a label: "2020-21 Q1"
(April to June 2020), "April 2020", "2020-21".
"""

from __future__ import annotations

import datetime
import re

from django.utils import formats

QUARTER_START_MONTHS = {1: 4, 2: 7, 3: 10, 4: 1}


def financial_year(day: datetime.date) -> int:
    """The year a financial year (1 April to 31 March) starts in."""
    return day.year if day.month >= 4 else day.year - 1


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "annual":
        return datetime.date(financial_year(day), 4, 1)
    month = ((day.month - 4) % 12) // 3 * 3 + 4
    month = month - 12 if month > 12 else month
    return datetime.date(day.year, month, 1)


def _next(start: datetime.date, frequency: str) -> datetime.date:
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    total = start.year * 12 + start.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def periods(first: datetime.date, last: datetime.date, frequency: str) -> list[datetime.date]:
    """The starts of every period from the one holding `first` to the one holding `last`."""
    current, end = period_start(first, frequency), period_start(last, frequency)
    result = []
    while current <= end:
        result.append(current)
        current = _next(current, frequency)
    return result


def period_label(start: datetime.date, frequency: str) -> str:
    year = financial_year(start)
    span = f"{year}-{(year + 1) % 100:02d}"
    if frequency == "monthly":
        return formats.date_format(start, "F Y")
    if frequency == "annual":
        return span
    quarter = next(q for q, month in QUARTER_START_MONTHS.items() if month == start.month)
    return f"{span} Q{quarter}"


_QUARTER = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(label: str, frequency: str) -> datetime.date:
    """The start of the period a label names; ValueError with a readable reason if it names none."""
    text = " ".join(label.split())
    if frequency == "quarterly":
        match = _QUARTER.match(text)
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            year, quarter = int(match[1]), int(match[3])
            return datetime.date(year + (quarter == 4), QUARTER_START_MONTHS[quarter], 1)
        raise ValueError(f"“{label}” is not a quarter: write it like 2020-21 Q1.")
    if frequency == "annual":
        match = _YEAR.match(text)
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            return datetime.date(int(match[1]), 4, 1)
        raise ValueError(f"“{label}” is not a financial year: write it like 2020-21.")
    try:
        return datetime.datetime.strptime(text, "%B %Y").date()
    except ValueError:
        raise ValueError(f"“{label}” is not a month: write it like April 2020.") from None
