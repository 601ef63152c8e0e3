from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from actions.models import Action, Outcome
from actions.plan_file.admin import PlanFileAdminMixin
from partners.permissions import can, member_partnership_ids


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    fields = ["order", "description", ("measure", "baseline", "target")]


class ActionAdminForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "priority",
            "theme",
            "lead_agency",
            "supporting_agencies",
            "description",
            "target_date",
            "status",
            "order",
        ]

    def clean(self):
        cleaned = super().clean()
        priority = cleaned.get("priority")
        if priority is not None:
            # The model checks theme and lead agency itself; the supporting agencies are only
            # known here, before they are saved, so the same rule is applied to them now.
            probe = Action(priority=priority)
            try:
                probe.check_partnership(
                    supporting_agencies=cleaned.get("supporting_agencies") or [],
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


@admin.register(Action)
# PlanFileAdminMixin: import and export of the canonical plan file on this list, for superusers
# and partnership coordinators only (see actions/plan_file/admin.py).
class ActionAdmin(PlanFileAdminMixin, SimpleHistoryAdmin):
    form = ActionAdminForm
    list_display = ["__str__", "priority", "theme", "lead_agency", "status", "target_date"]
    list_filter = [
        "status",
        "priority__plan__partnership",
        "priority__plan",
        "theme",
        "lead_agency",
    ]
    search_fields = ["description", "outcomes__description", "priority__title"]
    list_select_related = ["priority", "theme", "lead_agency"]
    autocomplete_fields = ["priority", "lead_agency", "supporting_agencies"]
    readonly_fields = ["created_at", "updated_at", "created_by", "updated_by"]
    ordering = ["priority__plan", "priority__order", "theme__order", "order"]
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "action", "measure", "baseline", "target"]
    list_filter = ["action__priority__plan"]
    search_fields = ["description", "measure"]
    list_select_related = ["action"]
    autocomplete_fields = ["action"]
