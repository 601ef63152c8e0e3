"""The permission matrix: every role × every page × GET and POST → the expected answer.

This is the acceptance test of partners/permissions.py as the pages apply it. Each cell of the
tables below is one test. A cell says what the role must get:

    LOGIN  302 to the login page, with the page to come back to
    200    the page (for a POST to a read page: the page again, and nothing changed)
    DONE   the change was made: 302, and the database shows the change
    403    refused to a member: the database is unchanged
    404    the plan is none of this person's business: the database is unchanged
    405    the page only takes POST: the database is unchanged

Every answer other than DONE is checked to have written nothing: no statement of the request
inserted, updated or deleted a row of the product's tables (partners, priorities, actions, and
their history; tests/snapshots.py `product_writes`).

The roles are the cast of tests/conftest.py: officers of the action's lead agency (police) and
supporting agency (council), of a core agency with no part in it (Humankind), an agency
representative (housing, not on the action), the partnership's coordinator, the coordinator of
another partnership (an outsider), a superuser, and a county analyst of the partnership's area
(the commissioner's office), who reads every plan of the area as the public reads it (restricted
actions reduced to who leads them) and changes nothing anywhere: no cell of the analyst's column
is DONE (`test_the_analyst_changes_nothing_anywhere`).

Rules for a draft plan: any member reads the plan and adds actions; the agencies on an action edit
and move it; only its lead agency (or those who run the plan) deletes it; only the coordinator and
admin shape priorities. Once a plan is not a draft, nobody changes anything in it, admin included;
a published plan's document is public.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.urls import URLPattern, reverse

from actions import urls as action_urls
from actions.models import Action, Outcome
from lifecycle import urls as lifecycle_urls
from lifecycle.services import plan_publish
from partners.models import AgencyAlias, Membership
from people import urls as people_urls
from people.models import AccessRequest, Invitation
from planfiles import urls as planfile_urls
from priorities import urls as priority_urls
from priorities.models import Plan, Priority
from reports import urls as report_urls
from tests.cast import shared_cast_fixture
from tests.factories import ActionFactory, MembershipFactory, PriorityFactory, UserFactory
from tests.snapshots import product_writes
from tracking import urls as tracking_urls
from tracking.models import FundingAllocation

# Each cell decides who may do what (partners/permissions.py) through the same pages and queries
# that the other tests run on both databases: CI runs the matrices once, on SQLite (.ci/run).
pytestmark = pytest.mark.matrix

GET, POST = "GET", "POST"
LOGIN, DONE = "login", "done"

ROLES = (
    "anonymous",
    "lead_officer",
    "supporting_officer",
    "unrelated_officer",
    "representative",
    "coordinator",
    "other_coordinator",
    "admin_user",
    "analyst",
)

# fmt: off
DRAFT = {
    #                            anon   lead  supp  unrel repr  coord outsdr admin  anlst
    ("my_work", GET):           (LOGIN, 200,  200,  200,  200,  200,  200,  200,  200),
    ("my_work", POST):          (LOGIN, 200,  200,  200,  200,  200,  200,  200,  200),
    ("plan_detail", GET):       (LOGIN, 200,  200,  200,  200,  200,  404,  200,  200),
    ("plan_workspace", GET):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("plan_workspace", POST):   (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_list", GET):     (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_list", POST):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_add", GET):      (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("priority_add", POST):     (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("priority_edit", GET):     (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("priority_edit", POST):    (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("priority_delete", GET):   (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("priority_delete", POST):  (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("priority_move", GET):     (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("priority_move", POST):    (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("action_add", GET):        (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("action_add", POST):       (LOGIN, DONE, DONE, DONE, DONE, DONE, 404,  DONE, 404),
    ("action_detail", GET):     (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("action_detail", POST):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("action_edit", GET):       (LOGIN, 200,  200,  403,  403,  200,  404,  200,  404),
    ("action_edit", POST):      (LOGIN, DONE, DONE, 403,  403,  DONE, 404,  DONE, 404),
    ("action_delete", GET):     (LOGIN, 200,  403,  403,  403,  200,  404,  200,  404),
    ("action_delete", POST):    (LOGIN, DONE, 403,  403,  403,  DONE, 404,  DONE, 404),
    ("action_move", GET):       (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("action_move", POST):      (LOGIN, DONE, DONE, 403,  403,  DONE, 404,  DONE, 404),
}

# An agreed (or published) plan is frozen: read pages as in a draft, every change refused, to
# the coordinator and admin as well.
FROZEN = {
    #                            anon   lead  supp  unrel repr  coord outsdr admin  anlst
    ("my_work", GET):           (LOGIN, 200,  200,  200,  200,  200,  200,  200,  200),
    ("my_work", POST):          (LOGIN, 200,  200,  200,  200,  200,  200,  200,  200),
    ("plan_detail", GET):       (LOGIN, 200,  200,  200,  200,  200,  404,  200,  200),
    ("plan_workspace", GET):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("plan_workspace", POST):   (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_list", GET):     (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_list", POST):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("priority_add", GET):      (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_add", POST):     (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_edit", GET):     (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_edit", POST):    (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_delete", GET):   (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_delete", POST):  (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("priority_move", GET):     (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("priority_move", POST):    (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_add", GET):        (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_add", POST):       (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_detail", GET):     (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("action_detail", POST):    (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("action_edit", GET):       (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_edit", POST):      (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_delete", GET):     (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_delete", POST):    (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
    ("action_move", GET):       (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("action_move", POST):      (LOGIN, 403,  403,  403,  403,  403,  404,  403,  404),
}

# Published: as frozen, and the plan document is public. The workspace and action pages stay for
# members.
PUBLISHED = FROZEN | {
    ("plan_detail", GET):       (200,   200,  200,  200,  200,  200,  200,  200,  200),
}
# fmt: on

# In consultation the coordinator (and admin) still edit, as in a draft; nobody else does.
COORDINATOR_COLUMNS = (ROLES.index("coordinator"), ROLES.index("admin_user"))
CONSULTATION = {
    key: tuple(
        DRAFT[key][i] if i in COORDINATOR_COLUMNS else answer for i, answer in enumerate(answers)
    )
    for key, answers in FROZEN.items()
}

MATRICES = {
    Plan.Status.DRAFT: DRAFT,
    Plan.Status.CONSULTATION: CONSULTATION,
    Plan.Status.AGREED: FROZEN,
    Plan.Status.PUBLISHED: PUBLISHED,
}

# -- The objects every page works on, and how each page is asked, sent and checked.


# The cast and the world are made once for the module (tests/cast.py): each of the thousands of
# cells runs inside the module's transaction and rolls back to it.
_module_cast, cast = shared_cast_fixture(
    "plan", "priority", "action", "police", "council", "housing", "partnership",
    *(role for role in ROLES if role != "anonymous"),
)  # fmt: skip


@pytest.fixture(scope="module")
def _module_world(_module_cast):
    """A neighbour for the priority and for the action, so that moves move."""
    c = _module_cast
    order = c.priority.order + 1
    other_priority = PriorityFactory(plan=c.plan, title="Domestic Abuse", order=order)
    neighbour = ActionFactory(
        priority=c.priority,
        theme=c.action.theme,
        lead_agency=c.council,
        description="Joint patrols in the city centre",
        order=c.action.order + 1,
    )
    return other_priority, neighbour


@pytest.fixture
def world(cast, _module_world):
    """The plan, its priority and action (tests/cast.py), and a neighbour for each."""
    other_priority, neighbour = _module_world
    other_priority.refresh_from_db()
    neighbour.refresh_from_db()
    return SimpleNamespace(
        plan=cast.plan,
        priority=cast.priority,
        other_priority=other_priority,
        action=cast.action,
        outcome=cast.action.outcomes.get(),
        neighbour=neighbour,
        police=cast.police,
        council=cast.council,
    )


def plan_kwargs(w) -> dict:
    return {"partnership": w.plan.partnership.slug, "period": w.plan.period}


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


NEW_ACTION = "Street-based outreach for young people at risk"
NEW_OUTCOME = "Fewer young people drawn into ASB"
EDITED_ACTION = "Triaging of ASB reports to key agencies within 24 hours"
EDITED_OUTCOME = "Quicker, more effective responses"


def action_add_data(w) -> dict:
    return {
        "priority": w.priority.pk,
        "theme": w.action.theme_id,
        "description": NEW_ACTION,
        "lead_agency": w.police.pk,
        "supporting_agencies": [w.council.pk],
        "target_date": "2022-03-31",
        "status": "proposed",
    } | outcome_forms([{"description": NEW_OUTCOME, "measure": "Referrals"}], initial=0)


def action_edit_data(w) -> dict:
    outcome = {"id": w.outcome.pk, "description": EDITED_OUTCOME, "target": "Within 24 hours"}
    return {
        "priority": w.priority.pk,
        "theme": w.action.theme_id,
        "description": EDITED_ACTION,
        "lead_agency": w.police.pk,
        "supporting_agencies": [w.council.pk],
        "target_date": "2021-12-31",
        "status": "in_progress",
        "version": w.action.version,
    } | outcome_forms([outcome, {}], initial=1)


def check_priority_added(w, user):
    added = Priority.objects.get(plan=w.plan, title="Serious Violence")
    assert added.description == "Knife crime and violence in public places"
    assert Priority.objects.filter(plan=w.plan).count() == 3


def check_priority_edited(w, user):
    w.priority.refresh_from_db()
    assert w.priority.title == "Anti-social Behaviour"
    assert w.priority.evidence == "Up 12% on last year"


def check_priority_deleted(w, user):
    assert not Priority.objects.filter(pk=w.priority.pk).exists()
    assert not Action.objects.filter(pk__in=[w.action.pk, w.neighbour.pk]).exists()
    assert Priority.objects.filter(pk=w.other_priority.pk).exists()


def check_priority_moved(w, user):
    w.priority.refresh_from_db()
    w.other_priority.refresh_from_db()
    assert w.priority.order > w.other_priority.order


def check_action_added(w, user):
    added = Action.objects.get(description=NEW_ACTION)
    assert added.priority == w.priority
    assert added.lead_agency == w.police
    assert list(added.supporting_agencies.all()) == [w.council]
    assert added.target_date == datetime.date(2022, 3, 31)
    assert added.created_by == user
    assert list(added.outcomes.values_list("description", flat=True)) == [NEW_OUTCOME]


def check_action_edited(w, user):
    old_version = w.action.version
    w.action.refresh_from_db()
    assert w.action.description == EDITED_ACTION
    assert w.action.status == Action.Status.IN_PROGRESS
    assert w.action.target_date == datetime.date(2021, 12, 31)
    assert w.action.version == old_version + 1
    assert w.action.updated_by == user
    w.outcome.refresh_from_db()
    assert w.outcome.description == EDITED_OUTCOME
    assert w.outcome.target == "Within 24 hours"
    assert w.action.outcomes.count() == 1  # the blank extra form added nothing


def check_action_deleted(w, user):
    assert not Action.objects.filter(pk=w.action.pk).exists()
    assert not Outcome.objects.filter(pk=w.outcome.pk).exists()
    assert Action.objects.filter(pk=w.neighbour.pk).exists()


def check_action_moved(w, user):
    w.action.refresh_from_db()
    w.neighbour.refresh_from_db()
    assert w.action.order > w.neighbour.order


@dataclass(frozen=True)
class Page:
    url: Callable[[SimpleNamespace], str]
    data: Callable[[SimpleNamespace], dict] = lambda w: {}
    check_done: Callable[[SimpleNamespace, object], None] | None = None


PAGES = {
    "my_work": Page(url=lambda w: reverse("my_work")),
    "plan_detail": Page(url=lambda w: reverse("plan_detail", kwargs=plan_kwargs(w))),
    "plan_workspace": Page(url=lambda w: reverse("plan_workspace", kwargs=plan_kwargs(w))),
    "priority_list": Page(url=lambda w: reverse("priority_list", kwargs=plan_kwargs(w))),
    "priority_add": Page(
        url=lambda w: reverse("priority_add", kwargs=plan_kwargs(w)),
        data=lambda w: {
            "title": "Serious Violence",
            "description": "Knife crime and violence in public places",
            "evidence": "",
        },
        check_done=check_priority_added,
    ),
    "priority_edit": Page(
        url=lambda w: reverse("priority_edit", args=[w.priority.pk]),
        data=lambda w: {
            "title": "Anti-social Behaviour",
            "description": "",
            "evidence": "Up 12% on last year",
        },
        check_done=check_priority_edited,
    ),
    "priority_delete": Page(
        url=lambda w: reverse("priority_delete", args=[w.priority.pk]),
        check_done=check_priority_deleted,
    ),
    "priority_move": Page(
        url=lambda w: reverse("priority_move", args=[w.priority.pk]),
        data=lambda w: {"direction": "down"},
        check_done=check_priority_moved,
    ),
    "action_add": Page(
        url=lambda w: reverse("action_add", kwargs=plan_kwargs(w)),
        data=action_add_data,
        check_done=check_action_added,
    ),
    "action_detail": Page(url=lambda w: reverse("action_detail", args=[w.action.pk])),
    "action_edit": Page(
        url=lambda w: reverse("action_edit", args=[w.action.pk]),
        data=action_edit_data,
        check_done=check_action_edited,
    ),
    "action_delete": Page(
        url=lambda w: reverse("action_delete", args=[w.action.pk]),
        check_done=check_action_deleted,
    ),
    "action_move": Page(
        url=lambda w: reverse("action_move", args=[w.action.pk]),
        data=lambda w: {"direction": "down"},
        check_done=check_action_moved,
    ),
}


def sign_in(client, request, role: str):
    if role == "anonymous":
        return None
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


def set_status(plan: Plan, status: str) -> None:
    if status == Plan.Status.PUBLISHED:
        # Published the way the coordinator publishes: a frozen version for the public.
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
        plan.refresh_from_db()
        plan_publish(plan=plan, user=UserFactory(username="publisher", is_superuser=True))
        plan.refresh_from_db()
    elif plan.status != status:
        plan.status = status
        plan.save()


# -- The matrix.


def matrix_cells():
    for status, matrix in MATRICES.items():
        for (page, method), answers in matrix.items():
            for role, expected in zip(ROLES, answers, strict=True):
                yield pytest.param(
                    status, page, method, role, expected, id=f"{status}-{page}-{method}-{role}"
                )


@pytest.mark.parametrize(("status", "page", "method", "role", "expected"), list(matrix_cells()))
def test_permission_matrix(client, request, world, status, page, method, role, expected):
    set_status(world.plan, status)
    user = sign_in(client, request, role)
    spec = PAGES[page]
    url = spec.url(world)
    with product_writes() as writes:
        response = client.get(url) if method == GET else client.post(url, spec.data(world))

    if expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.url.startswith("/accounts/login/")
        spec.check_done(world, user)
        assert writes
        return
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == expected
    assert writes == []


def test_the_matrix_covers_every_page_of_the_plan():
    """A new page must be added to the tables; a table may not forget a page or a method."""
    named = {
        pattern.name
        for module in (
            priority_urls,
            action_urls,
            tracking_urls,
            lifecycle_urls,
            planfile_urls,
            people_urls,
            report_urls,
        )
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    }
    # The plan's life (readiness, agreement, answers recorded at a meeting, stages) and its
    # published versions have their own matrix in tests/lifecycle/test_lifecycle.py; the meeting
    # page its ladder in tests/lifecycle/test_meeting.py.
    lifecycle = {
        "plan_readiness",
        "plan_agreement",
        "plan_meeting",
        "plan_stage",
        "plan_versions",
        "plan_versions_compare",
        "plan_version",
        "plan_pdf",
        "plan_version_pdf",
        "plan_version_file",
        # The live draft's PDF (members only): tests/lifecycle/test_published_files.py.
        "plan_draft_pdf",
    }
    # Progress, measures, figures and the dashboard have theirs in tests/actions/test_progress.py
    # and tests/actions/test_figures_and_dashboard.py.
    tracking = {
        "progress_add",
        "my_updates_due",
        "plan_dashboard",
        "measure_list",
        "measure_add",
        "measure_edit",
        "figure_entry",
        # The reporting calendar and "Update my actions": tests/tracking/test_reporting_calendar.py
        # and tests/tracking/test_update_my_actions.py.
        "reporting_calendar",
        "update_my_actions",
    }
    # Commissioned services, the Strategic Assessment and the files have theirs in tests/tracking/
    # and tests/planfiles/.
    elsewhere = {
        "action_services",
        "action_service_remove",
        "assessment_detail",
        "assessment_edit",
        "assessment_pdf",
        "progress_updates_csv",
        "plan_figures_csv",
        "plan_import",
        "plan_import_confirm",
        "plan_import_cancel",
        "plan_import_columns",
        "plan_import_names",
        "plan_export",
    }
    # The reports, the funding page and the county view have their matrix below (REPORTS); the
    # reports as PDF and Word have their ladder in tests/reports/test_report_pages.py.
    reports = {case.page for case in REPORT_CASES.values()} | {
        "report_quarterly_pdf",
        "report_quarterly_docx",
        "report_annual_pdf",
        "report_annual_docx",
    }
    # The partnership's members pages have their matrix below (MEMBERS); accepting an invitation,
    # the password reset request, single sign-on and the two-step pages are signing in, tested in
    # tests/people/ (test_invitations, test_password_reset, test_sso, test_two_step).
    members = {case.page for case in MEMBER_CASES.values()}
    signing_in = {
        "invitation_accept",
        "invitation_link",
        "password_reset",
        "oidc_authentication_init",
        "oidc_authentication_callback",
        "two_step_verify",
        "two_step_setup",
    }
    rest = named - {"home"} - lifecycle - tracking - elsewhere - members - signing_in - reports
    assert rest == set(PAGES)
    assert {p.name for p in people_urls.urlpatterns} == members | signing_in
    get_only = {"plan_detail"}
    wanted = {(page, GET) for page in PAGES} | {(page, POST) for page in set(PAGES) - get_only}
    for matrix in MATRICES.values():
        assert set(matrix) == wanted
        assert all(len(answers) == len(ROLES) for answers in matrix.values())


def test_every_change_page_is_done_by_someone_and_refused_to_others():
    """The tables are not vacuous: each change is made by someone and refused to others."""
    for page, spec in PAGES.items():
        if spec.check_done is None:
            continue
        answers = DRAFT[(page, POST)]
        assert DONE in answers, page
        assert {403, 404} & set(answers), page
        assert DONE not in FROZEN[(page, POST)], page


# -- The pages offer only what the person may do.


def answer(status: str, page: str, method: str, role: str):
    return MATRICES[status][(page, method)][ROLES.index(role)]


def offered(status: str, page: str, role: str) -> bool:
    """Whether the role may use the page: open its form, or (for a move) make the change."""
    if page.endswith("_move"):
        return answer(status, page, POST, role) == DONE
    return answer(status, page, GET, role) == 200


# Where each page links to the change pages, as href="…" (links) or action="…" (forms).
LINKS = {
    "action_detail": [
        ("href", "action_edit"),
        ("href", "action_delete"),
        ("action", "action_move"),
    ],
    "priority_list": [
        ("href", "priority_add"),
        ("href", "priority_edit"),
        ("href", "priority_delete"),
        ("action", "priority_move"),
    ],
    "plan_workspace": [("href", "action_add"), ("action", "action_move")],
}


def link_cells():
    for status in MATRICES:
        for page, links in LINKS.items():
            for role in ROLES:
                if answer(status, page, GET, role) != 200 or role == "anonymous":
                    continue
                for attribute, target in links:
                    yield pytest.param(
                        status,
                        page,
                        role,
                        attribute,
                        target,
                        id=f"{status}-{page}-{role}-{target}",
                    )


@pytest.mark.parametrize(("status", "page", "role", "attribute", "target"), list(link_cells()))
def test_pages_link_only_to_what_the_person_may_do(
    client, request, world, status, page, role, attribute, target
):
    set_status(world.plan, status)
    sign_in(client, request, role)
    response = client.get(PAGES[page].url(world))
    assert response.status_code == 200
    html = response.content.decode()
    link = f'{attribute}="{PAGES[target].url(world)}'
    assert (link in html) == offered(status, target, role), f"{link} on {page}"


@pytest.mark.parametrize(
    ("role", "edit", "delete"),
    [
        ("lead_officer", True, True),
        ("supporting_officer", True, False),
        ("unrelated_officer", False, False),
        ("representative", False, False),
        ("coordinator", True, True),
        ("admin_user", True, True),
    ],
)
def test_action_page_shows_edit_and_delete_buttons_to_those_who_may_use_them(
    client, request, world, role, edit, delete
):
    sign_in(client, request, role)
    html = client.get(PAGES["action_detail"].url(world)).content.decode()
    assert ("Edit action and outcomes" in html) == edit
    assert ("Delete action" in html) == delete
    assert ("Move down in its cell" in html) == edit


@pytest.mark.parametrize("status", [Plan.Status.AGREED, Plan.Status.PUBLISHED])
@pytest.mark.parametrize("role", ["lead_officer", "coordinator", "admin_user"])
def test_action_page_of_a_frozen_plan_offers_no_change(client, request, world, status, role):
    set_status(world.plan, status)
    sign_in(client, request, role)
    html = client.get(PAGES["action_detail"].url(world)).content.decode()
    assert "Edit action and outcomes" not in html
    assert "Delete action" not in html
    assert "Move up in its cell" not in html


# -- The partnership's members pages (/partnerships/<slug>/members/): the coordinator (and an admin)
# manages everyone; an agency's representative (housing) invites and removes the people of their
# agency only, and sees nothing of the others; officers are refused; another partnership's
# coordinator finds nothing. The other names files use for the agencies ("LDC", "SFRS") are the
# coordinator's (and an admin's) to change. The plan's stage does not matter here.

# fmt: off
MEMBERS = {
    #                                     anon   lead  supp  unrel repr  coord outsdr admin  anlst
    ("members", GET):                    (LOGIN, 403,  403,  403,  200,  200,  404,  200,  404),
    ("members", POST):                   (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("invite", GET):                     (LOGIN, 403,  403,  403,  200,  200,  404,  200,  404),
    ("invite", POST):                    (LOGIN, 403,  403,  403,  DONE, DONE, 404,  DONE, 404),
    ("invite_to_police", POST):          (LOGIN, 403,  403,  403,  200,  DONE, 404,  DONE, 404),
    ("remove", GET):                     (LOGIN, 403,  403,  403,  200,  200,  404,  200,  404),
    ("remove", POST):                    (LOGIN, 403,  403,  403,  DONE, DONE, 404,  DONE, 404),
    ("remove_from_police", GET):         (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("remove_from_police", POST):        (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("speaks_for", GET):                 (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("speaks_for", POST):                (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("coordinator_add", GET):            (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("coordinator_add", POST):           (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("coordinator_remove", GET):         (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("coordinator_remove", POST):        (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("resend", GET):                     (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("resend", POST):                    (LOGIN, 403,  403,  403,  DONE, DONE, 404,  DONE, 404),
    ("cancel", GET):                     (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("cancel", POST):                    (LOGIN, 403,  403,  403,  DONE, DONE, 404,  DONE, 404),
    ("cancel_police_invitation", POST):  (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("domains", GET):                    (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("domains", POST):                   (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("request", GET):                    (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("request", POST):                   (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("agency_names", GET):               (LOGIN, 403,  403,  403,  403,  200,  404,  200,  404),
    ("agency_names", POST):              (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("agency_name_remove", GET):         (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405),
    ("agency_name_remove", POST):        (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
}
# fmt: on


@pytest.fixture
def people(partnership, housing, police, lead_officer, coordinator):
    """A Bromford officer (whom the housing representative may remove), a second coordinator,
    an invitation to each of Bromford and the police (sent), a request to join, and another name
    of Bromford's."""
    sent = {"sent_at": "2021-04-01T09:00Z", "expires_at": "2099-01-01T00:00Z"}
    second_coordinator = MembershipFactory(user=UserFactory(username="ivan"), agency=police).user
    partnership.coordinators.add(second_coordinator)
    partnership.allowed_email_domains = "bromford.co.uk"
    partnership.save()
    return SimpleNamespace(
        partnership=partnership,
        housing=housing,
        police=police,
        housing_member=MembershipFactory(user=UserFactory(username="henry"), agency=housing),
        police_member=Membership.objects.get(user=lead_officer, agency=police),
        second_coordinator=second_coordinator,
        housing_invitation=Invitation.objects.create(
            email="new.officer@example.org", agency=housing, token_hash="a" * 64, **sent
        ),
        police_invitation=Invitation.objects.create(
            email="new.constable@example.org", agency=police, token_hash="b" * 64, **sent
        ),
        request=AccessRequest.objects.create(
            email="joe.bloggs@bromford.co.uk", partnership=partnership, agency_guess=housing
        ),
        housing_alias=AgencyAlias.objects.create(agency=housing, name="Bromford Housing"),
    )


