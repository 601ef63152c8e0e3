"""Editing an action and its outcomes together; two people editing at once lose nothing."""

import datetime

import pytest
from django.urls import reverse

from actions.forms import ActionForm, OutcomeFormSet, outcome_values
from actions.models import Action, Outcome
from actions.services import EditConflict, action_update
from tests.actions.forms_data import action_post_data


def edit_url(action):
    return reverse("action_edit", args=[action.pk])


def test_lead_officer_edits_the_action_and_its_outcomes_together(
    client, action, lead_officer, housing
):
    first = action.outcomes.get()
    data = action_post_data(
        action,
        description="Triaging of ASB reports within 24 hours",
        target_date="2021-09-30",
        supporting_agencies=[a.pk for a in action.supporting_agencies.all()] + [housing.pk],
        outcomes=[
            {"id": first.pk, "description": "Responses within one working day"},
            {"description": "Fewer duplicated visits", "measure": "Joint visits logged"},
        ],
    )
    client.force_login(lead_officer)
    response = client.post(edit_url(action), data)
    assert response.status_code == 302
    assert response.url == action.get_absolute_url()
    action.refresh_from_db()
    assert action.description == "Triaging of ASB reports within 24 hours"
    assert action.target_date == datetime.date(2021, 9, 30)
    assert housing in action.supporting_agencies.all()
    assert action.version == 2
    assert action.updated_by == lead_officer
    assert list(action.outcomes.order_by("pk").values_list("description", "measure")) == [
        ("Responses within one working day", ""),
        ("Fewer duplicated visits", "Joint visits logged"),
    ]


def test_an_outcome_is_removed_with_the_remove_box(client, action, lead_officer):
    outcome = action.outcomes.get()
    data = action_post_data(
        action, outcomes=[{"id": outcome.pk, "description": outcome.description, "DELETE": True}]
    )
    client.force_login(lead_officer)
    assert client.post(edit_url(action), data).status_code == 302
    assert not Outcome.objects.filter(pk=outcome.pk).exists()


