"""The plan's life: Draft → Consultation → Agreed → Published, and back to a draft revision.

The transition matrix is the acceptance test of the stages: every stage × every role × every
transition, through the services (priorities/services.py) and through the pages that call them.
A cell says what the role must get:

    OK      the plan moved (or the agencies' answers were recorded)
    RUN     refused to anyone but the partnership's coordinator (and admin), with the reason
    SPEAK   refused to anyone who does not speak for the agency, with the reason
    STAGE   refused because the plan is at the wrong stage, with the reason

Every refusal leaves every row of the product's tables (partners, priorities, actions and their
history) as it was. Over HTTP an anonymous visitor is sent to log in and a person of another
partnership gets 404, whatever the cell says; a member refused as RUN gets the 403 page, which
gives the reason; a wrong STAGE sends the coordinator back to the readiness page with the reason
as a message; on the agreement page, those who speak for no core agency get 403 saying who does,
and on the agreement and meeting pages a plan not out for agreement is said to be so.

Each cell starts from the same world: the conftest plan with its priority and action (nothing
blocks it), brought to the stage by the coordinator through the services. In consultation
Humankind has asked for changes, so the draft may be reopened; marking the plan agreed gives a
reason for every core agency that has not agreed. The agency answered for is the housing
association, the one agency the representative speaks for.

After the matrix: the rules of consultation, the blockers, the deadline, and the next year's plan.
The published versions and the public plan are in test_published_versions.py.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from actions.forms import ActionForm, OutcomeFormSet, outcome_values
from actions.models import Action
from actions.services import action_update
from lifecycle.models import Agreement, PublishedVersion
from lifecycle.readiness import plan_readiness
from lifecycle.services import (
    MeetingAnswer,
    plan_amend,
    plan_answer,
    plan_mark_agreed,
    plan_publish,
    plan_record_meeting,
    plan_reopen_draft,
    plan_send_for_agreement,
    plan_start_next_year,
)
from partners.models import Agency, Membership
from priorities.models import Plan, Priority
from tests.cast import shared_cast_fixture
from tests.factories import ActionFactory, MembershipFactory, OutcomeFactory, UserFactory
from tests.snapshots import database_snapshot

PLAN_URL = "/plans/lichfield/2021-22/"
READINESS_URL = PLAN_URL + "readiness/"
AGREEMENT_URL = PLAN_URL + "agreement/"
NEXT_YEAR_WORKSPACE_URL = "/plans/lichfield/2022-23/workspace/"

DRAFT, CONSULTATION, AGREED, PUBLISHED = (
    Plan.Status.DRAFT,
    Plan.Status.CONSULTATION,
    Plan.Status.AGREED,
    Plan.Status.PUBLISHED,
)
STAGES = (DRAFT, CONSULTATION, AGREED, PUBLISHED)

ROLES = (
    "anonymous",
    "lead_officer",
    "supporting_officer",
    "unrelated_officer",
    "representative",
    "coordinator",
    "other_coordinator",
    "admin_user",
)

OK, RUN, SPEAK, STAGE = "ok", "run", "speak", "stage"

# fmt: off
MATRIX = {
    #                                  anon   lead   supp   unrel  repr   coord  other  admin
    ("send", DRAFT):                  (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("send", CONSULTATION):           (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("send", AGREED):                 (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("send", PUBLISHED):              (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("agree", DRAFT):                 (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    ("agree", CONSULTATION):          (SPEAK, SPEAK, SPEAK, SPEAK, OK,    SPEAK, SPEAK, SPEAK),
    ("agree", AGREED):                (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    ("agree", PUBLISHED):             (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    ("ask_for_changes", DRAFT):       (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    ("ask_for_changes", CONSULTATION):(SPEAK, SPEAK, SPEAK, SPEAK, OK,    SPEAK, SPEAK, SPEAK),
    ("ask_for_changes", AGREED):      (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    ("ask_for_changes", PUBLISHED):   (SPEAK, SPEAK, SPEAK, SPEAK, STAGE, SPEAK, SPEAK, SPEAK),
    # The coordinator records the answers given at a board meeting, for several agencies at once.
    ("meeting", DRAFT):               (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("meeting", CONSULTATION):        (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("meeting", AGREED):              (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("meeting", PUBLISHED):           (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("reopen", DRAFT):                (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("reopen", CONSULTATION):         (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("reopen", AGREED):               (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("reopen", PUBLISHED):            (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("mark_agreed", DRAFT):           (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("mark_agreed", CONSULTATION):    (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("mark_agreed", AGREED):          (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("mark_agreed", PUBLISHED):       (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("publish", DRAFT):               (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("publish", CONSULTATION):        (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("publish", AGREED):              (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("publish", PUBLISHED):           (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("amend", DRAFT):                 (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("amend", CONSULTATION):          (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("amend", AGREED):                (RUN,   RUN,   RUN,   RUN,   RUN,   STAGE, RUN,   STAGE),
    ("amend", PUBLISHED):             (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    # The next year's plan may be started from the plan at any stage (the readiness page offers
    # it once the plan is published): only who asks matters.
    ("next_year", DRAFT):             (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("next_year", CONSULTATION):      (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("next_year", AGREED):            (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
    ("next_year", PUBLISHED):         (RUN,   RUN,   RUN,   RUN,   RUN,   OK,    RUN,   OK),
}
# fmt: on

HOUSING = "Bromford Housing Group"
# {speakers}: the people who speak for the housing association (the representative).
SPEAK_REASON = f"Only someone who speaks for {HOUSING} can answer for it: {{speakers}}."
MEETING_URL = AGREEMENT_URL + "meeting/"
MEETING_DATE = datetime.date(2021, 4, 22)
MINUTES = "Board minutes, 22 April 2021, item 5"
CHANGES_COMMENT = "Name the tenancy sustainment team among the supporting agencies."

# Each refusal in the words the person reads. {stage} is the stage the plan is at.
REASONS = {
    "send": {
        RUN: "Only the partnership's coordinator can send the plan for agreement.",
        STAGE: "The plan cannot be sent for agreement while it is at the {stage} stage "
        "(it must be at the draft stage).",
    },
    "agree": {
        SPEAK: SPEAK_REASON,
        STAGE: "The plan cannot be agreed or questioned while it is at the {stage} stage "
        "(it must be at the consultation stage).",
    },
    "ask_for_changes": {
        SPEAK: SPEAK_REASON,
        STAGE: "The plan cannot be agreed or questioned while it is at the {stage} stage "
        "(it must be at the consultation stage).",
    },
    "meeting": {
        RUN: "Only the partnership's coordinator can record the answers given at a meeting.",
        STAGE: "The plan cannot be agreed or questioned while it is at the {stage} stage "
        "(it must be at the consultation stage).",
    },
    "reopen": {
        RUN: "Only the partnership's coordinator can reopen the draft.",
        STAGE: "The plan cannot be reopened as a draft while it is at the {stage} stage "
        "(it must be at the consultation stage).",
    },
    "mark_agreed": {
        RUN: "Only the partnership's coordinator can mark the plan agreed.",
        STAGE: "The plan cannot be marked as agreed while it is at the {stage} stage "
        "(it must be at the consultation stage).",
    },
    "publish": {
        RUN: "Only the partnership's coordinator can publish the plan.",
        STAGE: "The plan cannot be published while it is at the {stage} stage "
        "(it must be at the agreed stage).",
    },
    "amend": {
        RUN: "Only the partnership's coordinator can amend the plan.",
        STAGE: "The plan cannot be amended while it is at the {stage} stage "
        "(it must be at the published stage).",
    },
    "next_year": {
        RUN: "Only the partnership's coordinator can start next year's plan.",
    },
}

# What the coordinator is told when the page moved the plan.
DONE_MESSAGES = {
    "send": "The plan was sent to the core agencies for agreement.",
    "agree": f"{HOUSING}'s answer was recorded.",
    "ask_for_changes": f"{HOUSING}'s answer was recorded.",
    "meeting": "The answers given at the meeting of 22 April 2021 were recorded: "
    f"{HOUSING}, Staffordshire Police.",
    "reopen": "The plan is a draft again: partners can edit it.",
    "mark_agreed": "The plan is agreed. It can be published now.",
    "publish": "The plan was published. The public can read it now.",
    "amend": "A new draft revision was started. The public keeps reading the published version "
    "until the next one is published.",
    "next_year": "Next year's plan was started: Community Safety Delivery Plan. "
    "1 unfinished action copied; 0 finished or withdrawn actions left behind.",
}


# -- Reading the database and the pages.


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text_of(response) -> str:
    """The page as a person reads it: entities unescaped, whitespace run together."""
    return " ".join(html.unescape(response.content.decode()).split())


def answer_row(page: str, agency: str) -> str:
    """The answer column of an agency's row in the readiness page's table of agreements."""
    match = re.search(rf'<th scope="row">{re.escape(agency)}</th>\s*<td>(.*?)</td>', page, re.S)
    assert match, f"no row for {agency}"
    return match.group(1).strip()


# -- The world every cell starts from.


# The cast is made once for the module (tests/cast.py): each of the hundreds of cells runs inside
# the module's transaction and rolls back to it.
_module_cast, cast = shared_cast_fixture(
    "plan", "priority", "action", "police", "council", "housing", "unrelated_agency",
    "lead_officer", "supporting_officer", "unrelated_officer", "representative", "coordinator",
    "other_coordinator", "outsider", "admin_user",
)  # fmt: skip


@pytest.fixture(scope="module")
def _humankind_speaker(_module_cast):
    return MembershipFactory(
        user=UserFactory(username="harriet"),
        agency=_module_cast.unrelated_agency,
        may_speak_for_agency=True,
    ).user


@pytest.fixture
def world(cast, _humankind_speaker):
    """The conftest plan, ready for agreement, with the whole cast and a speaker for Humankind."""
    _humankind_speaker.refresh_from_db()
    assert not plan_readiness(cast.plan).blockers
    return SimpleNamespace(
        plan=cast.plan,
        priority=cast.priority,
        action=cast.action,
        police=cast.police,
        council=cast.council,
        housing=cast.housing,
        humankind=cast.unrelated_agency,
        humankind_speaker=_humankind_speaker,
        coordinator=cast.coordinator,
        representative=cast.representative,
        core_agencies=[cast.police, cast.council, cast.housing, cast.unrelated_agency],
    )


def fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("partnership").get(pk=plan.pk)


def bring_to(w, stage: str) -> None:
    """Move the world's plan to a stage the way the coordinator and the agencies do."""
    if stage == DRAFT:
        return
    plan_send_for_agreement(plan=fresh(w.plan), user=w.coordinator)
    plan_answer(
        plan=fresh(w.plan),
        user=w.humankind_speaker,
        agency=w.humankind,
        decision=Agreement.Decision.CHANGES_REQUESTED,
        comment="Add the Humankind outreach workers to the triage action.",
    )
    if stage == CONSULTATION:
        return
    reasons = {a.agency.pk: "Agreed at the partnership meeting." for a in pending(w.plan)}
    plan_mark_agreed(plan=fresh(w.plan), user=w.coordinator, reasons=reasons)
    if stage == AGREED:
        return
    plan_publish(plan=fresh(w.plan), user=w.coordinator)


