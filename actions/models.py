from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.models import Agency, Partnership
from priorities.models import Plan, Priority, Theme


class ActionQuerySet(models.QuerySet):
    def with_outcome_count(self) -> ActionQuerySet:
        """`outcome_count`: the action's outcomes, not counting measures that stand alone."""
        return self.annotate(
            outcome_count=models.Count(
                "outcomes", filter=~models.Q(outcomes__description=""), distinct=True
            )
        )

    def blocking(self) -> ActionQuerySet:
        """The actions `blocking_gaps` finds something missing in, picked by the database: no
        outcome, no lead agency or no theme."""
        has_outcome = models.Exists(
            Outcome.objects.filter(action=models.OuterRef("pk")).exclude(description="")
        )
        return self.filter(
            models.Q(lead_agency__isnull=True) | models.Q(theme__isnull=True) | ~has_outcome
        )

    def for_agencies(self, agency_ids: Iterable[int] | models.QuerySet) -> ActionQuerySet:
        """Actions that any of these agencies leads or supports."""
        return self.filter(
            models.Q(lead_agency__in=agency_ids) | models.Q(supporting_agencies__in=agency_ids)
        ).distinct()


_Chosen = TypeVar("_Chosen", bound=models.Model)


def _chosen_while_drafting(
    to: type[_Chosen], *, related_name: str
) -> models.ForeignKey[_Chosen | None, _Chosen | None]:
    """A choice an action may lack while the plan is drafted (readiness says so)."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=related_name,
        null=True,
        blank=True,
        help_text="May be left blank while drafting.",
    )


class Action(models.Model):
    """What partners will do about a priority, in one theme, led by one agency."""

    class Status(models.TextChoices):  # labels from the names, but for "In progress"
        PROPOSED = "proposed"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed"
        WITHDRAWN = "withdrawn"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    theme = _chosen_while_drafting(Theme, related_name="actions")
    lead_agency = _chosen_while_drafting(Agency, related_name="led_actions")
    supporting_agencies = models.ManyToManyField(
        Agency, related_name="supported_actions", blank=True
    )
    description = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    timescale = models.TextField(
        "timescale note",
        blank=True,
        help_text="When the action happens, in words, where there is no one date: “Ongoing”, "
        "“Annual”, “Each school holiday”.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    order = models.PositiveIntegerField(default=0)
    restricted = models.BooleanField(
        default=False,
        help_text="A restricted action (e.g. a police operation) appears in the public plan "
        "only as “Restricted action led by …”.",
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text="Goes up by one at every saved edit; refuses edits made from a stale copy.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[supporting_agencies])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["priority__order", "theme__order", "order", "pk"]
        indexes = [
            # A plan's actions in their order, and the admin's list by plan: read from the
            # index, not sorted from every action of the installation.
            models.Index(fields=["priority", "order", "id"], name="action_priority_order"),
        ]

    def __str__(self) -> str:
        text = self.description
        return text if len(text) <= 80 else text[:77] + "…"

    def get_absolute_url(self) -> str:
        return reverse("action_detail", kwargs={"pk": self.pk})

    @property
    def partnership(self) -> Partnership:
        return self.priority.plan.partnership

    def get_plan(self) -> Plan:
        """The plan the permission rules ask about (partners/permissions.py)."""
        return self.priority.plan

    @property
    def blocking_gaps(self) -> list[str]:
        """What the action lacks that stops the plan being sent for agreement, in words."""
        outcome_count = getattr(self, "outcome_count", None)
        if outcome_count is None:
            outcome_count = self.outcomes.exclude(description="").count()
        return blocking_gaps(
            outcome_count=outcome_count, lead_agency_id=self.lead_agency_id, theme_id=self.theme_id
        )

    @property
    def gaps(self) -> list[str]:
        """Everything the action still lacks: the blocking gaps, and a target date (a warning)."""
        return self.blocking_gaps + (["no target date"] if self.target_date is None else [])

    def clean(self) -> None:
        if self.priority_id:
            self.check_agencies(theme=self.theme, lead_agency=self.lead_agency)

    def check_agencies(
        self,
        *,
        theme: Theme | None = None,
        lead_agency: Agency | None = None,
        supporting_agencies: Iterable[Agency] = (),
    ) -> None:
        """Refuse a theme or agencies from outside the plan's partnership, and a lead agency
        that also supports the action.

        The one place these rules live: model validation, forms, the admin, the services and
        the plan file's importer all call it.
        """
        partnership = self.priority.plan.partnership
        errors: dict[str, list[str]] = {}
        if theme is not None and theme.partnership_id != partnership.pk:
            errors["theme"] = [
                f"The theme “{theme}” belongs to {theme.partnership}, not to {partnership}."
            ]
        core_ids = set(partnership.core_agencies.values_list("pk", flat=True))
        if lead_agency is not None and lead_agency.pk not in core_ids:
            errors["lead_agency"] = [f"{lead_agency} is not a member of {partnership}."]
        supporting = list(supporting_agencies)
        outsiders = sorted(a.name for a in supporting if a.pk not in core_ids)
        if outsiders:
            verb = "is" if len(outsiders) == 1 else "are"
            errors["supporting_agencies"] = [
                f"{', '.join(outsiders)} {verb} not a member of {partnership}."
            ]
        if lead_agency is not None and any(a.pk == lead_agency.pk for a in supporting):
            errors.setdefault("supporting_agencies", []).append(
                lead_supports_message(lead_agency.name)
            )
        if errors:
            raise ValidationError(errors)


def blocking_gaps(
    *, outcome_count: int, lead_agency_id: int | None, theme_id: int | None
) -> list[str]:
    """What an action lacks that stops its plan being sent for agreement, in words: the one
    place this rule lives (`Action.blocking_gaps`, and the pages that read plain rows)."""
    missing = []
    if not outcome_count:
        missing.append("no outcome")
    if lead_agency_id is None:
        missing.append("no lead agency")
    if theme_id is None:
        missing.append("no theme")
    return missing


def lead_supports_message(lead_name: str) -> str:
    return f"{lead_name} leads this action, so it cannot also support it."


class Outcome(models.Model):
    """The change an action should bring, ideally with a measure, a baseline and a target.

    An outcome with a blank description is a measure of the action itself: real plans give
    measures for actions whose outcome they leave unsaid. It does not count as an outcome (the
    action still lacks one); the plan file keeps it in its place, a blank line of the outcome cell.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="outcomes")
    description = models.TextField(blank=True)
    measure = models.TextField(blank=True)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "order", "pk"]
        indexes = [models.Index(fields=["action", "order", "id"], name="outcome_action_order")]

    def __str__(self) -> str:
        return self.description

    def get_plan(self) -> Plan:
        return self.action.get_plan()
