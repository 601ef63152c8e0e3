"""Who may do what: every permission of the product is decided here.

Rules (django-rules predicates) answer "may this person do this to this object?". Every object the
rules are asked about belongs to a plan and says which (`get_plan()`, see `InPlan`): a plan, a
priority, an action, an outcome, a progress update, a measure, a figure, a commissioned service.
The rules read the plan's partnership and stage through the plan's own properties, so this module
imports no model above `partners` (the import contract in pyproject.toml says so).

`check_access` turns an answer into the product's responses: 404 for objects a person may not see
(another partnership's draft), 403 for what a member may see but not change. A 403 says what the
person lacks (`refusal`, `answer_refusal`) and names the partnership, whose coordinators the 403
page offers as the people who can help (`Refused`, partners/errors.py). Each app's scoped
fetch helpers (`priorities.access`, `actions.access`, `tracking.access`) call it; views, templates
(`{% can %}`, partners/templatetags/permissions.py) and the admin all ask the same rules.

We test rules with `rules.has_perm`, not `user.has_perm`: Django's `User.has_perm` answers yes to
a superuser before any rule runs, and some rules (nothing changes in a plan that is not a draft)
hold for admins too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partners.models import Agency, Area, Membership, Partnership


class PlanLike(Protocol):
    """What the rules read of a plan (priorities.models.Plan)."""

    partnership_id: int

    @property
    def is_draft(self) -> bool: ...

    @property
    def in_consultation(self) -> bool: ...

    @property
    def is_agreed(self) -> bool: ...

    @property
    def is_published(self) -> bool: ...

    @property
    def has_published_version(self) -> bool: ...


class InPlan(Protocol):
    """Anything the rules are asked about: it names the plan it belongs to."""

    def get_plan(self) -> PlanLike: ...


# -- What we know of a person, read once per request and kept on the user object.


def _cached(user: Any, name: str, read: Any) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, name):
        setattr(user, name, frozenset(read()))
    return getattr(user, name)


def agency_ids(user: Any) -> frozenset[int]:
    """The agencies the person works in."""
    return _cached(
        user,
        "_csp_agency_ids",
        lambda: Membership.objects.filter(user=user).values_list("agency_id", flat=True),
    )


def coordinated_partnership_ids(user: Any) -> frozenset[int]:
    return _cached(
        user,
        "_csp_coordinated_ids",
        lambda: user.coordinated_partnerships.values_list("pk", flat=True),
    )


def member_partnership_ids(user: Any) -> frozenset[int]:
    """Partnerships the person belongs to: coordinated, or with one of their agencies as core."""
    return _cached(
        user,
        "_csp_member_ids",
        lambda: Partnership.objects.of_member(user).values_list("pk", flat=True),
    )


def analysed_area_ids(user: Any) -> frozenset[int]:
    """The areas the person reads as a county analyst."""
    return _cached(
        user, "_csp_analysed_area_ids", lambda: user.analysed_areas.values_list("pk", flat=True)
    )


def analysed_partnership_ids(user: Any) -> frozenset[int]:
    """The partnerships of the areas the person reads as a county analyst."""
    return _cached(
        user,
        "_csp_analysed_partnership_ids",
        lambda: Partnership.objects.filter(area__analysts=user).values_list("pk", flat=True),
    )


def spoken_for_agency_ids(user: Any) -> frozenset[int]:
    """The agencies the person may answer for (in any partnership that has them as core)."""
    return _cached(
        user,
        "_csp_spoken_for_ids",
        lambda: (
            Membership.objects.speaking_for().filter(user=user).values_list("agency_id", flat=True)
        ),
    )


def speaks_for(user: Any, agency: Agency, partnership: Partnership | None = None) -> bool:
    """Whether the person may answer for the agency (in the partnership, when given)."""
    if not user.is_authenticated:
        return False
    representatives = Membership.objects.speaking_for(agency=agency, partnership=partnership)
    return representatives.filter(user=user).exists()


# -- Predicates.


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_superuser and user.is_active)


@rules.predicate
def is_member(user: Any, obj: InPlan) -> bool:
    return obj.get_plan().partnership_id in member_partnership_ids(user)


@rules.predicate
def is_coordinator(user: Any, obj: InPlan) -> bool:
    return obj.get_plan().partnership_id in coordinated_partnership_ids(user)


@rules.predicate
def reads_area(user: Any, obj: InPlan) -> bool:
    """A county analyst of the area the plan's partnership belongs to: reads, never changes."""
    return obj.get_plan().partnership_id in analysed_partnership_ids(user)