def pending(plan: Plan) -> list:
    return plan_readiness(fresh(plan)).pending


def reasons_for_every_core_agency(w) -> dict[int, str]:
    return {
        agency.pk: f"{agency.name} sent apologies to the meeting." for agency in w.core_agencies
    }


# -- The transitions: how each is asked of the services and of the pages, and what it does.


def check_sent(w, user, before):
    plan = fresh(w.plan)
    assert plan.status == CONSULTATION
    assert plan.consultation_round == before.consultation_round + 1


def check_answered(decision: str, comment: str):
    def check(w, user, before):
        plan = fresh(w.plan)
        assert plan.status == CONSULTATION
        answer = Agreement.objects.get(plan=plan, agency=w.housing, round=plan.consultation_round)
        assert answer.decision == decision
        assert answer.comment == comment
        assert answer.decided_by == user
        assert (w.housing not in [a.agency for a in pending(plan)]) == (decision == "agreed")

    return check


def check_meeting_recorded(w: SimpleNamespace, user: Any, before: Plan) -> None:
    plan = fresh(w.plan)
    assert plan.status == CONSULTATION
    answers = {
        a.agency: a for a in Agreement.objects.filter(plan=plan, round=plan.consultation_round)
    }
    assert answers[w.housing].decision == Agreement.Decision.AGREED
    assert answers[w.police].decision == Agreement.Decision.CHANGES_REQUESTED
    assert answers[w.police].comment == CHANGES_COMMENT
    for agency in (w.housing, w.police):
        assert answers[agency].decided_by == user
        assert answers[agency].meeting_date == MEETING_DATE
        assert answers[agency].minutes_reference == MINUTES
    # Absent from the meeting: the council has no answer; Humankind's online answer stands.
    assert w.council not in answers
    assert answers[w.humankind].meeting_date is None


