"""The admin: every notification with its e-mail's state, so a failed or stuck send is seen."""

from __future__ import annotations

import functools

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.models import Digest, EmailStatus, Mode, Notification, NotificationPreference
from notifications.tasks import enqueue_email
from partners.admin_paging import EstimatedCountPaginator, GrowingListAdmin


@admin.register(Notification)
class NotificationAdmin(GrowingListAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "delivery",
        "email_status",
        "attempts",
        "short_error",
        "sent_at",
        "read_at",
    ]
    list_filter = ["email_status", "delivery", "kind"]
    search_fields = ["subject", "key", "recipient__username", "recipient__email", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # a country's notifications: estimated, not counted
    actions = ["send_again"]

    @admin.display(description="last error")
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the e-mail again (failed, or left sending by a stopped worker)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        chosen = queryset.filter(
            delivery=Mode.IMMEDIATE, email_status__in=[EmailStatus.FAILED, EmailStatus.SENDING]
        )
        ids = list(chosen.values_list("pk", flat=True))
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids).update(
                email_status=EmailStatus.PENDING, attempts=0, next_attempt_at=None
            )
            for pk in ids:
                transaction.on_commit(functools.partial(enqueue_email, pk))
        self.message_user(
            request,
            f"{len(ids)} e-mail(s) queued again. Only e-mails sent at once that failed or were "
            "left sending can be sent again.",
            messages.SUCCESS if ids else messages.WARNING,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "mode"]
    list_filter = ["kind", "mode"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "status", "sent_at", "last_error"]
    list_filter = ["status", "day"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = [field.name for field in Digest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
