"""The canonical plan file (PRODUCT.md, "Canonical plan file"): import and export of a plan.

- `format`: reading CSV/XLSX files into numbered rows, writing CSV/XLSX/JSON; formula escaping.
- `importer`: `plan_import`, all or nothing: every row checked, then one bulk write.
- `writer`: the bulk write, with history.
- `exporter`: `plan_export`, the plan as a file in the order an import gives back.
- `resources`, `admin`: the same, wired into django-import-export for the Django admin.
"""

from actions.plan_file.exporter import PlanExportError, plan_export, plan_export_rows
from actions.plan_file.format import (
    HEADER,
    PlanFileRefused,
    PlanFileTable,
    kind_for_filename,
    read_plan_file,
)
from actions.plan_file.importer import plan_import
from actions.plan_file.report import ImportReport, RowError

__all__ = [
    "HEADER",
    "ImportReport",
    "PlanExportError",
    "PlanFileRefused",
    "PlanFileTable",
    "RowError",
    "kind_for_filename",
    "plan_export",
    "plan_export_rows",
    "plan_import",
    "read_plan_file",
]
