"""Update my actions: every action a person reports on in a plan, a RAG, a percentage and a
narrative each, saved together; a blank row is skipped; a bad row keeps everything typed."""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action
from priorities.models import Plan
from tests.factories import ActionFactory
from tests.snapshots import database_snapshot
from tracking.models import ProgressUpdate
from tracking.progress import ProgressEntry, progress_record_many

URL = reverse("update_my_actions", args=["lichfield", "2021-22"])
TODAY = datetime.datetime(2021, 7, 5, 9, 0)

pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(plan, priority, action, council, publish):
    """The published plan: the police's action (conftest) and one the council leads."""
    councils = ActionFactory(
        priority=priority, theme=action.theme, lead_agency=council, description="CCTV review"
    )
    publish(plan)
    return SimpleNamespace(plan=plan, police=action, council=councils)


def row(action, rag="", percent="", narrative=""):
    prefix = f"action-{action.pk}"
    return {
        f"{prefix}-rag": rag,
        f"{prefix}-percent_complete": percent,
        f"{prefix}-narrative": narrative,
    }


def updates():
    return sorted(
        (
            u.action.description,
            u.rag,
            u.percent_complete,
            u.narrative,
            u.date,
            u.created_by.username,
        )
        for u in ProgressUpdate.objects.select_related("action", "created_by")
    )


# -- Who sees which actions, and who may save.

# fmt: off
ROLES = ("anonymous", "lead_officer", "supporting_officer", "unrelated_officer", "representative",
         "coordinator", "other_coordinator", "admin_user")
PUBLISHED = {
    #        anon     lead    supp    unrel repr coord   outsdr admin
    "GET":  ("login", 200,    200,    200,  200, 200,    404,   200),
    "POST": ("login", "done", "done", 403,  403, "done", 404,   "done"),
}
DRAFT = {
    "GET":  ("login", 200,    200,    200,  200, 200,    404,   200),
    "POST": ("login", 403,    403,    403,  403, 403,    404,   403),
}
# What each sees (and saves): the actions their agency leads; the coordinator and admin, all.
SEES = {
    "lead_officer": ["Triaging of ASB reports to key agencies"],
    "supporting_officer": ["CCTV review"],
    "unrelated_officer": [],
    "representative": [],
    "coordinator": ["Triaging of ASB reports to key agencies", "CCTV review"],
    "admin_user": ["Triaging of ASB reports to key agencies", "CCTV review"],
}
# fmt: on


@pytest.mark.parametrize("status", [Plan.Status.PUBLISHED, Plan.Status.DRAFT])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    client, request, plan, priority, action, council, publish, status, method, role
):
    council_action = ActionFactory(
        priority=priority, theme=action.theme, lead_agency=council, description="CCTV review"
    )
    if status == Plan.Status.PUBLISHED:
        publish(plan)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    expected = (PUBLISHED if status == Plan.Status.PUBLISHED else DRAFT)[method][ROLES.index(role)]
    data = row(action, "on_track", "", "Police news") | row(
        council_action, "at_risk", "", "Council news"
    )
    before = database_snapshot()

    response = client.get(URL) if method == "GET" else client.post(URL, data)

    if expected == "login":
        assert response.status_code == 302 and response.url == f"/accounts/login/?next={URL}"
    elif expected == "done":
        assert response.status_code == 302 and response.url == URL
        saved = sorted(u.action.description for u in ProgressUpdate.objects.all())
        assert saved == sorted(SEES[role])  # a row for an action not theirs is ignored
        return
    else:
        assert response.status_code == expected
    assert database_snapshot() == before
    if expected == 200:
        page = response.content.decode()
        for description in ("Triaging of ASB reports to key agencies", "CCTV review"):
            shown = status == Plan.Status.PUBLISHED and description in SEES[role]
            assert (f"{description}</legend>" in page) is shown
    if expected == 403 and status == Plan.Status.DRAFT:
        assert "Progress is recorded once the plan is published." in response.content.decode()
    if expected == 403 and status == Plan.Status.PUBLISHED:
        assert "Your agency leads no action of this plan" in response.content.decode()


def test_a_member_with_nothing_to_update_is_told_why(client, world, unrelated_officer):
    client.force_login(unrelated_officer)
    page = client.get(URL).content.decode()
    assert (
        "Your agency leads no action of this plan, so there is nothing for you to update." in page
    )
    assert "Save updates" not in page


# -- Saving.


