"""The plan file in django-import-export's terms, for the Django admin's import and export pages.

django-import-export brings the admin screens (upload, preview, confirm; choose a format,
download) and tablib's formats. The work itself is ours: the resource hands the whole file to
`plan_import`, which checks every row and then writes in bulk (the library's per-row `save()`,
with or without `clean_model_instances`, is far too slow for 5,000 rows and would stop at the
first failing row), and turns its report into the library's `Result` for the admin's templates.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from actions.models import Action
from planfiles.exporter import PlanExportError, plan_export_rows, plan_filename
from planfiles.format import (
    HEADER,
    PlanFileTable,
    read_plan_file,
    to_dataset,
    write_csv,
    write_json,
    write_xlsx,
)
from planfiles.importer import plan_import
from planfiles.report import CREATE, UPDATE, ImportReport
from planfiles.tabular import SourceRow
from priorities.models import Plan

IMPORT_TYPES = {CREATE: RowResult.IMPORT_TYPE_NEW, UPDATE: RowResult.IMPORT_TYPE_UPDATE}


def plan_dataset(data: bytes, *, kind: str) -> tablib.Dataset:
    """The file as a tablib Dataset, carrying the numbered rows the importer reports by."""
    table = read_plan_file(data, kind=kind)
    dataset = to_dataset([tuple(row.cells[name] for name in HEADER) for row in table.rows])
    dataset.plan_file_table = table
    return dataset


def table_from_dataset(dataset: tablib.Dataset) -> PlanFileTable:
    """For a Dataset built elsewhere: its rows, numbered as a spreadsheet would number them."""
    table = getattr(dataset, "plan_file_table", None)
    if table is not None:
        return table
    headers = [str(name or "").strip() for name in dataset.headers or []]
    rows = []
    for number, values in enumerate(dataset, start=2):
        cells = dict(zip(headers, ("" if v is None else str(v) for v in values), strict=False))
        rows.append(SourceRow(number, {name: cells.get(name, "") for name in HEADER}))
    return PlanFileTable(rows=rows)


# -- Formats: tablib's, but reading through our reader (its messages, its row numbers).


class PlanCSV(base_formats.CSV):
    def is_binary(self) -> bool:
        # Raw bytes in, so that a file that is not UTF-8 gets our message, not a traceback.
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> tablib.Dataset:
        return plan_dataset(in_stream, kind="csv")

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_csv([tuple(row) for row in dataset])


class PlanXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> tablib.Dataset:
        return plan_dataset(in_stream, kind="xlsx")

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_xlsx([tuple(row) for row in dataset], title=dataset.title or "Plan")


class PlanJSON(base_formats.JSON):
    def can_import(self) -> bool:
        return False

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_json([tuple(row) for row in dataset])


# -- The resource.


class PlanFileResource(resources.Resource):
    """One row per action, in the canonical plan file's columns."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # One field per column, in the header's order (what the admin's pages list).
        self.fields = OrderedDict((name, fields.Field(column_name=name)) for name in HEADER)

    @classmethod
    def get_display_name(cls) -> str:
        return "Canonical plan file (one row per action)"

    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        report = plan_import(
            table=table_from_dataset(dataset),
            user=kwargs.get("user"),
            create_missing=bool(kwargs.get("create_missing")),
            dry_run=dry_run,
            allowed=kwargs.get("allowed"),
        )
        return report_to_result(report)

    def export(self, queryset: QuerySet[Action] | None = None, **kwargs: Any) -> tablib.Dataset:
        """The whole plan the listed actions belong to; refused if they span several plans."""
        if queryset is None:
            queryset = self.get_queryset()
        plan_ids = set(queryset.order_by().values_list("priority__plan", flat=True).distinct())
        if len(plan_ids) != 1:
            raise PlanExportError(
                "A plan file holds one plan, and the actions listed belong to "
                f"{len(plan_ids)} plans. Filter the list by plan (“By plan” on the right) and "
                "export again."
            )
        plan = Plan.objects.select_related("partnership").get(pk=plan_ids.pop())
        dataset = to_dataset(plan_export_rows(plan), title=f"Plan {plan.period}")
        dataset.plan_file_plan = plan
        return dataset

    @classmethod
    def export_filename(cls, plan: Plan, extension: str) -> str:
        return plan_filename(plan, extension)


def report_to_result(report: ImportReport) -> Result:
    """The report in the shape the admin's import templates show."""
    result = Result()
    result.plan_file_report = report
    result.total_rows = report.rows_read
    result.diff_headers = ["Row", "Priority", "Theme", "Action", "What changes"]
    blank = dict.fromkeys(result.diff_headers, "")
    for summary in report.unknown:
        result.append_invalid_row("—", blank | {"Row": "—"}, ValidationError(summary.message))
    for error in report.errors:
        number = error.row if error.row is not None else "—"
        result.append_invalid_row(
            number,
            blank | {"Row": number},
            ValidationError({error.column or NON_FIELD_ERRORS: [error.message]}),
        )
    if report.errors:
        return result
    for row in report.rows:
        row_result = RowResult()
        row_result.import_type = IMPORT_TYPES.get(row.kind, RowResult.IMPORT_TYPE_SKIP)
        changes = "; ".join(row.changes) or ("" if row.action else "A priority with no actions")
        row_result.diff = [row.number, row.priority, row.theme, row.action, changes]
        row_result.instance = row.instance
        row_result.add_instance_info(row.instance)
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    return result
