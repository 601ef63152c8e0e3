from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from lifecycle.models import Agreement, PublishedVersion, Reminder
from lifecycle.services import (
    plan_amend,
    plan_publish,
    plan_send_for_agreement,
    plan_start_next_year,
)
from priorities.admin import PriorityInline
from priorities.models import Plan


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partnership", "period", "status", "deadline"]
    list_filter = ["status", "partnership"]
    search_fields = ["title", "partnership__name"]
    list_select_related = ["partnership"]
    date_hierarchy = "period_start"
    ordering = ["partnership__name", "-period_start"]
    readonly_fields = ["status", "revision", "consultation_round", "last_published_at"]
    inlines = [PriorityInline]
    actions = ["send_for_agreement", "publish", "amend", "start_next_year"]

    # The stages move through the same services as the plan's own pages, with the same checks.
    def _run(self, request, queryset, service, done: str) -> None:
        for plan in queryset:
            try:
                service(plan=plan, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"{plan}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"{plan}: {done}", messages.SUCCESS)

    @admin.action(description="Send for agreement")
    def send_for_agreement(self, request, queryset):
        self._run(request, queryset, plan_send_for_agreement, "sent for agreement.")

    @admin.action(description="Publish plan")
    def publish(self, request, queryset):
        self._run(request, queryset, plan_publish, "published.")

    @admin.action(description="Amend plan (new draft revision)")
    def amend(self, request, queryset):
        self._run(request, queryset, plan_amend, "a new draft revision was started.")

    @admin.action(description="Start next year's plan")
    def start_next_year(self, request, queryset):
        self._run(request, queryset, plan_start_next_year, "next year's plan was started.")


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "agency", "round", "decision", "decided_by", "decided_at"]
    list_filter = ["decision", "plan__partnership", "plan"]
    search_fields = ["agency__name", "comment", "plan__title"]
    list_select_related = ["plan__partnership", "agency", "decided_by"]
    readonly_fields = ["decided_at"]


@admin.register(PublishedVersion)
class PublishedVersionAdmin(admin.ModelAdmin):
    """Published versions are a record: they can be read here, never changed."""

    list_display = ["plan", "number", "published_at", "published_by", "checksum"]
    list_filter = ["plan__partnership"]

    list_select_related = ["plan__partnership", "published_by"]
    readonly_fields = ["plan", "number", "published_at", "published_by", "checksum", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["plan", "agency", "kind", "days_before", "deadline", "sent_at"]
    list_filter = ["kind", "days_before", "plan__partnership"]
    list_select_related = ["plan__partnership", "agency"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
