from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.admin import PartnershipAdmin
from partners.admin_filters import partnership_filter
from partners.admin_paging import EstimatedCountPaginator, GrowingListAdmin
from partners.models import Partnership
from priorities.admin_filters import (
    NarrowingFiltersAdmin,
    PlanFilter,
    PlanYearFilter,
    narrowing,
)
from priorities.models import Priority, Theme


@admin.register(Theme)
class ThemeAdmin(GrowingListAdmin, admin.ModelAdmin):
    """A partnership's themes: the approaches each priority is tackled through."""

    list_display = ["name", "short_name", "opfcc_name", "partnership", "order"]
    list_filter = [partnership_filter("partnership")]
    search_fields = ["name", "short_name", "opfcc_name"]
    list_select_related = ["partnership"]
    ordering = ["partnership__name", "order"]


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["order", "name", "short_name", "opfcc_name"]


# The partnership's page, with its themes (a partnership's themes are this app's subject).
admin.site.unregister(Partnership)


@admin.register(Partnership)
class PartnershipWithThemesAdmin(PartnershipAdmin):
    inlines = [ThemeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # A new partnership starts with the four default themes (renamable afterwards).
            Theme.objects.create_defaults(form.instance)


@admin.register(Priority)
class PriorityAdmin(GrowingListAdmin, NarrowingFiltersAdmin, SimpleHistoryAdmin):
    """The priorities of every plan, with their history."""

    list_display = ["title", "plan", "order"]
    list_filter = [
        partnership_filter("plan__partnership"),
        narrowing(PlanFilter, "plan"),
        narrowing(PlanYearFilter, "plan__period_start__year"),
    ]
    search_fields = ["title", "description", "evidence"]
    list_select_related = ["plan__partnership"]
    ordering = ["plan_id", "order", "pk"]  # plan by plan, without sorting every priority
    show_full_result_count = False
    paginator = EstimatedCountPaginator


class PriorityInline(admin.StackedInline):
    model = Priority
    extra = 0
    fields = ["order", "title", "description", "evidence"]
