from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count

from partners.admin_filters import partnership_filter
from partners.models import Agency, Membership, Partnership

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


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active", "member_count"]
    list_filter = ["kind", "active", partnership_filter("partnerships", distinct=True)]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    inlines = [AgencyMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj: Agency) -> int:
        return int(getattr(obj, "_members", 0))


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    show_full_result_count = False
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["core_agencies", "coordinators"]
    ordering = ["name"]
    # Its themes are edited here too: priorities/admin.py adds them (themes are that app's).


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