def meeting_answers(w: SimpleNamespace) -> dict[Agency, MeetingAnswer]:
    return {
        w.housing: MeetingAnswer("agreed"),
        w.police: MeetingAnswer("changes_requested", CHANGES_COMMENT),
    }


def meeting_form_data(w: SimpleNamespace) -> dict[str, str]:
    return {
        "date": MEETING_DATE.isoformat(),
        "minutes_reference": MINUTES,
        f"decision_{w.housing.pk}": "agreed",
        f"decision_{w.police.pk}": "changes_requested",
        f"comment_{w.police.pk}": CHANGES_COMMENT,
        f"decision_{w.council.pk}": "",
    }


def check_reopened(w, user, before):
    plan = fresh(w.plan)
    assert plan.status == DRAFT
    assert plan.consultation_round == before.consultation_round


def check_marked_agreed(w, user, before):
    plan = fresh(w.plan)
    assert plan.status == AGREED
    waived = Agreement.objects.filter(
        plan=plan, round=plan.consultation_round, decision=Agreement.Decision.WAIVED
    )
    # Nobody had agreed: each core agency is recorded as agreed without, with its reason.
    assert sorted(a.agency.name for a in waived) == sorted(a.name for a in w.core_agencies)
    for answer in waived:
        assert answer.comment == f"{answer.agency.name} sent apologies to the meeting."
        assert answer.decided_by == user
    assert not pending(plan)


def check_published(w, user, before):
    plan = fresh(w.plan)
    assert plan.status == PUBLISHED
    assert plan.last_published_at is not None
    version = PublishedVersion.objects.get(plan=plan)
    assert version.number == 1
    assert version.published_by == user
    assert version.data["plan"]["title"] == plan.title


def check_amended(w, user, before):
    plan = fresh(w.plan)
    assert plan.status == DRAFT
    assert plan.revision == before.revision + 1
    assert plan.versions.count() == 1
    assert plan.last_published_at == before.last_published_at


def check_next_year_started(w, user, before):
    new_plan = Plan.objects.for_period("2022-23").get(partnership=w.plan.partnership)
    assert new_plan.previous_plan_id == w.plan.pk
    assert new_plan.status == DRAFT
    assert fresh(w.plan).status == before.status


@dataclass(frozen=True)
class Transition:
    call: Callable  # (world, user) → the service's result
    check_done: Callable  # (world, user, plan before) → None
    stage: str | None = None  # the page's <stage> for POST …/stage/<stage>/; else `url`
    data: Callable = lambda w: {}
    url: str = AGREEMENT_URL


TRANSITIONS = {
    "send": Transition(
        call=lambda w, user: plan_send_for_agreement(plan=fresh(w.plan), user=user),
        check_done=check_sent,
        stage="send",
    ),
    "agree": Transition(
        call=lambda w, user: plan_answer(
            plan=fresh(w.plan), user=user, agency=w.housing, decision="agreed"
        ),
        check_done=check_answered("agreed", ""),
        data=lambda w: {"agency": w.housing.pk, "decision": "agreed", "comment": ""},
    ),
    "ask_for_changes": Transition(
        call=lambda w, user: plan_answer(
            plan=fresh(w.plan),
            user=user,
            agency=w.housing,
            decision="changes_requested",
            comment=CHANGES_COMMENT,
        ),
        check_done=check_answered("changes_requested", CHANGES_COMMENT),
        data=lambda w: {
            "agency": w.housing.pk,
            "decision": "changes_requested",
            "comment": CHANGES_COMMENT,
        },
    ),
    "meeting": Transition(
        call=lambda w, user: plan_record_meeting(
            plan=fresh(w.plan),
            user=user,
            date=MEETING_DATE,
            minutes_reference=MINUTES,
            answers=meeting_answers(w),
        ),
        check_done=check_meeting_recorded,
        data=meeting_form_data,
        url=MEETING_URL,
    ),
    "reopen": Transition(
        call=lambda w, user: plan_reopen_draft(plan=fresh(w.plan), user=user),
        check_done=check_reopened,
        stage="reopen",
    ),
    "mark_agreed": Transition(
        call=lambda w, user: plan_mark_agreed(
            plan=fresh(w.plan), user=user, reasons=reasons_for_every_core_agency(w)
        ),
        check_done=check_marked_agreed,
        stage="agreed",
        data=lambda w: {
            f"reason_{pk}": text for pk, text in reasons_for_every_core_agency(w).items()
        },
    ),
    "publish": Transition(
        call=lambda w, user: plan_publish(plan=fresh(w.plan), user=user),
        check_done=check_published,
        stage="publish",
    ),
    "amend": Transition(
        call=lambda w, user: plan_amend(plan=fresh(w.plan), user=user),
        check_done=check_amended,
        stage="amend",
    ),
    "next_year": Transition(
        call=lambda w, user: plan_start_next_year(plan=fresh(w.plan), user=user),
        check_done=check_next_year_started,
        stage="next-year",
    ),
}


def transition_url(transition: Transition) -> str:
    if transition.stage is None:
        return transition.url
    return f"{PLAN_URL}stage/{transition.stage}/"


def the_user(request, role: str):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


def reason(name: str, expected: str, stage: str, w: SimpleNamespace | None = None) -> str:
    speakers = w.representative.get_full_name() if w else "{speakers}"
    return REASONS[name][expected].format(stage=stage, speakers=speakers)


