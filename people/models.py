"""How people come in: invitations, requests to join, and the records that throttle password
resets and wrong two-step codes.

Who belongs to which agency is `partners.Membership` (with its history); who coordinates is
`Partnership.coordinators` (with the partnership's history). This app adds the ways in.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from partners.models import Agency, Partnership


def hash_token(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256. The token itself is only ever in
    the e-mail (it is made by the worker that sends it, people/tasks.py)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor cancelled (it may have expired, or not have been sent yet)."""
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

    def usable(self, *, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """Sent, open and within its seven days: its link works."""
        return self.open().filter(expires_at__gt=now or timezone.now())

    def for_email(self, email: str) -> InvitationQuerySet:
        return self.filter(email__iexact=email.strip())


class Invitation(models.Model):
    """A person asked by e-mail to join an agency: a link, valid for 7 days, used once."""

    VALID_FOR = datetime.timedelta(days=7)

    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invitations")
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="The partnership the person was invited from (named in the e-mail).",
    )
    may_speak_for_agency = models.BooleanField(
        default=False, help_text="The person will speak for the agency once they accept."
    )
    # SHA-256 of the link's token; blank until the worker has sent the e-mail.
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account the invitation became.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "agency",
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_email_and_agency",
                violation_error_message="This person already has an invitation to this agency.",
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="invitation_unique_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.agency}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def is_usable(self, *, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at is not None
            and self.expires_at > now
        )

    @property
    def status(self) -> str:
        """In words, for the members page and the admin."""
        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.sent_at is None:
            return "waiting to be sent"
        if not self.is_usable():
            return "expired"
        return "sent"


class AccessRequest(models.Model):
    """Someone who signed in with their organisation's account at one of a partnership's allowed
    e-mail domains without an invitation: they wait until a coordinator approves (choosing their
    agency) or refuses."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for a coordinator"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="access_requests"
    )
    agency_guess = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency the person probably works for (from their account or address).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        help_text="Their account, if one was made when they signed in.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency the coordinator placed them in.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was refused (told to nobody else).")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "partnership",
                condition=Q(outcome="pending"),
                name="access_request_one_pending_per_email_and_partnership",
                violation_error_message="This person has already asked to join.",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(decided_at__isnull=False),
                name="access_request_decided_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} asks to join {self.partnership}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING


class PasswordResetRequest(models.Model):
    """One request for a password reset e-mail, kept for the throttle's window (then pruned).

    The address is kept only as a hash: nobody reads from here who asked."""

    email_hash = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"password reset from {self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"


class TwoStepFailure(models.Model):
    """One wrong two-step code, kept for the throttle's window (then pruned): wrong codes are
    throttled per person, as wrong passwords are (people/two_step.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"wrong two-step code for {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
