from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partners.models import Partnership, unique
from priorities.signals import consultation_round_started

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# The four approaches of the Office of the Police, Fire and Crime Commissioner, as the partnership
# recasts them: (the partnership's name, short name, the OPFCC's original wording).
DEFAULT_THEMES: list[tuple[str, str, str]] = [
    ("Early Intervention and Prevention", "Prevention", "Early Intervention and Prevention"),
    ("Managing Perpetrators", "Perpetrators", "Managing Offenders"),
    ("Supporting Victims and Witnesses", "Victims", "Supporting Victims and Witnesses"),
    ("Public Confidence", "Confidence", "Public Confidence"),
]


class ThemeQuerySet(models.QuerySet):
    def create_defaults(self, partnership: Partnership) -> list[Theme]:
        """Give a partnership the four default themes it lacks; existing ones are kept."""
        themes = []
        for order, (name, short_name, opfcc_name) in enumerate(DEFAULT_THEMES, start=1):
            theme, _ = self.get_or_create(
                partnership=partnership,
                name=name,
                defaults={"short_name": short_name, "opfcc_name": opfcc_name, "order": order},
            )
            themes.append(theme)
        return themes


class Theme(models.Model):
    """An approach every priority is tackled through; each action sits in one theme."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=50, blank=True)
    opfcc_name = models.CharField(
        "OPFCC wording",
        max_length=120,
        blank=True,
        help_text="The Police, Fire and Crime Commissioner's original wording, "
        "e.g. “Managing Offenders”.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "order", "name"]
        constraints = [
            unique(
                "partnership",
                "name",
                name="theme_unique_name_per_partnership",
                message="This partnership already has a theme with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


def period_label(start: datetime.date, end: datetime.date) -> str:
    """A plan period as people write it: 2021-22, or 2005-08 for three years from 2005."""
    return f"{start.year}-{end.year % 100:02d}"


class PlanQuerySet(models.QuerySet):
    def for_period(self, label: str) -> PlanQuerySet:
        """Plans whose period is written `label` (e.g. "2021-22"); empty for a malformed label."""
        try:
            start_text, end_text = label.split("-")
            start_year = int(start_text)
            end_suffix = int(end_text)
        except ValueError:
            return self.none()
        if len(start_text) != 4 or len(end_text) != 2:
            return self.none()
        # The end year is the first year from the start whose last two digits match.
        end_year = start_year - start_year % 100 + end_suffix
        if end_year < start_year:
            end_year += 100
        return self.filter(period_start__year=start_year, period_end__year=end_year)

    def at(self, partnership_slug: str, period: str) -> Plan | None:
        """The plan at its address, /plans/<partnership_slug>/<period>/, or None."""
        return (
            self.filter(partnership__slug=partnership_slug)
            .for_period(period)
            .select_related("partnership")
            .first()
        )

    def visible_to(self, user: User | AnonymousUser) -> PlanQuerySet:
        """Plans with a published version for everyone; every plan of theirs for members."""
        published = Q(last_published_at__isnull=False)
        if not user.is_authenticated:
            return self.filter(published)
        if user.is_superuser:
            return self.all()
        return self.filter(
            published | Q(partnership__in=Partnership.objects.for_member(user))
        ).distinct()


class Plan(models.Model):
    """A partnership's community safety plan for one period."""

    class Status(models.TextChoices):  # labels from the names: Draft, Consultation, …
        DRAFT = "draft"
        CONSULTATION = "consultation"
        AGREED = "agreed"
        PUBLISHED = "published"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    deadline = models.DateField(
        null=True, blank=True, help_text="When the plan must be agreed and published."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    introduction = models.TextField(blank=True)
    context = models.TextField(
        blank=True, help_text="What shapes this year's plan, e.g. the impact of Covid-19."
    )
    aspirations = models.TextField(
        blank=True,
        help_text="Development the partnership aims for this year, e.g. a better baseline "
        "data set.",
    )
    revision = models.PositiveIntegerField(
        default=1, help_text="Goes up by one each time a published plan is amended."
    )
    consultation_round = models.PositiveIntegerField(
        default=0,
        help_text="Goes up each time the plan is sent for agreement or edited in consultation: "
        "agreements count only for the current round.",
    )
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_plan = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_plans",
        help_text="The plan this one was started from.",
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__name", "-period_start"]
        constraints = [
            unique(
                "partnership",
                "period_start",
                "period_end",
                name="plan_unique_period_per_partnership",
                message="This partnership already has a plan for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="plan_period_ends_after_start",
                violation_error_message="A plan's period must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.period}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "plan_detail", kwargs={"partnership": self.partnership.slug, "period": self.period}
        )

    def get_workspace_url(self) -> str:
        return reverse(
            "plan_workspace", kwargs={"partnership": self.partnership.slug, "period": self.period}
        )

    @property
    def period(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def in_consultation(self) -> bool:
        return self.status == self.Status.CONSULTATION

    @property
    def is_agreed(self) -> bool:
        return self.status == self.Status.AGREED

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_published_version(self) -> bool:
        return self.last_published_at is not None

    # -- The plan's life. Each method checks the stage, says why not in a sentence, and saves
    # the fields of the change together. Who may do it is decided in partners/permissions.py,
    # and what else must be true (readiness, agreements) in lifecycle/services.py.

    def require_stage(self, allowed: set[str], doing: str) -> None:
        """Refuse, in a sentence, what cannot be done at the plan's stage."""
        if self.status not in allowed:
            names = " or ".join(sorted(str(self.Status(s).label).lower() for s in allowed))
            raise ValidationError(
                f"The plan cannot be {doing} while it is at the "
                f"{self.get_status_display().lower()} stage (it must be at the {names} stage).",
                code="wrong_stage",
            )

    def send_for_agreement(self) -> None:
        self.require_stage({self.Status.DRAFT}, "sent for agreement")
        self.status = self.Status.CONSULTATION
        self.consultation_round += 1
        self.save(update_fields=["status", "consultation_round"])

    def reopen_draft(self) -> None:
        self.require_stage({self.Status.CONSULTATION}, "reopened as a draft")
        self.status = self.Status.DRAFT
        self.save(update_fields=["status"])

    def mark_agreed(self) -> None:
        self.require_stage({self.Status.CONSULTATION}, "marked as agreed")
        self.status = self.Status.AGREED
        self.save(update_fields=["status"])

    def publish(self, *, at: datetime.datetime) -> None:
        self.require_stage({self.Status.AGREED}, "published")
        self.status = self.Status.PUBLISHED
        self.last_published_at = at
        self.save(update_fields=["status", "last_published_at"])

    def amend(self) -> None:
        self.require_stage({self.Status.PUBLISHED}, "amended")
        self.status = self.Status.DRAFT
        self.revision += 1
        self.save(update_fields=["status", "revision"])

    def note_edit(self) -> None:
        """Any edit during consultation starts a new round: earlier agreements no longer count
        (and the plan's life is told: `consultation_round_started`, priorities/signals.py)."""
        if self.in_consultation:
            Plan.objects.filter(pk=self.pk).update(consultation_round=F("consultation_round") + 1)
            self.refresh_from_db(fields=["consultation_round"])
            consultation_round_started.send(
                sender=Plan, plan=self, previous_round=self.consultation_round - 1
            )

    def get_plan(self) -> Plan:
        """The plan the permission rules ask about (partners/permissions.py): itself."""
        return self

    def clean(self) -> None:
        # The public address names a plan by its period label, so two plans of one partnership
        # must not share a label even when their exact dates differ.
        if self.period_start and self.period_end and self.partnership_id:
            clash = (
                Plan.objects.filter(partnership_id=self.partnership_id)
                .for_period(self.period)
                .exclude(pk=self.pk)
            )
            if clash.exists():
                raise ValidationError(
                    f"{self.partnership} already has a plan for {self.period}.",
                    code="duplicate_period",
                )


class Priority(models.Model):
    """A local issue the Strategic Assessment highlighted, for one plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    evidence = models.TextField(
        blank=True, help_text="What the Strategic Assessment says about this priority."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name_plural = "priorities"
        constraints = [
            unique(
                "plan",
                "title",
                name="priority_unique_title_per_plan",
                message="This plan already has a priority with this title.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_plan(self) -> Plan:
        return self.plan