def matrix_cells():
    for (name, stage), answers in MATRIX.items():
        for role, expected in zip(ROLES, answers, strict=True):
            yield pytest.param(name, stage, role, expected, id=f"{stage}-{name}-{role}")


# -- The matrix, through the services.


@pytest.mark.matrix
@pytest.mark.parametrize(("name", "stage", "role", "expected"), list(matrix_cells()))
def test_transition_matrix_through_the_services(request, world, name, stage, role, expected):
    bring_to(world, stage)
    user = the_user(request, role)
    transition = TRANSITIONS[name]
    before_plan = fresh(world.plan)
    before = database_snapshot()

    if expected == OK:
        transition.call(world, user)
        transition.check_done(world, user, before_plan)
        assert database_snapshot() != before
        return

    error = PermissionDenied if expected in (RUN, SPEAK) else ValidationError
    with pytest.raises(error) as caught:
        transition.call(world, user)
    if error is ValidationError:
        assert caught.value.messages == [reason(name, expected, stage, world)]
    else:
        assert str(caught.value) == reason(name, expected, stage, world)
    assert database_snapshot() == before


# -- The matrix, through the pages.


@pytest.mark.matrix
@pytest.mark.parametrize(("name", "stage", "role", "expected"), list(matrix_cells()))
def test_transition_matrix_through_the_pages(client, request, world, name, stage, role, expected):
    bring_to(world, stage)
    user = None if role == "anonymous" else the_user(request, role)
    if user is not None:
        client.force_login(user)
    transition = TRANSITIONS[name]
    url = transition_url(transition)
    before_plan = fresh(world.plan)
    before = database_snapshot()

    response = client.post(url, transition.data(world))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url}"
        assert database_snapshot() == before
        return
    if role == "other_coordinator":
        assert response.status_code == 404
        assert database_snapshot() == before
        return
    if expected == OK:
        assert response.status_code == 302, text_of(response)[:2000]
        wanted = NEXT_YEAR_WORKSPACE_URL if name == "next_year" else READINESS_URL
        assert response.url == wanted
        assert messages_of(response) == [DONE_MESSAGES[name]]
        transition.check_done(world, user, before_plan)
        assert database_snapshot() != before
        return
    if expected == STAGE and transition.stage is not None:
        # The page goes back to the readiness page and says why the plan did not move.
        assert response.status_code == 302
        assert response.url == READINESS_URL
        assert messages_of(response) == [reason(name, expected, stage)]
    elif expected == STAGE:
        # The agreement (or meeting) page of a plan not out for agreement says so, and records
        # nothing.
        assert response.status_code == 200
        label = Plan.Status(stage).label.lower()
        assert f"The plan is at the {label} stage: " in text_of(response)
        assert "only while it is out for agreement." in text_of(response)
    elif expected == SPEAK:
        # Only those who speak for a core agency may open the agreement page at all; the 403
        # page says who answers for the person's agency, or that only speakers answer here.
        assert response.status_code == 403
        page = text_of(response)
        assert "can answer for it" in page or "Only people who speak for" in page
    else:
        # RUN: a member may see the plan but not move it; the 403 page says why.
        assert response.status_code == 403
        assert reason(name, expected, stage, world) in text_of(response)
    assert database_snapshot() == before


def test_the_matrix_covers_every_stage_role_and_transition():
    assert set(MATRIX) == {(name, stage) for name in TRANSITIONS for stage in STAGES}
    assert all(len(answers) == len(ROLES) for answers in MATRIX.values())
    for name in TRANSITIONS:
        # Each transition is allowed somewhere, and refused somewhere.
        cells = [answer for stage in STAGES for answer in MATRIX[(name, stage)]]
        assert OK in cells, name
        assert {RUN, SPEAK, STAGE} & set(cells), name
        for expected in set(cells) - {OK}:
            assert expected in REASONS[name], (name, expected)


def test_an_outsider_gets_404_from_every_stage_page(client, world, outsider):
    client.force_login(outsider)
    before = database_snapshot()
    for transition in TRANSITIONS.values():
        response = client.post(transition_url(transition), transition.data(world))
        assert response.status_code == 404, transition
    assert client.get(READINESS_URL).status_code == 404
    assert client.get(AGREEMENT_URL).status_code == 404
    assert database_snapshot() == before


def test_an_unknown_stage_is_404_and_a_stage_is_only_posted(client, world, coordinator):
    client.force_login(coordinator)
    before = database_snapshot()
    assert client.post(PLAN_URL + "stage/approve/").status_code == 404
    assert client.get(PLAN_URL + "stage/send/").status_code == 405
    assert fresh(world.plan).status == DRAFT
    assert database_snapshot() == before


def test_a_refused_stage_is_shown_on_the_readiness_page(client, world, coordinator):
    client.force_login(coordinator)
    response = client.post(PLAN_URL + "stage/publish/", follow=True)
    assert response.redirect_chain == [(READINESS_URL, 302)]
    assert (
        "The plan cannot be published while it is at the draft stage (it must be at the agreed "
        "stage)." in text_of(response)
    )


READINESS_BUTTONS = {
    DRAFT: ["Send for agreement"],
    CONSULTATION: ["Reopen the draft", "Mark the plan agreed"],
    AGREED: ["Publish plan"],
    PUBLISHED: ["Amend plan", "Start next year's plan"],
}


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(
    ("role", "may_run"),
    [
        ("coordinator", True),
        ("admin_user", True),
        ("lead_officer", False),
        ("representative", False),
    ],
)
def test_the_readiness_page_offers_the_next_stage_only_to_those_who_run_the_plan(
    client, request, world, stage, role, may_run
):
    bring_to(world, stage)
    client.force_login(request.getfixturevalue(role))
    response = client.get(READINESS_URL)
    assert response.status_code == 200
    page = text_of(response)
    for buttons_stage, labels in READINESS_BUTTONS.items():
        for label in labels:
            shown = f"{label}</button>" in page
            assert shown == (may_run and buttons_stage == stage), label


# -- The agency's answer: through someone who speaks for it, and for that agency only.


