"""How far a plan is from ready: days to the deadline, every blocker by name, every empty cell, and
each core agency's answer (and who can give it online).

The one place these are counted: the readiness page, the workspace's summary and the services
that move the plan all read them from here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, blocking_gaps
from lifecycle.models import Agreement
from partners.models import Agency, Membership
from priorities.models import Plan

ADD_AN_ACTION = "Add an action"


@dataclass
class Issue:
    text: str
    url: str
    link_text: str


@dataclass
class AgencyAnswer:
    agency: Agency
    answer: Agreement | None
    # The people who may answer for the agency online (they speak for it); none: its answer is
    # recorded at a meeting.
    speakers: list[Any] = field(default_factory=list)

    @property
    def has_agreed(self) -> bool:
        return (
            self.answer is not None and self.answer.decision != Agreement.Decision.CHANGES_REQUESTED
        )


@dataclass
class Readiness:
    plan: Plan
    today: datetime.date
    blockers: list[Issue] = field(default_factory=list)
    # Every priority × theme cell with no action (a priority with none at all is a blocker too).
    warnings: list[Issue] = field(default_factory=list)
    answers: list[AgencyAnswer] = field(default_factory=list)

    @property
    def blocker_count(self) -> int:
        return len(self.blockers)

    @property
    def empty_cell_count(self) -> int:
        """The cells the workspace marks "Gap: no actions"."""
        return len(self.warnings)

    @property
    def pending_count(self) -> int:
        return len(self.pending)

    @property
    def agency_count(self) -> int:
        return len(self.answers)

    @property
    def days_left(self) -> int | None:
        if self.plan.deadline is None:
            return None
        return (self.plan.deadline - self.today).days

    @property
    def deadline_text(self) -> str:
        days = self.days_left
        if days is None:
            return "No deadline set"
        if days > 1:
            return f"{days} days left"
        if days == 1:
            return "1 day left"
        if days == 0:
            return "Due today"
        late = -days
        return f"{late} day{'s' if late != 1 else ''} late"

    @property
    def is_overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0 and not self.plan.is_published

    @property
    def pending(self) -> list[AgencyAnswer]:
        """Core agencies that have not agreed in the current round."""
        return [a for a in self.answers if not a.has_agreed]

    @property
    def changes_requested(self) -> list[AgencyAnswer]:
        return [
            a
            for a in self.answers
            if a.answer and a.answer.decision == Agreement.Decision.CHANGES_REQUESTED
        ]

    @property
    def can_send(self) -> bool:
        """Ready for agreement: nothing blocks but the agreements themselves."""
        return not self.blockers


class ActionFacts(Protocol):
    """What readiness reads of an action: a plain row (`_action_facts`), or a card of the
    workspace's grid, which has them all already (lifecycle/workspace.py)."""

    @property
    def pk(self) -> int: ...

    @property
    def priority_id(self) -> int: ...

    @property
    def theme_id(self) -> int | None: ...

    @property
    def lead_agency_id(self) -> int | None: ...

    @property
    def description(self) -> str: ...

    @property
    def outcome_count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Facts:
    pk: int
    priority_id: int
    theme_id: int | None
    lead_agency_id: int | None
    description: str
    outcome_count: int


def _action_facts(plan: Plan) -> list[_Facts]:
    """The plan's actions as readiness reads them, as plain rows in one query."""
    rows = (
        Action.objects.filter(priority__plan=plan)
        .order_by("priority__order", "order", "pk")
        .values_list("pk", "priority_id", "theme_id", "lead_agency_id", "description")
        # A measure standing alone (no outcome's text) is no outcome.
        .annotate(
            outcome_count=Count("outcomes", filter=~Q(outcomes__description=""), distinct=True)
        )
    )
    return [_Facts(*row) for row in rows]


