"""Every file in and out: the canonical plan file (PRODUCT.md, "Canonical plan file"), the
figures file, and the members' CSV downloads.

- `format`: reading CSV/XLSX files into numbered rows, writing CSV/XLSX/JSON; formula escaping.
- `importer`: `plan_import`, all or nothing: every row checked, then one bulk write.
- `writer`: the bulk write, with history.
- `exporter`: `plan_export`, the plan as a file in the order an import gives back.
- `figures_file`: figures in (`import_figures`), progress updates and figures out as CSV.
- `resources`, `admin`: the same, wired into django-import-export for the Django admin.
"""