def test_an_officer_who_may_not_speak_for_their_own_agency_cannot_answer_for_it(
    world, lead_officer
):
    bring_to(world, CONSULTATION)
    before = database_snapshot()
    with pytest.raises(PermissionDenied) as caught:
        plan_answer(
            plan=fresh(world.plan), user=lead_officer, agency=world.police, decision="agreed"
        )
    coordinator = world.coordinator.get_full_name()
    assert str(caught.value) == (
        "Only someone who speaks for Staffordshire Police can answer for it, and no one does yet: "
        "the partnership's coordinator can record the answer it gives at a board meeting. "
        f"Ask the partnership's coordinator ({coordinator}) to let you speak for your agency."
    )
    assert database_snapshot() == before


def test_a_representative_cannot_answer_for_another_agency(client, world, representative):
    bring_to(world, CONSULTATION)
    before = database_snapshot()
    with pytest.raises(PermissionDenied) as caught:
        plan_answer(
            plan=fresh(world.plan), user=representative, agency=world.police, decision="agreed"
        )
    assert str(caught.value) == (
        "Only someone who speaks for Staffordshire Police can answer for it, and no one does yet: "
        "the partnership's coordinator can record the answer it gives at a board meeting."
    )

    client.force_login(representative)
    response = client.post(
        AGREEMENT_URL, {"agency": world.police.pk, "decision": "agreed", "comment": ""}
    )
    assert response.status_code == 200
    assert "Choose an agency you speak for" in text_of(response)
    assert database_snapshot() == before


def test_a_speaker_for_an_agency_outside_the_partnership_cannot_answer(world, other_agency):
    bring_to(world, CONSULTATION)
    speaker = MembershipFactory(
        user=UserFactory(username="wendy"), agency=other_agency, may_speak_for_agency=True
    ).user
    before = database_snapshot()
    with pytest.raises(PermissionDenied) as caught:
        plan_answer(plan=fresh(world.plan), user=speaker, agency=other_agency, decision="agreed")
    assert str(caught.value) == (
        "West Mercia Police is not a core agency of Lichfield District Community Safety "
        "Partnership: only its core agencies answer."
    )
    assert database_snapshot() == before


def test_an_answer_that_is_neither_agreement_nor_a_request_is_refused(world, representative):
    bring_to(world, CONSULTATION)
    before = database_snapshot()
    for decision in (Agreement.Decision.WAIVED, "maybe"):
        with pytest.raises(ValidationError) as caught:
            plan_answer(
                plan=fresh(world.plan), user=representative, agency=world.housing, decision=decision
            )
        assert caught.value.messages == ["Choose whether the agency agrees or asks for changes."]
    assert database_snapshot() == before


# -- Consultation: only the coordinator edits, and every edit asks the agencies again.

EDITED_ACTION = "Triaging of ASB reports to key agencies within 24 hours"
EDITED_OUTCOME = "Quicker, more effective responses at an early stage"


def outcome_forms(forms: list[dict], *, initial: int) -> dict:
    """The outcome formset's fields as the browser sends them."""
    data = {
        "outcomes-TOTAL_FORMS": str(len(forms)),
        "outcomes-INITIAL_FORMS": str(initial),
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    for number, form in enumerate(forms):
        for key in ("id", "description", "measure", "baseline", "target"):
            data[f"outcomes-{number}-{key}"] = form.get(key, "")
    return data


def action_form_data(action: Action, **changes) -> dict:
    """The action's edit form as the browser sends it, with some fields changed."""
    outcome = action.outcomes.get()
    outcome_fields = {"id": outcome.pk, "description": outcome.description}
    outcome_fields |= changes.pop("outcome", {})
    data = {
        "priority": action.priority_id,
        "theme": action.theme_id,
        "description": action.description,
        "lead_agency": action.lead_agency_id,
        "supporting_agencies": [a.pk for a in action.supporting_agencies.all()],
        "target_date": "",
        "status": action.status,
        "version": action.version,
    } | changes
    return data | outcome_forms([outcome_fields, {}], initial=1)


@pytest.fixture
def out_for_agreement(world, representative):
    """The plan is out for agreement (round 1) and the housing association has agreed it."""
    plan_send_for_agreement(plan=fresh(world.plan), user=world.coordinator)
    plan_answer(
        plan=fresh(world.plan), user=representative, agency=world.housing, decision="agreed"
    )
    assert fresh(world.plan).consultation_round == 1
    assert world.housing not in [a.agency for a in pending(world.plan)]
    return world


def edit_through_the_service(client, w):
    action = Action.objects.get(pk=w.action.pk)
    data = action_form_data(action, description=EDITED_ACTION)
    form = ActionForm(data, instance=action, plan=fresh(w.plan), can_restrict=True)
    outcomes = OutcomeFormSet(data, instance=action, prefix="outcomes")
    assert form.is_valid(), form.errors
    assert outcomes.is_valid(), outcomes.errors
    action_update(
        action=action,
        user=w.coordinator,
        expected_version=action.version,
        outcomes=outcome_values(outcomes),
        **form.values(),
    )


def edit_on_the_action_page(client, w):
    data = action_form_data(w.action, description=EDITED_ACTION)
    response = client.post(f"/actions/{w.action.pk}/edit/", data)
    assert response.status_code == 302, text_of(response)[:2000]


def edit_an_outcome_on_the_action_page(client, w):
    data = action_form_data(w.action, outcome={"description": EDITED_OUTCOME})
    response = client.post(f"/actions/{w.action.pk}/edit/", data)
    assert response.status_code == 302, text_of(response)[:2000]


def add_an_action(client, w):
    data = {
        "priority": w.priority.pk,
        "theme": w.action.theme_id,
        "description": "Street-based outreach for young people at risk",
        "lead_agency": w.council.pk,
        "target_date": "",
        "status": "proposed",
    } | outcome_forms([{"description": "Fewer young people drawn into ASB"}], initial=0)
    response = client.post(PLAN_URL + "actions/add/", data)
    assert response.status_code == 302, text_of(response)[:2000]


def delete_an_action(client, w):
    extra = ActionFactory(priority=w.priority, theme=w.action.theme, lead_agency=w.council)
    OutcomeFactory(action=extra)
    # Creating the action above is not an edit through the product: it starts no round.
    assert fresh(w.plan).consultation_round == 1
    response = client.post(f"/actions/{extra.pk}/delete/")
    assert response.status_code == 302


def move_an_action(client, w):
    ActionFactory(
        priority=w.priority,
        theme=w.action.theme,
        lead_agency=w.council,
        order=w.action.order + 1,
    )
    response = client.post(f"/actions/{w.action.pk}/move/", {"direction": "down"})
    assert response.status_code == 302


def edit_a_priority(client, w):
    data = {"title": "Anti-social Behaviour", "description": "", "evidence": "Up 12%"}
    response = client.post(f"/priorities/{w.priority.pk}/edit/", data)
    assert response.status_code == 302


EDITS = {
    "action_update": edit_through_the_service,
    "action_page": edit_on_the_action_page,
    "outcome": edit_an_outcome_on_the_action_page,
    "action_added": add_an_action,
    "action_deleted": delete_an_action,
    "action_moved": move_an_action,
    "priority_edited": edit_a_priority,
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_in_consultation_starts_a_new_round_and_earlier_agreements_stop_counting(
    client, out_for_agreement, edit
):
    w = out_for_agreement
    client.force_login(w.coordinator)

    EDITS[edit](client, w)

    plan = fresh(w.plan)
    assert plan.status == CONSULTATION
    assert plan.consultation_round == 2
    # The housing association's answer is kept on record, but no longer counts.
    assert Agreement.objects.filter(plan=plan, agency=w.housing, round=1).exists()
    assert w.housing in [a.agency for a in pending(plan)]
    page = client.get(READINESS_URL).content.decode()
    assert answer_row(page, HOUSING) == "Not yet answered"


def test_without_an_edit_the_agreement_still_counts(client, out_for_agreement):
    w = out_for_agreement
    client.force_login(w.coordinator)
    # Saving the action's form unchanged is no edit.
    response = client.post(f"/actions/{w.action.pk}/edit/", action_form_data(w.action))
    assert response.status_code == 302
    assert fresh(w.plan).consultation_round == 1
    page = client.get(READINESS_URL).content.decode()
    assert answer_row(page, HOUSING) == "Agreed"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("lead_officer", False),
        ("supporting_officer", False),
        ("representative", False),
        ("coordinator", True),
        ("admin_user", True),
    ],
)
def test_in_consultation_only_the_coordinator_and_admin_edit(
    client, request, out_for_agreement, role, allowed
):
    w = out_for_agreement
    client.force_login(request.getfixturevalue(role))
    before = database_snapshot()

    response = client.post(
        f"/actions/{w.action.pk}/edit/", action_form_data(w.action, description=EDITED_ACTION)
    )

    if allowed:
        assert response.status_code == 302
        assert Action.objects.get(pk=w.action.pk).description == EDITED_ACTION
        assert fresh(w.plan).consultation_round == 2
    else:
        assert response.status_code == 403
        assert database_snapshot() == before


