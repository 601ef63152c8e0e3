"""The admin's pages of the largest tables (actions, outcomes, priorities, users): counted by
PostgreSQL's estimate when the list is not filtered.

The admin's paginator counts the rows it pages (`SELECT COUNT(*)`), which reads the whole table:
every action of the country on each page of the list. Unfiltered, the count is only used for
"N actions" and the page numbers, so the planner's estimate (pg_class.reltuples, kept by
autovacuum and ANALYZE) does; a filtered list is counted exactly (it is small, and read through
an index).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

# Below this many rows a table is counted exactly: the count is cheap, and exact.
ESTIMATE_ABOVE = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list  # the admin's list: a QuerySet
        query = getattr(queryset, "query", None)
        if (
            isinstance(queryset, QuerySet)
            and query is not None
            and not query.where
            and not getattr(queryset, "_result_cache", None)
        ):
            estimate = table_estimate(queryset.db, queryset.model._meta.db_table)
            if estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count


def table_estimate(alias: str, table: str) -> int:
    """PostgreSQL's estimate of a table's rows (0 elsewhere, or before its first ANALYZE)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0
