"""Progress updates on a published plan's actions: by the lead agency or the coordinator, kept,
and flagged "update due" after a quarter without one."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import Action
from tests.factories import ActionFactory
from tracking.models import ProgressUpdate
from tracking.progress import is_update_due, updates_due, with_latest_update


@pytest.fixture
def published(plan, action, publish):
    publish(plan)
    action.refresh_from_db()
    return action


def post_update(client, action, **data):
    values = {
        "date": "2021-06-30",
        "rag": "on_track",
        "percent_complete": "",
        "narrative": "Going well.",
    }
    values.update(data)
    return client.post(reverse("progress_add", args=[action.pk]), values)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead_officer", 302),
        ("coordinator", 302),
        ("admin_user", 302),
        ("supporting_officer", 403),
        ("unrelated_officer", 403),
        ("representative", 403),
        ("other_coordinator", 404),
        ("outsider", 404),
    ],
)
def test_only_the_lead_agency_or_the_coordinator_records_progress(
    client, request, published, who, expected
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("progress_add", args=[published.pk])).status_code == (
        200 if expected == 302 else expected
    )
    response = post_update(client, published)
    assert response.status_code == expected
    assert ProgressUpdate.objects.count() == (1 if expected == 302 else 0)


def test_anonymous_is_asked_to_sign_in(client, published):
    response = post_update(client, published)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not ProgressUpdate.objects.exists()


def test_no_progress_on_a_plan_that_was_never_published(client, action, lead_officer):
    client.force_login(lead_officer)
    assert post_update(client, action).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_updates_are_kept_and_the_latest_shows(client, published, lead_officer, coordinator):
    client.force_login(lead_officer)
    post_update(client, published, date="2021-06-30", rag="at_risk", narrative="Staff shortage.")
    post_update(
        client,
        published,
        date="2021-09-30",
        rag="on_track",
        narrative="Recovered.",
        percent_complete="40",
    )
    assert published.updates.count() == 2
    page = client.get(published.get_absolute_url()).content.decode()
    assert page.index("Recovered.") < page.index("Staff shortage.")
    assert "40% complete" in page
    client.force_login(coordinator)
    workspace = client.get(published.priority.plan.get_workspace_url()).content.decode()
    assert 'rag rag-on_track">On track</span>' in workspace
    public = client.get(published.priority.plan.get_absolute_url()).content.decode()
    assert "On track</span> 40%" in public


def test_a_bad_update_is_refused_and_nothing_is_lost(client, published, lead_officer):
    client.force_login(lead_officer)
    response = post_update(
        client, published, rag="", percent_complete="140", narrative="Typed text"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_rag_0"' in page and 'href="#id_percent_complete"' in page
    assert "Typed text" in page
    assert not ProgressUpdate.objects.exists()


def test_the_public_sees_no_progress_of_a_restricted_action(
    client, plan, action, publish, lead_officer
):
    Action.objects.filter(pk=action.pk).update(restricted=True)
    publish(plan)
    client.force_login(lead_officer)
    post_update(client, action, narrative="Operation details", rag="off_track")
    client.logout()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Restricted action led by Staffordshire Police" in page
    assert "Off track" not in page and "Operation details" not in page


# -- The "update due" rule.


def _annotated(action):
    return (
        with_latest_update(Action.objects.filter(pk=action.pk))
        .select_related("priority__plan")
        .get()
    )


@time_machine.travel(datetime.datetime(2021, 7, 1, 9, 0), tick=False)
def test_an_action_never_updated_is_due(published):
    assert is_update_due(_annotated(published))
    assert list(updates_due(Action.objects.all())) == [published]


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (datetime.datetime(2021, 9, 28, 9, 0), False),  # 90 days after the update
        (datetime.datetime(2021, 9, 29, 9, 0), False),  # 91 days: still within the quarter
        (datetime.datetime(2021, 9, 30, 9, 0), True),  # 92 days: due
    ],
)
def test_an_action_is_due_a_quarter_after_its_latest_update(published, lead_officer, today, due):
    ProgressUpdate.objects.create(
        action=published, date=datetime.date(2021, 6, 30), rag="on_track", narrative="x"
    )
    with time_machine.travel(today, tick=False):
        assert is_update_due(_annotated(published)) is due
        assert (published in updates_due(Action.objects.all())) is due


def test_completed_actions_and_unpublished_plans_are_never_due(published, priority):
    ProgressUpdate.objects.create(
        action=published, date=datetime.date(2020, 1, 1), rag="complete", narrative="Done"
    )
    draft_action = ActionFactory(
        priority__plan__title="Another",
        priority__plan__partnership=priority.plan.partnership,
        priority__plan__period_start=datetime.date(2022, 4, 1),
        priority__plan__period_end=datetime.date(2023, 3, 31),
    )
    assert not updates_due(Action.objects.all()).exists()
    assert not is_update_due(_annotated(draft_action))


@time_machine.travel(datetime.datetime(2021, 10, 15, 9, 0), tick=False)
def test_my_updates_due_lists_my_agencys_due_actions(
    client, published, lead_officer, supporting_officer
):
    client.force_login(lead_officer)
    page = client.get(reverse("my_updates_due")).content.decode()
    assert published.description in page
    client.force_login(supporting_officer)
    assert published.description not in client.get(reverse("my_updates_due")).content.decode()
    client.force_login(lead_officer)
    post_update(client, published, date="2021-10-14")
    assert published.description not in client.get(reverse("my_updates_due")).content.decode()