def test_edits_in_a_draft_start_no_round(client, world):
    client.force_login(world.coordinator)
    edit_on_the_action_page(client, world)
    edit_a_priority(client, world)
    assert fresh(world.plan).consultation_round == 0
    plan_send_for_agreement(plan=fresh(world.plan), user=world.coordinator)
    assert fresh(world.plan).consultation_round == 1


def test_the_agreement_page_shows_what_changed_since_the_agency_last_answered(
    client, out_for_agreement, representative
):
    w = out_for_agreement
    client.force_login(representative)
    before_edit = text_of(client.get(AGREEMENT_URL))
    assert "The plan changed since your agency last answered" not in before_edit

    client.force_login(w.coordinator)
    data = action_form_data(
        w.action, description=EDITED_ACTION, outcome={"description": EDITED_OUTCOME}
    )
    assert client.post(f"/actions/{w.action.pk}/edit/", data).status_code == 302

    client.force_login(representative)
    response = client.get(AGREEMENT_URL)
    assert response.status_code == 200
    page = text_of(response)
    assert "The plan changed since your agency last answered" in page
    assert f"{HOUSING} answered “agreed” on" in page
    assert "Changed the action" in page
    assert "Triaging of ASB reports to key agencies</td>" in page  # before
    assert f"{EDITED_ACTION}</td>" in page  # after
    assert "Changed an outcome" in page
    assert "Quicker more effective responses</td>" in page
    assert f"{EDITED_OUTCOME}</td>" in page


def test_once_the_agency_answers_again_the_page_no_longer_says_the_plan_changed(
    client, out_for_agreement, representative
):
    w = out_for_agreement
    client.force_login(w.coordinator)
    edit_on_the_action_page(client, w)
    client.force_login(representative)
    assert "The plan changed since your agency last answered" in text_of(client.get(AGREEMENT_URL))

    response = client.post(
        AGREEMENT_URL, {"agency": w.housing.pk, "decision": "agreed", "comment": ""}
    )
    assert response.status_code == 302

    page = text_of(client.get(AGREEMENT_URL))
    assert f"{HOUSING}: Agreed on" in page  # this round's answer
    assert "The plan changed since your agency last answered" not in page


def test_a_request_for_changes_needs_a_comment(client, out_for_agreement, representative):
    w = out_for_agreement
    before = database_snapshot()
    for comment in ("", "   \n  "):
        with pytest.raises(ValidationError) as caught:
            plan_answer(
                plan=fresh(w.plan),
                user=representative,
                agency=w.housing,
                decision="changes_requested",
                comment=comment,
            )
        assert caught.value.message_dict == {
            "comment": ["Say what changes the agency is asking for."]
        }

    client.force_login(representative)
    response = client.post(
        AGREEMENT_URL, {"agency": w.housing.pk, "decision": "changes_requested", "comment": " "}
    )
    assert response.status_code == 200
    assert "Enter the changes your agency is asking for" in text_of(response)
    assert database_snapshot() == before


