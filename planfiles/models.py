"""What the planfiles app keeps: the imports confirmed on the site, each once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partners.models import unique


class ConfirmedImport(models.Model):
    """A plan file imported through the site's "Import actions" page: the one-time token of its
    preview (as a SHA-256 digest), recorded in the transaction that imported it. A confirmation
    whose token is recorded here is already done (planfiles/views.py): however many times the
    button is pressed at once, the file is imported once, and an import that failed half-way
    recorded nothing, so it can be confirmed again."""

    token_hash = models.CharField(max_length=64)
    plan = models.ForeignKey(
        "priorities.Plan", on_delete=models.CASCADE, related_name="confirmed_imports"
    )
    filename = models.CharField(max_length=255, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [
            unique(
                "token_hash",
                name="confirmedimport_unique_token",
                message="This import is already done.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} into {self.plan} ({self.confirmed_at:%Y-%m-%d %H:%M})"
