"""Notifications: what a person is told, in the site and by e-mail, and how they want to be told.

A notification is recorded once per (recipient, kind, key) — a database rule — so an event that
fires twice tells nobody twice. How its e-mail goes (at once, in the daily digest, or not at all)
is decided when it is recorded, from the recipient's preference for its kind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from partners.models import unique
from priorities.models import Plan


class Kind(models.TextChoices):
    """What happened. The labels are what people read on their preferences page."""

    SENT_FOR_AGREEMENT = "sent_for_agreement", "A plan is sent for agreement"
    ROUND_CLEARED = "round_cleared", "A new consultation round cleared your agency's answer"
    CHANGES_REQUESTED = "changes_requested", "An agency asks for changes to a plan"
    ALL_ANSWERED = "all_answered", "Every agency has answered"
    PLAN_AGREED = "plan_agreed", "A plan is agreed"
    PLAN_PUBLISHED = "plan_published", "A plan is published"
    PLAN_AMENDED = "plan_amended", "A published plan is amended"
    UPDATE_DUE_SOON = "update_due_soon", "A progress update is due soon"
    UPDATE_OVERDUE = "update_overdue", "A progress update is overdue"
    DEADLINE_REMINDER = "deadline_reminder", "A plan's deadline is near"


class Mode(models.TextChoices):
    """How a person wants to hear of one kind of notification."""

    IMMEDIATE = "immediate", "E-mail at once"
    DIGEST = "digest", "Daily digest e-mail"
    SITE = "site", "In the site only, no e-mail"


# Who each kind is for, in words, shown as the hint on the preferences page.
KIND_HINTS: dict[str, str] = {
    Kind.SENT_FOR_AGREEMENT: "To the people who speak for each core agency: your agency's answer "
    "is awaited.",
    Kind.ROUND_CLEARED: "To the people who speak for an agency that had answered: the plan "
    "changed, so the agency answers again.",
    Kind.CHANGES_REQUESTED: "To coordinators: an agency asked for changes before it can agree.",
    Kind.ALL_ANSWERED: "To coordinators: every core agency has answered, so the plan can be "
    "marked agreed.",
    Kind.PLAN_AGREED: "To the partnership's members.",
    Kind.PLAN_PUBLISHED: "To the partnership's members.",
    Kind.PLAN_AMENDED: "To the partnership's members: a new draft revision is open.",
    Kind.UPDATE_DUE_SOON: "To the officers of the lead agency: the reporting period's update is "
    "due soon.",
    Kind.UPDATE_OVERDUE: "To the officers of the lead agency: the reporting period's update is "
    "late.",
    Kind.DEADLINE_REMINDER: "To each agency's members, 14, 7 and 1 days before the deadline: what "
    "the agency still owes.",
}

# At once for what a person must do; the daily digest for news.
DEFAULT_MODES: dict[str, str] = {
    Kind.SENT_FOR_AGREEMENT: Mode.IMMEDIATE,
    Kind.ROUND_CLEARED: Mode.IMMEDIATE,
    Kind.CHANGES_REQUESTED: Mode.IMMEDIATE,
    Kind.ALL_ANSWERED: Mode.IMMEDIATE,
    Kind.PLAN_AGREED: Mode.DIGEST,
    Kind.PLAN_PUBLISHED: Mode.DIGEST,
    Kind.PLAN_AMENDED: Mode.DIGEST,
    Kind.UPDATE_DUE_SOON: Mode.IMMEDIATE,
    Kind.UPDATE_OVERDUE: Mode.IMMEDIATE,
    Kind.DEADLINE_REMINDER: Mode.IMMEDIATE,
}


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_SENT = "not_sent", "Not sent"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def awaiting_digest(self) -> NotificationQuerySet:
        return self.filter(delivery=Mode.DIGEST, email_status=EmailStatus.PENDING)


class Notification(models.Model):
    """One thing one person is told, in their inbox and (as they chose) by e-mail."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    key = models.CharField(
        max_length=200,
        help_text="Names the event, e.g. plan-12-round-3: the same kind and key is told once.",
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A path on this site only (checked by notify(), and again by the view that follows it): a
    # notification never sends anyone elsewhere.
    url = models.CharField(max_length=500, help_text="The page it is about: a path on this site.")
    why = models.TextField(help_text='The end of "You get this because …".')
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    delivery = models.CharField(
        "e-mail", max_length=20, choices=Mode.choices, help_text="Decided when recorded."
    )
    email_status = models.CharField(max_length=20, choices=EmailStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            unique(
                "recipient",
                "kind",
                "key",
                name="notification_once_per_recipient_kind_key",
                message="This person has already been told of this.",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_status", "delivery"], name="notification_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind; a kind without a row uses its default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices)

    class Meta:
        constraints = [
            unique(
                "user",
                "kind",
                name="notification_preference_once_per_kind",
                message="This person already has a preference for this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} — {self.get_mode_display()}"


class Digest(models.Model):
    """One person's daily digest e-mail: at most one a day (a database rule)."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    day = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            unique(
                "user",
                "day",
                name="digest_once_a_day",
                message="This person's digest for this day has already gone.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.day:%d %B %Y}"


def default_mode(kind: str) -> str:
    return DEFAULT_MODES.get(kind, Mode.DIGEST)