def test_a_request_for_changes_lets_the_coordinator_reopen_the_draft(
    client, out_for_agreement, representative, lead_officer
):
    w = out_for_agreement
    client.force_login(representative)
    response = client.post(
        AGREEMENT_URL,
        {"agency": w.housing.pk, "decision": "changes_requested", "comment": CHANGES_COMMENT},
    )
    assert response.status_code == 302
    assert messages_of(response) == [f"{HOUSING}'s answer was recorded."]

    client.force_login(w.coordinator)
    page = client.get(READINESS_URL).content.decode()
    assert answer_row(page, HOUSING) == "Asked for changes"
    assert CHANGES_COMMENT in html.unescape(page)
    assert "Reopen the draft</button>" in page

    response = client.post(PLAN_URL + "stage/reopen/")
    assert response.status_code == 302
    assert response.url == READINESS_URL
    assert messages_of(response) == ["The plan is a draft again: partners can edit it."]
    assert fresh(w.plan).status == DRAFT

    # The agencies edit the draft again.
    client.force_login(lead_officer)
    assert client.get(f"/actions/{w.action.pk}/edit/").status_code == 200


def test_reopening_without_any_request_for_changes_is_refused(client, out_for_agreement):
    w = out_for_agreement
    reason_text = "The draft can be reopened only when an agency has asked for changes."
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_reopen_draft(plan=fresh(w.plan), user=w.coordinator)
    assert caught.value.messages == [reason_text]

    client.force_login(w.coordinator)
    assert "Reopen the draft</button>" not in client.get(READINESS_URL).content.decode()
    response = client.post(PLAN_URL + "stage/reopen/")
    assert response.status_code == 302
    assert response.url == READINESS_URL
    assert messages_of(response) == [reason_text]
    assert fresh(w.plan).status == CONSULTATION
    assert database_snapshot() == before


def test_a_request_cleared_by_an_edit_no_longer_allows_reopening(
    client, out_for_agreement, representative
):
    w = out_for_agreement
    plan_answer(
        plan=fresh(w.plan),
        user=representative,
        agency=w.housing,
        decision="changes_requested",
        comment=CHANGES_COMMENT,
    )
    client.force_login(w.coordinator)
    edit_on_the_action_page(client, w)  # the coordinator makes the change asked for
    with pytest.raises(ValidationError) as caught:
        plan_reopen_draft(plan=fresh(w.plan), user=w.coordinator)
    assert caught.value.messages == [
        "The draft can be reopened only when an agency has asked for changes."
    ]


def test_after_reopening_and_sending_again_every_agency_answers_again(
    out_for_agreement, representative
):
    w = out_for_agreement
    plan_answer(
        plan=fresh(w.plan),
        user=w.humankind_speaker,
        agency=w.humankind,
        decision="changes_requested",
        comment="Add the Humankind outreach workers.",
    )
    plan_reopen_draft(plan=fresh(w.plan), user=w.coordinator)
    plan_send_for_agreement(plan=fresh(w.plan), user=w.coordinator)
    plan = fresh(w.plan)
    assert plan.consultation_round == 2
    assert [a.agency for a in pending(plan)] == sorted(w.core_agencies, key=lambda a: a.name)
    assert not plan_readiness(plan).changes_requested


@pytest.fixture
def every_agency_speaks(world):
    """A speaker for each core agency that has none in the cast."""
    for agency in (world.police, world.council):
        MembershipFactory(
            user=UserFactory(username=f"speaker-{agency.slug}"),
            agency=agency,
            may_speak_for_agency=True,
        )
    return world


def speaker_for(agency: Agency):
    return Membership.objects.filter(agency=agency, may_speak_for_agency=True).first().user


def test_when_every_core_agency_agrees_the_plan_is_agreed_without_reasons(
    client, every_agency_speaks
):
    w = every_agency_speaks
    plan_send_for_agreement(plan=fresh(w.plan), user=w.coordinator)
    for agency in w.core_agencies:
        plan_answer(plan=fresh(w.plan), user=speaker_for(agency), agency=agency, decision="agreed")
    client.force_login(w.coordinator)
    page = text_of(client.get(READINESS_URL))
    assert "not agreed" not in page
    assert "Why the plan goes ahead without" not in page

    response = client.post(PLAN_URL + "stage/agreed/")
    assert response.status_code == 302
    assert messages_of(response) == ["The plan is agreed. It can be published now."]
    assert fresh(w.plan).status == AGREED
    assert not Agreement.objects.filter(decision=Agreement.Decision.WAIVED).exists()


