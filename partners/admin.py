from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from partners.admin_filters import partnership_filter
from partners.admin_paging import GrowingListAdmin
from partners.models import Agency, AgencyAlias, Area, Membership, Partnership
from partners.names import fold_name

User = get_user_model()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user", "agency"]


class AgencyMembershipInline(MembershipInline):
    fk_name = "agency"
    verbose_name = "member"
    verbose_name_plural = "members (people in this agency)"


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    verbose_name = "agency membership"


class AgencyAliasFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name") if hasattr(form, "cleaned_data") else None
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if fold_name(name) in seen:
                raise ValidationError(f"“{name}” is listed twice among the other names.")
            seen.add(fold_name(name))


class AgencyAliasInline(admin.TabularInline):
    """The agency's other names ("LDC", "SFRS"), checked as on the members pages
    (partners.models.alias_problem)."""

    model = AgencyAlias
    formset = AgencyAliasFormSet
    extra = 1
    fields = ["name", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Agency)
class AgencyAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active", "member_count"]
    list_filter = ["kind", "active", partnership_filter("partnerships", distinct=True)]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    inlines = [AgencyAliasInline, AgencyMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    def save_formset(self, request, form, formset, change):
        if formset.model is AgencyAlias:
            for alias in formset.save(commit=False):
                if alias.pk is None:
                    alias.created_by = request.user
                alias.save()
            for alias in formset.deleted_objects:
                alias.delete()
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj: Agency) -> int:
        return int(getattr(obj, "_members", 0))


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """A police force and commissioner's area: its partnerships (set on each partnership) and its
    county analysts, who read every plan of them and change nothing."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["analysts"]
    ordering = ["name"]


@admin.register(Partnership)
class PartnershipAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "area"]
    list_select_related = ["area"]  # not one query per row
    list_filter = ["area"]
    search_fields = ["name", "slug"]
    show_full_result_count = False
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["core_agencies", "coordinators"]
    ordering = ["name"]
    # Its themes are edited here too: priorities/admin.py adds them (themes are that app's).


@admin.register(Membership)
class MembershipAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = ["user", "agency", "may_speak_for_agency"]
    list_filter = [
        "may_speak_for_agency",
        "agency__kind",
        partnership_filter("agency__partnerships", distinct=True),
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]
    ordering = ["agency__name", "user__username"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, UserMembershipInline]
