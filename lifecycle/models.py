"""The plan's life on record: each agency's answer in each round of agreement, the frozen
published versions, and the deadline reminders sent.

These models began in the `priorities` app; their tables keep their first names (`db_table`), so
that moving them here moved no data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.models import unique
from priorities.models import Plan

if TYPE_CHECKING:
    from lifecycle.snapshot import Snapshot


class Agreement(models.Model):
    """An agency's answer to the plan in one consultation round, given by someone who speaks for it,
    or given at a board meeting and recorded by the coordinator (with the meeting's date and the
    minutes' reference).

    A coordinator moving the plan to Agreed without an agency's agreement records that as a
    "waived" answer, with the written reason.
    """

    class Decision(models.TextChoices):
        AGREED = "agreed", "Agreed"
        CHANGES_REQUESTED = "changes_requested", "Asked for changes"
        WAIVED = "waived", "Agreed without this agency"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    # An answer given at a board meeting: when, and where the minutes record it. Empty for an
    # answer given online.
    meeting_date = models.DateField(null=True, blank=True)
    minutes_reference = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords(table_name="priorities_historicalagreement")

    class Meta:
        db_table = "priorities_agreement"
        ordering = ["plan", "-round", "agency__name"]
        constraints = [
            unique(
                "plan",
                "agency",
                "round",
                name="agreement_one_answer_per_agency_per_round",
                message="This agency has already answered in this round.",
            ),
            models.CheckConstraint(
                condition=Q(meeting_date__isnull=False) | Q(minutes_reference=""),
                name="agreement_minutes_only_for_a_meeting",
                violation_error_message="Minutes are referred to only for an answer given at a "
                "meeting.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_decision_display()} (round {self.round})"

    @property
    def asks_for_changes(self) -> bool:
        return self.decision == self.Decision.CHANGES_REQUESTED

    @property
    def given_at_meeting(self) -> bool:
        return self.meeting_date is not None


class PublishedVersion(models.Model):
    """A numbered, frozen copy of the whole plan as it was published.

    The copy is stored as canonical JSON text, so it stays byte-for-byte what was published.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.TextField(editable=False)
    checksum = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        db_table = "priorities_publishedversion"
        ordering = ["plan", "-number"]
        get_latest_by = "number"
        constraints = [
            unique(
                "plan",
                "number",
                name="published_version_unique_number",
                message="This plan already has a version with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} — version {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant, not a side effect: a published version is never rewritten.
        if not self._state.adding:
            raise ValidationError("A published version cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "plan_version",
            kwargs={
                "partnership": self.plan.partnership.slug,
                "period": self.plan.period,
                "number": self.number,
            },
        )

    @property
    def is_intact(self) -> bool:
        """Whether the stored text is still exactly what was published (its SHA-256 matches)."""
        if not hasattr(self, "_intact"):
            digest = hashlib.sha256(self.snapshot.encode("utf-8")).hexdigest()
            self._intact = hmac.compare_digest(digest, self.checksum)
        return self._intact

    @property
    def data(self) -> Snapshot:
        """The frozen plan, verified first: a version whose text was altered after publication is
        never served, exported or compared (VersionAltered)."""
        if not self.is_intact:
            raise VersionAltered(self)
        return json.loads(self.snapshot)


def published_file_path(instance: PublishedFile, filename: str) -> str:
    """Where a version's file is stored: under the version's id and its SHA-256, so that a file
    can only ever be found for the exact text it was drawn from."""
    version = instance.version
    return f"published/{version.plan_id}/{version.pk}-{version.checksum}/{filename}"


class PublishedFile(models.Model):
    """A published version's document (its PDF, its Word file), drawn once in the background when
    the version is published (lifecycle/published_files.py) and served from storage.

    Written after its file is complete, so a request that finds the row finds the whole file; the
    file's own SHA-256 is checked each time it is served."""

    version = models.ForeignKey(PublishedVersion, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10)  # a key of published_files.DRAWERS: "pdf", "docx"
    file = models.FileField(upload_to=published_file_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    drawn_at = models.DateTimeField()
    # How long it took to draw, in seconds (for the administrators: big plans take long).
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["version", "kind"]
        constraints = [
            unique(
                "version",
                "kind",
                name="published_file_one_per_kind",
                message="This version already has a file of this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.kind.upper()}"


class VersionAltered(Exception):
    """A published version's stored text no longer matches the checksum taken when it was
    published: someone changed the database behind the product's back, or it is damaged."""

    def __init__(self, version: PublishedVersion):
        super().__init__(
            f"{version.plan} — version {version.number} no longer matches the checksum taken when "
            "it was published: it is not served until an administrator restores it from a backup."
        )
        self.version = version


class Reminder(models.Model):
    """A deadline reminder that was sent, so that it is never sent twice."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "To an agency's members"
        COORDINATOR = "coordinator", "Summary to the coordinators"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    days_before = models.PositiveSmallIntegerField()
    deadline = models.DateField(help_text="The deadline the reminder was about.")
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True)

    class Meta:
        db_table = "priorities_reminder"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "agency", "days_before", "deadline"],
                condition=Q(kind="agency"),
                name="reminder_to_agency_sent_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "days_before", "deadline"],
                condition=Q(kind="coordinator"),
                name="reminder_to_coordinators_sent_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.days_before} days, {self.get_kind_display()}"
