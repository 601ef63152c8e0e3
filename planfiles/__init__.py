"""Every file in and out: the canonical plan file (PRODUCT.md, "Canonical plan file"), the
figures file, and the members' CSV downloads.

- `tabular`: any file we read or write as rows: bytes into numbered rows of cells (one reader,
  each file with its own header and words), CSV out; formula escaping.
- `format`: the plan file: its header, reading CSV/XLSX through `tabular`, writing CSV/XLSX/JSON.
- `reader`: plans as partnerships keep them — Word documents (`word_file`: the package checked and
  parsed safely) and spreadsheets with their own headings — read into the plan file's rows by
  `layouts` (header rows, the seed's theme rows, merged rows) and `columns` (the headings each
  column is known by); `dates`: dates as people write them, in every file.
- `importer`: `plan_import`, all or nothing, in passes: `rows` (each row on its own),
  `matching` (the plan and the names: agencies and themes through partners/names.py),
  `diff` (what each row creates or changes), then `writer` (one bulk write, with history).
  `planning` holds the types these share; `report` what the import says.
- `exporter`: `plan_export`, the plan as a file in the order an import gives back.
- `word_export`: the same rows as a Word document laid out as the seed is (`plan_export(plan,
  "docx")`); its layout is in docs/architecture.md, "The Word layout".
- `figures_file` (reading), `figures_import` (`import_figures`): figures in.
- `tracking_export`: progress updates and figures out as CSV.
- `resources`, `admin`: the plan file wired into django-import-export for the Django admin.
"""
