"""The coordinator shapes a draft plan's priorities: add, edit, reorder, remove."""

import datetime
import re

import pytest

from actions.models import Action, Outcome
from priorities.models import Plan, Priority
from tests.factories import ActionFactory, OutcomeFactory, PlanFactory, PriorityFactory

LIST_URL = "/plans/lichfield/2021-22/priorities/"
ADD_URL = "/plans/lichfield/2021-22/priorities/add/"
ORIGINAL_ORDER = ["Anti-social Behaviour (ASB)", "Domestic Abuse", "Car Key Burglary"]


def edit_url(priority) -> str:
    return f"/priorities/{priority.pk}/edit/"


def delete_url(priority) -> str:
    return f"/priorities/{priority.pk}/delete/"


def move_url(priority) -> str:
    return f"/priorities/{priority.pk}/move/"


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<span class="fw-semibold">(.*?)</span>', page)


def titles_in_order(plan) -> list[str]:
    return list(plan.priorities.order_by("order", "pk").values_list("title", flat=True))


@pytest.fixture
def priorities(plan, priority):
    """Three priorities, numbered 1 to 3."""
    priority.order = 1
    priority.save(update_fields=["order"])
    domestic_abuse = PriorityFactory(plan=plan, title="Domestic Abuse", order=2)
    burglary = PriorityFactory(plan=plan, title="Car Key Burglary", order=3)
    return [priority, domestic_abuse, burglary]


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# -- The list.


def test_list_shows_the_priorities_in_order_with_management_links(coordinator_client, priorities):
    page = coordinator_client.get(LIST_URL).content.decode()
    assert listed_titles(page) == ORIGINAL_ORDER
    assert f'href="{ADD_URL}"' in page
    for priority in priorities:
        assert f'href="{edit_url(priority)}"' in page
        assert f'href="{delete_url(priority)}"' in page
        assert f'action="{move_url(priority)}"' in page


def test_officer_sees_the_priorities_without_management_links(client, lead_officer, priorities):
    client.force_login(lead_officer)
    page = client.get(LIST_URL).content.decode()
    assert listed_titles(page) == ORIGINAL_ORDER
    assert "Add a priority" not in page
    assert "/edit/" not in page
    assert "/move/" not in page


# -- Add.


def test_add_puts_the_priority_at_the_end_with_the_coordinator_on_record(
    coordinator_client, coordinator, plan, priorities
):
    response = coordinator_client.post(
        ADD_URL,
        {
            "title": "Violence Against Women and Girls",
            "description": "Raised by the Strategic Assessment.",
            "evidence": "Strategic Assessment 2020, page 12",
        },
    )
    assert response.status_code == 302
    assert response.url == LIST_URL
    added = Priority.objects.get(plan=plan, title="Violence Against Women and Girls")
    assert added.description == "Raised by the Strategic Assessment."
    assert added.evidence == "Strategic Assessment 2020, page 12"
    assert added.order == 4
    assert titles_in_order(plan)[-1] == "Violence Against Women and Girls"

    record = Priority.history.get(id=added.pk)
    assert record.history_type == "+"
    assert record.history_user == coordinator

    page = coordinator_client.get(LIST_URL).content.decode()
    assert listed_titles(page)[-1] == "Violence Against Women and Girls"
    assert "The priority “Violence Against Women and Girls” was added." in page


def test_add_to_a_plan_without_priorities_numbers_it_one(coordinator_client, plan):
    response = coordinator_client.post(ADD_URL, {"title": "First priority"})
    assert response.status_code == 302
    assert plan.priorities.get().order == 1