def members_url(name: str, *args) -> Callable[[SimpleNamespace], str]:
    return lambda p: reverse(name, args=["lichfield", *(arg(p) for arg in args)])


def check_invited(agency: str) -> Callable:
    def check(p, user) -> None:
        invitation = Invitation.objects.get(email="someone.new@example.org")
        assert invitation.agency.slug == agency
        assert invitation.created_by == user

    return check


def check_removed(membership: str) -> Callable:
    def check(p, user) -> None:
        removed = getattr(p, membership)
        assert not Membership.objects.filter(pk=removed.pk).exists()
        removed.user.refresh_from_db()
        assert removed.user.is_active is False  # belonged nowhere else: has left

    return check


def check_speaks_for(p, user) -> None:
    p.housing_member.refresh_from_db()
    assert p.housing_member.may_speak_for_agency is True


def check_coordinator_added(p, user) -> None:
    assert p.partnership.coordinators.filter(username="alice").exists()


def check_coordinator_removed(p, user) -> None:
    assert not p.partnership.coordinators.filter(pk=p.second_coordinator.pk).exists()
    p.second_coordinator.refresh_from_db()
    assert p.second_coordinator.is_active  # still a police officer


def check_resent(p, user) -> None:
    p.housing_invitation.refresh_from_db()
    assert p.housing_invitation.token_hash == ""  # the old link stops working; a new one is queued


