"""The admin's pages of the lists that grow with the installation: 25 rows a page, and the largest
tables (actions, outcomes, priorities, users) counted by PostgreSQL's estimate when the list is
not filtered.

The admin's paginator counts the rows it pages (`SELECT COUNT(*)`), which reads the whole table:
every action of the country on each page of the list. Unfiltered, the count is only used for
"N actions" and the page numbers, so the planner's estimate (pg_class.reltuples, kept by
autovacuum and ANALYZE) does; a filtered list is counted exactly (it is small, and read through
an index).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Model, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Below this many rows a table is counted exactly: the count is cheap, and exact.
ESTIMATE_ABOVE = 10_000

# Rows on a page of the admin's lists that grow with the installation (Django's default is 100):
# a page takes about as long with a whole country's rows as with one partnership's, and the
# search box and the partnership filter find the rest.
ROWS_PER_PAGE = 25


class GrowingListAdmin:
    """A ModelAdmin's list that grows with the installation (a mixin, first among the bases):
    ROWS_PER_PAGE rows a page, and each row's checkbox for the list's actions written out
    directly. Django's own renders a form widget through the template engine for every row,
    about 0.3 ms each: most of the time of a page of plans or published versions."""

    list_per_page = ROWS_PER_PAGE

    def action_checkbox(self, obj: Model) -> SafeString:
        # The same element as django.contrib.admin's: the list's script finds it by its class.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


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
