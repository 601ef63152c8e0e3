"""Every 403 says what the person lacks and who can help.

The permission matrix (tests/test_permission_matrix.py, tests/lifecycle/test_lifecycle.py) says
who gets a 403; these tests say what it tells them: the refusal in a sentence (partners/
permissions.py `refusal`, `answer_refusal`, and the services' own sentences), and the coordinators
of the plan's partnership to ask (the 403 page, partners/errors.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from actions.models import Action
from lifecycle.services import plan_send_for_agreement
from partners.errors import DEFAULT_MESSAGE, permission_denied
from partners.permissions import PERMISSIONS, Refused, refusal
from priorities.models import Plan
from tests.factories import MembershipFactory, UserFactory

PLAN = "/plans/lichfield/2021-22/"
DRAFT, CONSULTATION, AGREED, PUBLISHED = (
    Plan.Status.DRAFT,
    Plan.Status.CONSULTATION,
    Plan.Status.AGREED,
    Plan.Status.PUBLISHED,
)
IN_CONSULTATION = (
    "While the plan is out for agreement only the partnership's coordinator changes it: every "
    "change asks the agencies to agree again."
)
AGREED_TEXT = (
    "The plan is agreed: nothing in it changes now. Once it is published, the partnership's "
    "coordinator can amend it, which opens a new draft."
)
PUBLISHED_TEXT = (
    "The plan is published: nothing in it changes until the partnership's coordinator amends it."
)


def text_of(response: HttpResponse) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


@pytest.fixture
def at_stage(plan: Plan, action, coordinator, publish) -> Callable[[str], Plan]:
    def bring(stage: str) -> Plan:
        if stage == CONSULTATION:
            plan_send_for_agreement(plan=plan, user=coordinator)
        elif stage == AGREED:
            Plan.objects.filter(pk=plan.pk).update(status=AGREED)
        elif stage == PUBLISHED:
            publish(plan)
        return Plan.objects.get(pk=plan.pk)

    return bring


def action_url(suffix: str) -> Callable[[Action], str]:
    return lambda w: f"/actions/{w.pk}/{suffix}"


# (stage, role, method, url of the conftest action or plan, what the 403 page says)
REFUSALS = [
    (
        DRAFT,
        "unrelated_officer",
        "get",
        action_url("edit/"),
        "Only the lead or supporting agencies of this action, or the coordinator, can change it "
        "while the plan is a draft.",
    ),
    (
        DRAFT,
        "supporting_officer",
        "post",
        action_url("delete/"),
        "Only the lead agency of this action, or the coordinator, can remove it.",
    ),
    (
        DRAFT,
        "representative",
        "post",
        action_url("move/"),
        "Only the lead or supporting agencies of this action, or the coordinator, can change it "
        "while the plan is a draft.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"{PLAN}priorities/add/",
        "Only the partnership's coordinator can add priorities to the plan.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"/priorities/{w.priority_id}/edit/",
        "Only the partnership's coordinator can change the plan's priorities.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"/priorities/{w.priority_id}/delete/",
        "Only the partnership's coordinator can remove a priority from the plan.",
    ),
    (CONSULTATION, "lead_officer", "get", action_url("edit/"), IN_CONSULTATION),
    (CONSULTATION, "supporting_officer", "get", lambda w: f"{PLAN}actions/add/", IN_CONSULTATION),
    (AGREED, "coordinator", "get", action_url("edit/"), AGREED_TEXT),
    (PUBLISHED, "admin_user", "get", lambda w: f"{PLAN}priorities/add/", PUBLISHED_TEXT),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"{PLAN}import/",
        "Only the partnership's coordinator can import actions into the plan.",
    ),
    (
        CONSULTATION,
        "coordinator",
        "get",
        lambda w: f"{PLAN}import/",
        "Actions are imported into a draft plan only.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"{PLAN}export/csv/",
        "Only the partnership's coordinator can download the plan file.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        action_url("progress/add/"),
        "Progress is recorded once the plan is published.",
    ),
    (
        PUBLISHED,
        "supporting_officer",
        "get",
        action_url("progress/add/"),
        "Only the lead agency of this action, or the coordinator, can record its progress.",
    ),
    (
        DRAFT,
        "supporting_officer",
        "get",
        action_url("services/"),
        "Only the lead agency of this action, or the coordinator, can record the services bought "
        "to deliver it.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"{PLAN}measures/add/",
        "Only the partnership's coordinator can define the plan's measures.",
    ),
    (
        DRAFT,
        "lead_officer",
        "get",
        lambda w: f"{PLAN}assessment/edit/",
        "Only the partnership's coordinator can add or change the Strategic Assessment.",
    ),
    (
        DRAFT,
        "lead_officer",
        "post",
        lambda w: f"{PLAN}stage/send/",
        "Only the partnership's coordinator can send the plan for agreement.",
    ),
]


@pytest.mark.parametrize(
    ("stage", "role", "method", "url", "message"),
    REFUSALS,
    ids=[f"{r[0]}-{r[1]}-{r[4][:40]}" for r in REFUSALS],
)
def test_a_403_says_what_the_person_lacks_and_names_the_coordinator(
    client, request, at_stage, action, coordinator, stage, role, method, url, message
) -> None:
    at_stage(stage)
    client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(url(action))
    assert response.status_code == 403
    page = text_of(response)
    assert message in page
    assert "Who can help" in page
    assert (
        "If you need to do this, ask the coordinator of Lichfield District Community Safety "
        f"Partnership: {coordinator.get_full_name()}: {coordinator.email}" in page
    )
    assert "You cannot make this change." not in page


def test_every_permission_has_its_own_refusal_at_every_stage(plan, lead_officer) -> None:
    for status in Plan.Status.values:
        plan.status = status
        for permission in PERMISSIONS:
            assert refusal(lead_officer, plan, permission) != "Your account cannot do this.", (
                permission,
                status,
            )


# -- Answering for an agency: who does, and how to become one who does.


@pytest.fixture
def consultation(at_stage: Callable[[str], Plan]) -> Plan:
    return at_stage(CONSULTATION)


def test_an_officer_whose_agency_has_no_speaker_is_told_the_coordinator_records_it(
    client, consultation, lead_officer, coordinator
) -> None:
    client.force_login(lead_officer)
    response = client.get(PLAN + "agreement/")
    assert response.status_code == 403
    assert (
        "Only someone who speaks for Staffordshire Police can answer for it, and no one does yet: "
        "the partnership's coordinator can record the answer it gives at a board meeting. Ask "
        f"the partnership's coordinator ({coordinator.get_full_name()}) to let you speak for your "
        "agency." in text_of(response)
    )


def test_an_officer_is_told_who_speaks_for_their_agency(
    client, consultation, housing, representative, coordinator, partnership
) -> None:
    officer = MembershipFactory(user=UserFactory(username="olive"), agency=housing).user
    second = UserFactory(username="zed", first_name="Zed", last_name="Zimmer")
    partnership.coordinators.add(second)
    client.force_login(officer)
    response = client.get(PLAN + "agreement/")
    assert response.status_code == 403
    assert (
        "Only someone who speaks for Bromford Housing Group can answer for it: "
        f"{representative.get_full_name()}. Ask the partnership's coordinator "
        f"({coordinator.get_full_name()} or Zed Zimmer) to let you speak for your agency."
        in text_of(response)
    )
    assert "ask one of the coordinators of Lichfield" in text_of(response)


def test_the_coordinator_is_told_to_record_answers_at_a_meeting(
    client, consultation, coordinator
) -> None:
    client.force_login(coordinator)
    response = client.get(PLAN + "agreement/")
    assert response.status_code == 403
    assert (
        "Only people who speak for one of the partnership's core agencies answer for them here. "
        "As its coordinator, you record the answers agencies give at a board meeting"
        in text_of(response)
    )


# -- The 403 page itself.


def test_a_bare_refusal_still_says_who_can_help(rf: RequestFactory, lead_officer) -> None:
    request = rf.get("/my-work/")
    request.user = lead_officer
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = text_of(response)
    assert DEFAULT_MESSAGE in page
    assert "ask your partnership's coordinator, or the site's administrator" in page


def test_the_coordinators_are_named_only_to_members_of_their_partnership(
    rf: RequestFactory, partnership, coordinator, outsider, admin_user
) -> None:
    for user, named in ((outsider, False), (admin_user, True), (coordinator, True)):
        request = rf.get("/my-work/")
        request.user = user
        response = permission_denied(
            request, Refused("Only the coordinator can.", partnership_id=partnership.pk)
        )
        assert (coordinator.get_full_name() in text_of(response)) == named, user