def check_cancelled(invitation: str) -> Callable:
    def check(p, user) -> None:
        cancelled = getattr(p, invitation)
        cancelled.refresh_from_db()
        assert cancelled.cancelled_by == user

    return check


def check_domains(p, user) -> None:
    p.partnership.refresh_from_db()
    assert p.partnership.email_domains == ["bromford.co.uk", "lichfielddc.gov.uk"]


def check_approved(p, user) -> None:
    p.request.refresh_from_db()
    assert p.request.outcome == AccessRequest.Outcome.APPROVED
    assert p.request.decided_by == user
    assert Membership.objects.filter(user=p.request.user, agency=p.housing).exists()


def check_alias_added(p, user) -> None:
    alias = AgencyAlias.objects.get(name="Staffs Police")
    assert (alias.agency, alias.created_by) == (p.police, user)


def check_alias_removed(p, user) -> None:
    assert not AgencyAlias.objects.filter(pk=p.housing_alias.pk).exists()


def invite_data(agency: str) -> Callable[[SimpleNamespace], dict]:
    def data(p) -> dict:
        chosen = p.housing if agency == "housing" else p.police
        return {
            "first_name": "Someone",
            "last_name": "New",
            "email": "someone.new@example.org",
            "agency": chosen.pk,
        }

    return data


