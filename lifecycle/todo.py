"""What a person owes, plan by plan: the signed-in home page's to-do list and the header's count.

For each plan of the partnerships a person belongs to: the agreement awaited from an agency they
speak for; their agencies' actions that still block the plan; progress updates due or overdue in
the reporting calendar; and, for a coordinator, the changes agencies asked for. A fixed number of
queries, however many plans and actions there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone

from actions.models import Action
from lifecycle.models import Agreement
from partners.models import Agency, Membership, Partnership
from partners.permissions import agency_ids, coordinated_partnership_ids
from priorities.models import Plan
from tracking.progress import OwedUpdate, updates_owed


def deadline_text(plan: Plan, today: datetime.date) -> str:
    """How far the plan is from its deadline, in words. A plan already published, or whose year
    is over, says when its deadline was rather than how late it is."""
    if plan.deadline is None:
        return "No deadline set"
    if plan.has_published_version or plan.period_end < today:
        return f"Deadline was {formats.date_format(plan.deadline)}"
    days = (plan.deadline - today).days
    if days > 1:
        return f"{days} days to the deadline ({formats.date_format(plan.deadline)})"
    if days == 1:
        return f"1 day to the deadline ({formats.date_format(plan.deadline)})"
    if days == 0:
        return "The deadline is today"
    late = -days
    return f"{late} day{'s' if late != 1 else ''} past the deadline"


@dataclass
class PlanTodo:
    plan: Plan
    deadline: str
    answers: list[Agency] = field(default_factory=list)  # agencies whose answer I may give
    blocking: list[Action] = field(default_factory=list)  # my agencies' actions that block
    updates: list[OwedUpdate] = field(default_factory=list)
    changes_requested: list[Agreement] = field(default_factory=list)  # as coordinator

    @property
    def overdue(self) -> list[OwedUpdate]:
        return [owed for owed in self.updates if owed.is_overdue]

    @property
    def due(self) -> list[OwedUpdate]:
        return [owed for owed in self.updates if not owed.is_overdue]

    @property
    def count(self) -> int:
        return (
            len(self.answers) + len(self.blocking) + len(self.updates) + len(self.changes_requested)
        )


@dataclass
class Todo:
    plans: list[PlanTodo] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(len(getattr(item, name)) for item in self.plans)

    @property
    def answers(self) -> int:
        return self._sum("answers")

    @property
    def blocking(self) -> int:
        return self._sum("blocking")

    @property
    def updates_due(self) -> int:
        return self._sum("due")

    @property
    def updates_overdue(self) -> int:
        return self._sum("overdue")

    @property
    def changes_requested(self) -> int:
        return self._sum("changes_requested")

    @property
    def total(self) -> int:
        return sum(item.count for item in self.plans)

    @property
    def with_something(self) -> list[PlanTodo]:
        return [item for item in self.plans if item.count]


def todo_for(user: Any, *, today: datetime.date | None = None) -> Todo:
    """Everything the person owes, for each plan of the partnerships they belong to, newest
    first."""
    if not user.is_authenticated:
        return Todo()
    today = today or timezone.localdate()
    plans = list(
        Plan.objects.filter(partnership__in=Partnership.objects.of_member(user))
        .select_related("partnership")
        .order_by("-period_start", "partnership__name")
    )
    if not plans:
        return Todo()
    items = {plan.pk: PlanTodo(plan, deadline_text(plan, today)) for plan in plans}
    open_plans = [plan for plan in plans if plan.is_draft or plan.in_consultation]
    _blocking(user, open_plans, items)
    _answers(user, [plan for plan in plans if plan.in_consultation], items)
    for owed in updates_owed(user=user, plans=plans, today=today):
        items[owed.action.priority.plan_id].updates.append(owed)
    return Todo(list(items.values()))


def _blocking(user: Any, plans: list[Plan], items: dict[int, PlanTodo]) -> None:
    """The person's agencies' actions that stop their plan being sent for agreement."""
    mine = agency_ids(user)
    if not plans or not mine:
        return
    actions = (
        Action.objects.filter(priority__plan__in=plans, lead_agency__in=mine)
        .blocking()  # only those: a big plan's complete actions are not read at all
        .select_related("priority", "theme", "lead_agency")
        .with_outcome_count()
        .order_by("priority__order", "order", "pk")
    )
    for action in actions:
        if action.blocking_gaps:
            items[action.priority.plan_id].blocking.append(action)


def _answers(user: Any, plans: list[Plan], items: dict[int, PlanTodo]) -> None:
    """In plans out for agreement: the answers awaited from agencies the person speaks for, and,
    for the coordinator, the changes agencies asked for in the current round."""
    if not plans:
        return
    answered: dict[int, dict[int, Agreement]] = defaultdict(dict)
    for answer in Agreement.objects.filter(plan__in=plans).select_related("agency"):
        if answer.round == items[answer.plan_id].plan.consultation_round:
            answered[answer.plan_id][answer.agency_id] = answer
    speaking = Membership.objects.speaking_for().filter(user=user).select_related("agency")
    spoken_for = {membership.agency_id: membership.agency for membership in speaking}
    core: dict[int, set[int]] = defaultdict(set)
    through = Partnership.core_agencies.through.objects.filter(
        partnership__in={plan.partnership_id for plan in plans}, agency__in=list(spoken_for)
    )
    for partnership_id, agency_id in through.values_list("partnership_id", "agency_id"):
        core[partnership_id].add(agency_id)
    coordinated = coordinated_partnership_ids(user)
    for plan in plans:
        item = items[plan.pk]
        given = answered[plan.pk]
        item.answers = sorted(
            (
                spoken_for[agency_id]
                for agency_id in core[plan.partnership_id]
                if agency_id not in given
            ),
            key=lambda agency: agency.name,
        )
        if plan.partnership_id in coordinated:
            item.changes_requested = [a for a in given.values() if a.asks_for_changes]