def test_marking_agreed_needs_a_reason_for_each_agency_that_has_not_agreed(
    client, every_agency_speaks
):
    w = every_agency_speaks
    plan_send_for_agreement(plan=fresh(w.plan), user=w.coordinator)
    for agency in (w.police, w.council):
        plan_answer(plan=fresh(w.plan), user=speaker_for(agency), agency=agency, decision="agreed")
    plan_answer(
        plan=fresh(w.plan),
        user=w.humankind_speaker,
        agency=w.humankind,
        decision="changes_requested",
        comment="Add the Humankind outreach workers.",
    )
    # The housing association has not answered; Humankind asked for changes.
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_mark_agreed(
            plan=fresh(w.plan), user=w.coordinator, reasons={w.housing.pk: "Agreed by email."}
        )
    assert caught.value.messages == [
        "Every core agency must agree, or a reason must be recorded for each that has not: "
        "no reason given for Humankind."
    ]
    with pytest.raises(ValidationError) as caught:
        plan_mark_agreed(
            plan=fresh(w.plan), user=w.coordinator, reasons={w.housing.pk: " ", w.humankind.pk: ""}
        )
    assert caught.value.messages == [
        "Every core agency must agree, or a reason must be recorded for each that has not: "
        f"no reason given for {HOUSING}, Humankind."
    ]

    client.force_login(w.coordinator)
    readiness = text_of(client.get(READINESS_URL))
    assert "2 core agencies have not agreed. To go ahead without them, record why." in readiness
    response = client.post(
        PLAN_URL + "stage/agreed/", {f"reason_{w.housing.pk}": "Agreed by email."}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Enter why the plan goes ahead without Humankind's agreement" in page
    assert "This field is required." not in page
    assert database_snapshot() == before

    response = client.post(
        PLAN_URL + "stage/agreed/",
        {
            f"reason_{w.housing.pk}": "Agreed by email.",
            f"reason_{w.humankind.pk}": "The outreach workers are named in the next revision.",
        },
    )
    assert response.status_code == 302
    plan = fresh(w.plan)
    assert plan.status == AGREED
    waived = {
        a.agency.name: a.comment
        for a in plan.agreements.filter(
            round=plan.consultation_round, decision=Agreement.Decision.WAIVED
        )
    }
    assert waived == {
        HOUSING: "Agreed by email.",
        "Humankind": "The outreach workers are named in the next revision.",
    }


# -- Blockers: the plan goes for agreement only when nothing blocks it.


def test_sending_with_blockers_is_refused_naming_the_first(client, world):
    ActionFactory(
        priority=world.priority,
        description="Street marshals in the city centre",
        lead_agency=None,
        theme=None,
        order=world.action.order + 1,
    )
    Priority.objects.create(plan=world.plan, title="Domestic Abuse", order=world.priority.order + 1)
    reason_text = (
        "The plan cannot be sent for agreement yet: 2 blockers remain, starting with: "
        "“Street marshals in the city centre” (Anti-social Behaviour (ASB)) has no outcome and "
        "no lead agency and no theme."
    )
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_send_for_agreement(plan=fresh(world.plan), user=world.coordinator)
    assert caught.value.messages == [reason_text]

    client.force_login(world.coordinator)
    response = client.post(PLAN_URL + "stage/send/", follow=True)
    assert response.redirect_chain == [(READINESS_URL, 302)]
    page = text_of(response)
    assert reason_text in page
    assert "Fix the blockers above first." in page
    assert fresh(world.plan).status == DRAFT
    assert database_snapshot() == before


def test_one_blocker_is_named_in_the_singular(world):
    Priority.objects.create(plan=world.plan, title="Domestic Abuse", order=world.priority.order + 1)
    with pytest.raises(ValidationError) as caught:
        plan_send_for_agreement(plan=fresh(world.plan), user=world.coordinator)
    assert caught.value.messages == [
        "The plan cannot be sent for agreement yet: 1 blocker remains, starting with: "
        "The priority “Domestic Abuse” has no actions."
    ]


def test_a_missing_target_date_does_not_block(world):
    assert Action.objects.get(pk=world.action.pk).target_date is None
    plan_send_for_agreement(plan=fresh(world.plan), user=world.coordinator)
    assert fresh(world.plan).status == CONSULTATION


# -- The deadline: days left on the readiness page and in the workspace, by the local date.


@pytest.mark.parametrize(
    ("now", "text"),
    [
        ("2021-04-17 09:00 +0100", "14 days left"),
        ("2021-04-29 12:00 +0100", "2 days left"),
        ("2021-04-30 09:00 +0100", "1 day left"),
        # Half past eleven at night in Lichfield: still the day before.
        ("2021-04-30 23:30 +0100", "1 day left"),
        # Half past midnight in Lichfield, still 30 April by UTC: the deadline is today.
        ("2021-05-01 00:30 +0100", "Due today"),
        ("2021-05-01 23:30 +0100", "Due today"),
        ("2021-05-02 09:00 +0100", "1 day late"),
        ("2021-05-04 09:00 +0100", "3 days late"),
    ],
)
def test_days_left_to_the_deadline(client, world, now, text):
    client.force_login(world.coordinator)
    with time_machine.travel(now, tick=False):
        readiness = visible_text(client.get(READINESS_URL))
        workspace = visible_text(client.get(PLAN_URL + "workspace/"))
    assert f"Deadline 1 May 2021: {text}." in readiness
    assert f"Readiness: Draft · {text}" in workspace


def visible_text(response) -> str:
    """The words of a page, without its markup."""
    assert response.status_code == 200
    page = re.sub(r"<[^>]+>", "", response.content.decode())
    return " ".join(html.unescape(page).split())


@time_machine.travel("2021-04-17 09:00 +0100", tick=False)
def test_days_left_follow_a_changed_deadline(client, world):
    client.force_login(world.coordinator)
    Plan.objects.filter(pk=world.plan.pk).update(deadline=datetime.date(2021, 4, 18))
    assert "Deadline 18 April 2021: 1 day left." in visible_text(client.get(READINESS_URL))


@pytest.mark.parametrize(
    ("now", "overdue"),
    [("2021-05-01 09:00 +0100", False), ("2021-05-02 09:00 +0100", True)],
)
def test_a_late_plan_is_marked_overdue_until_it_is_published(client, world, now, overdue):
    client.force_login(world.coordinator)
    with time_machine.travel(now, tick=False):
        page = client.get(READINESS_URL).content.decode()
        assert ('class="text-danger-emphasis"' in page) == overdue
        bring_to(world, PUBLISHED)
        assert 'class="text-danger-emphasis"' not in client.get(READINESS_URL).content.decode()


# -- Next year's plan: a draft for the following period, from what is left to do.


def test_start_next_year_is_refused_a_second_time(client, world):
    first = plan_start_next_year(plan=fresh(world.plan), user=world.coordinator)
    assert first.plan.period == "2022-23"
    before = database_snapshot()

    with pytest.raises(ValidationError) as caught:
        plan_start_next_year(plan=fresh(world.plan), user=world.coordinator)
    assert (
        "Lichfield District Community Safety Partnership already has a plan for 2022-23."
        in caught.value.messages
    )

    client.force_login(world.coordinator)
    response = client.post(PLAN_URL + "stage/next-year/", follow=True)
    assert response.redirect_chain == [(READINESS_URL, 302)]
    assert (
        "Lichfield District Community Safety Partnership already has a plan for 2022-23."
        in text_of(response)
    )
    assert database_snapshot() == before
    assert Plan.objects.filter(partnership=world.plan.partnership).count() == 2


def test_next_years_plan_is_not_public(client, world, publish):
    publish(world.plan)
    plan_start_next_year(plan=fresh(world.plan), user=world.coordinator)
    assert client.get(PLAN_URL).status_code == 200
    response = client.get("/plans/lichfield/2022-23/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/plans/lichfield/2022-23/"