@dataclass(frozen=True)
class MemberCase:
    page: str  # the URL's name
    url: Callable[[SimpleNamespace], str]
    data: Callable[[SimpleNamespace], dict] = lambda p: {}
    check_done: Callable[[SimpleNamespace, object], None] | None = None


MEMBER_CASES = {
    "members": MemberCase("members_list", members_url("members_list")),
    "invite": MemberCase(
        "member_invite",
        members_url("member_invite"),
        invite_data("housing"),
        check_invited("bromford"),
    ),
    "invite_to_police": MemberCase(
        "member_invite",
        members_url("member_invite"),
        invite_data("police"),
        check_invited("police"),
    ),
    "remove": MemberCase(
        "member_remove",
        members_url("member_remove", lambda p: p.housing_member.pk),
        check_done=check_removed("housing_member"),
    ),
    "remove_from_police": MemberCase(
        "member_remove",
        members_url("member_remove", lambda p: p.police_member.pk),
        check_done=check_removed("police_member"),
    ),
    "speaks_for": MemberCase(
        "member_speaks_for",
        members_url("member_speaks_for", lambda p: p.housing_member.pk),
        lambda p: {"speaks": "yes"},
        check_speaks_for,
    ),
    "coordinator_add": MemberCase(
        "coordinator_add",
        members_url("coordinator_add"),
        lambda p: {"person": p.police_member.user_id},
        check_coordinator_added,
    ),
    "coordinator_remove": MemberCase(
        "coordinator_remove",
        members_url("coordinator_remove", lambda p: p.second_coordinator.pk),
        check_done=check_coordinator_removed,
    ),
    "resend": MemberCase(
        "invitation_resend",
        members_url("invitation_resend", lambda p: p.housing_invitation.pk),
        check_done=check_resent,
    ),
    "cancel": MemberCase(
        "invitation_cancel",
        members_url("invitation_cancel", lambda p: p.housing_invitation.pk),
        check_done=check_cancelled("housing_invitation"),
    ),
    "cancel_police_invitation": MemberCase(
        "invitation_cancel",
        members_url("invitation_cancel", lambda p: p.police_invitation.pk),
        check_done=check_cancelled("police_invitation"),
    ),
    "domains": MemberCase(
        "partnership_domains",
        members_url("partnership_domains"),
        lambda p: {"domains": "bromford.co.uk\nLichfieldDC.gov.uk"},
        check_domains,
    ),
    "request": MemberCase(
        "access_request_decide",
        members_url("access_request_decide", lambda p: p.request.pk),
        lambda p: {"decision": "approve", "agency": p.housing.pk},
        check_approved,
    ),
    "agency_names": MemberCase(
        "agency_names",
        members_url("agency_names"),
        lambda p: {"agency": p.police.pk, "name": "Staffs Police"},
        check_alias_added,
    ),
    "agency_name_remove": MemberCase(
        "agency_name_remove",
        members_url("agency_name_remove", lambda p: p.housing_alias.pk),
        check_done=check_alias_removed,
    ),
}


