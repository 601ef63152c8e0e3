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
from tracking.models import CommissionedService, FundingAllocation

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


# -- Allocated against committed: what each funding source gives the plan, and what the
# commissioned services of its actions commit of it.


@dataclass(frozen=True)
class SourcePosition:
    source: str  # a CommissionedService.Source value
    label: str
    allocated: Decimal | None  # None: no allocation recorded for this source
    committed: Decimal
    services: int

    @property
    def remaining(self) -> Decimal | None:
        return None if self.allocated is None else self.allocated - self.committed

    @property
    def over_committed(self) -> bool:
        """More is committed than the source allocates (or it allocates nothing on record)."""
        if self.allocated is None:
            return self.committed > 0
        return self.committed > self.allocated

    @property
    def status(self) -> str:
        """Where the source stands, in words (never colour alone)."""
        if self.allocated is None:
            return "No allocation recorded" if self.committed else "Nothing committed"
        remaining = self.allocated - self.committed
        if remaining < 0:
            return f"Over-committed by £{-remaining:,.2f}"
        return f"£{remaining:,.2f} left to commit"


@dataclass
class FundingPosition:
    """A plan's funding sources: allocated, committed, and which are over-committed."""

    sources: list[SourcePosition] = field(default_factory=list)
    summary: FundingSummary = field(default_factory=FundingSummary)

    @property
    def allocated(self) -> Decimal:
        return _pounds(sum((s.allocated or ZERO for s in self.sources), ZERO))

    @property
    def committed(self) -> Decimal:
        return self.summary.total

    @property
    def over_committed(self) -> list[SourcePosition]:
        return [source for source in self.sources if source.over_committed]

    @property
    def is_empty(self) -> bool:
        return not self.sources


def funding_position(plan: Plan) -> FundingPosition:
    """Each funding source that allocates to the plan or is committed by its services: allocated
    against committed. Three queries."""
    summary = funding_summary(plan)
    allocations = {a.source: a.amount for a in FundingAllocation.objects.filter(plan=plan)}
    committed = {row.source: row for row in summary.by_source}
    labels = dict(CommissionedService.Source.choices)
    order = [s for s in CommissionedService.Source.values if s in allocations or s in committed]
    order += sorted((allocations.keys() | committed.keys()) - set(order))
    sources = [
        SourcePosition(
            source=source,
            label=str(labels.get(source, source)),
            allocated=_pounds(allocations[source]) if source in allocations else None,
            committed=committed[source].total if source in committed else ZERO,
            services=committed[source].services if source in committed else 0,
        )
        for source in order
    ]
    return FundingPosition(sources=sources, summary=summary)


@transaction.atomic
def funding_allocations_save(
    *, plan: Plan, user: Any, amounts: dict[str, Decimal | None]
) -> list[FundingAllocation]:
    """Set what each funding source allocates to the plan (None removes a source's allocation);
    sources not named keep theirs. History records who changed what."""
    for source, amount in amounts.items():
        existing = FundingAllocation.objects.select_for_update().filter(plan=plan, source=source)
        allocation = existing.first()
        if amount is None:
            if allocation is not None:
                record_author(allocation, user)
                allocation.delete()
            continue
        if allocation is not None and allocation.amount == amount:
            continue
        allocation = allocation or FundingAllocation(plan=plan, source=source)
        allocation.amount = amount
        allocation.full_clean()
        record_author(allocation, user)
        allocation.save()
    return list(FundingAllocation.objects.filter(plan=plan))
