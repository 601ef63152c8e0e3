"""The admin's people pages: "Add user" invites (name, e-mail, agency) instead of asking for a
password to pass on; a person's raw permissions are for superusers only, folded away under
"Groups and permissions"; invitations and requests to join are listed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from partners.admin import UserAdmin as MembershipsUserAdmin
from partners.admin_filters import partnership_filter
from partners.admin_paging import EstimatedCountPaginator, GrowingListAdmin
from partners.models import Agency, Membership
from people import services
from people.models import AccessRequest, Invitation

User = get_user_model()


class AdminInviteForm(forms.Form):
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(
        label="E-mail address", help_text="The invitation goes there; it will be their username."
    )
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(active=True), label="Agency")
    may_speak_for_agency = forms.BooleanField(required=False, label="Speaks for the agency")


PERSONAL = (
    (None, {"fields": ("username", "password")}),
    ("Personal info", {"fields": ("first_name", "last_name", "email")}),
)
DATES = ("Important dates", {"fields": ("last_login", "date_joined")})


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(GrowingListAdmin, MembershipsUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = [
        "is_active",
        "is_staff",
        "is_superuser",
        partnership_filter("memberships__agency__partnerships", distinct=True),
    ]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if not request.user.is_superuser:
            # Staff who are not superusers neither see nor grant raw permissions.
            return (*PERSONAL, ("Access", {"fields": ("is_active", "is_staff")}), DATES)
        return (
            *PERSONAL,
            ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
            DATES,
            (
                "Groups and permissions",
                {
                    "classes": ("collapse",),
                    "fields": ("groups", "user_permissions"),
                    "description": "Django's own permissions, for the admin only. What people "
                    "may do in the product follows from their agencies and roles.",
                },
            ),
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Invite a person: name, e-mail and agency; the invitation's link lets them choose
        their own password."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminInviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = _invite(request, form.cleaned_data)
            except ValidationError as exc:
                form.add_error("email", exc)
            else:
                self.message_user(request, result, messages.SUCCESS)
                return redirect("admin:auth_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a person",
            "opts": self.opts,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/people/user_invite.html", context)


def _invite(request: HttpRequest, values: dict[str, Any]) -> str:
    agency: Agency = values["agency"]
    partnerships = list(agency.partnerships.all()[:2])
    result = services.invitation_create(
        by=request.user,  # type: ignore[arg-type]
        agency=agency,
        email=values["email"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        partnership=partnerships[0] if len(partnerships) == 1 else None,
        may_speak_for_agency=values["may_speak_for_agency"],
    )
    if isinstance(result, Membership):
        return f"{values['email']} already has an account: they are now a member of {agency}."
    return f"An invitation to {agency} is on its way to {values['email']}; its link works 7 days."


@admin.register(Invitation)
class InvitationAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = ["email", "agency", "status", "created_by", "created_at", "expires_at"]
    list_filter = [partnership_filter("partnership")]
    search_fields = ["email", "first_name", "last_name", "agency__name"]
    list_select_related = ["agency", "created_by"]
    readonly_fields = [
        "email",
        "first_name",
        "last_name",
        "agency",
        "partnership",
        "may_speak_for_agency",
        "created_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "cancelled_at",
        "cancelled_by",
    ]
    actions = ["send_again", "cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people are invited from "Add user", or from the members pages

    @admin.action(description="Send the selected invitations again (a new link)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        sent = 0
        for invitation in queryset.open():  # type: ignore[attr-defined]
            services.invitation_resend(invitation=invitation)
            sent += 1
        self.message_user(request, f"{sent} invitation(s) will be sent again.", messages.SUCCESS)

    @admin.action(description="Cancel the selected invitations")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset.filter(accepted_at__isnull=True):
            services.invitation_cancel(by=request.user, invitation=invitation)  # type: ignore[arg-type]
        self.message_user(request, "The invitations are cancelled.", messages.SUCCESS)


@admin.register(AccessRequest)
class AccessRequestAdmin(GrowingListAdmin, admin.ModelAdmin):
    """Requests to join are decided on the partnership's members page."""

    list_display = ["email", "partnership", "agency_guess", "outcome", "created_at", "decided_by"]
    list_filter = ["outcome", partnership_filter("partnership")]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["partnership", "agency_guess", "decided_by"]
    readonly_fields = [
        "email",
        "first_name",
        "last_name",
        "partnership",
        "agency_guess",
        "user",
        "created_at",
        "outcome",
        "agency",
        "decided_by",
        "decided_at",
        "reason",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
