"""The tracking files out: a plan's progress updates and its figures, as CSV for members.

`updates_csv(plan)` and `figures_csv(plan)`: RFC 4180 CSV in UTF-8 with the byte-order mark Excel
needs, and text cells that a spreadsheet would run as a formula escaped with a quote
(planfiles/tabular.py, as every file we write).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from planfiles.tabular import write_csv
from priorities.models import Plan
from tracking.models import Figure, ProgressUpdate
from tracking.periods import period_label

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


def _person(user: Any) -> str:
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
