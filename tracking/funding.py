"""Money behind a plan's actions: the services commissioned to deliver them.

`funding_summary(plan)` is a selector: what the plan's commissioned services add up to, by
priority and by funding source, in two queries however many services there are. The two service
functions record and remove a commissioned service; django-simple-history keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from actions.models import Action
from partners.history import record_author
from priorities.models import Plan, Priority
from tracking.models import CommissionedService

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PriorityFunding:
    priority: Priority
    total: Decimal
    services: int

    @property
    def label(self) -> str:
        return self.priority.title


@dataclass(frozen=True)
class SourceFunding:
    source: str  # a CommissionedService.Source value, e.g. "ldf"
    label: str  # its name, e.g. "Locality Delivery Funding"
    total: Decimal
    services: int


@dataclass
class FundingSummary:
    """Totals of one plan's commissioned services. Every priority is listed, with £0 where
    nothing is commissioned; only the funding sources actually used are."""

    by_priority: list[PriorityFunding] = field(default_factory=list)
    by_source: list[SourceFunding] = field(default_factory=list)
    total: Decimal = ZERO
    services: int = 0


def funding_summary(plan: Plan) -> FundingSummary:
    """Totals by priority, by funding source, and in all: two queries."""
    money: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    priorities = plan.priorities.annotate(
        funding_total=Coalesce(Sum("actions__services__amount"), Value(ZERO), output_field=money),
        funding_services=Count("actions__services"),
    ).order_by("order", "pk")
    by_priority = [
        PriorityFunding(p, _pounds(p.funding_total), p.funding_services) for p in priorities
    ]
    rows = (
        CommissionedService.objects.filter(action__priority__plan=plan)
        .values("funding_source")
        .annotate(total=Sum("amount"), services=Count("pk"))
        .order_by()
    )
    found = {row["funding_source"]: row for row in rows}
    # In the order the sources are defined (LDF first), not by amount: the table reads the same
    # from one quarter to the next.
    by_source = [
        SourceFunding(
            source, str(label), _pounds(found[source]["total"]), found[source]["services"]
        )
        for source, label in CommissionedService.Source.choices
        if source in found
    ]
    # A source no longer among the choices still counts, under its stored value.
    by_source += [
        SourceFunding(source, source, _pounds(row["total"]), row["services"])
        for source, row in sorted(found.items())
        if source not in CommissionedService.Source.values
    ]
    return FundingSummary(
        by_priority=by_priority,
        by_source=by_source,
        total=_pounds(sum((item.total for item in by_source), ZERO)),
        services=sum(item.services for item in by_source),
    )


def _pounds(amount: Decimal | int | None) -> Decimal:
    return Decimal(amount or 0).quantize(Decimal("0.01"))


@transaction.atomic
def commissioned_service_add(
    *,
    action: Action,
    user: Any,
    provider: str,
    amount: Decimal,
    funding_source: str = CommissionedService.Source.LDF,
    notes: str = "",
) -> CommissionedService:
    """Record a service commissioned to deliver the action."""
    service = CommissionedService(
        action=action, provider=provider, funding_source=funding_source, amount=amount, notes=notes
    )
    service.full_clean()
    record_author(service, user)
    service.save()
    return service


@transaction.atomic
def commissioned_service_remove(*, service: CommissionedService, user: Any) -> None:
    """Remove a commissioned service; its history keeps what it was and who removed it."""
    record_author(service, user)
    service.delete()