@rules.predicate
def analyses_area(user: Any, area: Area) -> bool:
    return area.pk in analysed_area_ids(user)


@rules.predicate
def plan_is_draft(user: Any, obj: InPlan) -> bool:
    return obj.get_plan().is_draft


@rules.predicate
def plan_in_consultation(user: Any, obj: InPlan) -> bool:
    return obj.get_plan().in_consultation


@rules.predicate
def plan_is_public(user: Any, obj: InPlan) -> bool:
    """A version of the plan has been published: the public reads that version."""
    return obj.get_plan().has_published_version


@rules.predicate
def speaks_for_a_core_agency(user: Any, obj: InPlan) -> bool:
    if not user.is_authenticated:
        return False
    partnership_id = obj.get_plan().partnership_id
    return Membership.objects.speaking_for(partnership=partnership_id).filter(user=user).exists()


@rules.predicate
def in_lead_agency(user: Any, action: Any) -> bool:
    return action.lead_agency_id is not None and action.lead_agency_id in agency_ids(user)


@rules.predicate
def in_supporting_agency(user: Any, action: Any) -> bool:
    mine = agency_ids(user)
    # Reads the prefetched agencies where the caller prefetched them.
    return any(agency.pk in mine for agency in action.supporting_agencies.all())


@rules.predicate
def in_figure_agency(user: Any, figure: Any) -> bool:
    return figure.agency_id is not None and figure.agency_id in agency_ids(user)


# -- The partnership's people (the members pages): asked of a Partnership, or of one of its core
# agencies (an AgencyInPartnership).


@dataclass(frozen=True)
class AgencyInPartnership:
    """A core agency of a partnership: what an agency's representative manages the people of.
    Whoever builds one checks that the agency is a core agency of the partnership."""

    partnership: Partnership
    agency: Agency


def _partnership_id(obj: Partnership | AgencyInPartnership) -> int:
    return obj.partnership.pk if isinstance(obj, AgencyInPartnership) else obj.pk


@rules.predicate
def in_partnership(user: Any, obj: Partnership | AgencyInPartnership) -> bool:
    return _partnership_id(obj) in member_partnership_ids(user)


@rules.predicate
def coordinates_partnership(user: Any, obj: Partnership | AgencyInPartnership) -> bool:
    return _partnership_id(obj) in coordinated_partnership_ids(user)


@rules.predicate
def speaks_for_one_of_its_agencies(user: Any, partnership: Partnership) -> bool:
    spoken_for_partnerships = _cached(
        user,
        "_csp_spoken_for_partnership_ids",
        lambda: (
            Membership.objects.speaking_for()
            .filter(user=user, agency__partnerships__isnull=False)
            .values_list("agency__partnerships", flat=True)
        ),
    )
    return partnership.pk in spoken_for_partnerships


@rules.predicate
def speaks_for_the_agency(user: Any, seat: AgencyInPartnership) -> bool:
    return seat.agency.pk in spoken_for_agency_ids(user)


can_see = plan_is_public | is_admin | is_member
runs_plan = is_admin | is_coordinator
# A draft is edited by the agencies; in consultation only the coordinator edits (and every edit
# starts a new round of agreement); after that nothing changes until the plan is amended.
coordinator_may_edit = (plan_is_draft | plan_in_consultation) & runs_plan

