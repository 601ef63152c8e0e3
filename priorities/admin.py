from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from priorities.models import Agreement, Plan, Priority, PublishedVersion, Reminder, Theme
from priorities.services import (
    plan_amend,
    plan_publish,
    plan_send_for_agreement,
    plan_start_next_year,
)


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


@admin.register(Priority)
class PriorityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "order"]
    list_filter = ["plan__partnership", "plan"]
    search_fields = ["title", "description", "evidence"]
    list_select_related = ["plan__partnership"]
    ordering = ["plan", "order"]


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
    actions = ["download_plan_file"]

    @admin.action(description="Download the plan file (CSV) of the selected version")
    def download_plan_file(self, request, queryset):
        from actions.plan_file.exporter import version_export

        if queryset.count() != 1:
            self.message_user(request, "Choose one version to download.", messages.ERROR)
            return None
        version = queryset.select_related("plan__partnership").get()
        plan = version.plan
        filename = f"{plan.partnership.slug}-{plan.period}-v{version.number}-plan.csv"
        data, content_type, filename = version_export(version.data, "csv", filename=filename)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

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
