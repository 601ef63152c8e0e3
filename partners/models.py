from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.domains import domain_of, email_domains, validate_email_domains
from partners.history import ForwardM2MHistory
from partners.names import fold_name


def unique(*fields: str, name: str, message: str) -> models.UniqueConstraint:
    """A database rule that no two rows share these fields, with the sentence that explains it.
    (Here because every app's models build on this one.)"""
    return models.UniqueConstraint(fields=fields, name=name, violation_error_message=message)


class AgencyQuerySet(models.QuerySet):
    def spoken_for_by(self, user: Any, partnership: Partnership | int) -> AgencyQuerySet:
        """The partnership's core agencies this person may answer for."""
        if not user.is_authenticated:
            return self.none()
        memberships = Membership.objects.speaking_for(partnership=partnership).filter(user=user)
        return self.filter(pk__in=memberships.values("agency"))


class Agency(models.Model):
    """An organisation that takes part in community safety partnerships."""

    class Kind(models.TextChoices):
        DISTRICT_COUNCIL = "district_council", "District council"
        COUNTY_COUNCIL = "county_council", "County council"
        POLICE = "police", "Police"
        FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
        PROBATION = "probation", "Probation"
        HOUSING_PROVIDER = "housing_provider", "Housing provider"
        VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
        HEALTH = "health", "Health"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=50, blank=True, help_text="A short form used in tables, e.g. “SFRS”."
    )
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(
        default=True, help_text="Inactive agencies stay on old plans but cannot lead new actions."
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The short name where there is one: for tight table cells."""
        return self.short_name or self.name

    def clean(self) -> None:
        # A name that is already another agency's other name would take that name from it.
        if self.name:
            taken = AgencyAlias.objects.filter(folded=fold_name(self.name))
            if self.pk is not None:
                taken = taken.exclude(agency=self)
            alias = taken.select_related("agency").first()
            if alias is not None:
                raise ValidationError(
                    {
                        "name": f"“{alias.name}” is another name of {alias.agency.name}. Remove "
                        "it from that agency's other names first, or choose another name."
                    }
                )


class AgencyAlias(models.Model):
    """Another name an agency goes by in files and forms: an abbreviation ("LDC", "SFRS",
    "MBC"), an old name, a name as people write it. Every file and form matches it as it matches
    the agency's short name (partners/names.py); the rules another name keeps are in
    `alias_problem`, and partners/aliases.py adds and removes them."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    # The name as names are compared (fold_name): what must be unique.
    folded = models.CharField(max_length=200, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = "other name"
        verbose_name_plural = "other names (abbreviations and names as files write them)"
        constraints = [
            unique(
                "agency",
                "folded",
                name="agencyalias_unique_agency_name",
                message="The agency already has this other name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = " ".join(self.name.split())
        self.folded = fold_name(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name = " ".join(self.name.split())
        self.folded = fold_name(self.name)
        problem = alias_problem(self)
        if problem:
            raise ValidationError({"name": problem})


def alias_problem(alias: AgencyAlias) -> str | None:
    """Why this cannot be another name of its agency, in a sentence; None if it can.

    Another name must say something new about one agency: not blank, not the agency's own name
    or short name, not the name of another agency (full names match first), and, in every
    partnership the agency is a core member of, not the short name or an other name of another
    core agency (or a file of that partnership could mean either). Case and spacing aside.
    """
    name = " ".join(alias.name.split())
    if not name:
        return "Give the other name."
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "Another name cannot hold control characters."
    agency = alias.agency
    folded = fold_name(name)
    if folded == fold_name(agency.name):
        return f"“{name}” is {agency.name}'s own name: it matches already."
    if agency.short_name and folded == fold_name(agency.short_name):
        return f"“{name}” is {agency.name}'s short name: it matches already."
    own = AgencyAlias.objects.filter(agency_id=agency.pk, folded=folded)
    if alias.pk is not None:
        own = own.exclude(pk=alias.pk)
    if agency.pk is not None and own.exists():
        return f"“{name}” is already another name of {agency.name}."
    others = Agency.objects.exclude(pk=agency.pk) if agency.pk else Agency.objects.all()
    for other_name in others.values_list("name", flat=True):
        if fold_name(other_name) == folded:
            return (
                f"“{name}” is the name of another agency, {other_name}: it cannot be another "
                f"name of {agency.name} too."
            )
    if agency.pk is None:
        return None
    for partnership in Partnership.objects.filter(core_agencies=agency).order_by("name"):
        peers = partnership.core_agencies.exclude(pk=agency.pk)
        for peer in peers.exclude(short_name="").order_by("name"):
            if fold_name(peer.short_name) == folded:
                return (
                    f"In {partnership.name}, “{name}” is already the short name of {peer.name}: "
                    f"it cannot be another name of {agency.name} too."
                )
        clash = (
            AgencyAlias.objects.filter(agency__in=peers, folded=folded)
            .select_related("agency")
            .order_by("agency__name")
            .first()
        )
        if clash is not None:
            return (
                f"In {partnership.name}, “{clash.name}” is already another name of "
                f"{clash.agency.name}: it cannot be another name of {agency.name} too."
            )
    return None


class AreaQuerySet(models.QuerySet):
    def read_by(self, user: Any) -> AreaQuerySet:
        """The areas whose partnerships this person reads as a county analyst (all for an
        admin)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser and user.is_active:
            return self.all()
        return self.filter(analysts=user)


class Area(models.Model):
    """A police force and commissioner's area (e.g. Staffordshire) that groups several
    partnerships: the commissioner's themes add up across it.

    Its analysts (the commissioner's office, the county's community safety team) read every plan
    of its partnerships and change nothing (partners/permissions.py)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    analysts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="analysed_areas",
        blank=True,
        help_text="People of the commissioner's office or the county's community safety team: "
        "they read every plan of the area's partnerships, and change nothing.",
    )

    objects = AreaQuerySet.as_manager()
    # Who was made an analyst, by whom and when.
    history = ForwardM2MHistory(m2m_fields=["analysts"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("area_overview", kwargs={"area": self.slug})


class PartnershipQuerySet(models.QuerySet):
    def of_member(self, user: Any) -> PartnershipQuerySet:
        """Partnerships the person belongs to: as coordinator or through a core agency.

        The one place this rule lives (the permission rules read it through
        partners.permissions.member_partnership_ids).
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(coordinators=user) | Q(core_agencies__memberships__user=user)
        ).distinct()

    def for_member(self, user: Any) -> PartnershipQuerySet:
        """The partnerships whose plans the person works on: their own, or all for an admin."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        return self.of_member(user)

    def allowing_email(self, email: str) -> PartnershipQuerySet:
        """Partnerships that list the address's domain among their allowed e-mail domains."""
        domain = domain_of(email)
        if not domain:
            return self.none()
        # The domain whole, between the separators `email_domains` reads (or an "@").
        return self.filter(
            allowed_email_domains__iregex=rf"(^|[\s,;@]){re.escape(domain)}($|[\s,;])"
        )


class Partnership(models.Model):
    """A Community Safety Partnership: the agencies of one district planning together."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    core_agencies = models.ManyToManyField(
        Agency,
        related_name="partnerships",
        blank=True,
        help_text="The partnership's core members: the agencies that lead, support and agree "
        "its plans.",
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        help_text="The police force and commissioner's area the partnership belongs to.",
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_partnerships",
        blank=True,
        help_text="People who edit anything in the partnership's plans and move them through "
        "their stages.",
    )
    allowed_email_domains = models.TextField(
        blank=True,
        default="",
        validators=[validate_email_domains],
        help_text="E-mail domains (e.g. lichfielddc.gov.uk) of the member agencies: someone with "
        "such an address who signs in with their organisation's account, uninvited, may ask to "
        "join, and a coordinator approves or refuses. One per line.",
    )

    objects = PartnershipQuerySet.as_manager()
    # Who made whom a coordinator, and the allowed domains, over time (the members page lists it).
    history = ForwardM2MHistory(m2m_fields=["coordinators"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("home") + f"#partnership-{self.slug}"

    @property
    def email_domains(self) -> list[str]:
        return email_domains(self.allowed_email_domains)

    def allows_email(self, email: str) -> bool:
        """Whether the address is at one of the partnership's allowed domains (exactly)."""
        domain = domain_of(email)
        return bool(domain) and domain in self.email_domains


class MembershipQuerySet(models.QuerySet):
    def speaking_for(
        self, *, agency: Agency | int | None = None, partnership: Partnership | int | None = None
    ) -> MembershipQuerySet:
        """The memberships of people who may answer for an agency: for this agency, and/or for
        any core agency of this partnership. The one place this rule lives."""
        found = self.filter(may_speak_for_agency=True)
        if agency is not None:
            found = found.filter(agency=agency)
        if partnership is not None:
            found = found.filter(agency__partnerships=partnership)
        return found


class Membership(models.Model):
    """A person working in an agency, and whether they may speak for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    may_speak_for_agency = models.BooleanField(
        default=False,
        help_text="An agency representative: records the agency's agreement to a plan.",
    )

    objects = MembershipQuerySet.as_manager()
    # Who joined, left or was made to speak for an agency, by whom and when (the members page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "user__username"]
        constraints = [
            unique(
                "user",
                "agency",
                name="membership_unique_user_agency",
                message="This person is already a member of this agency.",
            )
        ]

    def __str__(self) -> str:
        role = "representative" if self.may_speak_for_agency else "officer"
        return f"{self.user} — {self.agency} ({role})"
