"""Progress updates on a published plan's actions: by the lead agency or the coordinator, kept,
and flagged "update due" by the plan's reporting calendar (tests/tracking/test_updates_owed.py
walks through a whole year of it)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import Action
from tests.factories import ActionFactory
from tracking.models import ProgressUpdate
from tracking.progress import progress_record, updates_owed


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


def owed():
    return [(item.action, item.period.name, item.state) for item in updates_owed()]


@time_machine.travel(datetime.datetime(2021, 7, 1, 9, 0), tick=False)
def test_an_action_never_updated_is_due(published):
    assert owed() == [(published, "2021-22 Q1", "due")]


# Was "due a quarter (91 days) after its latest update": the issue replaces that rule by the
# reporting calendar. After the first quarter's update (30 June), the second quarter's is due
# from 14 days before it ends (16 September) until its due date (15 October), then overdue.
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.datetime(2021, 9, 15, 9, 0), []),
        (datetime.datetime(2021, 9, 16, 9, 0), [("2021-22 Q2", "due")]),
        (datetime.datetime(2021, 10, 15, 9, 0), [("2021-22 Q2", "due")]),
        (datetime.datetime(2021, 10, 16, 9, 0), [("2021-22 Q2", "overdue")]),
    ],
)
def test_an_action_is_due_by_the_reporting_calendar_after_its_latest_update(
    published, lead_officer, today, expected
):
    ProgressUpdate.objects.create(
        action=published, date=datetime.date(2021, 6, 30), rag="on_track", narrative="x"
    )
    with time_machine.travel(today, tick=False):
        assert owed() == [(published, name, state) for name, state in expected]


@time_machine.travel(datetime.datetime(2021, 7, 1, 9, 0), tick=False)
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
    assert owed() == []
    assert not updates_owed(plans=[draft_action.priority.plan])


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


# -- Status follows progress.


def statuses_after(action, user, *updates):
    for date, rag in updates:
        progress_record(action=action, user=user, date=date, rag=rag, narrative="x")
    action.refresh_from_db()
    return action.status


def test_a_complete_update_completes_the_action_and_history_says_who(published, lead_officer):
    version = published.version
    assert statuses_after(published, lead_officer, (datetime.date(2021, 9, 1), "complete")) == (
        Action.Status.COMPLETED
    )
    assert published.version == version + 1 and published.updated_by == lead_officer
    record = published.history.latest()
    assert (record.status, record.history_user) == (Action.Status.COMPLETED, lead_officer)
    assert record.history_change_reason == "Progress update: Complete"


def test_a_later_update_that_is_not_complete_reopens_the_action(published, lead_officer):
    status = statuses_after(
        published,
        lead_officer,
        (datetime.date(2021, 9, 1), "complete"),
        (datetime.date(2021, 10, 1), "at_risk"),
    )
    assert status == Action.Status.IN_PROGRESS
    assert published.history.latest().history_user == lead_officer


def test_an_earlier_dated_update_does_not_reopen_a_completed_action(published, lead_officer):
    status = statuses_after(
        published,
        lead_officer,
        (datetime.date(2021, 9, 1), "complete"),
        (datetime.date(2021, 6, 30), "on_track"),  # filled in late for the first quarter
    )
    assert status == Action.Status.COMPLETED


def test_a_first_update_puts_a_proposed_action_in_progress_and_a_withdrawn_one_stays(
    published, lead_officer
):
    assert statuses_after(published, lead_officer, (datetime.date(2021, 6, 1), "on_track")) == (
        Action.Status.IN_PROGRESS
    )
    Action.objects.filter(pk=published.pk).update(status=Action.Status.WITHDRAWN)
    assert statuses_after(published, lead_officer, (datetime.date(2021, 7, 1), "complete")) == (
        Action.Status.WITHDRAWN
    )


def test_the_page_completes_the_action(client, published, lead_officer):
    client.force_login(lead_officer)
    post_update(client, published, rag="complete", narrative="All agencies triage daily.")
    published.refresh_from_db()
    assert published.status == Action.Status.COMPLETED


# -- The form: every rating explained, no blank choice, the last update, messages that help.


def test_the_form_explains_each_rating_offers_no_blank_and_shows_the_last_update(
    client, published, lead_officer
):
    client.force_login(lead_officer)
    page = client.get(reverse("progress_add", args=[published.pk])).content.decode()
    assert "No update yet." in page
    post_update(
        client, published, rag="at_risk", narrative="Staff shortage.", percent_complete="30"
    )
    page = client.get(reverse("progress_add", args=[published.pk])).content.decode()
    assert "---------" not in page
    assert page.count('name="rag" value=') == 4
    for text in (
        "On track: will be done by its target date",
        "At risk: may miss its target date unless something changes",
        "Off track: will miss its target date, or has stalled",
        "Complete: done (the action is marked completed)",
    ):
        assert text in page
    last = page[page.index("The last update") :]
    assert "At risk</span> · 30% complete · 30 June 2021" in last and "Staff shortage." in last


def test_after_an_error_no_rating_is_chosen_for_the_person(client, published, lead_officer):
    client.force_login(lead_officer)
    page = post_update(client, published, rag="", narrative="").content.decode()
    assert " checked" not in page.split('name="rag"', 1)[1].split("</fieldset>", 1)[0]
    assert "Choose how the action is going" in page
    assert "Say what has happened since the last update" in page
    assert "This field is required" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": ""}, "Enter the date the update describes"),
        ({"date": "31/02/2021"}, "Enter the date the update describes, like 30/06/2021"),
        ({"percent_complete": "lots"}, "Enter the percentage complete as a whole number, like 40"),
        ({"percent_complete": "101"}, "Enter a percentage complete from 0 to 100"),
    ],
)
def test_each_error_says_what_to_do(client, published, lead_officer, data, message):
    client.force_login(lead_officer)
    page = post_update(client, published, **data).content.decode()
    assert message in page
    assert not ProgressUpdate.objects.exists()
