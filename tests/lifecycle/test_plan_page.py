"""The plan page: the plan as the seed lays it out, for members while it is a draft."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Outcome
from partners.models import Agency
from priorities.models import Plan
from tests.factories import ActionFactory, OutcomeFactory, PlanFactory, PriorityFactory, UserFactory

URL = "/plans/lichfield/2021-22/"


def test_anonymous_is_sent_to_log_in_while_the_plan_is_a_draft(client, demo_plan):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_member_sees_every_seed_action_and_outcome(client, demo_plan, django_user_model):
    client.force_login(django_user_model.objects.get(username="bromford.officer"))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert demo_plan.title in page
    actions = Action.objects.filter(priority__plan=demo_plan)
    assert actions.count() == 9
    for action in actions:
        assert action.description.replace("'", "&#x27;") in page
    for outcome in Outcome.objects.filter(action__priority__plan=demo_plan):
        assert outcome.description.replace("'", "&#x27;") in page
    for agency in Agency.objects.filter(partnerships=demo_plan.partnership):
        assert agency.name in page
    for priority in demo_plan.priorities.all():
        assert priority.title in page
    for theme in demo_plan.partnership.themes.all():
        assert theme.name in page
    assert "1 May 2021" in page  # the deadline, written as people write dates here
    assert page.count("<h1") == 1


def test_coordinator_sees_the_draft(client, demo_plan, django_user_model):
    client.force_login(django_user_model.objects.get(username="coordinator"))
    assert client.get(URL).status_code == 200


def test_member_of_another_partnership_gets_404(client, demo_plan, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


def test_signed_in_person_of_no_agency_gets_404(client, demo_plan):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 404


def test_published_plan_is_public(client, demo_plan, publish):
    publish(demo_plan)
    response = client.get(URL)
    assert response.status_code == 200
    assert demo_plan.title in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/plans/lichfield/2022-23/", "/plans/nowhere/2021-22/", "/plans/lichfield/21-22/"]
)
def test_unknown_plan_is_404(client, demo_plan, url):
    client.force_login(demo_plan.partnership.coordinators.get())
    assert client.get(url).status_code == 404


def test_action_sits_in_its_priority_and_theme_row(client, demo_plan, django_user_model):
    client.force_login(django_user_model.objects.get(username="coordinator"))
    page = client.get(URL).content.decode()
    domestic_abuse = page.index(">Domestic Abuse</h3>")
    car_key = page.index(">Car Key Burglary and Car Theft</h3>")
    repeat = page.index("Repeat perpetrators of domestic abuse")
    assert domestic_abuse < repeat < car_key
    assert page.rindex("Managing Perpetrators", 0, repeat) > domestic_abuse


def _generate_plan(partnership, agencies, n_actions: int) -> Plan:
    plan = PlanFactory(partnership=partnership, title="Generated plan")
    themes = list(partnership.themes.all())
    priorities = [PriorityFactory(plan=plan) for _ in range(10)]
    rng = random.Random(7)
    for i in range(n_actions):
        action = ActionFactory(
            priority=rng.choice(priorities),
            theme=rng.choice(themes),
            lead_agency=rng.choice(agencies),
            supporting_agencies=rng.sample(agencies, 2),
        )
        OutcomeFactory(action=action)
        if i % 3 == 0:
            OutcomeFactory(action=action)
    return plan


def test_query_count_does_not_grow_with_the_number_of_actions(
    client, demo_plan, django_user_model, django_assert_max_num_queries
):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    with CaptureQueriesContext(connection) as demo_queries:
        assert client.get(URL).status_code == 200
    demo_count = len(demo_queries)
    # 15, and the header's counts: unread notifications, and the to-do list (the person's plans)
    assert demo_count <= 17

    partnership = demo_plan.partnership
    demo_plan.delete()
    agencies = list(partnership.core_agencies.all())
    big = _generate_plan(partnership, agencies, 300)
    assert Action.objects.filter(priority__plan=big).count() == 300
    with django_assert_max_num_queries(demo_count):
        response = client.get(big.get_absolute_url())
    assert response.status_code == 200
