"""Every change on record: who changed what, when, before and after; kept after deletion."""

from django.urls import reverse
from django.utils.html import escape

from actions.models import Action, Outcome
from tests.actions.forms_data import action_post_data


def test_an_edit_records_one_history_row_with_its_author_and_changed_fields(
    client, action, lead_officer, housing
):
    before = action.history.count()
    data = action_post_data(
        action,
        description="Triaging of ASB reports within 24 hours",
        supporting_agencies=[a.pk for a in action.supporting_agencies.all()] + [housing.pk],
    )
    client.force_login(lead_officer)
    assert client.post(reverse("action_edit", args=[action.pk]), data).status_code == 302

    assert action.history.count() == before + 1
    latest, previous = action.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_user == lead_officer
    assert latest.history_type == "~"
    delta = latest.diff_against(previous)
    changed = set(delta.changed_fields) - {"version", "updated_at", "updated_by"}
    assert changed == {"description", "supporting_agencies"}


def test_saving_without_changes_records_nothing(client, action, lead_officer):
    before = action.history.count()
    client.force_login(lead_officer)
    assert (
        client.post(reverse("action_edit", args=[action.pk]), action_post_data(action)).status_code
        == 302
    )
    assert action.history.count() == before
    action.refresh_from_db()
    assert action.version == 1


def test_action_page_shows_who_changed_what_from_what_to_what(
    client, action, lead_officer, coordinator
):
    client.force_login(lead_officer)
    client.post(
        reverse("action_edit", args=[action.pk]),
        action_post_data(action, description="Triaging within 24 hours", status="in_progress"),
    )
    client.force_login(coordinator)
    page = client.get(action.get_absolute_url()).content.decode()
    history = page[page.index('id="history-heading"') :]
    name = escape(lead_officer.get_full_name())  # Faker's names may hold an apostrophe
    assert f"<strong>{name}</strong> · Changed the action" in history
    assert "Triaging of ASB reports to key agencies" in history  # before
    assert "Triaging within 24 hours" in history  # after
    assert "Proposed" in history and "In progress" in history


def test_outcome_changes_are_on_record(client, action, lead_officer):
    outcome = action.outcomes.get()
    client.force_login(lead_officer)
    client.post(
        reverse("action_edit", args=[action.pk]),
        action_post_data(
            action,
            outcomes=[
                {"id": outcome.pk, "description": outcome.description, "DELETE": True},
                {"description": "Fewer repeat calls"},
            ],
        ),
    )
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Removed the outcome “Quicker more effective responses”" in page
    assert "Added the outcome “Fewer repeat calls”" in page
    assert (
        Outcome.history.filter(id=outcome.pk, history_type="-").get().history_user == lead_officer
    )


def test_history_survives_deletion(client, action, lead_officer):
    action_id, outcome_id = action.pk, action.outcomes.get().pk
    client.force_login(lead_officer)
    assert client.post(reverse("action_delete", args=[action_id])).status_code == 302
    assert not Action.objects.filter(pk=action_id).exists()
    deleted = Action.history.filter(id=action_id, history_type="-").get()
    assert deleted.history_user == lead_officer
    assert deleted.description == "Triaging of ASB reports to key agencies"
    assert Outcome.history.filter(id=outcome_id, history_type="-").exists()


def test_history_is_shown_in_the_admin(client, action, lead_officer, admin_user):
    client.force_login(lead_officer)
    client.post(
        reverse("action_edit", args=[action.pk]),
        action_post_data(action, description="Edited in the browser"),
    )
    client.force_login(admin_user)
    response = client.get(reverse("admin:actions_action_history", args=[action.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Edited in the browser" in page or "description" in page.lower()
    assert lead_officer.username in page
