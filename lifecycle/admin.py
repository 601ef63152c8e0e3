from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from lifecycle.models import Agreement, PublishedVersion, Reminder
from lifecycle.services import (
    plan_amend,
    plan_publish,
    plan_send_for_agreement,
    plan_start_next_year,
)
from partners.admin_filters import partnership_filter
from partners.admin_paging import GrowingListAdmin
from priorities.admin import PriorityInline
from priorities.admin_filters import NarrowingFiltersAdmin, PlanFilter, narrowing
from priorities.models import Plan

StageService = Callable[..., Any]  # a lifecycle service taking plan= and user=
AdminAction = Callable[[Any, HttpRequest, QuerySet[Plan]], None]


def _stage_action(name: str, description: str, service: StageService, done: str) -> AdminAction:
    """An admin action that moves each chosen plan through the same service as the plan's own
    pages, with the same checks; it reports each plan's outcome."""

    @admin.action(description=description)
    def run(modeladmin: PlanAdmin, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        for plan in queryset:
            try:
                service(plan=plan, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", [str(exc)]))
                modeladmin.message_user(request, f"{plan}: {reason}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{plan}: {done}", messages.SUCCESS)

    run.__name__ = name  # the action's name in the admin's form
    return run


@admin.register(Plan)
class PlanAdmin(GrowingListAdmin, SimpleHistoryAdmin):
    list_display = ["title", "partnership", "period", "status", "deadline"]
    list_filter = ["status", partnership_filter("partnership")]
    search_fields = ["title", "partnership__name"]
    show_full_result_count = False
    list_select_related = ["partnership"]
    date_hierarchy = "period_start"
    ordering = ["partnership__name", "-period_start"]
    readonly_fields = ["status", "revision", "consultation_round", "last_published_at"]
    inlines = [PriorityInline]
    actions = [
        _stage_action(
            "send_for_agreement",
            "Send for agreement",
            plan_send_for_agreement,
            "sent for agreement.",
        ),
        _stage_action("publish", "Publish plan", plan_publish, "published."),
        _stage_action(
            "amend",
            "Amend plan (new draft revision)",
            plan_amend,
            "a new draft revision was started.",
        ),
        _stage_action(
            "start_next_year",
            "Start next year's plan",
            plan_start_next_year,
            "next year's plan was started.",
        ),
    ]


@admin.register(Agreement)
class AgreementAdmin(GrowingListAdmin, NarrowingFiltersAdmin, SimpleHistoryAdmin):
    list_display = ["plan", "agency", "round", "decision", "decided_by", "decided_at"]
    list_filter = [
        "decision",
        partnership_filter("plan__partnership"),
        narrowing(PlanFilter, "plan"),
    ]
    search_fields = ["agency__name", "comment", "plan__title"]
    list_select_related = ["plan__partnership", "agency", "decided_by"]
    readonly_fields = ["decided_at"]


@admin.register(PublishedVersion)
class PublishedVersionAdmin(GrowingListAdmin, admin.ModelAdmin):
    """Published versions are a record: they can be read here, never changed."""

    list_display = ["plan", "number", "published_at", "published_by", "checksum"]
    list_filter = [partnership_filter("plan__partnership")]
    list_select_related = ["plan__partnership", "published_by"]
    show_full_result_count = False
    readonly_fields = ["plan", "number", "published_at", "published_by", "checksum", "snapshot"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublishedVersion]:
        # A version's snapshot is the whole plan (tens of KB): the list shows none of it.
        return super().get_queryset(request).defer("snapshot")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = ["plan", "agency", "kind", "days_before", "deadline", "sent_at"]
    list_filter = ["kind", "days_before", partnership_filter("plan__partnership")]
    list_select_related = ["plan__partnership", "agency"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
