"""Every row of the product's tables, to compare before and after something that must change
nothing (or something)."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
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


_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)


@functools.cache
def _product_tables() -> frozenset[str]:
    return frozenset(
        model._meta.db_table
        for label in PRODUCT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


@contextlib.contextmanager
def product_writes() -> Iterator[list[str]]:
    """Every statement that writes a row of the product's tables while the block runs (through
    Django's connection, which every write of the product goes through), e.g.
    `with product_writes() as writes: client.post(…)`, then `assert writes == []`.

    Stricter than comparing two `database_snapshot()`s, and without reading every table twice
    (which the matrices would do thousands of times): a write that leaves a row as it was counts
    as a write."""
    writes: list[str] = []

    def watch(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and match[1] in _product_tables():
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield writes
