"""What the members pages read: each agency's people, the coordinators, waiting invitations and
requests, and the work nobody is left to do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F

from actions.models import Action
from lifecycle.models import Agreement
from partners.models import Agency, Membership, Partnership
from partners.permissions import AgencyInPartnership, can
from people.changes import Change, membership_changes
from people.models import AccessRequest, Invitation
from priorities.models import Plan

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@dataclass
class WorkLeft:
    """An agency with nobody left to do its work: the unfinished actions it leads (when it has
    no member), and the plans awaiting its answer (when nobody speaks for it)."""

    agency: Agency
    actions: list[Action] = field(default_factory=list)
    answers: list[Plan] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.actions or self.answers)


def work_left(
    *, partnership: Partnership, agencies: Iterable[Agency], without: User | None = None
) -> list[WorkLeft]:
    """The partnership's work that these agencies would have nobody for, once `without` (if
    given) is gone: unfinished actions an agency leads when no other active member of it
    remains, and plans in consultation awaiting its answer when nobody else speaks for it."""
    wanted = {agency.pk: agency for agency in agencies}
    members = Membership.objects.filter(agency__in=list(wanted), user__is_active=True)
    if without is not None:
        members = members.exclude(user=without)
    staffed = set(members.values_list("agency_id", flat=True))
    voiced = set(members.filter(may_speak_for_agency=True).values_list("agency_id", flat=True))
    found = {pk: WorkLeft(agency) for pk, agency in wanted.items()}
    for action in (
        Action.objects.filter(
            priority__plan__partnership=partnership,
            lead_agency__in=set(wanted) - staffed,
            status__in=[Action.Status.PROPOSED, Action.Status.IN_PROGRESS],
        )
        .select_related("priority__plan")
        .order_by("priority__plan__period_start", "priority__order", "order")
    ):
        assert action.lead_agency_id is not None
        found[action.lead_agency_id].actions.append(action)
    voiceless = set(wanted) - voiced
    if voiceless:
        for plan, agency_id in _answers_awaited(partnership, voiceless):
            found[agency_id].answers.append(plan)
    return [work for work in found.values() if work]


def _answers_awaited(partnership: Partnership, agency_ids: set[int]) -> list[tuple[Plan, int]]:
    plans = list(
        Plan.objects.filter(partnership=partnership, status=Plan.Status.CONSULTATION).order_by(
            "period_start"
        )
    )
    answered = set(
        Agreement.objects.filter(plan__in=plans, round=F("plan__consultation_round")).values_list(
            "plan_id", "agency_id"
        )
    )
    core = set(partnership.core_agencies.filter(pk__in=agency_ids).values_list("pk", flat=True))
    return [
        (plan, agency_id)
        for plan in plans
        for agency_id in sorted(core)
        if (plan.pk, agency_id) not in answered
    ]


@dataclass
class AgencyPeople:
    """One core agency on the members page, as the viewer may see it."""

    agency: Agency
    memberships: list[Membership]
    invitations: list[Invitation]


@dataclass
class MembersPage:
    partnership: Partnership
    agencies: list[AgencyPeople]
    coordinators: list[User]
    may_manage: bool
    requests: list[AccessRequest]
    unattended: list[WorkLeft]
    changes: list[Change]
    # Active members of the core agencies who do not coordinate: whom "make a coordinator" offers.
    candidates: list[User]
    # Whether the person may change the other names files use for the agencies.
    may_manage_names: bool = False


def members_page(*, partnership: Partnership, viewer: User | AnonymousUser) -> MembersPage:
    """The members page as this person may see it: every core agency for the coordinator (and an
    admin), the agencies they speak for for an agency's representative."""
    may_manage = can(viewer, "partners.manage_members", partnership)
    agencies = [
        agency
        for agency in partnership.core_agencies.order_by("name")
        if may_manage
        or can(viewer, "partners.manage_agency_members", AgencyInPartnership(partnership, agency))
    ]
    memberships = _by_agency(
        Membership.objects.filter(agency__in=agencies, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    invitations = _by_agency(
        Invitation.objects.open().filter(agency__in=agencies).select_related("created_by")
    )
    coordinators = list(
        partnership.coordinators.filter(is_active=True).order_by("first_name", "last_name")
    )
    rows = [
        AgencyPeople(agency, memberships[agency.pk], invitations[agency.pk]) for agency in agencies
    ]
    return MembersPage(
        partnership=partnership,
        agencies=rows,
        coordinators=coordinators,
        may_manage=may_manage,
        requests=_pending_requests(partnership) if may_manage else [],
        unattended=work_left(partnership=partnership, agencies=agencies),
        changes=membership_changes(
            partnership=partnership, agencies=agencies, with_partnership=may_manage
        ),
        candidates=_candidates(rows, coordinators) if may_manage else [],
        may_manage_names=can(viewer, "partners.manage_agency_names", partnership),
    )


def _by_agency(rows: Iterable[Membership | Invitation]) -> defaultdict[int, list]:
    grouped: defaultdict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.agency_id].append(row)
    return grouped


def _pending_requests(partnership: Partnership) -> list[AccessRequest]:
    return list(
        partnership.access_requests.filter(outcome=AccessRequest.Outcome.PENDING).select_related(
            "agency_guess", "user"
        )
    )


def _candidates(rows: list[AgencyPeople], coordinators: list[User]) -> list[User]:
    taken = {user.pk for user in coordinators}
    found: dict[int, User] = {}
    for row in rows:
        for membership in row.memberships:
            if membership.user_id not in taken:
                found.setdefault(membership.user_id, membership.user)
    return sorted(found.values(), key=lambda user: (user.get_full_name() or user.username).lower())
