"""Admin list filters for an installation of hundreds of partnerships.

A stock list filter on a foreign key lists every row it may point to, on every page of the list:
hundreds of partnerships, thousands of plans (each labelled with its partnership's name, looked
up one by one). Here a partnership is found by a search box instead, and the filters that narrow
within partnerships (priorities/admin_filters.py) list the choices of the partnership found only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet

PARTNERSHIP = "partnership"  # the query string's parameter, shared by the narrowing filters


def partnership_search(request: Any) -> str:
    """The text typed in the partnership box of an admin list, if any."""
    return request.GET.get(PARTNERSHIP, "").strip()[:100]


class PartnershipSearchFilter(admin.SimpleListFilter):
    """By partnership: the partnerships whose name contains the text, or whose address (slug)
    is the text. `path` leads from the listed model to the partnership; `distinct` when it
    crosses a many-to-many relation (an agency belongs to several partnerships)."""

    title = "partnership"
    parameter_name = PARTNERSHIP
    template = "admin/search_filter.html"
    path = "partnership"
    distinct = False

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # no list: the box (admin/search_filter.html)

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        text = (self.value() or "").strip()
        if not text:
            return queryset
        found = queryset.filter(
            Q(**{f"{self.path}__name__icontains": text}) | Q(**{f"{self.path}__slug": text})
        )
        return found.distinct() if self.distinct else found

    def choices(self, changelist: Any) -> Iterator[Any]:  # what admin/search_filter.html reads
        # One "choice": what the box needs, and the list's other parameters to keep.
        keep = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield {
            "value": self.value() or "",
            "parameter_name": self.parameter_name,
            "keep": keep,
            "clear": changelist.get_query_string(remove=[self.parameter_name]),
            "selected": bool(self.value()),
        }


def partnership_filter(path: str, *, distinct: bool = False) -> type[PartnershipSearchFilter]:
    """The partnership box for a model whose partnership is at `path` (e.g. "plan__partnership")."""
    return type(
        "PartnershipSearchFilter",
        (PartnershipSearchFilter,),
        {"path": path, "distinct": distinct},
    )