def test_added_action_lands_in_the_chosen_cell(client, plan, priority, lead_officer, police):
    theme = plan.partnership.themes.get(name="Public Confidence")
    url = reverse("action_add", args=["lichfield", "2021-22"])
    client.force_login(lead_officer)
    form_page = client.get(url, {"priority": priority.pk, "theme": theme.pk})
    assert form_page.status_code == 200
    assert f'<option value="{theme.pk}" selected>' in form_page.content.decode()
    data = {
        "priority": priority.pk,
        "theme": theme.pk,
        "description": "Publicity around key events",
        "lead_agency": police.pk,
        "status": "proposed",
        "target_date": "",
        "outcomes-TOTAL_FORMS": "1",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
        "outcomes-0-description": "More people know where to get help",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    created = Action.objects.get(description="Publicity around key events")
    assert (created.priority, created.theme, created.lead_agency) == (priority, theme, police)
    assert created.created_by == lead_officer
    assert created.outcomes.get().description == "More people know where to get help"


def test_invalid_input_is_kept_and_errors_are_summarised_and_linked(client, action, lead_officer):
    data = action_post_data(action, description="", target_date="31/02/2021x")
    data["outcomes-1-measure"] = "A measure without an outcome"
    client.force_login(lead_officer)
    response = client.post(edit_url(action), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_description"' in page
    assert 'href="#id_target_date"' in page
    assert "A measure without an outcome" in page  # nothing typed is lost
    assert "31/02/2021x" in page
    action.refresh_from_db()
    assert action.description == "Triaging of ASB reports to key agencies"
    assert action.version == 1


def test_lead_agency_choices_are_the_partnerships_agencies(
    client, action, lead_officer, other_agency
):
    client.force_login(lead_officer)
    page = client.get(edit_url(action)).content.decode()
    assert "Bromford Housing Group" in page
    assert other_agency.name not in page
    response = client.post(edit_url(action), action_post_data(action, lead_agency=other_agency.pk))
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.lead_agency.name == "Staffordshire Police"


def test_move_reorders_within_the_cell(client, action, lead_officer, priority):
    from tests.factories import ActionFactory

    second = ActionFactory(priority=priority, theme=action.theme, lead_agency=action.lead_agency)
    client.force_login(lead_officer)
    ordered = lambda: list(  # noqa: E731
        Action.objects.filter(priority=priority, theme=action.theme).order_by("order", "pk")
    )
    assert ordered() == [action, second]
    response = client.post(reverse("action_move", args=[second.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert ordered() == [second, action]
    client.post(reverse("action_move", args=[second.pk]), {"direction": "up"})  # already on top
    assert ordered() == [second, action]


def test_delete_asks_for_confirmation_first(client, action, lead_officer):
    client.force_login(lead_officer)
    url = reverse("action_delete", args=[action.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, delete the action" in page.content.decode()
    assert Action.objects.filter(pk=action.pk).exists()
    assert client.post(url).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


# -- Two people, one action.


def test_second_of_two_edits_from_the_same_version_is_refused(
    client, action, lead_officer, supporting_officer
):
    # Both open the edit form at version 1.
    first = action_post_data(action, description="Triaging of ASB reports within 24 hours")
    second = action_post_data(
        action,
        target_date="2022-01-31",
        outcomes=[
            {"id": action.outcomes.get().pk, "description": "Quicker more effective responses"},
            {"description": "My new outcome, typed with care"},
        ],
    )

    client.force_login(lead_officer)
    assert client.post(edit_url(action), first).status_code == 302

    client.force_login(supporting_officer)
    response = client.post(edit_url(action), second)
    assert response.status_code == 409
    page = response.content.decode()
    # The other person's change, before and after, is shown.
    assert "saved this action while you were editing it" in page
    assert "Triaging of ASB reports to key agencies" in page
    assert "Triaging of ASB reports within 24 hours" in page
    # The second person's text is kept in the form to merge.
    assert "My new outcome, typed with care" in page
    assert 'value="2022-01-31"' in page
    # The form now carries the version the person has seen, so a merged save can go through.
    assert 'name="version" value="2"' in page

    # Nothing of the first edit was lost; nothing of the second was saved.
    action.refresh_from_db()
    assert action.description == "Triaging of ASB reports within 24 hours"
    assert action.target_date is None
    assert action.version == 2
    assert action.outcomes.count() == 1


def test_merged_resubmission_after_a_conflict_is_saved(
    client, action, lead_officer, supporting_officer
):
    stale = action_post_data(action, target_date="2022-01-31")
    client.force_login(lead_officer)
    client.post(edit_url(action), action_post_data(action, description="Merged description"))
    client.force_login(supporting_officer)
    assert client.post(edit_url(action), stale).status_code == 409
    action.refresh_from_db()
    merged = action_post_data(action, target_date="2022-01-31")
    assert client.post(edit_url(action), merged).status_code == 302
    action.refresh_from_db()
    assert (action.description, action.target_date) == (
        "Merged description",
        datetime.date(2022, 1, 31),
    )
    assert action.version == 3


def test_service_refuses_a_stale_version_under_the_row_lock(action, supporting_officer):
    plan = action.priority.plan
    form = ActionForm(action_post_data(action, description="Stale"), instance=action, plan=plan)
    outcomes = OutcomeFormSet(action_post_data(action), instance=action, prefix="outcomes")
    assert form.is_valid() and outcomes.is_valid()
    Action.objects.filter(pk=action.pk).update(version=5)
    with pytest.raises(EditConflict) as exc:
        action_update(
            action=action,
            user=supporting_officer,
            expected_version=1,
            outcomes=outcome_values(outcomes),
            **form.values(),
        )
    assert exc.value.current.version == 5
    assert Action.objects.get(pk=action.pk).description == "Triaging of ASB reports to key agencies"


def test_an_edit_keeps_the_order_someone_else_set_meanwhile(client, action, lead_officer):
    data = action_post_data(action, description="New words")
    Action.objects.filter(pk=action.pk).update(order=42)  # a reorder saved after the form opened
    client.force_login(lead_officer)
    assert client.post(edit_url(action), data).status_code == 302
    action.refresh_from_db()
    assert (action.description, action.order) == ("New words", 42)


def test_the_lead_agency_cannot_also_be_a_supporting_agency(client, action, lead_officer, police):
    data = action_post_data(action, supporting_agencies=[police.pk])
    client.force_login(lead_officer)
    response = client.post(edit_url(action), data)
    assert response.status_code == 200
    assert "Staffordshire Police leads this action, so it cannot also support it." in (
        response.content.decode()
    )
    assert list(action.supporting_agencies.values_list("name", flat=True)) == [
        "Lichfield District Council"
    ]
