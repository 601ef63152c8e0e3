"""Dates as people write them in plans, read the same way in every file kind.

`read_date` understands, whatever the case and with or without a leading "By" or "End of":

- `2021-10-31` (ISO, as the canonical file writes it; a spreadsheet's own date cells come as this);
- `31/10/2021`, `31/10/21`, `31.10.2021`, `31-10-2021` (day first, as in the UK);
- `31 October 2021`, `31st Oct 2021`, `31-Oct-2021`, `October 31, 2021`;
- `October 2021`, `Oct 2021`, `Oct-21`: the last day of the month (the first, for a plan's start);
- `Q3 2021-22`, `Q3 2021/22`, `2021-22 Q3`, `Quarter 3 2021-22`: the last day of that quarter of the
  financial year (Q1 is April to June), or its first day for a plan's start.

Text that is no date at all ("Ongoing", "Annual", "Quarterly") is a *note*, not an error: the
importer keeps it as the action's timescale. Text written like a date that is no real date
("2022-02-30", "31/02/2022", "Q5 2021-22") is `invalid`: a typing mistake to correct.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
} | {"sept": 9}
_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
# "By 31 March 2022", "End of March 2022", "by the end of Q4 2021-22".
_LEAD_IN = re.compile(r"^(?:(?:by|due|before|until)\s+)?(?:(?:the\s+)?end\s+of\s+)?", re.I)

_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
)
_NUMERIC = re.compile(r"(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)" + _YEAR)
_DAY_MONTH = re.compile(_ORDINAL + r"(?:\s+|-)(?:of\s+)?" + _MONTH + r",?(?:\s+|-)" + _YEAR)
_MONTH_DAY = re.compile(_MONTH + r"\s+" + _ORDINAL + r",?\s+" + r"(?P<year>\d{4})")
_MONTH_YEAR = re.compile(_MONTH + r",?(?:\s+|-)" + _YEAR)
_PERIOD = r"(?P<first>\d{4})\s*[-/–]\s*(?P<second>\d{2}|\d{4})"
_QUARTER = r"(?:q|quarter\s*)(?P<quarter>\d)"
_QUARTER_FIRST = re.compile(_QUARTER + r"[\s,]*(?:of\s+)?" + _PERIOD)
_QUARTER_LAST = re.compile(_PERIOD + r"[\s,]*" + _QUARTER)


@dataclass(frozen=True)
class DateReading:
    """What a cell says about a date: a date, a note (no date at all), or an invalid date."""

    date: datetime.date | None = None
    note: str = ""
    invalid: bool = False


def read_date(text: str, *, first_day: bool = False) -> DateReading:
    """The date the text means. `first_day`: a month or a quarter means its first day (a plan's
    start), not its last (a target date, a plan's end)."""
    text = " ".join(text.split())
    if not text:
        return DateReading()
    wording = _LEAD_IN.sub("", text.lower()).strip()
    for reader in (_iso, _numeric, _day_month, _month_day, _month_year, _quarter):
        found = reader(wording, first_day)
        if found is not None:
            return found
    return DateReading(note=text)


def _day(year: int, month: int, day: int) -> DateReading:
    try:
        return DateReading(date=datetime.date(year, month, day))
    except ValueError:
        return DateReading(invalid=True)


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _month_number(name: str) -> int | None:
    return MONTHS.get(name.rstrip("."))


def _month_end(year: int, month: int, first_day: bool) -> DateReading:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return DateReading(invalid=True)
    day = 1 if first_day else calendar.monthrange(year, month)[1]
    return DateReading(date=datetime.date(year, month, day))


def _iso(text: str, first_day: bool) -> DateReading | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    return _day(int(match["year"]), int(match["month"]), int(match["day"]))


def _numeric(text: str, first_day: bool) -> DateReading | None:
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    return _day(_full_year(match["year"]), int(match["month"]), int(match["day"]))


def _day_month(text: str, first_day: bool) -> DateReading | None:
    match = _DAY_MONTH.fullmatch(text)
    if match is None:
        return None
    month = _month_number(match["month"])
    if month is None:
        return None
    return _day(_full_year(match["year"]), month, int(match["day"]))


def _month_day(text: str, first_day: bool) -> DateReading | None:
    match = _MONTH_DAY.fullmatch(text)
    if match is None:
        return None
    month = _month_number(match["month"])
    if month is None:
        return None
    return _day(int(match["year"]), month, int(match["day"]))


def _month_year(text: str, first_day: bool) -> DateReading | None:
    match = _MONTH_YEAR.fullmatch(text)
    if match is None:
        return None
    month = _month_number(match["month"])
    if month is None:
        return None
    return _month_end(_full_year(match["year"]), month, first_day)


def _quarter(text: str, first_day: bool) -> DateReading | None:
    match = _QUARTER_FIRST.fullmatch(text) or _QUARTER_LAST.fullmatch(text)
    if match is None:
        return None
    quarter, start_year = int(match["quarter"]), int(match["first"])
    end_year = _period_end_year(start_year, match["second"])
    if not 1 <= quarter <= 4 or end_year != start_year + 1:
        return DateReading(invalid=True)
    # Financial-year quarters: Q1 April–June, Q2 July–September, Q3 October–December,
    # Q4 January–March of the second year.
    first_month = 4 + 3 * (quarter - 1)
    year = start_year if first_month <= 12 else end_year
    first_month = (first_month - 1) % 12 + 1
    month = first_month if first_day else first_month + 2
    return _month_end(year, month, first_day)


def _period_end_year(start_year: int, text: str) -> int:
    if len(text) == 4:
        return int(text)
    end_year = start_year - start_year % 100 + int(text)
    return end_year + 100 if end_year < start_year else end_year


# -- A plan's period, written YYYY-YY.

_PERIOD_LABEL = re.compile(r"(?P<first>\d{4})-(?P<second>\d{2})")


def period_dates(label: str) -> tuple[datetime.date, datetime.date] | None:
    """The dates of a new plan for a period written like 2021-22 (1 April 2021 to 31 March
    2022; 2005-08 is 1 April 2005 to 31 March 2008), or None if the label is not so written."""
    match = _PERIOD_LABEL.fullmatch(label.strip())
    if match is None:
        return None
    start_year = int(match["first"])
    end_year = _period_end_year(start_year, match["second"])
    if end_year <= start_year:
        return None
    return datetime.date(start_year, 4, 1), datetime.date(end_year, 3, 31)
