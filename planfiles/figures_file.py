"""The tracking files: figures in from agencies' spreadsheets, progress updates and figures out.

Import (`python manage.py import_figures FILE`): a CSV file (UTF-8, with or without the byte-order
mark Excel writes) with the header row exactly

    partnership,plan_period,measure,agency,period,value,confidence

one row per figure. It follows the plan file's rules (actions/plan_file/): a file that cannot be
read at all is refused with `FiguresFileRefused`, whose message says what to do; otherwise every
row is checked first, and one bad row means nothing is written. Every bad row is reported by its
number (the header is row 1), column and reason. A figure already entered for the same measure,
agency and period is corrected in place; django-simple-history keeps the old value.

Export: `updates_csv(plan)` and `figures_csv(plan)`, RFC 4180 CSV in UTF-8 with the byte-order
mark Excel needs, and text cells that a spreadsheet would run as a formula escaped with a quote.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners.models import Agency, Partnership

# The same formula escaping and file sniffing as the plan file: one rule for every file we write.
from planfiles.format import OLE_MAGIC, ZIP_MAGIC, escape_cell, unescape_cell
from planfiles.format import SourceRow as FileRow
from planfiles.report import RowError
from priorities.models import Plan
from tracking.models import Figure, Measure, ProgressUpdate
from tracking.periods import parse_period, period_label

HEADER: tuple[str, ...] = (
    "partnership",
    "plan_period",
    "measure",
    "agency",
    "period",
    "value",
    "confidence",
)
REQUIRED = ("partnership", "plan_period", "measure", "agency", "period", "value")
UPDATES_HEADER: tuple[str, ...] = (
    "action",
    "priority",
    "theme",
    "lead_agency",
    "date",
    "rag",
    "percent_complete",
    "narrative",
    "entered_by",
    "entered_at",
)
FIGURES_HEADER: tuple[str, ...] = (
    "measure",
    "unit",
    "agency",
    "period",
    "value",
    "confidence",
    "entered_by",
    "entered_at",
)

MAX_ROWS = 100_000
COUNTED = {"monthly": "by month", "quarterly": "by quarter", "annual": "by financial year"}
CONFIDENCE_MAX = Figure._meta.get_field("confidence").max_length
# Figure.value is DECIMAL(12, 2): up to ten digits before the point.
VALUE_LIMIT = Decimal(10) ** 10

_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-?\.\d+")
_PLAN_PERIOD = re.compile(r"(\d{4})-(\d{2})")

UTF8_ADVICE = (
    "Save it again as “CSV UTF-8 (Comma delimited)” (in Excel: File › Save As), or choose UTF-8 "
    "as the encoding, and run the import again."
)


# -- Export.


def write_csv(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """CSV with a byte-order mark and CRLF line ends, as Excel reads it.

    Text is escaped against formulas; numbers (Decimal, int) are written as numbers: we made them,
    so they cannot be formulas, and a negative figure stays a number.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return escape_cell(str(value))


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def updates_export_rows(plan: Plan) -> list[tuple]:
    """Every progress update of the plan's actions, in plan order then date order: one query."""
    updates = (
        ProgressUpdate.objects.filter(action__priority__plan=plan)
        .select_related("action__priority", "action__theme", "action__lead_agency", "created_by")
        .order_by(
            "action__priority__order",
            "action__priority__pk",
            "action__theme__order",
            "action__order",
            "action__pk",
            "date",
            "created_at",
            "pk",
        )
    )
    return [
        (
            update.action.description,
            update.action.priority.title,
            update.action.theme.name if update.action.theme else "",
            update.action.lead_agency.name if update.action.lead_agency else "",
            update.date.isoformat(),
            update.get_rag_display(),
            update.percent_complete,
            update.narrative,
            _person(update.created_by),
            _moment(update.created_at),
        )
        for update in updates
    ]


def figures_export_rows(plan: Plan) -> list[tuple]:
    """Every agency's figures for the plan's measures, by measure, period and agency: one query."""
    figures = (
        Figure.objects.filter(measure__plan=plan)
        .select_related("measure", "agency", "entered_by")
        .order_by("measure__name", "measure__pk", "period_start", "agency__name")
    )
    return [
        (
            figure.measure.name,
            figure.measure.unit,
            figure.agency.name,
            period_label(figure.period_start, figure.measure.frequency),
            figure.value,
            figure.confidence,
            _person(figure.entered_by),
            _moment(figure.entered_at),
        )
        for figure in figures
    ]


def updates_csv(plan: Plan) -> bytes:
    return write_csv(UPDATES_HEADER, updates_export_rows(plan))


def figures_csv(plan: Plan) -> bytes:
    return write_csv(FIGURES_HEADER, figures_export_rows(plan))


# -- Reading a figures file.


