"""The rules themselves (partners/permissions.py), asked directly for each role: a page's choice
list is not the rule."""

import pytest

from actions.models import Action
from partners.permissions import action_change_rule, can
from tests.factories import ActionFactory
from tracking.models import Figure

ROLES = (
    "anonymous",
    "lead_officer",  # the police
    "supporting_officer",  # the council
    "unrelated_officer",  # Humankind
    "representative",  # Bromford, speaks for it
    "coordinator",
    "other_coordinator",
    "outsider",
    "admin_user",
)
# The agency (by fixture name) each role may enter figures for; "all" for any agency.
MAY_ENTER = {
    "anonymous": set(),
    "lead_officer": {"police"},
    "supporting_officer": {"council"},
    "unrelated_officer": {"unrelated_agency"},
    "representative": {"housing"},
    "coordinator": "all",
    "other_coordinator": set(),
    "outsider": set(),
    "admin_user": "all",
}
AGENCIES = ("police", "council", "housing", "unrelated_agency")


@pytest.fixture
def person(request, role, django_user_model):
    if role == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    return request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("agency_name", AGENCIES)
def test_enter_figure_for_each_role_and_agency(request, asb_measure, person, role, agency_name):
    agency = request.getfixturevalue(agency_name)
    allowed = MAY_ENTER[role] == "all" or agency_name in MAY_ENTER[role]
    figure = Figure(measure=asb_measure, agency=agency)
    assert can(person, "tracking.enter_figure", figure) is allowed


# "actions.change_action" decided once per plan (the workspace's grid) says what `can` says, for
# every role, every stage of the plan and every kind of action.


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["draft", "consultation", "agreed", "published"])
def test_change_rule_decided_once_per_plan_agrees_with_the_rule(
    request,
    plan,
    priority,
    action,
    police,
    council,
    housing,
    unrelated_agency,
    person,
    role,
    status,
):
    kinds = [
        action,  # led by the police, supported by the council
        ActionFactory(priority=priority, lead_agency=housing, supporting_agencies=[]),
        ActionFactory(priority=priority, lead_agency=None, supporting_agencies=[unrelated_agency]),
        ActionFactory(priority=priority, lead_agency=None, supporting_agencies=[]),
        ActionFactory(
            priority=priority, lead_agency=council, supporting_agencies=[police, housing]
        ),
    ]
    type(plan).objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    rule = action_change_rule(person, plan)
    for kind in kinds:
        current = Action.objects.select_related("priority__plan").get(pk=kind.pk)
        supporting = frozenset(current.supporting_agencies.values_list("pk", flat=True))
        if not rule.needs_supporting_agencies:
            supporting = frozenset()
        expected = can(person, "actions.change_action", current)
        assert rule.may_change(current.lead_agency_id, supporting) is expected, current
