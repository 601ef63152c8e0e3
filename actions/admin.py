"""Actions and outcomes in the Django admin.

Saving an action here goes through the same service as the action's page
(actions.services.action_create / action_update): the same agency checks, the version check (an
edit made from a stale copy is refused), one history row per save, and the plan told of the edit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from actions.forms import check_action_agencies, outcome_values
from actions.models import Action, Outcome
from actions.services import EditConflict, action_create, action_delete, action_update
from partners.admin_filters import partnership_filter
from partners.admin_paging import EstimatedCountPaginator, GrowingListAdmin
from partners.permissions import can, member_partnership_ids
from priorities.admin_filters import (
    AgencyFilter,
    NarrowingFiltersAdmin,
    PlanFilter,
    PlanYearFilter,
    ThemeNameFilter,
    narrowing,
)

CONTENT_FIELDS = [
    "priority",
    "theme",
    "lead_agency",
    "supporting_agencies",
    "description",
    "target_date",
    "timescale",
    "status",
    "restricted",
]


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    fields = ["description", ("measure", "baseline", "target")]


class ActionAdminForm(forms.ModelForm):
    # The version the admin page was opened at: a stale one means someone else saved since.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = CONTENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        check_action_agencies(self, cleaned)
        if self.instance.pk:
            current = Action.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if cleaned.get("version") != current.first():
                raise ValidationError(
                    "Someone else saved this action after you opened it, so your changes were not "
                    "saved. Open the action again to see their changes, then make yours.",
                    code="stale",
                )
        return cleaned

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONTENT_FIELDS}


@admin.register(Action)
class ActionAdmin(GrowingListAdmin, NarrowingFiltersAdmin, SimpleHistoryAdmin):
    form = ActionAdminForm
    list_display = ["__str__", "priority", "theme", "lead_agency", "status", "target_date"]
    # A country holds hundreds of partnerships and thousands of plans: the partnership is found
    # by a box, and the plan and agency filters list the choices of the partnerships found only
    # (partners/admin_filters.py, priorities/admin_filters.py).
    list_filter = [
        "status",
        partnership_filter("priority__plan__partnership"),
        narrowing(PlanFilter, "priority__plan"),
        narrowing(PlanYearFilter, "priority__plan__period_start__year"),
        narrowing(ThemeNameFilter, "theme__name"),
        narrowing(AgencyFilter, "lead_agency"),
    ]
    search_fields = ["description", "outcomes__description", "priority__title"]
    list_select_related = ["priority", "theme", "lead_agency"]
    autocomplete_fields = ["priority", "lead_agency", "supporting_agencies"]
    readonly_fields = ["order", "created_at", "updated_at", "created_by", "updated_by"]
    # By plan (priorities are created plan by plan), then priority and the order in it: the
    # index on (priority, order) gives the first page without sorting every action.
    ordering = ["priority_id", "order", "pk"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # not a count of every action of the country
    inlines = [OutcomeInline]

    # Admins (superusers) manage everything here. Staff who are not superusers see only their
    # partnerships' actions and change them only as the product's rules allow.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(priority__plan__partnership__in=member_partnership_ids(request.user))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and can(request.user, "actions.change_action", obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and can(request.user, "actions.delete_action", obj)

    # The save goes through the service, with the outcomes of the inline, in save_related (the
    # one step that sees both the form and its inline formsets); save_model saves nothing.
    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        outcomes = outcome_values(formsets[0]) if formsets else []
        for formset in formsets:
            # What the admin's history message reads of a saved formset: the service saved them.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not change:
            created = action_create(user=request.user, outcomes=outcomes, **form.values())
            form.instance.pk = created.pk
            form.instance._state.adding = False
            return
        try:
            action_update(
                action=form.instance,
                user=request.user,
                expected_version=form.cleaned_data.get("version") or 0,
                outcomes=outcomes,
                **form.values(),
            )
        except EditConflict:
            # Someone saved between this form's check and the save: nothing was saved.
            request._action_conflict = True

    def delete_model(self, request, obj) -> None:
        action_delete(action=obj, user=request.user)

    def response_change(self, request: HttpRequest, obj: Action) -> HttpResponse:
        if getattr(request, "_action_conflict", False):
            self.message_user(
                request,
                "Someone else saved this action while you were saving yours, so your changes "
                "were not saved. Here it is as they left it.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.register(Outcome)
class OutcomeAdmin(GrowingListAdmin, NarrowingFiltersAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "action", "measure", "baseline", "target"]
    list_filter = [
        partnership_filter("action__priority__plan__partnership"),
        narrowing(PlanFilter, "action__priority__plan"),
    ]
    search_fields = ["description", "measure"]
    list_select_related = ["action"]
    autocomplete_fields = ["action"]
    ordering = ["action_id", "order", "pk"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
