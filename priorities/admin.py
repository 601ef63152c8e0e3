from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from priorities.models import Plan, Priority, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "opfcc_name", "partnership", "order"]
    list_filter = ["partnership"]
    search_fields = ["name", "short_name", "opfcc_name"]
    list_select_related = ["partnership"]
    ordering = ["partnership__name", "order"]


class PriorityInline(admin.StackedInline):
    model = Priority
    extra = 0
    fields = ["order", "title", "description", "evidence"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partnership", "period", "status", "deadline"]
    list_filter = ["status", "partnership"]
    search_fields = ["title", "partnership__name"]
    list_select_related = ["partnership"]
    date_hierarchy = "period_start"
    ordering = ["partnership__name", "-period_start"]
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "order"]
    list_filter = ["plan__partnership", "plan"]
    search_fields = ["title", "description", "evidence"]
    list_select_related = ["plan__partnership"]
    ordering = ["plan", "order"]
