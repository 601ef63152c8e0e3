"""Admin list filters that narrow within the partnerships found by the partnership box
(partners/admin_filters.py): by plan, by agency, by theme, by the year a plan starts. None of
them lists more than a few dozen choices, nor reads more than one query, however large the
installation: the plans and agencies are listed only for the partnerships found, the themes by
name (partnerships share the default four), the years as they are."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet

from partners.admin_filters import partnership_search
from partners.models import Agency
from priorities.models import Plan, Theme

MOST_CHOICES = 60


def _found(text: str, path: str) -> Q:
    """The partnerships the box found (as PartnershipSearchFilter finds them), seen from `path`."""
    return Q(**{f"{path}__name__icontains": text}) | Q(**{f"{path}__slug": text})


class NarrowingFilter(admin.SimpleListFilter):
    """A filter on `path` (from the listed model) = the chosen value."""

    path = ""
    # Named as Django's own filter on the relation names its parameter (`<path>__id__exact`), so
    # that addresses made with the stock filters (bookmarks, the plan file's export) still work.
    stock_parameter = False

    def has_output(self) -> bool:
        # Applied whenever chosen (an address kept from a search), even with nothing to list.
        return bool(self.lookup_choices) or self.value() is not None

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(**{self.path: value}) if value else queryset


class PlanFilter(NarrowingFilter):
    """By plan, among the plans of the partnerships found; none listed until one is searched."""

    title = "plan"
    parameter_name = "plan"
    stock_parameter = True

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        text = partnership_search(request)
        if not text:
            return []
        plans = (
            Plan.objects.filter(_found(text, "partnership"))
            .select_related("partnership")
            .order_by("partnership__name", "-period_start")[:MOST_CHOICES]
        )
        return [(str(plan.pk), f"{plan.partnership.name}, {plan.period}") for plan in plans]


class AgencyFilter(NarrowingFilter):
    """By agency, among the core agencies of the partnerships found."""

    title = "agency"
    parameter_name = "agency"
    stock_parameter = True

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        text = partnership_search(request)
        if not text:
            return []
        agencies = (
            Agency.objects.filter(pk__in=Agency.objects.filter(_found(text, "partnerships")))
            .order_by("name")
            .values_list("pk", "name")[:MOST_CHOICES]
        )
        return [(str(pk), name) for pk, name in agencies]


class ThemeNameFilter(NarrowingFilter):
    """By theme, by its name: partnerships mostly keep the default four."""

    title = "theme"
    parameter_name = "theme"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        names = list(
            Theme.objects.order_by("name")
            .values_list("name", flat=True)
            .distinct()[: MOST_CHOICES + 1]
        )
        return [] if len(names) > MOST_CHOICES else [(name, name) for name in names]


class PlanYearFilter(NarrowingFilter):
    """By the year the plan starts."""

    title = "year the plan starts"
    parameter_name = "year"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        years = Plan.objects.dates("period_start", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years[:MOST_CHOICES]]


class NarrowingFiltersAdmin(admin.ModelAdmin):
    """An admin whose narrowing filters keep the stock parameter names (`<path>__id__exact`):
    the admin allows them, as it allows a stock filter's."""

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        names = {
            item.parameter_name
            for item in self.list_filter
            if isinstance(item, type) and issubclass(item, NarrowingFilter)
        }
        return lookup in names or super().lookup_allowed(lookup, value, request)


def narrowing(base: type[NarrowingFilter], path: str) -> type[NarrowingFilter]:
    """`base` for a model at `path` (e.g. PlanFilter at "priority__plan")."""
    attributes = {"path": path}
    if base.stock_parameter:
        attributes["parameter_name"] = f"{path}__id__exact"
    return type(base.__name__, (base,), attributes)