def member_cells():
    for (case, method), answers in MEMBERS.items():
        for role, expected in zip(ROLES, answers, strict=True):
            yield pytest.param(case, method, role, expected, id=f"{case}-{method}-{role}")


@pytest.mark.parametrize(("case", "method", "role", "expected"), list(member_cells()))
def test_members_matrix(client, request, people, case, method, role, expected):
    user = sign_in(client, request, role)
    spec = MEMBER_CASES[case]
    url = spec.url(people)
    with product_writes() as writes:
        response = client.get(url) if method == GET else client.post(url, spec.data(people))

    if expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response.url.startswith("/partnerships/lichfield/members/")
        spec.check_done(people, user)
        assert writes
        return
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == expected
    assert writes == []


def test_every_members_change_is_done_by_someone_and_refused_to_others():
    assert set(MEMBERS) >= {(case, POST) for case in MEMBER_CASES}
    for case, spec in MEMBER_CASES.items():
        if spec.check_done is None:
            continue
        answers = MEMBERS[(case, POST)]
        assert DONE in answers, case
        assert {403, 404} & set(answers), case


@pytest.mark.parametrize(
    ("role", "agencies"),
    [
        (
            "coordinator",
            {
                "Bromford Housing Group",
                "Humankind",
                "Lichfield District Council",
                "Staffordshire Police",
            },
        ),
        (
            "admin_user",
            {
                "Bromford Housing Group",
                "Humankind",
                "Lichfield District Council",
                "Staffordshire Police",
            },
        ),
        ("representative", {"Bromford Housing Group"}),
    ],
)
def test_the_members_page_shows_each_person_only_what_they_may_manage(
    client, request, people, role, agencies
):
    sign_in(client, request, role)
    response = client.get(MEMBER_CASES["members"].url(people))
    page = response.context["page"]
    assert {row.agency.name for row in page.agencies} == agencies
    html = response.content.decode()
    manages = role != "representative"
    for case in ("speaks_for", "coordinator_add", "domains", "request", "agency_names"):
        assert (f'="{MEMBER_CASES[case].url(people)}' in html) == manages, case
    assert f'href="{MEMBER_CASES["remove"].url(people)}"' in html
    assert (f'href="{MEMBER_CASES["remove_from_police"].url(people)}"' in html) == manages
    assert ("new.constable@example.org" in html) == manages
    assert "new.officer@example.org" in html


