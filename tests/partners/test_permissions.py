"""The rules themselves (partners/permissions.py), asked directly for each role: a page's choice
list is not the rule."""

import pytest

from partners.permissions import can
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