class FiguresFileRefused(Exception):
    """The file as a whole cannot be read as a figures file. The message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "FIGURES_FILE_MAX_BYTES", 5 * 1024 * 1024))


def check_filename(filename: str) -> None:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".csv":
        return
    if suffix in (".xlsx", ".xls", ".xlsm", ".ods", ".numbers"):
        raise FiguresFileRefused(
            f"“{filename}” is a spreadsheet, not a CSV file. Save the sheet as "
            "“CSV UTF-8 (Comma delimited)” (.csv) and run the import on that file."
        )
    raise FiguresFileRefused(
        f"“{filename}” is not a CSV file. Figures are imported from a CSV file (.csv, UTF-8) with "
        f"the header row: {','.join(HEADER)}"
    )


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise FiguresFileRefused(
            f"The file is {size:,} bytes; the largest figures file we read is {limit:,} bytes. "
            "Split it into smaller files."
        )


def read_figures_file(data: bytes) -> list[FileRow]:
    """The file's rows, numbered as a spreadsheet numbers them; or refuse the whole file."""
    check_size(len(data))
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FiguresFileRefused(
            "The file is empty. A figures file has the header row "
            f"{','.join(HEADER)} and one row per figure."
        )
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[FileRow] = []
    header_seen = False
    try:
        for number, values in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise FiguresFileRefused(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
            if not any(value.strip() for value in values):
                continue  # blank rows: spreadsheets are full of them
            if not header_seen:
                _check_header(values)
                header_seen = True
                continue
            extra = tuple(value for value in values[len(HEADER) :] if value.strip())
            values = (values + [""] * len(HEADER))[: len(HEADER)]
            rows.append(FileRow(number, dict(zip(HEADER, values, strict=True)), extra))
    except csv.Error as exc:
        raise FiguresFileRefused(
            f"The file is not valid CSV near line {reader.line_num}: {exc}. Check for a stray "
            "quotation mark, or save the file again as “CSV UTF-8 (Comma delimited)”."
        ) from None
    if not rows:
        raise FiguresFileRefused(
            "The file has a header but no rows under it: there are no figures to import."
        )
    return rows


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FiguresFileRefused(
            "The file is saved as UTF-16 (“Unicode text”), not UTF-8. " + UTF8_ADVICE
        )
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC) or b"\x00" in data[:4096]:
        raise FiguresFileRefused(
            "The file is not a CSV text file (it looks like an Excel workbook or another binary "
            "file). Save the sheet as “CSV UTF-8 (Comma delimited)” (.csv) and import that."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise FiguresFileRefused(
            f"The file is not UTF-8 text: line {line} has a character that is not UTF-8 "
            f"(byte 0x{byte}); the file was probably saved as “CSV (Comma delimited)” in a "
            "Windows encoding. " + UTF8_ADVICE
        ) from None


def _check_header(values: list[str]) -> None:
    found = [value.strip().lstrip("\ufeff").strip() for value in values]
    while found and not found[-1]:
        found.pop()
    if tuple(found) == HEADER:
        return
    missing = [name for name in HEADER if name not in found]
    unexpected = [name for name in found if name not in HEADER]
    details = []
    if missing:
        details.append("missing: " + ", ".join(missing))
    if unexpected:
        details.append("not expected: " + ", ".join(f"“{name}”" for name in unexpected))
    if not details:
        details.append("the columns are in a different order")
    raise FiguresFileRefused(
        "The first row is not the figures file's header ("
        + "; ".join(details)
        + f"). The header row must be exactly: {','.join(HEADER)}"
    )


# -- Importing.


@dataclass
class FiguresImportReport:
    rows_read: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[str]:
        lines = [f"Rows read: {self.rows_read}."]
        if self.errors:
            count = len(self.errors)
            lines.append(f"Errors: {count}. Nothing was imported.")
            return lines
        if self.dry_run:
            lines.append(
                f"Figures: {self.created} to create, {self.updated} to update, "
                f"{self.unchanged} unchanged."
            )
            lines.append("Dry run: nothing was saved.")
        else:
            lines.append(
                f"Figures: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged."
            )
        return lines


@dataclass
class _Planned:
    number: int
    measure: Measure
    agency: Agency
    period_start: datetime.date
    value: Decimal
    confidence: str


def figures_import(
    *, rows: list[FileRow], dry_run: bool = False, user=None, source: str = ""
) -> FiguresImportReport:
    """Import figures, all or nothing: every row checked, then every change written at once.

    `source` (the file's name) goes into each history record as the reason for the change.
    """
    report = FiguresImportReport(rows_read=len(rows), dry_run=dry_run)
    errors = report.errors
    with transaction.atomic():
        planned = _check_rows(rows, errors)
        # Locked until the end: two imports of the same figures wait for each other.
        existing = _existing_figures(planned)
        new, changed = [], []
        for item in planned:
            figure = existing.get((item.measure.pk, item.agency.pk, item.period_start))
            if figure is None:
                new.append(item)
            elif figure.value != item.value or figure.confidence != item.confidence:
                changed.append((figure, item))
            else:
                report.unchanged += 1
        report.created, report.updated = len(new), len(changed)
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


def _reason(source: str) -> str:
    return f"Imported from {source}"[:100] if source else "Imported from a figures file"


def _column_order(column: str | None) -> int:
    return HEADER.index(column) if column in HEADER else len(HEADER)


def _write(new: list[_Planned], changed: list[tuple[Figure, _Planned]], *, user, reason) -> None:
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


def _existing_figures(planned: list[_Planned]) -> dict[tuple, Figure]:
    if not planned:
        return {}
    keys = {(item.measure.pk, item.agency.pk, item.period_start) for item in planned}
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


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Names:
    """Everything the rows name, looked up in a handful of queries."""

    def __init__(self, rows: list[dict[str, str]]):
        self.partnerships: dict[str, Partnership] = {}
        for partnership in Partnership.objects.all():
            self.partnerships.setdefault(_fold(partnership.name), partnership)
            self.partnerships.setdefault(_fold(partnership.slug), partnership)
        wanted = {self.partnerships.get(_fold(row["partnership"])) for row in rows}
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
            self.measures[(measure.plan_id, _fold(measure.name))].append(measure)
        self.agencies_by_name: dict[str, list[Agency]] = defaultdict(list)
        for agency in Agency.objects.all():
            self.agencies_by_name[_fold(agency.name)].append(agency)
            if agency.short_name and _fold(agency.short_name) != _fold(agency.name):
                self.agencies_by_name[_fold(agency.short_name)].append(agency)
        self.core: dict[int, set[int]] = defaultdict(set)
        through = Partnership.core_agencies.through.objects.filter(
            partnership_id__in=partnership_ids
        )
        for partnership_id, agency_id in through.values_list("partnership_id", "agency_id"):
            self.core[partnership_id].add(agency_id)


def _check_rows(rows: list[FileRow], errors: list[RowError]) -> list[_Planned]:
    cleaned = [
        {
            name: " ".join(unescape_cell(value).split()) if name != "confidence" else value
            for name, value in row.cells.items()
        }
        for row in rows
    ]
    names = _Names(cleaned)
    planned: list[_Planned] = []
    seen: dict[tuple, int] = {}
    for row, values in zip(rows, cleaned, strict=True):
        before = len(errors)

        def add(column: str | None, message: str, number: int = row.number) -> None:
            errors.append(RowError(number, column, message))

        item = _check_row(row, values, names, add)
        if item is None or len(errors) > before:
            continue
        key = (item.measure.pk, item.agency.pk, item.period_start)
        if key in seen:
            add(
                None,
                f"This row repeats row {seen[key]}: the same measure, agency and period. Each "
                "figure may appear once in a file; remove one of the two rows.",
            )
            continue
        seen[key] = row.number
        planned.append(item)
    return planned


def _check_row(row: FileRow, values: dict[str, str], names: _Names, add) -> _Planned | None:
    if row.extra:
        cells = ", ".join(f"“{value.strip()[:40]}”" for value in row.extra)
        add(None, f"The row has more cells than the header's {len(HEADER)} columns ({cells}).")
    for column in REQUIRED:
        if not values[column]:
            add(column, "This cell is blank: every row must give it.")
    confidence = unescape_cell(values["confidence"]).strip()
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
    start = None
    if measure is not None and values["period"]:
        try:
            start = parse_period(values["period"], measure.frequency)
        except ValueError as exc:
            counted = COUNTED[measure.frequency]
            add("period", f"{exc} The measure “{measure.name}” is counted {counted}.")
    if None in (measure, agency, start, value):
        return None
    return _Planned(row.number, measure, agency, start, value, confidence)


def _value(text: str, add) -> Decimal | None:
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


def _plan(values: dict[str, str], names: _Names, add) -> Plan | None:
    partnership = None
    if values["partnership"]:
        partnership = names.partnerships.get(_fold(values["partnership"]))
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
        add(
            "plan_period",
            f"{partnership.name} has no plan for {label}. "
            f"Its plans: {', '.join(labels) or 'none yet'}.",
        )
    return plan


def _measure(name: str, plan: Plan, names: _Names, add) -> Measure | None:
    candidates = names.measures.get((plan.pk, _fold(name)), [])
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
    add(
        "measure",
        f"The {plan.period} plan has no measure called “{name}”. "
        f"Its measures: {', '.join(known) or 'none yet'}.",
    )
    return None


def _agency(name: str, plan: Plan, names: _Names, add) -> Agency | None:
    candidates = names.agencies_by_name.get(_fold(name), [])
    if not candidates:
        add("agency", f"No agency is called “{name}” (by name or short name).")
        return None
    core = names.core[plan.partnership_id]
    members = list({agency.pk: agency for agency in candidates if agency.pk in core}.values())
    if len(members) == 1:
        return members[0]
    if members:
        found = ", ".join(sorted(agency.name for agency in members))
        add("agency", f"“{name}” could be any of {found}: write the agency's full name.")
        return None
    add(
        "agency",
        f"{candidates[0].name} is not a core agency of {plan.partnership.name}, so it has no "
        "figures to give for its plans.",
    )
    return None
