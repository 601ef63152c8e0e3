"""Importing a figures file (`python manage.py import_figures FILE`), all or nothing.

It follows the plan file's rules: every row is checked first, and one bad row means nothing is
written. Every bad row is reported by its number (the header is row 1), column and reason. A
figure already entered for the same measure, agency and period is corrected in place;
django-simple-history keeps the old value. The file itself is read by planfiles/figures_file.py.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lifecycle.public_cache import plan_pages_changed
from partners.aliases import agency_names
from partners.models import Agency, Partnership
from partners.names import Names, fold_name
from planfiles.figures_file import HEADER
from planfiles.report import Add, FileReport, RowError, adder, char_limit
from planfiles.tabular import SourceRow
from priorities.models import Plan
from tracking.models import Figure, Measure
from tracking.periods import parse_period

REQUIRED = ("partnership", "plan_period", "measure", "agency", "period", "value")
COUNTED = {"monthly": "by month", "quarterly": "by quarter", "annual": "by financial year"}
CONFIDENCE_MAX = char_limit(Figure, "confidence")
# Figure.value is DECIMAL(12, 2): up to ten digits before the point.
VALUE_LIMIT = Decimal(10) ** 10

_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-?\.\d+")
_PLAN_PERIOD = re.compile(r"(\d{4})-(\d{2})")

# A figure is known by its measure, its agency and the start of its period.
FigureKey = tuple[int, int, datetime.date]


@dataclass
class FiguresImportReport(FileReport):
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> list[str]:
        lines = self.counts("Figures", self.created, self.updated, self.unchanged)
        if self.dry_run and not self.errors:
            lines.append("Dry run: nothing was saved.")
        return lines


@dataclass
class _Planned:
    number: int
    measure: Measure
    agency: Agency
    period_start: datetime.date
    value: Decimal
    confidence: str

    @property
    def key(self) -> FigureKey:
        return (self.measure.pk, self.agency.pk, self.period_start)


def figures_import(
    *, rows: list[SourceRow], dry_run: bool = False, user: Any = None, source: str = ""
) -> FiguresImportReport:
    """Import figures, all or nothing: every row checked, then every change written at once.

    `source` (the file's name) goes into each history record as the reason for the change.
    """
    report = FiguresImportReport(rows_read=len(rows), dry_run=dry_run)
    errors = report.errors
    with transaction.atomic():
        planned = _check_rows(rows, errors)
        new, changed = _compare(planned, report)
        errors.sort(key=lambda error: (error.row or 0, _column_order(error.column)))
        if errors or dry_run:
            return report
        try:
            with transaction.atomic():
                _write(new, changed, user=user, reason=_reason(source))
        except IntegrityError:
            errors.append(
                RowError(
                    None,
                    None,
                    "Someone entered figures for the same measures while the file was being "
                    "imported, so nothing was imported. Run the import again.",
                )
            )
    return report


def _compare(
    planned: list[_Planned], report: FiguresImportReport
) -> tuple[list[_Planned], list[tuple[Figure, _Planned]]]:
    """The figures to create and the figures to correct; the rest are counted unchanged."""
    # Locked until the end: two imports of the same figures wait for each other.
    existing = _existing_figures(planned)
    new, changed = [], []
    for item in planned:
        figure = existing.get(item.key)
        if figure is None:
            new.append(item)
        elif figure.value != item.value or figure.confidence != item.confidence:
            changed.append((figure, item))
        else:
            report.unchanged += 1
    report.created, report.updated = len(new), len(changed)
    return new, changed


def _reason(source: str) -> str:
    return f"Imported from {source}"[:100] if source else "Imported from a figures file"


def _column_order(column: str | None) -> int:
    return HEADER.index(column) if column in HEADER else len(HEADER)


def _write(
    new: list[_Planned], changed: list[tuple[Figure, _Planned]], *, user: Any, reason: str
) -> None:
    if new:
        bulk_create_with_history(
            [
                Figure(
                    measure=item.measure,
                    agency=item.agency,
                    period_start=item.period_start,
                    value=item.value,
                    confidence=item.confidence,
                    entered_by=user,
                )
                for item in new
            ],
            Figure,
            default_user=user,
            default_change_reason=reason,
        )
    # Bulk writes send no signals: the public pages showing these figures are told here.
    plan_pages_changed({item.measure.plan_id for item in [*new, *(i for _, i in changed)]})
    if changed:
        now = timezone.now()
        figures = []
        for figure, item in changed:
            figure.value, figure.confidence = item.value, item.confidence
            # bulk_update does not run auto_now: the correction's time is set here.
            figure.entered_by, figure.entered_at = user, now
            figures.append(figure)
        bulk_update_with_history(
            figures,
            Figure,
            ["value", "confidence", "entered_by", "entered_at"],
            default_user=user,
            default_change_reason=reason,
        )


def _existing_figures(planned: list[_Planned]) -> dict[FigureKey, Figure]:
    if not planned:
        return {}
    keys = {item.key for item in planned}
    # Three IN lists rather than one OR per row: SQLite limits how deep an expression may be.
    figures = Figure.objects.select_for_update().filter(
        measure_id__in={key[0] for key in keys},
        agency_id__in={key[1] for key in keys},
        period_start__in={key[2] for key in keys},
    )
    return {
        key: figure
        for figure in figures
        if (key := (figure.measure_id, figure.agency_id, figure.period_start)) in keys
    }


class _Names:
    """Everything the rows name, looked up in a handful of queries."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.partnerships: dict[str, Partnership] = {}
        for partnership in Partnership.objects.all():
            self.partnerships.setdefault(fold_name(partnership.name), partnership)
            self.partnerships.setdefault(fold_name(partnership.slug), partnership)
        wanted = {self.partnerships.get(fold_name(row["partnership"])) for row in rows}
        partnership_ids = {p.pk for p in wanted if p is not None}
        self.plans: dict[tuple[int, str], Plan] = {}
        self.plan_labels: dict[int, list[str]] = defaultdict(list)
        for plan in Plan.objects.filter(partnership_id__in=partnership_ids).order_by(
            "period_start"
        ):
            self.plans[(plan.partnership_id, plan.period)] = plan
            self.plan_labels[plan.partnership_id].append(plan.period)
        self.measures: dict[tuple[int, str], list[Measure]] = defaultdict(list)
        for measure in Measure.objects.filter(plan__partnership_id__in=partnership_ids):
            self.measures[(measure.plan_id, fold_name(measure.name))].append(measure)
        self._agencies = agency_names()
        self._core: dict[int, set[int]] = defaultdict(set)
        through = Partnership.core_agencies.through.objects.filter(
            partnership_id__in=partnership_ids
        )
        for partnership_id, agency_id in through.values_list("partnership_id", "agency_id"):
            self._core[partnership_id].add(agency_id)
        self._agencies_of: dict[int, Names[Agency]] = {}

    def agencies(self, partnership_id: int) -> Names[Agency]:
        """Every agency by name, the partnership's core agencies settling shared names."""
        if partnership_id not in self._agencies_of:
            core = self._core[partnership_id]
            self._agencies_of[partnership_id] = self._agencies.among(core)
        return self._agencies_of[partnership_id]


def _check_rows(rows: list[SourceRow], errors: list[RowError]) -> list[_Planned]:
    # Cells are unescaped as read (planfiles/tabular.py); names are compared word by word.
    cleaned = [
        {
            name: " ".join(value.split()) if name != "confidence" else value
            for name, value in row.cells.items()
        }
        for row in rows
    ]
    names = _Names(cleaned)
    planned: list[_Planned] = []
    seen: dict[FigureKey, int] = {}
    for row, values in zip(rows, cleaned, strict=True):
        before = len(errors)
        add = adder(errors, row.number)
        item = _check_row(row, values, names, add)
        if item is None or len(errors) > before:
            continue
        if item.key in seen:
            add(
                None,
                f"This row repeats row {seen[item.key]}: the same measure, agency and period. "
                "Each figure may appear once in a file; remove one of the two rows.",
            )
            continue
        seen[item.key] = row.number
        planned.append(item)
    return planned


def _check_row(row: SourceRow, values: dict[str, str], names: _Names, add: Add) -> _Planned | None:
    if row.extra:
        cells = ", ".join(f"“{value.strip()[:40]}”" for value in row.extra)
        add(None, f"The row has more cells than the header's {len(HEADER)} columns ({cells}).")
    for column in REQUIRED:
        if not values[column]:
            add(column, "This cell is blank: every row must give it.")
    confidence = values["confidence"].strip()
    if len(confidence) > CONFIDENCE_MAX:
        add(
            "confidence",
            f"The note is {len(confidence)} characters long; the most is {CONFIDENCE_MAX}.",
        )
    value = _value(values["value"], add) if values["value"] else None
    plan = _plan(values, names, add)
    if plan is None:
        return None
    measure = _measure(values["measure"], plan, names, add) if values["measure"] else None
    agency = _agency(values["agency"], plan, names, add) if values["agency"] else None
    start = _period(values["period"], measure, add) if measure is not None else None
    if measure is None or agency is None or start is None or value is None:
        return None
    return _Planned(row.number, measure, agency, start, value, confidence)


def _value(text: str, add: Add) -> Decimal | None:
    compact = text.replace(" ", "")
    if not _NUMBER.fullmatch(compact):
        add("value", f"“{text}” is not a number. Write it with digits, e.g. 42 or 1234.5.")
        return None
    try:
        value = Decimal(compact.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
        add("value", f"“{text}” is not a number.")
        return None
    if value != value.quantize(Decimal("0.01")):
        add("value", f"“{text}” has more than two decimal places; round it to two.")
        return None
    if abs(value) >= VALUE_LIMIT:
        add("value", f"“{text}” is too large: figures are less than 10,000,000,000.")
        return None
    return value.quantize(Decimal("0.01"))


def _period(text: str, measure: Measure, add: Add) -> datetime.date | None:
    if not text:
        return None
    try:
        return parse_period(text, measure.frequency)
    except ValueError as exc:
        counted = COUNTED[measure.frequency]
        add("period", f"{exc} The measure “{measure.name}” is counted {counted}.")
        return None


def _plan(values: dict[str, str], names: _Names, add: Add) -> Plan | None:
    partnership = None
    if values["partnership"]:
        partnership = names.partnerships.get(fold_name(values["partnership"]))
        if partnership is None:
            known = sorted({p.name for p in names.partnerships.values()}, key=str.casefold)
            add(
                "partnership",
                f"No partnership is called “{values['partnership']}”. "
                f"Known partnerships: {', '.join(known) or 'none'}.",
            )
    label = values["plan_period"]
    if label and not _PLAN_PERIOD.fullmatch(label):
        add("plan_period", f"“{label}” is not a plan period: write it like 2021-22.")
        return None
    if partnership is None or not label:
        return None
    plan = names.plans.get((partnership.pk, label))
    if plan is None:
        labels = names.plan_labels.get(partnership.pk) or []
        sentence = f"{partnership.name} has no plan for {label}."
        _not_found(add, "plan_period", sentence, "plans", labels)
    return plan


def _not_found(add: Add, column: str, sentence: str, noun: str, known: list[str]) -> None:
    """The row names something that is not there: say so, and what there is ("Its plans: …")."""
    add(column, f"{sentence} Its {noun}: {', '.join(known) or 'none yet'}.")


def _measure(name: str, plan: Plan, names: _Names, add: Add) -> Measure | None:
    candidates = names.measures.get((plan.pk, fold_name(name)), [])
    exact = [measure for measure in candidates if measure.name == name]
    if len(exact) == 1 or len(candidates) == 1:
        return exact[0] if exact else candidates[0]
    if candidates:
        add("measure", f"Several measures of the plan are called “{name}”: write the name exactly.")
        return None
    known = sorted(
        (m.name for (plan_id, _), ms in names.measures.items() if plan_id == plan.pk for m in ms),
        key=str.casefold,
    )
    sentence = f"The {plan.period} plan has no measure called “{name}”."
    _not_found(add, "measure", sentence, "measures", known)
    return None


def _agency(name: str, plan: Plan, names: _Names, add: Add) -> Agency | None:
    """A core agency of the plan's partnership (partners/names.py finds it by name)."""
    agencies = names.agencies(plan.partnership_id)
    found = agencies.find(name)
    agency = found.item or next(iter(found.could_be), None)
    if agency is None:
        add("agency", f"No agency is called “{name}” (by name, short name or other name).")
        return None
    if agency.pk not in agencies.core_ids:
        add(
            "agency",
            f"{agency.name} is not a core agency of {plan.partnership.name}, so it has no "
            "figures to give for its plans.",
        )
        return None
    if found.could_be:  # core agencies, every one
        listed = ", ".join(sorted(agency.name for agency in found.could_be))
        add("agency", f"“{name}” could be any of {listed}: write the agency's full name.")
        return None
    return agency