# -- The reports, the funding page and the county view. Members read every report (restricted
# actions included); the county analyst reads the version for the public (tests/reports/); only
# the coordinator (and an admin) sets the funding allocations; the county view is the area's
# analysts' and admins'. The plan's stage does not matter here: a draft is used.

# fmt: off
REPORTS = {
    #                                anon   lead  supp  unrel repr  coord outsdr admin  anlst
    ("report_index", GET):          (LOGIN, 200,  200,  200,  200,  200,  404,  200,  200),
    ("report_quarterly", GET):      (LOGIN, 200,  200,  200,  200,  200,  404,  200,  200),
    ("report_quarterly_public", GET): (LOGIN, 200, 200, 200,  200,  200,  404,  200,  200),
    ("report_annual", GET):         (LOGIN, 200,  200,  200,  200,  200,  404,  200,  200),
    ("funding", GET):               (LOGIN, 200,  200,  200,  200,  200,  404,  200,  404),
    ("funding", POST):              (LOGIN, 403,  403,  403,  403,  DONE, 404,  DONE, 404),
    ("area", GET):                  (LOGIN, 404,  404,  404,  404,  404,  404,  200,  200),
    ("area", POST):                 (LOGIN, 404,  404,  404,  404,  404,  404,  200,  200),
}
# fmt: on