PERMISSIONS = {
    # Plans: the published plan for everyone; drafts and the workspace for members. A county
    # analyst reads every plan of the area's partnerships as the public would (restricted actions
    # reduced to who leads them), and works on none.
    "priorities.view_plan": can_see | reads_area,
    "priorities.use_workspace": is_admin | is_member,
    # Priorities: the coordinator shapes the draft.
    "priorities.add_priority": coordinator_may_edit,
    "priorities.change_priority": coordinator_may_edit,
    "priorities.delete_priority": coordinator_may_edit,
    # Actions: any member agency drafts; the agencies on an action edit it; its lead removes it
    # and decides whether it is restricted from the public plan.
    "actions.view_action": is_admin | is_member,
    "actions.add_action": coordinator_may_edit | (plan_is_draft & is_member),
    "actions.change_action": coordinator_may_edit
    | (plan_is_draft & (in_lead_agency | in_supporting_agency)),
    "actions.delete_action": coordinator_may_edit | (plan_is_draft & in_lead_agency),
    "actions.restrict_action": coordinator_may_edit | (plan_is_draft & in_lead_agency),
    # Through the year: the lead agency reports progress on a published plan's actions; each
    # agency enters its own figures; the coordinator defines the measures and the evidence.
    "tracking.update_progress": plan_is_public & (runs_plan | in_lead_agency),
    "tracking.record_funding": runs_plan | in_lead_agency,
    "tracking.manage_measures": runs_plan,
    "tracking.manage_calendar": runs_plan,
    "tracking.enter_figure": runs_plan | (is_member & in_figure_agency),
    "tracking.view_tracking": is_admin | is_member,
    "tracking.manage_assessment": runs_plan,
    "tracking.manage_funding": runs_plan,
    # Reports for the board and scrutiny (the quarterly progress report, the annual review):
    # members produce them, restricted actions included, and their version for the public; a
    # county analyst reads the version for the public only.
    "reports.view_report": is_admin | is_member | reads_area,
    "reports.view_full_report": is_admin | is_member,
    # The plan's stages, moved by the coordinator; agencies answer through their representatives.
    "lifecycle.run_plan": runs_plan,
    "lifecycle.answer_for_agency": speaks_for_a_core_agency,
    # The canonical plan file: the coordinator (or an admin) imports actions into a draft, and
    # exports any of the partnership's plans.
    "planfiles.import_plan": plan_is_draft & runs_plan,
    "planfiles.export_plan": runs_plan,
    # The partnership's people (the members pages), asked of a partnership: anyone else gets "not
    # found"; the coordinator manages them all (who speaks for each agency, who coordinates, the
    # allowed e-mail domains, requests to join); an agency's representative sees, invites and
    # removes the people of the agencies they speak for only (asked of an AgencyInPartnership).
    "partners.view_partnership": is_admin | in_partnership,
    "partners.view_members": is_admin | coordinates_partnership | speaks_for_one_of_its_agencies,
    "partners.manage_members": is_admin | coordinates_partnership,
    "partners.manage_agency_members": is_admin
    | coordinates_partnership
    | (in_partnership & speaks_for_the_agency),
    # The other names ("LDC", "SFRS") every file and form finds the partnership's core agencies
    # by (partners/aliases.py): its coordinator, or an admin.
    "partners.manage_agency_names": is_admin | coordinates_partnership,
    # The county view of an area's partnerships, asked of an Area: its analysts and admins.
    "partners.view_area": is_admin | analyses_area,
}

for name, rule in PERMISSIONS.items():
    rules.set_perm(name, rule)


def can(user: Any, permission: str, obj: InPlan | Partnership | AgencyInPartnership | Area) -> bool:
    return bool(rules.has_perm(permission, user, obj))


@dataclass(frozen=True)
class ActionChangeRule:
    """ "actions.change_action" decided once for all the actions of one plan, for pages that list
    hundreds of them (the workspace): what depends on the plan and the person is worked out once
    (`action_change_rule`), and each action then costs two set lookups instead of a rule
    evaluation. tests/partners/test_permissions.py holds it to `can` for the whole cast."""

    every: bool  # may change every action of the plan (the coordinator, an admin)
    agencies: frozenset[int]  # otherwise: those these agencies lead or support

    @property
    def needs_supporting_agencies(self) -> bool:
        """Whether `may_change` must be told the actions' supporting agencies."""
        return bool(self.agencies)

    def may_change(self, lead_agency_id: int | None, supporting_ids: frozenset[int]) -> bool:
        return (
            self.every
            or (lead_agency_id is not None and lead_agency_id in self.agencies)
            or not self.agencies.isdisjoint(supporting_ids)
        )