def test_add_without_a_title_is_refused(coordinator_client, plan, priorities):
    response = coordinator_client.post(ADD_URL, {"title": "", "description": "No title"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_title"' in page
    assert plan.priorities.count() == 3


def test_add_form_is_shown_to_the_coordinator(coordinator_client, plan):
    response = coordinator_client.get(ADD_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ["title", "description", "evidence"]:
        assert f'name="{name}"' in page


# -- Edit.


def test_edit_saves_title_description_and_evidence(coordinator_client, coordinator, priorities):
    domestic_abuse = priorities[1]
    response = coordinator_client.post(
        edit_url(domestic_abuse),
        {
            "title": "Domestic Abuse and Sexual Violence",
            "description": "Including coercive control.",
            "evidence": "Police recorded crime 2020-21",
        },
    )
    assert response.status_code == 302
    assert response.url == LIST_URL
    domestic_abuse.refresh_from_db()
    assert domestic_abuse.title == "Domestic Abuse and Sexual Violence"
    assert domestic_abuse.description == "Including coercive control."
    assert domestic_abuse.evidence == "Police recorded crime 2020-21"
    assert domestic_abuse.order == 2  # its place is kept
    latest = domestic_abuse.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == coordinator


def test_edit_form_shows_the_current_values(coordinator_client, priorities):
    page = coordinator_client.get(edit_url(priorities[0])).content.decode()
    assert 'value="Anti-social Behaviour (ASB)"' in page


# -- A duplicate title.


def error_summary(page: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no error summary on the page"
    return match.group(1)


def test_adding_a_duplicate_title_is_refused_with_an_error_summary(
    coordinator_client, plan, priorities
):
    response = coordinator_client.post(ADD_URL, {"title": "Domestic Abuse"})
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    assert re.search(
        r'<a href="#id_title"[^>]*>Title: '
        r"This plan already has a priority called “Domestic Abuse”.</a>",
        summary,
    )
    assert plan.priorities.filter(title="Domestic Abuse").count() == 1
    assert plan.priorities.count() == 3


def test_renaming_to_a_duplicate_title_is_refused(coordinator_client, priorities):
    asb = priorities[0]
    response = coordinator_client.post(edit_url(asb), {"title": "Car Key Burglary"})
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    assert 'href="#id_title"' in summary
    assert "This plan already has a priority called “Car Key Burglary”." in summary
    asb.refresh_from_db()
    assert asb.title == "Anti-social Behaviour (ASB)"


def test_saving_a_priority_unchanged_is_not_a_duplicate(coordinator_client, priorities):
    asb = priorities[0]
    response = coordinator_client.post(
        edit_url(asb), {"title": asb.title, "description": "Now with a description"}
    )
    assert response.status_code == 302
    asb.refresh_from_db()
    assert asb.description == "Now with a description"


def test_same_title_in_another_plan_is_fine(coordinator_client, partnership, priorities):
    PlanFactory(
        partnership=partnership,
        title="Next year",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
    )
    response = coordinator_client.post(
        "/plans/lichfield/2022-23/priorities/add/", {"title": "Domestic Abuse"}
    )
    assert response.status_code == 302
    assert Priority.objects.filter(title="Domestic Abuse").count() == 2


# -- Reorder.


def test_move_down_swaps_a_priority_with_the_next(
    coordinator_client, coordinator, plan, priorities
):
    asb, domestic_abuse, burglary = priorities
    response = coordinator_client.post(move_url(asb), {"direction": "down"})
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert titles_in_order(plan) == [
        "Domestic Abuse",
        "Anti-social Behaviour (ASB)",
        "Car Key Burglary",
    ]
    asb.refresh_from_db()
    domestic_abuse.refresh_from_db()
    assert (domestic_abuse.order, asb.order) == (1, 2)
    assert asb.history.latest().history_user == coordinator
    page = coordinator_client.get(LIST_URL).content.decode()
    assert listed_titles(page) == [
        "Domestic Abuse",
        "Anti-social Behaviour (ASB)",
        "Car Key Burglary",
    ]


def test_move_up_swaps_a_priority_with_the_previous(coordinator_client, plan, priorities):
    coordinator_client.post(move_url(priorities[2]), {"direction": "up"})
    assert titles_in_order(plan) == [
        "Anti-social Behaviour (ASB)",
        "Car Key Burglary",
        "Domestic Abuse",
    ]


def test_moving_the_first_up_changes_nothing_and_says_so(coordinator_client, plan, priorities):
    asb = priorities[0]
    history_before = Priority.history.count()
    response = coordinator_client.post(move_url(asb), {"direction": "up"}, follow=True)
    assert response.status_code == 200
    assert "“Anti-social Behaviour (ASB)” is already at the top." in response.content.decode()
    assert titles_in_order(plan) == ORIGINAL_ORDER
    asb.refresh_from_db()
    assert asb.order == 1
    assert Priority.history.count() == history_before


def test_moving_the_last_down_changes_nothing_and_says_so(coordinator_client, plan, priorities):
    response = coordinator_client.post(move_url(priorities[2]), {"direction": "down"}, follow=True)
    assert "“Car Key Burglary” is already at the bottom." in response.content.decode()
    assert titles_in_order(plan) == ORIGINAL_ORDER


def test_move_renumbers_a_sequence_with_holes(coordinator_client, plan, priorities):
    Priority.objects.filter(pk=priorities[2].pk).update(order=40)
    coordinator_client.post(move_url(priorities[1]), {"direction": "down"})
    orders = list(plan.priorities.order_by("order").values_list("title", "order"))
    assert orders == [
        ("Anti-social Behaviour (ASB)", 1),
        ("Car Key Burglary", 2),
        ("Domestic Abuse", 3),
    ]


def test_move_is_post_only(coordinator_client, plan, priorities):
    assert coordinator_client.get(move_url(priorities[0]) + "?direction=down").status_code == 405
    assert titles_in_order(plan)[0] == "Anti-social Behaviour (ASB)"


# -- Remove.


@pytest.fixture
def asb_actions(priorities, action, police):
    """The ASB priority's two actions, with an outcome each."""
    second = ActionFactory(
        priority=priorities[0], lead_agency=police, description="Street marshals in the city"
    )
    OutcomeFactory(action=second, description="Fewer late-night incidents")
    return [action, second]


def test_remove_confirmation_lists_the_priority_actions(
    coordinator_client, priorities, asb_actions
):
    response = coordinator_client.get(delete_url(priorities[0]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove “Anti-social Behaviour (ASB)”?" in page
    assert "Its 2 actions will be removed with it" in page
    assert "<li>Triaging of ASB reports to key agencies</li>" in page
    assert "<li>Street marshals in the city</li>" in page
    assert '<form method="post"' in page
    # Looking is not removing.
    assert Priority.objects.filter(pk=priorities[0].pk).exists()


def test_remove_confirmation_of_a_priority_without_actions(coordinator_client, priorities):
    page = coordinator_client.get(delete_url(priorities[2])).content.decode()
    assert "It has no actions." in page


def test_remove_deletes_the_priority_and_its_actions_and_keeps_their_history(
    coordinator_client, coordinator, plan, priorities, asb_actions
):
    asb = priorities[0]
    action_ids = [a.pk for a in asb_actions]
    outcome_ids = list(
        Outcome.objects.filter(action_id__in=action_ids).values_list("pk", flat=True)
    )
    assert len(outcome_ids) == 2

    response = coordinator_client.post(delete_url(asb))
    assert response.status_code == 302
    assert response.url == LIST_URL

    assert not Priority.objects.filter(pk=asb.pk).exists()
    assert not Action.objects.filter(pk__in=action_ids).exists()
    assert not Outcome.objects.filter(pk__in=outcome_ids).exists()
    assert titles_in_order(plan) == ["Domestic Abuse", "Car Key Burglary"]

    for action_id in action_ids:
        removed = Action.history.filter(id=action_id, history_type="-")
        assert removed.exists()
        assert removed.get().history_user == coordinator
    for outcome_id in outcome_ids:
        assert Outcome.history.filter(id=outcome_id, history_type="-").exists()
    priority_removed = Priority.history.get(id=asb.pk, history_type="-")
    assert priority_removed.history_user == coordinator
    assert priority_removed.title == "Anti-social Behaviour (ASB)"

    page = coordinator_client.get(LIST_URL).content.decode()
    assert "The priority “Anti-social Behaviour (ASB)” was removed." in page
    assert listed_titles(page) == ["Domestic Abuse", "Car Key Burglary"]


def test_remove_leaves_other_priorities_actions_alone(coordinator_client, priorities, asb_actions):
    kept = ActionFactory(priority=priorities[1], description="Kept action")
    coordinator_client.post(delete_url(priorities[0]))
    assert Action.objects.filter(pk=kept.pk).exists()


# -- Who may do it.


@pytest.mark.parametrize("who", ["lead_officer", "representative", "other_coordinator"])
@pytest.mark.parametrize(
    "request_of",
    [
        lambda p: ("post", ADD_URL, {"title": "Sneaky"}),
        lambda p: ("post", edit_url(p), {"title": "Sneaky"}),
        lambda p: ("post", delete_url(p), {}),
        lambda p: ("post", move_url(p), {"direction": "down"}),
    ],
    ids=["add", "edit", "remove", "move"],
)
def test_only_the_coordinator_changes_priorities(client, request, priorities, who, request_of):
    client.force_login(request.getfixturevalue(who))
    method, url, data = request_of(priorities[0])
    response = getattr(client, method)(url, data)
    # Members are refused (403); another partnership's coordinator learns nothing (404).
    assert response.status_code == (404 if who == "other_coordinator" else 403)
    assert titles_in_order(priorities[0].plan) == ORIGINAL_ORDER


def test_priorities_of_an_agreed_plan_cannot_change(coordinator_client, plan, priorities):
    plan.status = Plan.Status.AGREED
    plan.save(update_fields=["status"])
    assert coordinator_client.post(ADD_URL, {"title": "Late idea"}).status_code == 403
    assert coordinator_client.post(delete_url(priorities[0])).status_code == 403
    assert plan.priorities.count() == 3


def test_anonymous_is_sent_to_log_in(client, priorities):
    response = client.post(ADD_URL, {"title": "Anonymous idea"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Priority.objects.count() == 3