def plan_readiness(
    plan: Plan,
    *,
    today: datetime.date | None = None,
    actions: Sequence[ActionFacts] | None = None,
) -> Readiness:
    """How far the plan is from ready. `actions`: every action of the plan, when the caller has
    them already (the unfiltered workspace), so they are not read twice."""
    facts: Sequence[ActionFacts] = _action_facts(plan) if actions is None else actions
    priorities = list(plan.priorities.order_by("order", "pk").values_list("pk", "title"))
    empty_priorities, empty_cells = _empty_places(plan, facts, priorities)
    return Readiness(
        plan=plan,
        today=today or timezone.localdate(),
        blockers=_incomplete_actions(facts, dict(priorities)) + empty_priorities,
        warnings=empty_cells,
        answers=_answers(plan),
    )


def _incomplete_actions(actions: Sequence[ActionFacts], titles: dict[int, str]) -> list[Issue]:
    """A blocker for each action that lacks what agreement needs (actions.models.blocking_gaps),
    in the plan's order: by priority, then as the actions are ordered."""
    order = {pk: n for n, pk in enumerate(titles)}
    blockers = []
    for action in sorted(actions, key=lambda a: order.get(a.priority_id, len(order))):
        missing = blocking_gaps(
            outcome_count=action.outcome_count,
            lead_agency_id=action.lead_agency_id,
            theme_id=action.theme_id,
        )
        if missing:
            text = f"“{_short(action.description)}” ({titles[action.priority_id]}) has "
            url = reverse("action_edit", args=[action.pk])
            blockers.append(Issue(text + " and ".join(missing), url, "Edit the action"))
    return blockers


def _empty_places(
    plan: Plan, actions: Sequence[ActionFacts], priorities: list[tuple[int, str]]
) -> tuple[list[Issue], list[Issue]]:
    """A blocker for each priority with no actions; a warning for each priority × theme cell
    with no action, as the workspace's grid shows the gaps."""
    themes = list(plan.partnership.themes.order_by("order", "name"))
    filled = {(a.priority_id, a.theme_id) for a in actions}
    busy = {a.priority_id for a in actions}
    add_url = reverse("action_add", args=[plan.partnership.slug, plan.period])
    blockers, warnings = [], []
    for pk, title in priorities:
        if pk not in busy:
            url = f"{add_url}?priority={pk}"
            blockers.append(Issue(f"The priority “{title}” has no actions", url, ADD_AN_ACTION))
        warnings += [
            Issue(
                f"{title} × {theme.name}: no action",
                f"{add_url}?priority={pk}&theme={theme.pk}",
                ADD_AN_ACTION,
            )
            for theme in themes
            if (pk, theme.pk) not in filled
        ]
    return blockers, warnings


def _answers(plan: Plan) -> list[AgencyAnswer]:
    """Each core agency, with its answer in the current round (None before it answers) and who
    may give it online: three queries, however many agencies."""
    answers = {
        a.agency_id: a
        for a in plan.agreements.filter(round=plan.consultation_round).select_related("decided_by")
    }
    speakers = speakers_by_agency(plan)
    return [
        AgencyAnswer(agency, answers.get(agency.pk), speakers.get(agency.pk, []))
        for agency in plan.partnership.core_agencies.order_by("name")
    ]


def speakers_by_agency(plan: Plan) -> dict[int, list[Any]]:
    """The active people who speak for each core agency of the plan's partnership, in one query."""
    found: dict[int, list[Any]] = {}
    memberships = (
        Membership.objects.speaking_for(partnership=plan.partnership_id)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    for membership in memberships:
        found.setdefault(membership.agency_id, []).append(membership.user)
    return found


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def answers_cleared_by_edits(plan: Plan, agencies: Iterable[Agency]) -> list[Agreement]:
    """These agencies' answers from earlier rounds, which an edit since has cleared."""
    answered_now = plan.agreements.filter(round=plan.consultation_round).values("agency")
    latest: dict[int, Agreement] = {}
    for answer in (
        plan.agreements.filter(agency__in=agencies, round__lt=plan.consultation_round)
        .exclude(agency__in=answered_now)
        .select_related("agency")
        .order_by("round")
    ):
        latest[answer.agency_id] = answer
    return list(latest.values())