def report_url(name: str, *extra) -> Callable[[SimpleNamespace], str]:
    return lambda w: reverse(name, args=[w.plan.partnership.slug, w.plan.period, *extra])


def check_allocated(w, user) -> None:
    allocation = FundingAllocation.objects.get(plan=w.plan, source="ldf")
    assert allocation.amount == 20000
    assert allocation.history.latest().history_user == user


REPORT_CASES = {
    "report_index": MemberCase("report_index", report_url("report_index")),
    "report_quarterly": MemberCase("report_quarterly", report_url("report_quarterly", 1)),
    "report_quarterly_public": MemberCase(
        "report_quarterly", lambda w: report_url("report_quarterly", 1)(w) + "?version=public"
    ),
    "report_annual": MemberCase("report_annual", report_url("report_annual")),
    "funding": MemberCase(
        "plan_funding",
        report_url("plan_funding"),
        lambda w: {"source_ldf": "20000"},
        check_allocated,
    ),
    "area": MemberCase("area_overview", lambda w: reverse("area_overview", args=["staffordshire"])),
}


def report_cells():
    for (case, method), answers in REPORTS.items():
        for role, expected in zip(ROLES, answers, strict=True):
            yield pytest.param(case, method, role, expected, id=f"{case}-{method}-{role}")


@pytest.mark.parametrize(("case", "method", "role", "expected"), list(report_cells()))
def test_reports_matrix(client, request, world, area, case, method, role, expected):
    user = sign_in(client, request, role)
    spec = REPORT_CASES[case]
    url = spec.url(world)
    with product_writes() as writes:
        response = client.get(url) if method == GET else client.post(url, spec.data(world))

    if expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        spec.check_done(world, user)
        return
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={quote(url, safe='/')}"
    else:
        assert response.status_code == expected
    assert writes == []


def test_the_analyst_changes_nothing_anywhere():
    """No page of any matrix lets the county analyst change anything."""
    column = ROLES.index("analyst")
    for matrix in [*MATRICES.values(), MEMBERS, REPORTS]:
        assert all(answers[column] != DONE for answers in matrix.values())
