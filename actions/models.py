from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.models import Agency
from priorities.models import Priority, Theme


class ActionQuerySet(models.QuerySet):
    def with_outcome_count(self) -> ActionQuerySet:
        return self.annotate(outcome_count=models.Count("outcomes", distinct=True))

    def for_agencies(self, agency_ids) -> ActionQuerySet:
        """Actions that any of these agencies leads or supports."""
        return self.filter(
            models.Q(lead_agency__in=agency_ids) | models.Q(supporting_agencies__in=agency_ids)
        ).distinct()


class Action(models.Model):
    """What partners will do about a priority, in one theme, led by one agency."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
        help_text="May be left blank while drafting.",
    )
    lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="led_actions",
        null=True,
        blank=True,
        help_text="May be left blank while drafting.",
    )
    supporting_agencies = models.ManyToManyField(
        Agency, related_name="supported_actions", blank=True
    )
    description = models.TextField()
    target_date = models.DateField(null=True, blank=True)
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

    def __str__(self) -> str:
        text = self.description
        return text if len(text) <= 80 else text[:77] + "…"

    def get_absolute_url(self) -> str:
        return reverse("action_detail", kwargs={"pk": self.pk})

    @property
    def partnership(self):
        return self.priority.plan.partnership

    @property
    def gaps(self) -> list[str]:
        """What the action still lacks before the plan can be agreed, in words."""
        missing = []
        outcome_count = getattr(self, "outcome_count", None)
        if outcome_count is None:
            outcome_count = self.outcomes.count()
        if not outcome_count:
            missing.append("no outcome")
        if self.lead_agency_id is None:
            missing.append("no lead agency")
        if self.theme_id is None:
            missing.append("no theme")
        if self.target_date is None:
            missing.append("no target date")
        return missing

    def clean(self) -> None:
        if self.priority_id:
            self.check_partnership(theme=self.theme, lead_agency=self.lead_agency)

    def check_partnership(
        self,
        *,
        theme: Theme | None = None,
        lead_agency: Agency | None = None,
        supporting_agencies: Iterable[Agency] = (),
    ) -> None:
        """Refuse a theme or agencies from outside the plan's partnership.

        The one place this rule lives: model validation, forms and the admin all call it.
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
        outsiders = sorted(a.name for a in supporting_agencies if a.pk not in core_ids)
        if outsiders:
            verb = "is" if len(outsiders) == 1 else "are"
            errors["supporting_agencies"] = [
                f"{', '.join(outsiders)} {verb} not a member of {partnership}."
            ]
        if errors:
            raise ValidationError(errors)


class Outcome(models.Model):
    """The change an action should bring, ideally with a measure, a baseline and a target."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="outcomes")
    description = models.TextField()
    measure = models.CharField(max_length=300, blank=True)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "order", "pk"]

    def __str__(self) -> str:
        return self.description


class ProgressUpdate(models.Model):
    """How an action of a published plan is going, as its lead agency reports it. Kept, never
    overwritten: the latest update is the action's current state."""

    class Rag(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(help_text="The date the update describes.")
    rag = models.CharField("RAG status", max_length=20, choices=Rag.choices)
    percent_complete = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Optional: how much of the action is done, 0 to 100.",
    )
    narrative = models.TextField(help_text="What has happened since the last update.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "-date", "-created_at"]
        get_latest_by = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100),
                name="progress_percent_at_most_100",
                violation_error_message="The percentage complete cannot be more than 100.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.get_rag_display()} on {self.date}"


class Measure(models.Model):
    """Something the partnership counts to see whether outcomes move, e.g. ASB incidents.

    Each agency contributes its own figures: police-recorded incidents and the cases a housing
    association handles are both part of the picture.
    """

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    plan = models.ForeignKey("priorities.Plan", on_delete=models.CASCADE, related_name="measures")
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="measures")
    name = models.CharField(max_length=200)
    unit = models.CharField(
        max_length=50, default="incidents", help_text="e.g. incidents, cases, %"
    )
    definition = models.TextField("What counts", blank=True)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    baseline_period = models.CharField(max_length=50, blank=True, help_text="e.g. 2020-21")
    baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target_description = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="measure_unique_name_per_plan",
                violation_error_message="This plan already has a measure with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Figure(models.Model):
    """One agency's figure for a measure in one period. A correction replaces it (history keeps
    the old value)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="figures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="figures")
    period_start = models.DateField(help_text="The first day of the month, quarter or year.")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    confidence = models.CharField(
        "Confidence note",
        max_length=300,
        blank=True,
        help_text="How sure the figure is, e.g. “provisional: March not yet validated”.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "agency", "period_start"],
                name="figure_one_per_measure_agency_period",
                violation_error_message="This agency already has a figure for this period.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} — {self.agency} — {self.period_start}: {self.value}"


class CommissionedService(models.Model):
    """A service bought to deliver an action, and the money behind it."""

    class Source(models.TextChoices):
        LDF = "ldf", "Locality Delivery Funding"
        OPFCC = "opfcc", "Police, Fire and Crime Commissioner grant"
        COUNCIL = "council", "Council budget"
        PARTNER = "partner", "Partner agency budget"
        OTHER = "other", "Other"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="services")
    provider = models.CharField(max_length=200)
    funding_source = models.CharField(max_length=20, choices=Source.choices, default=Source.LDF)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    notes = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "provider"]

    def __str__(self) -> str:
        return f"{self.provider} (£{self.amount})"
