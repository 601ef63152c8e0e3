"""The signed-in home, "My plan work": my agencies, my partnerships' plans, my agency's actions."""

import datetime
import html
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Outcome
from actions.views import ACTIONS_PER_PAGE
from partners.models import Membership
from priorities.models import Plan, Priority
from tests.factories import (
    PASSWORD,
    ActionFactory,
    OutcomeFactory,
    PlanFactory,
    PriorityFactory,
    UserFactory,
)

URL = "/my-work/"


def get_page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading_id: str) -> str:
    """The part of the page under one heading, up to the next section."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def led(page: str) -> str:
    return section(page, "led-heading")


def supported(page: str) -> str:
    return section(page, "supported-heading")


def listed(part: str) -> list[str]:
    """The action descriptions listed in a section, in order."""
    return re.findall(r'<td><a href="/actions/\d+/">(.*?)</a></td>', part)


def gaps_of(part: str, description: str) -> list[str]:
    """The "blocks the plan" badges in the table row of an action, and "no target date" when the
    row says it lacks one (which does not block)."""
    for row in re.findall(r"<tr>(.*?)</tr>", part, re.S):
        if f">{description}</a>" in row:
            badges = re.findall(r'<span class="badge text-bg-warning me-1">(.*?)</span>', row)
            no_date = "No target date yet (this does not block the plan)" in row
            return badges + (["no target date"] if no_date else [])
    raise AssertionError(f"{description!r} is not listed")


def badge_count(part: str) -> int:
    return int(re.search(r'<span class="badge text-bg-secondary">(\d+)</span>', part).group(1))


# -- Who sees it.


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_after_logging_in_the_default_redirect_goes_home_to_the_to_do_list(client, lead_officer):
    # Issue 14: home is the signed-in person's to-do list (My plan work stays a click away).
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert "What is waiting for you" in client.get("/").content.decode()


def test_after_logging_in_from_a_page_the_person_goes_back_to_it(client, lead_officer, plan):
    workspace = plan.get_workspace_url()
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": workspace}
    )
    assert response.status_code == 302
    assert response.url == workspace


# -- My agencies and partnerships.


def test_lists_my_agencies(client, lead_officer, council):
    Membership.objects.create(user=lead_officer, agency=council)
    client.force_login(lead_officer)
    agencies = section(get_page(client), "agencies-heading")
    assert "<li>Lichfield District Council</li>" in agencies
    assert "<li>Staffordshire Police</li>" in agencies
    assert "speaks for the agency" not in agencies


def test_representative_is_shown_as_speaking_for_the_agency(client, representative):
    client.force_login(representative)
    agencies = section(get_page(client), "agencies-heading")
    assert re.search(
        r"<li>Bromford Housing Group <span[^>]*>speaks for the agency</span></li>", agencies
    )


def test_coordinator_without_an_agency_sees_the_partnership_they_coordinate(
    client, coordinator, plan
):
    client.force_login(coordinator)
    page = get_page(client)
    agencies = section(page, "agencies-heading")
    assert "You are not a member of any agency yet." in agencies
    assert "You coordinate: Lichfield District Community Safety Partnership." in agencies
    assert f'href="{plan.get_workspace_url()}"' in section(page, "plans-heading")


def test_lists_my_partnerships_and_links_each_plan_to_its_workspace(
    client, lead_officer, plan, partnership, other_partnership
):
    PlanFactory(
        partnership=partnership,
        title="Community Safety Plan 2022",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
        status=Plan.Status.PUBLISHED,
    )
    PlanFactory(partnership=other_partnership, title="Tamworth plan")
    client.force_login(lead_officer)
    plans = section(get_page(client), "plans-heading")
    assert "Lichfield District Community Safety Partnership" in plans
    assert "Tamworth" not in plans
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', plans)
    # Newest first, each to its workspace.
    assert links == [
        ("/plans/lichfield/2022-23/workspace/", "Community Safety Plan 2022 (2022-23)"),
        ("/plans/lichfield/2021-22/workspace/", "Community Safety Delivery Plan (2021-22)"),
    ]
    assert "Published" in plans
    assert "Draft, due 1 May 2021" in plans


def test_person_of_no_agency_and_no_partnership_is_told_so(client, plan, action):
    client.force_login(UserFactory(username="nobody"))
    page = get_page(client)
    assert (
        "You're not a member of any partnership yet. Ask your partnership's coordinator to "
        "invite you." in page
    )
    assert "You do not take part in any partnership yet." in page
    assert "Your agency leads no actions yet." in page
    assert "Your agency supports no actions yet." in page


# -- My agency's actions and what each still lacks.


@pytest.fixture
def themes(partnership):
    return {theme.short_name: theme for theme in partnership.themes.all()}


@pytest.fixture
def council_work(action, priority, council, police, housing, themes):
    """Actions the council leads or supports, each lacking something different.

    The fixture `action` is led by the police, supported by the council, has a theme and an
    outcome but no target date.
    """
    complete = ActionFactory(
        priority=priority,
        theme=themes["Victims"],
        lead_agency=council,
        target_date=datetime.date(2022, 3, 31),
        description="Council CCTV review",
    )
    OutcomeFactory(action=complete)
    OutcomeFactory(action=complete)  # two outcomes must not double anything
    no_outcome = ActionFactory(
        priority=priority,
        theme=themes["Confidence"],
        lead_agency=council,
        supporting_agencies=[police],
        target_date=datetime.date(2021, 12, 1),
        description="Council newsletter on ASB",
    )
    bare = ActionFactory(
        priority=priority,
        lead_agency=None,
        supporting_agencies=[council, housing],
        description="Idea for a youth diversion scheme",
    )
    police_only = ActionFactory(
        priority=priority,
        theme=themes["Perpetrators"],
        lead_agency=police,
        description="Police only",
    )
    return {
        "triage": action,
        "complete": complete,
        "no_outcome": no_outcome,
        "bare": bare,
        "police_only": police_only,
    }


def test_lists_the_actions_my_agency_leads_and_those_it_supports(
    client, supporting_officer, council_work
):
    client.force_login(supporting_officer)
    page = get_page(client)
    assert set(listed(led(page))) == {"Council CCTV review", "Council newsletter on ASB"}
    assert set(listed(supported(page))) == {
        "Triaging of ASB reports to key agencies",
        "Idea for a youth diversion scheme",
    }
    assert badge_count(led(page)) == 2
    assert badge_count(supported(page)) == 2
    assert "Police only" not in page


def test_each_action_shows_what_it_still_lacks(client, supporting_officer, council_work):
    client.force_login(supporting_officer)
    page = get_page(client)
    assert "Blocks the plan</th>" in page
    assert gaps_of(led(page), "Council CCTV review") == []
    assert "Nothing" in led(page)
    assert gaps_of(led(page), "Council newsletter on ASB") == ["no outcome"]
    assert gaps_of(supported(page), "Triaging of ASB reports to key agencies") == ["no target date"]
    assert gaps_of(supported(page), "Idea for a youth diversion scheme") == [
        "no outcome",
        "no lead agency",
        "no theme",
        "no target date",
    ]


def test_a_missing_target_date_is_not_shown_as_blocking_the_plan(
    client, supporting_officer, action, plan
):
    """The readiness page says nothing blocks the plan: My plan work does not say otherwise."""
    from lifecycle.readiness import plan_readiness

    assert action.target_date is None
    assert plan_readiness(plan).blocker_count == 0
    client.force_login(supporting_officer)
    page = get_page(client)
    row = supported(page)
    assert re.findall(r'<span class="badge text-bg-warning me-1">(.*?)</span>', row) == []
    assert "Nothing" in row
    assert "No target date yet (this does not block the plan)" in row
    assert "Still lacks" not in page


def test_action_my_agency_both_leads_and_supports_is_listed_once_as_led(
    client, supporting_officer, council_work, council
):
    council_work["no_outcome"].supporting_agencies.add(council)
    client.force_login(supporting_officer)
    page = get_page(client)
    assert listed(led(page)).count("Council newsletter on ASB") == 1
    assert "Council newsletter on ASB" not in listed(supported(page))


def test_action_supported_by_two_of_my_agencies_is_listed_once(
    client, supporting_officer, council_work, housing
):
    Membership.objects.create(user=supporting_officer, agency=housing)
    client.force_login(supporting_officer)
    page = get_page(client)
    assert listed(supported(page)).count("Idea for a youth diversion scheme") == 1
    assert gaps_of(supported(page), "Idea for a youth diversion scheme")[0] == "no outcome"


def test_each_action_names_its_plan_and_priority(client, lead_officer, action):
    client.force_login(lead_officer)
    row = re.search(r"<tr>(.*?)</tr>", led(get_page(client)).split("<tbody>")[1], re.S).group(1)
    assert "Lichfield District Community Safety Partnership 2021-22" in row
    assert "Anti-social Behaviour (ASB)" in row
    assert "Proposed" in row
    assert f'href="/actions/{action.pk}/"' in row


def test_outsider_sees_none_of_lichfields_actions(
    client, outsider, council_work, other_partnership, other_agency
):
    tamworth = PlanFactory(partnership=other_partnership, title="Tamworth plan")
    ActionFactory(
        priority=PriorityFactory(plan=tamworth),
        lead_agency=other_agency,
        description="Tamworth town centre patrols",
    )
    client.force_login(outsider)
    page = get_page(client)
    assert listed(led(page)) == ["Tamworth town centre patrols"]
    assert listed(supported(page)) == []
    for action in Action.objects.filter(priority__plan__partnership__slug="lichfield"):
        assert action.description not in page
    assert "Lichfield" not in page
    assert "/plans/lichfield/" not in page


# -- Query counts: the page does not grow with the number of actions.


def bulk_work(partnership, agency, n_actions: int, *, seed: int = 11) -> Plan:
    """A second plan whose n_actions actions the agency leads (half) or supports (half)."""
    plan = PlanFactory(
        partnership=partnership,
        title="Generated plan",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
    )
    rng = random.Random(seed)
    themes = [*partnership.themes.all(), None]
    others = list(partnership.core_agencies.exclude(pk=agency.pk))
    priorities = Priority.objects.bulk_create(
        [Priority(plan=plan, title=f"Generated priority {i}", order=i) for i in range(1, 11)]
    )
    actions = Action.objects.bulk_create(
        [
            Action(
                priority=rng.choice(priorities),
                theme=rng.choice(themes),
                lead_agency=agency if i % 2 else rng.choice([*others, None]),
                description=f"Generated action {i}",
                status=rng.choice(Action.Status.values),
                target_date=rng.choice([None, datetime.date(2023, 3, 31)]),
                order=i,
            )
            for i in range(1, n_actions + 1)
        ]
    )
    Through = Action.supporting_agencies.through
    links = []
    for i, action in enumerate(actions, start=1):
        helpers = rng.sample(others, rng.randint(0, 2))
        if not i % 2:
            helpers.append(agency)
        links += [Through(action_id=action.pk, agency_id=helper.pk) for helper in helpers]
    Through.objects.bulk_create(links)
    Outcome.objects.bulk_create(
        [
            Outcome(action=action, description=f"Generated outcome {action.pk}.{k}", order=k)
            for action in actions
            for k in range(rng.randint(0, 2))
        ]
    )
    return plan


@pytest.mark.parametrize("username", ["police.officer", "council.officer", "coordinator"])
def test_query_count_is_the_same_for_the_demo_data_and_500_of_my_actions(
    client, demo_plan, django_user_model, django_assert_max_num_queries, username
):
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    agency = user.memberships.get().agency
    with CaptureQueriesContext(connection) as demo_queries:
        demo_page = get_page(client)
    demo_count = len(demo_queries)
    print(f"my work queries, demo data, {username}: {demo_count}")
    demo_led = Action.objects.filter(lead_agency=agency).count()
    assert demo_led > 0
    assert badge_count(led(demo_page)) == demo_led

    bulk_work(demo_plan.partnership, agency, 500)
    with django_assert_max_num_queries(demo_count):
        page = get_page(client)
    assert badge_count(led(page)) == demo_led + 250
    assert len(listed(led(page))) == ACTIONS_PER_PAGE  # a page at a time
    generated_supported = 250
    demo_supported = (
        Action.objects.filter(priority__plan=demo_plan, supporting_agencies=agency)
        .exclude(lead_agency=agency)
        .count()
    )
    assert badge_count(supported(page)) == demo_supported + generated_supported
    assert len(listed(supported(page))) == ACTIONS_PER_PAGE
    # Each row's gaps come from the annotated outcome count, not a query per action.
    assert "no outcome" in page
    assert "No target date yet" in page


def test_each_list_of_actions_is_paged_on_its_own_keeping_the_others_page(
    client, demo_plan, django_user_model
):
    user = django_user_model.objects.get(username="police.officer")
    agency = user.memberships.get().agency
    bulk_work(demo_plan.partnership, agency, 120)
    client.force_login(user)
    every_led = Action.objects.filter(lead_agency=agency).count()
    seen: list[str] = []
    address = "/my-work/?supported_page=2&q=lich"
    while address:
        response = client.get(URL + address.removeprefix("/my-work/"))
        assert response.status_code == 200
        part = led(response.content.decode())
        seen += listed(part)
        assert len(listed(part)) <= ACTIONS_PER_PAGE
        following = re.search(r'<a class="page-link" href="(\?[^"]+)">Next</a>', part)
        address = html.unescape(following.group(1)) if following else ""
        if address:  # the other list's page and the search are kept
            assert "supported_page=2" in address and "q=lich" in address
    assert len(seen) == every_led
    pages = -(-every_led // ACTIONS_PER_PAGE)
    assert f"Page {pages} of {pages}" in part
    assert "supported_page=" in response.content.decode()