def action_change_rule(user: Any, plan: InPlan) -> ActionChangeRule:
    """The rule `coordinator_may_edit | (plan_is_draft & (in_lead_agency | in_supporting_agency))`
    for the actions of `plan`, its plan-wide parts decided here once."""
    if coordinator_may_edit(user, plan):
        return ActionChangeRule(every=True, agencies=frozenset())
    if plan_is_draft(user, plan):
        return ActionChangeRule(every=False, agencies=agency_ids(user))
    return ActionChangeRule(every=False, agencies=frozenset())


class Refused(PermissionDenied):
    """A 403 that says what the person lacks, and in which partnership: the 403 page names that
    partnership's coordinators as the people who can help (partners/errors.py)."""

    def __init__(self, message: str, *, partnership_id: int | None = None) -> None:
        super().__init__(message)
        self.partnership_id = partnership_id


def require(user: Any, permission: str, obj: InPlan, message: str) -> None:
    """Refuse with the sentence given unless the person may do this to the object."""
    if not can(user, permission, obj):
        raise Refused(message, partnership_id=obj.get_plan().partnership_id)


Obj = TypeVar("Obj", bound=InPlan | Partnership | AgencyInPartnership)


def check_access(user: Any, obj: Obj, see: str, do: str | None = None) -> Obj:
    """The object, if the person may see it (else 404) and do `do` to it (else 403, saying why)."""
    if not can(user, see, obj):
        raise Http404("Not found.")
    if do is not None and not can(user, do, obj):
        raise Refused(refusal(user, obj, do), partnership_id=partnership_id_of(obj))
    return obj


def partnership_id_of(obj: InPlan | Partnership | AgencyInPartnership) -> int:
    """The partnership an object of the rules belongs to."""
    if isinstance(obj, Partnership | AgencyInPartnership):
        return _partnership_id(obj)
    return obj.get_plan().partnership_id


# -- Why not: each refusal in a sentence that says what the person lacks.

COORDINATOR = "the partnership's coordinator"
IN_CONSULTATION = (
    f"While the plan is out for agreement only {COORDINATOR} changes it: every change asks the "
    "agencies to agree again."
)
# Changes to the plan's content: who may make them while it is a draft. In consultation only the
# coordinator edits; once agreed, nobody does (see `coordinator_may_edit`).
DRAFT_EDITS = {
    "priorities.add_priority": f"Only {COORDINATOR} can add priorities to the plan.",
    "priorities.change_priority": f"Only {COORDINATOR} can change the plan's priorities.",
    "priorities.delete_priority": f"Only {COORDINATOR} can remove a priority from the plan.",
    "actions.add_action": f"Only the partnership's member agencies and {COORDINATOR} can add "
    "actions.",
    "actions.change_action": "Only the lead or supporting agencies of this action, or the "
    "coordinator, can change it while the plan is a draft.",
    "actions.delete_action": "Only the lead agency of this action, or the coordinator, can remove "
    "it.",
    "actions.restrict_action": "Only the lead agency of this action, or the coordinator, can "
    "decide whether the public reads it.",
}
OTHER_REFUSALS = {
    # The partnership's people.
    "partners.view_partnership": "Only the partnership's members can see it.",
    "partners.view_members": f"Only {COORDINATOR} and the people who speak for its agencies can "
    "see who belongs to them.",
    "partners.manage_members": f"Only {COORDINATOR} can change who coordinates, who speaks for an "
    "agency and which e-mail domains may ask to join.",
    "partners.manage_agency_members": f"Only {COORDINATOR}, or someone who speaks for the agency, "
    "can invite or remove its people.",
    "partners.manage_agency_names": f"Only {COORDINATOR} can change the other names files use "
    "for its agencies.",
    # Seeing is refused as "not found" (check_access); in words, for any other caller:
    "priorities.view_plan": "Only the partnership's members can read the plan until it is "
    "published.",
    "priorities.use_workspace": "Only the partnership's members can work on its plans.",
    "actions.view_action": "Only the partnership's members can see its actions.",
    "tracking.update_progress": "Only the lead agency of this action, or the coordinator, can "
    "record its progress.",
    "tracking.record_funding": "Only the lead agency of this action, or the coordinator, can "
    "record the services bought to deliver it.",
    "tracking.manage_measures": f"Only {COORDINATOR} can define the plan's measures.",
    "tracking.manage_calendar": f"Only {COORDINATOR} can set the reporting calendar's due dates.",
    "tracking.enter_figure": "Only the agency a figure belongs to, or the coordinator, can enter "
    "it.",
    "tracking.view_tracking": "Only the partnership's members can see how the plan is going.",
    "tracking.manage_assessment": f"Only {COORDINATOR} can add or change the Strategic Assessment.",
    "tracking.manage_funding": f"Only {COORDINATOR} can set what the plan's funding sources "
    "allocate.",
    "reports.view_report": "Only the partnership's members, and the county analysts of its area, "
    "can read its progress reports.",
    "reports.view_full_report": "Only the partnership's members can read the report with its "
    "restricted actions: yours is the version for the public.",
    "partners.view_area": "Only the area's county analysts can see its partnerships side by side.",
    "lifecycle.run_plan": f"Only {COORDINATOR} can move the plan through its stages.",
    "planfiles.import_plan": f"Only {COORDINATOR} can import actions into the plan.",
    "planfiles.export_plan": f"Only {COORDINATOR} can download the plan file.",
}


