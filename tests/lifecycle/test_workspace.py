"""The plan workspace: the plan as a priority × theme grid, with bookmarkable filters."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Outcome
from priorities.models import Plan, Priority
from tests.factories import ActionFactory, OutcomeFactory, PlanFactory, PriorityFactory, UserFactory

URL = "/plans/lichfield/2021-22/workspace/"


# -- Reading the page.


def column_headings(page: str) -> list[str]:
    return re.findall(r'<th scope="col">(.*?)</th>', page)


def row_headings(page: str) -> list[str]:
    return re.findall(r'<th scope="row">(.*?)</th>', page)


def cell(page: str, priority, theme) -> tuple[str, str]:
    """The class and the inside of the cell of a priority and a theme (None: no theme yet)."""
    cell_id = f"cell-{priority.pk}-{theme.pk if theme else 'none'}"
    match = re.search(rf'<td id="{cell_id}" class="([^"]*)">(.*?)</td>', page, re.S)
    assert match, f"no cell {cell_id} on the page"
    return match.group(1), match.group(2)


def shown(page: str) -> set[str]:
    """The descriptions of the actions the grid shows."""
    return set(re.findall(r'<div class="workspace-action[^"]*">\s*<a href="[^"]*">(.*?)</a>', page))


# -- The cast: three priorities, four themes, four actions.


@pytest.fixture
def themes(partnership):
    return {theme.short_name: theme for theme in partnership.themes.all()}


@pytest.fixture
def grid(plan, priority, action, police, council, housing, themes):
    """ASB has two actions in Prevention and one without a theme; DA has one in Perpetrators.

    Burglary has no actions at all.
    """
    priority.order = 1
    priority.save(update_fields=["order"])
    domestic_abuse = PriorityFactory(plan=plan, title="Domestic Abuse", order=2)
    burglary = PriorityFactory(plan=plan, title="Car Key Burglary", order=3)
    mediation = ActionFactory(
        priority=priority,
        theme=themes["Prevention"],
        lead_agency=council,
        supporting_agencies=[police, housing],
        description="Neighbourhood mediation service",
        status=Action.Status.IN_PROGRESS,
    )
    OutcomeFactory(action=mediation, description="Fewer neighbour disputes", order=1)
    OutcomeFactory(action=mediation, description="Higher satisfaction with mediation", order=2)
    perpetrators = ActionFactory(
        priority=domestic_abuse,
        theme=themes["Perpetrators"],
        lead_agency=housing,
        description="Programme for repeat perpetrators of domestic abuse",
        status=Action.Status.COMPLETED,
    )
    OutcomeFactory(action=perpetrators, description="Fewer repeat victims")
    marshals = ActionFactory(
        priority=priority, description="Street marshals in the city centre", lead_agency=None
    )
    return {
        "asb": priority,
        "da": domestic_abuse,
        "burglary": burglary,
        "triage": action,
        "mediation": mediation,
        "perpetrators": perpetrators,
        "marshals": marshals,
    }


@pytest.fixture
def member_client(client, lead_officer):
    client.force_login(lead_officer)
    return client


def get_page(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


# -- Who may open it.


def test_anonymous_is_sent_to_log_in(client, plan):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_member_of_another_partnership_gets_404(client, plan, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


# -- The grid.


def test_every_priority_is_a_row_and_every_theme_a_column(member_client, grid, partnership):
    page = get_page(member_client)
    themes = [t.name for t in partnership.themes.order_by("order")]
    assert column_headings(page) == ["Priority", *themes, "No theme yet"]
    assert row_headings(page) == [
        "Anti-social Behaviour (ASB)",
        "Domestic Abuse",
        "Car Key Burglary",
    ]


def test_cell_shows_its_actions_with_lead_status_outcomes_and_a_count(member_client, grid, themes):
    page = get_page(member_client)
    css, prevention = cell(page, grid["asb"], themes["Prevention"])
    assert "gap" not in css
    assert "2 actions" in prevention
    assert "Triaging of ASB reports to key agencies" in prevention
    assert "Neighbourhood mediation service" in prevention
    assert "Lead:</span> Police" in prevention
    assert "Lead:</span> LDC" in prevention
    assert "Proposed" in prevention
    assert "In progress" in prevention
    assert "Outcome: Quicker more effective responses" in prevention
    assert "Outcome: Fewer neighbour disputes" in prevention
    assert "Outcome: Higher satisfaction with mediation" in prevention
    assert "Gap: no actions" not in prevention
    # Each action sits in its own cell only.
    assert "Programme for repeat perpetrators" not in prevention

    _, perpetrators = cell(page, grid["da"], themes["Perpetrators"])
    assert "1 action<" in perpetrators
    assert "Programme for repeat perpetrators of domestic abuse" in perpetrators
    assert "Lead:</span> Bromford" in perpetrators
    assert "Completed" in perpetrators
    assert "Outcome: Fewer repeat victims" in perpetrators


def test_empty_cells_are_marked_as_gaps(member_client, grid, themes):
    page = get_page(member_client)
    filled = {(grid["asb"].pk, themes["Prevention"].pk), (grid["da"].pk, themes["Perpetrators"].pk)}
    for priority in (grid["asb"], grid["da"], grid["burglary"]):
        for theme in themes.values():
            css, inside = cell(page, priority, theme)
            if (priority.pk, theme.pk) in filled:
                assert css == ""
                assert "Gap: no actions" not in inside
            else:
                assert css == "gap"
                assert "0 actions" in inside
                assert "Gap: no actions" in inside


def test_action_without_a_theme_sits_in_the_no_theme_yet_column(member_client, grid):
    page = get_page(member_client)
    assert column_headings(page)[-1] == "No theme yet"
    _, unthemed = cell(page, grid["asb"], None)
    assert "1 action<" in unthemed
    assert "Street marshals in the city centre" in unthemed
    assert "none yet" in unthemed  # no lead agency
    assert "No outcome yet" in unthemed
    assert "Triaging" not in unthemed


def test_no_theme_yet_column_is_absent_when_every_action_has_a_theme(member_client, action):
    page = get_page(member_client)
    assert "No theme yet" not in column_headings(page)
    assert 'id="cell-' in page
    assert "-none" not in " ".join(re.findall(r'id="(cell-[^"]*)"', page))


def test_actions_of_other_plans_are_not_shown(member_client, grid, partnership):
    later = PlanFactory(
        partnership=partnership,
        title="Next year",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
    )
    ActionFactory(priority=PriorityFactory(plan=later), description="Next year's idea")
    page = get_page(member_client)
    assert "Next year" not in page
    assert "4 actions" in page


def test_plan_without_priorities_says_so(member_client, plan):
    page = get_page(member_client)
    assert "This plan has no priorities yet." in page


# -- The filters: each one a GET parameter, so a filtered view is a link.


def test_filter_by_priority_shows_only_that_priority_row(member_client, grid):
    page = get_page(member_client, f"?priority={grid['da'].pk}")
    assert row_headings(page) == ["Domestic Abuse"]
    assert shown(page) == {"Programme for repeat perpetrators of domestic abuse"}
    assert "1 action shown" in page


def test_filter_by_theme_shows_only_that_theme_column(member_client, grid, themes):
    page = get_page(member_client, f"?theme={themes['Perpetrators'].pk}")
    assert column_headings(page) == ["Priority", "Managing Perpetrators"]
    assert shown(page) == {"Programme for repeat perpetrators of domestic abuse"}
    # Every priority stays a row, so the gaps of that theme show.
    assert len(row_headings(page)) == 3


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("council", {"Triaging of ASB reports to key agencies", "Neighbourhood mediation service"}),
        ("police", {"Triaging of ASB reports to key agencies", "Neighbourhood mediation service"}),
        (
            "housing",
            {
                "Neighbourhood mediation service",
                "Programme for repeat perpetrators of domestic abuse",
            },
        ),
        ("unrelated_agency", set()),
    ],
)
def test_filter_by_agency_matches_lead_or_supporting(
    member_client, grid, request, agency, expected
):
    agency = request.getfixturevalue(agency)
    page = get_page(member_client, f"?agency={agency.pk}")
    assert shown(page) == expected
    assert f"{len(expected)} action{'' if len(expected) == 1 else 's'} shown" in page


def test_filter_by_agency_shows_an_action_once_when_it_matches_several_ways(
    member_client, grid, themes, council
):
    # The mediation action is led by the council and supported by two agencies; the triage
    # action is supported by the council. Neither may be repeated by the joins.
    page = get_page(member_client, f"?agency={council.pk}")
    _, prevention = cell(page, grid["asb"], themes["Prevention"])
    assert "2 actions" in prevention
    assert prevention.count("Neighbourhood mediation service") == 1


def test_filter_by_status(member_client, grid):
    page = get_page(member_client, "?status=in_progress")
    assert shown(page) == {"Neighbourhood mediation service"}
    page = get_page(member_client, "?status=proposed")
    assert shown(page) == {
        "Triaging of ASB reports to key agencies",
        "Street marshals in the city centre",
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("TRIAGING", {"Triaging of ASB reports to key agencies"}),  # description, any case
        ("satisfaction", {"Neighbourhood mediation service"}),  # an outcome only
        ("Quicker", {"Triaging of ASB reports to key agencies"}),
        ("repeat", {"Programme for repeat perpetrators of domestic abuse"}),  # both, once
        ("city MARSHALS", {"Street marshals in the city centre"}),  # every word must match
        ("marshals mediation", set()),
        ("nothing-like-this", set()),
    ],
)
def test_text_search_matches_action_or_outcome_description(member_client, grid, q, expected):
    page = get_page(member_client, f"?q={q.replace(' ', '+')}")
    assert shown(page) == expected


def test_search_matching_description_and_outcomes_counts_the_action_once(
    member_client, grid, themes
):
    # "mediation" is in the action's description and in one of its two outcomes.
    page = get_page(member_client, "?q=mediation")
    _, prevention = cell(page, grid["asb"], themes["Prevention"])
    assert "1 action<" in prevention
    assert prevention.count("Neighbourhood mediation service") == 1
    assert "1 action shown" in page


def test_filters_combine(member_client, grid, council, housing):
    page = get_page(member_client, f"?agency={council.pk}&status=proposed")
    assert shown(page) == {"Triaging of ASB reports to key agencies"}
    page = get_page(member_client, f"?agency={housing.pk}&priority={grid['da'].pk}")
    assert shown(page) == {"Programme for repeat perpetrators of domestic abuse"}
    page = get_page(member_client, f"?agency={housing.pk}&q=mediation&status=in_progress")
    assert shown(page) == {"Neighbourhood mediation service"}
    page = get_page(member_client, f"?agency={housing.pk}&status=proposed")
    assert shown(page) == set()
    assert "No matching actions" in page
    assert "Gap: no actions" not in page


def test_filtered_view_is_a_bookmarkable_link(client, grid, council, lead_officer):
    query = f"?agency={council.pk}&status=proposed&q=triaging"
    client.force_login(lead_officer)
    first = get_page(client, query)
    # The same link, opened later in a new session, gives the same view.
    client.logout()
    client.force_login(lead_officer)
    again = get_page(client, query)
    assert shown(first) == shown(again) == {"Triaging of ASB reports to key agencies"}
    # The form shows the chosen filters, so the person sees what they are looking at.
    assert re.search(rf'<option value="{council.pk}" selected>', again)
    assert '<option value="proposed" selected>' in again
    assert 'name="q" value="triaging"' in again
    assert f'href="{URL}">Clear filters</a>' in again


def test_unfiltered_page_offers_no_clear_filters_link(member_client, grid):
    assert "Clear filters" not in get_page(member_client)


def test_empty_filter_values_show_everything(member_client, grid):
    page = get_page(member_client, "?q=&priority=&theme=&agency=&status=")
    assert len(shown(page)) == 4
    assert "Gap: no actions" in page


@pytest.mark.parametrize(
    "query",
    ["?priority=999999", "?theme=999999", "?agency=999999", "?status=bogus", "?priority=abc"],
)
def test_invalid_filter_value_does_not_crash(member_client, grid, query):
    response = member_client.get(URL + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page


def test_priority_of_another_plan_is_not_a_valid_filter(member_client, grid, partnership):
    later = PlanFactory(
        partnership=partnership,
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
    )
    foreign = PriorityFactory(plan=later, title="Next year's priority")
    ActionFactory(priority=foreign, description="Next year's action")
    page = get_page(member_client, f"?priority={foreign.pk}")
    assert "Select a valid choice" in page
    assert "Next year" not in page


# -- Without JavaScript.


def test_filter_form_is_a_plain_get_form(member_client, grid):
    page = get_page(member_client)
    form = re.search(r'<form method="get"[^>]*>(.*?)</form>', page, re.S)
    assert form, "the filter form must be a GET form"
    for name in ["q", "priority", "theme", "agency", "status"]:
        assert f'name="{name}"' in form.group(1)
    assert '<button type="submit"' in form.group(1)
    # Nothing in the form asks for JavaScript.
    assert "onchange" not in form.group(1)
    assert "csrfmiddlewaretoken" not in form.group(1)


def test_page_renders_every_action_and_outcome_server_side(member_client, grid):
    page = get_page(member_client)
    for action in Action.objects.filter(priority__plan=grid["asb"].plan):
        assert action.description in page
    for outcome in Outcome.objects.filter(action__priority__plan=grid["asb"].plan):
        assert outcome.description in page
    # The only script is Bootstrap's bundle (menus); the data does not come from it.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/vendor/bootstrap/bootstrap.bundle.min.js">'
    ]


def test_moving_an_action_is_a_plain_post_form(client, grid, lead_officer, themes):
    client.force_login(lead_officer)
    page = get_page(client)
    triage = grid["triage"]
    # One form per cell; each action's buttons post it to that action's move address.
    _, prevention = cell(page, grid["asb"], themes["Prevention"])
    form = re.search(r'<form method="post">(.*?)</form>', prevention, re.S)
    assert form, "the cell's move buttons must be in a POST form"
    assert form.group(1).count('name="csrfmiddlewaretoken"') == 1
    for direction in ("up", "down"):
        assert re.search(
            rf'<button [^>]*formaction="/actions/{triage.pk}/move/" name="direction" '
            rf'value="{direction}">',
            form.group(1),
        )


# -- Query counts: the acceptance point is that the page does not grow with the plan.


def bulk_plan(partnership, n_actions: int, *, seed: int = 7) -> Plan:
    """A draft plan of 10 priorities and n_actions actions, built in a few queries."""
    plan = PlanFactory(partnership=partnership, title="Generated plan")
    rng = random.Random(seed)
    themes = [*partnership.themes.all(), None]
    agencies = list(partnership.core_agencies.all())
    priorities = Priority.objects.bulk_create(
        [Priority(plan=plan, title=f"Generated priority {i}", order=i) for i in range(1, 11)]
    )
    actions = Action.objects.bulk_create(
        [
            Action(
                priority=rng.choice(priorities),
                theme=rng.choice(themes),
                lead_agency=rng.choice([*agencies, None]),
                description=f"Generated action {i}",
                status=rng.choice(Action.Status.values),
                target_date=rng.choice([None, datetime.date(2022, 3, 31)]),
                order=i,
            )
            for i in range(1, n_actions + 1)
        ]
    )
    Through = Action.supporting_agencies.through
    Through.objects.bulk_create(
        [
            Through(action_id=action.pk, agency_id=agency.pk)
            for action in actions
            for agency in rng.sample(agencies, rng.randint(0, 3))
        ]
    )
    Outcome.objects.bulk_create(
        [
            Outcome(action=action, description=f"Generated outcome {action.pk}.{k}", order=k)
            for action in actions
            for k in range(rng.randint(0, 2))
        ]
    )
    return plan


def _login_demo_user(client, django_user_model, username):
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    return user


def _editable_count(user, plan) -> int:
    """How many actions of the plan the person may change (each shows Move up / Move down)."""
    actions = Action.objects.filter(priority__plan=plan)
    if user.is_superuser or plan.partnership.coordinators.filter(pk=user.pk).exists():
        return actions.count()
    agencies = user.memberships.values_list("agency_id", flat=True)
    return actions.for_agencies(agencies).count()


@pytest.mark.parametrize("username", ["coordinator", "admin", "police.officer", "bromford.officer"])
def test_query_count_is_the_same_for_the_demo_plan_and_500_actions(
    client, demo_plan, django_user_model, django_assert_max_num_queries, username
):
    user = _login_demo_user(client, django_user_model, username)
    with CaptureQueriesContext(connection) as demo_queries:
        demo_page = get_page(client)
    demo_count = len(demo_queries)
    print(f"workspace queries, demo plan, {username}: {demo_count}")
    assert "9 actions" in demo_page
    assert demo_page.count('value="up"') == _editable_count(user, demo_plan)

    partnership = demo_plan.partnership
    demo_plan.delete()
    big = bulk_plan(partnership, 500)
    assert big.get_workspace_url() == URL
    with django_assert_max_num_queries(demo_count):
        page = get_page(client)
    assert "500 actions" in page
    assert len(shown(page)) == 500
    # The per-action permission checks ran (and cost no queries): each action the person
    # may change has its move buttons, and no other does.
    editable = _editable_count(user, big)
    assert editable > 0
    assert page.count('value="up"') == editable
    if not user.is_superuser and username != "coordinator":
        assert editable < 500


def test_query_count_of_a_filtered_view_does_not_grow_either(
    client, demo_plan, django_user_model, django_assert_max_num_queries
):
    _login_demo_user(client, django_user_model, "police.officer")
    police = demo_plan.partnership.core_agencies.get(short_name="Police")
    query = f"?agency={police.pk}&q=e&status=proposed"
    with CaptureQueriesContext(connection) as demo_queries:
        get_page(client, query)
    demo_count = len(demo_queries)
    print(f"workspace queries, demo plan, filtered: {demo_count}")

    partnership = demo_plan.partnership
    demo_plan.delete()
    big = bulk_plan(partnership, 500)
    expected = (
        Action.objects.filter(priority__plan=big, status="proposed", description__icontains="e")
        .for_agencies([police.pk])
        .count()
    )
    assert expected > 10
    with django_assert_max_num_queries(demo_count):
        page = get_page(client, query)
    assert len(shown(page)) == expected


def test_superuser_outside_any_partnership_sees_the_workspace(client, demo_plan):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = get_page(client)
    assert "9 actions" in page


def test_the_database_finds_the_blocking_actions_blocking_gaps_finds(partnership):
    plan = bulk_plan(partnership, 200, seed=5)
    actions = Action.objects.filter(priority__plan=plan)
    in_python = {a.pk for a in actions.with_outcome_count() if a.blocking_gaps}
    assert in_python and in_python != set(actions.values_list("pk", flat=True))
    assert set(actions.blocking().values_list("pk", flat=True)) == in_python
