"""Importing a plan file: every row checked first, then everything written at once, or nothing.

`plan_import` works in passes inside one transaction:

1. each row on its own: required cells, dates, lengths, outcome and measure lines; and every row
   must name the same plan (planfiles/rows.py);
2. the names the rows use, looked up in a handful of queries (partnership, plan, agencies, themes,
   priorities: planfiles/matching.py; the plan's actions with their agencies and outcomes:
   planfiles/diff.py); then, row by row, what the import will create, change or leave alone
   (planfiles/diff.py);
3. only if no row had an error and this is not a dry run: everything written with bulk inserts
   and updates, history included (planfiles/writer.py).

Any error anywhere means nothing is written, and every error is reported by row and column.
This replaces django-import-export's per-row `save()`: a 5,000-row file takes a few dozen
queries, not tens of thousands (docs/benchmarks.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from typing import Any

from django.db import IntegrityError, transaction

from partners.names import fold_name
from planfiles.diff import plan_rows
from planfiles.format import HEADER, PlanFileTable
from planfiles.matching import (
    check_plan,
    given_period,
    load_names,
    resolve_plan,
    unknown_summaries,
)
from planfiles.planning import Context, Planned
from planfiles.report import ImportReport, RowError
from planfiles.rows import PlanGiven, check_one_plan, read_rows
from planfiles.writer import write_import
from priorities.models import Plan


def plan_import(
    *,
    table: PlanFileTable,
    user: Any = None,
    create_missing: bool = False,
    create_agencies: Collection[str] = (),
    dry_run: bool = False,
    into: Plan | None = None,
    allowed: Callable[[Plan], bool] | None = None,
    given: PlanGiven | None = None,
) -> ImportReport:
    """Import a plan file, all or nothing.

    `into`: the plan the file must be for (the plan's import page); without it, the file's
    partnership and period find the plan, and a missing plan is created as a draft.
    `allowed`: asked about the plan before anything is written (the admin's rules).
    `create_missing`: create unknown partnerships, agencies and themes instead of refusing them,
    and let known agencies join the partnership.
    `create_agencies`: agency names we do not know to create, one by one (the preview's choice
    per name), without "create missing".
    `given`: the partnership, period and title the file does not carry (import_plan's options);
    a file that carries other ones is refused. Importing into a plan, a file laid out its own
    way takes them from the plan.
    """
    report = ImportReport(
        filename=table.filename,
        rows_read=len(table.rows),
        dry_run=dry_run,
        create_missing=create_missing,
        canonical=table.canonical,
        tables=table.tables,
        notes=table.notes,
    )
    with transaction.atomic():
        if into is not None:
            # Imports into one plan wait for each other: a second click sees the first's work.
            into = Plan.objects.select_for_update().select_related("partnership").get(pk=into.pk)
            if given is None and not table.canonical:
                given = PlanGiven(
                    partnership=into.partnership.name,
                    title=into.title,
                    period=into.period,
                    start=into.period_start,
                    end=into.period_end,
                    strict=False,
                )
        if given is not None and given.period and given.start is None:
            given = given_period(given)
        context = Context(
            create_missing=create_missing,
            create_agencies=frozenset(fold_name(name) for name in create_agencies),
            about=table.about,
        )
        planned = check_file(table, context, report, into=into, allowed=allowed, given=given)
        if report.errors or dry_run:
            return report
        if write(context, planned, user=user, errors=report.errors):
            report.plan = context.target
    return report


def check_file(
    table: PlanFileTable,
    context: Context,
    report: ImportReport,
    *,
    into: Plan | None,
    allowed: Callable[[Plan], bool] | None,
    given: PlanGiven | None = None,
) -> list[Planned]:
    """Passes 1 and 2: every row and every name checked; the report says what would happen."""
    errors = report.errors
    errors += table.problems
    rows = read_rows(table, errors, report.notices, given)
    reference = check_one_plan(rows, errors)
    resolve_plan(reference, context, into, errors)
    check_plan(reference, context, report, allowed)
    load_names(context)
    planned = plan_rows(rows, context, errors, report.notices, exact_names=table.exact_names)
    report.rows = [item.result for item in planned]
    report.priorities_created = list(context.new_priorities)
    report.themes_created = [thing.name for thing in context.new_themes.values()]
    report.agencies_created = [thing.name for thing in context.new_agencies.values()]
    report.agencies_joining = sorted(
        (agency.name for agency in context.joining.values()), key=str.casefold
    )
    report.unknown = unknown_summaries(context)
    errors.sort(key=_error_order)
    if table.places:
        _place(report, table.places)
    return planned


def _place(report: ImportReport, places: dict[int, str]) -> None:
    """Rows of a Word document or of several sheets say where they are: "Table 2, row 5"."""
    for name in ("errors", "notices"):
        setattr(
            report,
            name,
            [
                dataclasses.replace(item, place=places.get(item.row, "")) if item.row else item
                for item in getattr(report, name)
            ],
        )
    for row in report.rows:
        row.place = places.get(row.number, "")


def _error_order(error: RowError) -> tuple[int, int]:
    column = HEADER.index(error.column) if error.column in HEADER else len(HEADER)
    return (error.row or 0, column)


def write(context: Context, planned: list[Planned], *, user: Any, errors: list[RowError]) -> bool:
    """Pass 3: write everything, or nothing if the plan changed meanwhile (an error says so)."""
    try:
        with transaction.atomic():
            write_import(context, planned, user=user)
    except IntegrityError:
        errors.append(
            RowError(
                None,
                None,
                "Someone changed the plan while it was being imported, so nothing was "
                "imported. Upload the file again.",
            )
        )
        return False
    return True
