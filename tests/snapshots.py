"""Every row of the product's tables, to compare before and after something that must change
nothing (or something)."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.db import connection

# Every app of the product that keeps data (docs/architecture.md).
PRODUCT_APPS = (
    "partners",
    "priorities",
    "actions",
    "tracking",
    "lifecycle",
    "people",
    "planfiles",
)


@functools.cache
def _queries() -> tuple[tuple[str, str], ...]:
    """(model label, the query that reads every row of its table in primary-key order)."""
    quote = connection.ops.quote_name
    queries = []
    for label in PRODUCT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            queries.append((model._meta.label, f"SELECT * FROM {table} ORDER BY {pk}"))
    return tuple(queries)


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the product's tables, history included: read with plain SQL (this runs twice
    in thousands of tests), each row as {column: value}."""
    snapshot = {}
    with connection.cursor() as cursor:
        for label, sql in _queries():
            cursor.execute(sql)
            columns = [column[0] for column in cursor.description]
            snapshot[label] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return snapshot