def _frozen(plan: PlanLike) -> str:
    if plan.is_agreed:
        return (
            "The plan is agreed: nothing in it changes now. Once it is published, "
            f"{COORDINATOR} can amend it, which opens a new draft."
        )
    return f"The plan is published: nothing in it changes until {COORDINATOR} amends it."


def refusal(user: Any, obj: InPlan | Partnership | AgencyInPartnership, permission: str) -> str:
    """Why the person may not do this to the object, in a sentence: what they lack."""
    if isinstance(obj, Partnership | AgencyInPartnership):
        return OTHER_REFUSALS.get(permission, "Your account cannot do this.")
    plan = obj.get_plan()
    if permission in DRAFT_EDITS:
        if plan.is_draft:
            return DRAFT_EDITS[permission]
        return IN_CONSULTATION if plan.in_consultation else _frozen(plan)
    if permission == "tracking.update_progress" and not plan.has_published_version:
        return "Progress is recorded once the plan is published."
    if permission == "planfiles.import_plan" and not plan.is_draft and runs_plan(user, obj):
        return "Actions are imported into a draft plan only."
    if permission == "lifecycle.answer_for_agency":
        return answer_refusal(user, plan.partnership_id)
    return OTHER_REFUSALS.get(permission, "Your account cannot do this.")


def name_of(user: Any) -> str:
    return user.get_full_name() or user.username


def _names(people: list[Any], joiner: str = "and") -> str:
    names = [name_of(person) for person in people]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def answer_refusal(user: Any, partnership: Partnership | int, agency: Agency | None = None) -> str:
    """Why the person may not answer for the agency (their own in the partnership when none is
    given), who does, and how to become one who does."""
    if not isinstance(partnership, Partnership):
        partnership = Partnership.objects.get(pk=partnership)
    core = partnership.core_agencies.all()
    mine = core.filter(pk__in=agency_ids(user)).order_by("name")
    if agency is None:
        agency = mine.first()
        if agency is None:
            return _answer_refusal_without_agency(user, partnership)
    if not core.filter(pk=agency.pk).exists():
        return f"{agency} is not a core agency of {partnership}: only its core agencies answer."
    speakers = [
        membership.user
        for membership in Membership.objects.speaking_for(agency=agency, partnership=partnership)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    ]
    if speakers:
        text = f"Only someone who speaks for {agency} can answer for it: {_names(speakers)}."
    else:
        text = (
            f"Only someone who speaks for {agency} can answer for it, and no one does yet: "
            f"{COORDINATOR} can record the answer it gives at a board meeting."
        )
    if agency.pk in agency_ids(user):
        coordinators = list(partnership.coordinators.filter(is_active=True).order_by("username"))
        who = f" ({_names(coordinators, 'or')})" if coordinators else ""
        text += f" Ask {COORDINATOR}{who} to let you speak for your agency."
    return text


def _answer_refusal_without_agency(user: Any, partnership: Partnership) -> str:
    text = "Only people who speak for one of the partnership's core agencies answer for them here."
    if partnership.pk in coordinated_partnership_ids(user):
        text += (
            " As its coordinator, you record the answers agencies give at a board meeting "
            "(Readiness and agreement, then Record answers given at a meeting)."
        )
    return text
