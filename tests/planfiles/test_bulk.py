"""The import writes in bulk: the number of queries hardly grows with the number of rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from tests.planfiles.conftest import csv_bytes, plan_row, run_import


def queries_to_import(rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = run_import(csv_bytes(rows))
    assert report.ok, report.errors[:3]
    return len(queries)


def rows(count: int, prefix: str):
    return [
        plan_row(
            action=f"{prefix} action {n}",
            outcome=f"Outcome {n}\nSecond outcome {n}",
            measure=f"Measure {n}\nSecond measure {n}",
            supporting_agencies="LDC; Bromford",
        )
        for n in range(count)
    ]


def test_importing_ten_times_the_rows_takes_about_the_same_queries(lichfield):
    small = queries_to_import(rows(20, "small"))
    large = queries_to_import(rows(200, "large"))
    # Per-row saves would need over a thousand more; batching adds a handful on SQLite.
    assert large - small <= 20, (small, large)
    assert Action.objects.count() == 1 + 220


def test_updating_many_actions_is_bulk_too(lichfield):
    queries_to_import(rows(100, "update"))
    changed = [row | {"target_date": "2021-12-31"} for row in rows(100, "update")]
    assert queries_to_import(changed) < 60
    assert Action.objects.filter(target_date="2021-12-31").count() == 100
