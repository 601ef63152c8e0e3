"""Who may do what: every permission of the product is decided here.

Rules (django-rules predicates) answer "may this person do this to this object?"; the fetch
helpers below turn the answer into the product's responses: 404 for objects a person may not see
(another partnership's draft), 403 for what a member may see but not change. Views, templates
(`{% load rules %}{% has_perm … %}`) and the admin all ask the same rules.

We test rules with `rules.has_perm`, not `user.has_perm`: Django's `User.has_perm` answers yes to
a superuser before any rule runs, and some rules (nothing changes in a plan that is not a draft)
hold for admins too.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from actions.models import Action, CommissionedService, Figure, Measure, Outcome, ProgressUpdate
from partners.models import Membership, Partnership
from priorities.models import Plan, Priority

# -- What we know of a person, read once per request and kept on the user object.


def agency_ids(user) -> frozenset[int]:
    """The agencies the person works in."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_csp_agency_ids"):
        user._csp_agency_ids = frozenset(
            Membership.objects.filter(user=user).values_list("agency_id", flat=True)
        )
    return user._csp_agency_ids


def coordinated_partnership_ids(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_csp_coordinated_ids"):
        user._csp_coordinated_ids = frozenset(
            user.coordinated_partnerships.values_list("pk", flat=True)
        )
    return user._csp_coordinated_ids


def member_partnership_ids(user) -> frozenset[int]:
    """Partnerships the person belongs to: coordinated, or with one of their agencies as core."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_csp_member_ids"):
        user._csp_member_ids = frozenset(
            Partnership.objects.filter(
                Q(coordinators=user) | Q(core_agencies__memberships__user=user)
            ).values_list("pk", flat=True)
        ) | coordinated_partnership_ids(user)
    return user._csp_member_ids


def plan_of(obj) -> Plan:
    if isinstance(obj, Plan):
        return obj
    if isinstance(obj, Priority):
        return obj.plan
    if isinstance(obj, Action):
        return obj.priority.plan
    if isinstance(obj, Outcome | ProgressUpdate | CommissionedService):
        return obj.action.priority.plan
    if isinstance(obj, Measure):
        return obj.plan
    if isinstance(obj, Figure):
        return obj.measure.plan
    raise TypeError(f"No plan for {type(obj).__name__}")


# -- Predicates.


@rules.predicate
def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser and user.is_active)


@rules.predicate
def is_member(user, obj) -> bool:
    return plan_of(obj).partnership_id in member_partnership_ids(user)


@rules.predicate
def is_coordinator(user, obj) -> bool:
    return plan_of(obj).partnership_id in coordinated_partnership_ids(user)


@rules.predicate
def plan_is_draft(user, obj) -> bool:
    return plan_of(obj).status == Plan.Status.DRAFT


@rules.predicate
def plan_in_consultation(user, obj) -> bool:
    return plan_of(obj).status == Plan.Status.CONSULTATION


@rules.predicate
def plan_is_public(user, obj) -> bool:
    """A version of the plan has been published: the public reads that version."""
    return plan_of(obj).has_published_version


@rules.predicate
def speaks_for_a_core_agency(user, obj) -> bool:
    partnership_id = plan_of(obj).partnership_id
    return (
        Membership.objects.filter(
            user=user, may_speak_for_agency=True, agency__partnerships=partnership_id
        ).exists()
        if user.is_authenticated
        else False
    )


@rules.predicate
def in_lead_agency(user, action: Action) -> bool:
    return action.lead_agency_id is not None and action.lead_agency_id in agency_ids(user)


@rules.predicate
def in_supporting_agency(user, action: Action) -> bool:
    mine = agency_ids(user)
    # Reads the prefetched agencies where the caller prefetched them.
    return any(agency.pk in mine for agency in action.supporting_agencies.all())


@rules.predicate
def in_figure_agency(user, figure: Figure) -> bool:
    return figure.agency_id is not None and figure.agency_id in agency_ids(user)


can_see = plan_is_public | is_admin | is_member
runs_plan = is_admin | is_coordinator
# A draft is edited by the agencies; in consultation only the coordinator edits (and every edit
# starts a new round of agreement); after that nothing changes until the plan is amended.
coordinator_may_edit = (plan_is_draft | plan_in_consultation) & runs_plan

PERMISSIONS = {
    # Plans: the published plan for everyone; drafts and the workspace for members.
    "priorities.view_plan": can_see,
    "priorities.use_workspace": is_admin | is_member,
    # The plan's stages, moved by the coordinator; agencies answer through their representatives.
    "priorities.run_plan": runs_plan,
    "priorities.answer_for_agency": speaks_for_a_core_agency,
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
    "actions.update_progress": plan_is_public & (runs_plan | in_lead_agency),
    "actions.record_funding": runs_plan | in_lead_agency,
    "actions.manage_measures": runs_plan,
    "actions.enter_figure": runs_plan | (is_member & in_figure_agency),
    "actions.view_tracking": is_admin | is_member,
    "priorities.manage_assessment": runs_plan,
    # The canonical plan file: the coordinator (or an admin) imports actions into a draft, and
    # exports any of the partnership's plans.
    "priorities.import_plan": plan_is_draft & runs_plan,
    "priorities.export_plan": runs_plan,
}

for name, rule in PERMISSIONS.items():
    rules.set_perm(name, rule)


def can(user, permission: str, obj) -> bool:
    return rules.has_perm(permission, user, obj)


# -- Scoped fetch helpers: 404 for what the person may not see, 403 for what they may not do.


def _check(user, obj, see: str, do: str | None):
    if not can(user, see, obj):
        raise Http404("Not found.")
    if do is not None and not can(user, do, obj):
        raise PermissionDenied("You cannot make this change.")
    return obj


def fetch_plan(user, partnership_slug: str, period: str, *, perm: str | None = None) -> Plan:
    plan = Plan.objects.at(partnership_slug, period)
    if plan is None:
        raise Http404("No such plan.")
    return _check(user, plan, "priorities.use_workspace", perm)


def fetch_priority(user, pk: int, *, perm: str | None = None) -> Priority:
    priority = get_object_or_404(Priority.objects.select_related("plan__partnership"), pk=pk)
    return _check(user, priority, "priorities.use_workspace", perm)


def fetch_action(user, pk: int, *, perm: str | None = None) -> Action:
    action = get_object_or_404(
        Action.objects.select_related(
            "priority__plan__partnership", "theme", "lead_agency", "created_by", "updated_by"
        ).prefetch_related("supporting_agencies"),
        pk=pk,
    )
    return _check(user, action, "actions.view_action", perm)
