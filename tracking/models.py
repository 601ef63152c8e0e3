"""Through the year: progress on actions and the reporting calendar it follows, measures and each
agency's figures, the services commissioned to deliver actions, and the Strategic Assessment
behind the priorities.

These models began in the `actions` and `priorities` apps; their tables keep their first names
(`db_table`), so that moving them here moved no data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from actions.models import Action, Outcome
from partners.models import Agency, unique
from priorities.models import Plan, Priority


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
        db_table = "actions_progressupdate"
        ordering = ["action", "-date", "-created_at"]
        get_latest_by = ["date", "created_at"]
        indexes = [
            # An action's latest update (tracking.progress.with_latest_update, on every plan
            # page): the first entry of the index, whatever the number of updates.
            models.Index(fields=["action", "-date", "-created_at"], name="progress_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100),
                name="progress_percent_at_most_100",
                violation_error_message="The percentage complete cannot be more than 100.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.get_rag_display()} on {self.date}"

    def get_plan(self) -> Plan:
        return self.action.get_plan()


class ReportingPeriod(models.Model):
    """A stretch of a plan's year on which the lead agencies report progress (by default a
    quarter), and the day their updates are due. tracking/reporting.py makes a plan's periods;
    tracking/progress.py says which updates are due and overdue by them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reporting_periods")
    name = models.CharField(max_length=50, help_text="e.g. 2021-22 Q1")
    start = models.DateField()
    end = models.DateField(help_text="The period's last day.")
    due = models.DateField("Updates due by")

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "start"]
        constraints = [
            unique(
                "plan",
                "start",
                name="reporting_period_unique_start_per_plan",
                message="This plan already has a reporting period starting on this day.",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="reporting_period_ends_after_start",
                violation_error_message="A reporting period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(due__gte=F("end")),
                name="reporting_period_due_after_end",
                violation_error_message="Updates cannot be due before the period's last day.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_plan(self) -> Plan:
        return self.plan


class Measure(models.Model):
    """Something the partnership counts to see whether outcomes move, e.g. ASB incidents.

    Each agency contributes its own figures: police-recorded incidents and the cases a housing
    association handles are both part of the picture.
    """

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
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

    history = HistoricalRecords(table_name="actions_historicalmeasure")

    class Meta:
        db_table = "actions_measure"
        ordering = ["plan", "name"]
        constraints = [
            unique(
                "plan",
                "name",
                name="measure_unique_name_per_plan",
                message="This plan already has a measure with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_plan(self) -> Plan:
        return self.plan


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

    history = HistoricalRecords(table_name="actions_historicalfigure")

    class Meta:
        db_table = "actions_figure"
        ordering = ["measure", "period_start", "agency__name"]
        constraints = [
            unique(
                "measure",
                "agency",
                "period_start",
                name="figure_one_per_measure_agency_period",
                message="This agency already has a figure for this period.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} — {self.agency} — {self.period_start}: {self.value}"

    def get_plan(self) -> Plan:
        return self.measure.plan


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

    history = HistoricalRecords(table_name="actions_historicalcommissionedservice")

    class Meta:
        db_table = "actions_commissionedservice"
        ordering = ["action", "provider"]

    def __str__(self) -> str:
        return f"{self.provider} (£{self.amount})"

    def get_plan(self) -> Plan:
        return self.action.get_plan()


class FundingAllocation(models.Model):
    """What a funding source allocates to a plan's year, e.g. Locality Delivery Funding £20,000:
    what the commissioned services of the plan's actions are measured against."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="funding_allocations")
    source = models.CharField(
        "Funding source", max_length=20, choices=CommissionedService.Source.choices
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    notes = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "source"]
        constraints = [
            unique(
                "plan",
                "source",
                name="funding_allocation_one_per_source",
                message="This plan already has an allocation from this funding source.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_allocation_not_negative",
                violation_error_message="An allocation cannot be less than £0.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: £{self.amount}"

    def get_plan(self) -> Plan:
        return self.plan


class StrategicAssessment(models.Model):
    """The year's evidence report from which the priorities are chosen."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="assessment")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    url = models.URLField("Link", blank=True)
    document = models.FileField("PDF", upload_to="assessments/%Y/", blank=True)

    history = HistoricalRecords(table_name="priorities_historicalstrategicassessment")

    class Meta:
        db_table = "priorities_strategicassessment"

    def __str__(self) -> str:
        return self.title

    def get_plan(self) -> Plan:
        return self.plan