def test_the_filled_rows_are_saved_together_and_a_blank_row_is_skipped(
    client, world, coordinator, plan, priority
):
    third = ActionFactory(
        priority=priority, lead_agency=world.police.lead_agency, description="Third"
    )
    client.force_login(coordinator)
    data = (
        row(world.police, "at_risk", "40", "Staff shortage")
        | row(world.council, "complete", "100", "Cameras replaced")
        | row(third)
    )
    response = client.post(URL, data, follow=True)
    assert "2 progress updates were recorded." in response.content.decode()
    today = datetime.date(2021, 7, 5)
    assert updates() == [
        ("CCTV review", "complete", 100, "Cameras replaced", today, "erin"),
        ("Triaging of ASB reports to key agencies", "at_risk", 40, "Staff shortage", today, "erin"),
    ]
    # Status follows progress.
    statuses = dict(Action.objects.values_list("description", "status"))
    assert statuses == {
        "Triaging of ASB reports to key agencies": Action.Status.IN_PROGRESS,
        "CCTV review": Action.Status.COMPLETED,
        "Third": Action.Status.PROPOSED,
    }


def test_a_bad_row_saves_nothing_keeps_every_typed_value_and_says_which_row(
    client, world, coordinator
):
    client.force_login(coordinator)
    data = row(world.police, "off_track", "15", "Typed for the police") | row(
        world.council, "", "140", "Typed for the council"
    )
    before = database_snapshot()
    response = client.post(URL, data)
    assert response.status_code == 200
    assert database_snapshot() == before
    page = response.content.decode()
    assert "There is a problem" in page
    council = f"id_action-{world.council.pk}"
    row_2 = 'class="alert-link">Row 2 (CCTV review)'
    assert f'href="#{council}-rag_0" {row_2}: Choose how the action is going' in page
    assert (
        f'href="#{council}-percent_complete" {row_2}: Enter a percentage complete from 0 to 100'
        in page
    )
    assert "Row 1 (" not in page  # the good row is not blamed
    # Every typed value of every row is still there.
    police = f"action-{world.police.pk}"
    assert re.search(
        rf'<input type="radio" name="{police}-rag" value="off_track"[^>]* checked', page
    )
    assert f'name="{police}-percent_complete" value="15"' in page
    assert "Typed for the police</textarea>" in page
    assert f'name="action-{world.council.pk}-percent_complete" value="140"' in page
    assert "Typed for the council</textarea>" in page


def test_a_row_with_a_percentage_alone_asks_for_the_rest(client, world, lead_officer):
    client.force_login(lead_officer)
    page = client.post(URL, row(world.police, "", "50", "")).content.decode()
    assert "Row 1 (Triaging of ASB reports to key agencies): Choose how the action is going" in page
    assert "Row 1 (Triaging of ASB reports to key agencies): Say what has happened since" in page
    assert not ProgressUpdate.objects.exists()


def test_nothing_typed_saves_nothing_and_says_so(client, world, lead_officer):
    client.force_login(lead_officer)
    response = client.post(URL, row(world.police))
    assert response.status_code == 200
    assert (
        "Nothing was saved: fill in how at least one action is going." in response.content.decode()
    )
    assert not ProgressUpdate.objects.exists()


def test_the_rows_are_saved_in_one_transaction(world, coordinator):
    entries = [
        ProgressEntry(action=world.police, rag="on_track", narrative="Fine"),
        ProgressEntry(action=world.council, rag="on_track", narrative="Bad", percent_complete=140),
    ]
    with pytest.raises(ValidationError):
        progress_record_many(user=coordinator, date=datetime.date(2021, 7, 5), entries=entries)
    assert not ProgressUpdate.objects.exists()
    world.police.refresh_from_db()
    assert world.police.status == Action.Status.PROPOSED


# -- The page.


def test_the_page_shows_the_period_each_actions_last_update_and_what_it_owes(
    client, world, lead_officer
):
    world.police.updates.create(
        date=datetime.date(2021, 3, 22), rag="at_risk", percent_complete=20, narrative="Slow start"
    )
    client.force_login(lead_officer)
    page = client.get(URL).content.decode()
    assert "Reporting period <strong>2021-22 Q1</strong>" in page
    assert "updates due by 15 July 2021" in page
    assert "At risk</span> · 20% complete · 22 March 2021" in page and "Slow start" in page
    assert "Due</span> 2021-22 Q1 update, by 15 July 2021" in page
    assert "---------" not in page
    assert "On track: will be done by its target date" in page


def test_update_my_actions_queries_do_not_grow_with_the_actions(
    client, world, coordinator, priority, police, django_assert_max_num_queries
):
    from tracking.reporting import ensure_reporting_periods

    ensure_reporting_periods([world.plan])
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for number in range(40):
        action = ActionFactory(priority=priority, lead_agency=police)
        action.updates.create(
            date=datetime.date(2021, 5, 1), rag="on_track", narrative=f"n{number}"
        )
    with django_assert_max_num_queries(len(few)):
        page = client.get(URL).content.decode()
    assert page.count("</legend>") >= 42
