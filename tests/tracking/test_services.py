"""Commissioned services of an action: the lead agency and the coordinator record and remove
them."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from tests.factories import ActionFactory
from tracking.models import CommissionedService


def services_url(action) -> str:
    return f"/actions/{action.pk}/services/"


def remove_url(action, service) -> str:
    return f"/actions/{action.pk}/services/{service.pk}/remove/"


GOOD = {
    "provider": "Lichfield Diversionary Activities CIC",
    "funding_source": "ldf",
    "amount": "£12,500",
    "notes": "Summer 2021 youth sessions",
}


@pytest.fixture
def service(action):
    return CommissionedService.objects.create(
        action=action, provider="Mediation Staffordshire", funding_source="opfcc", amount=4000
    )


# -- The page.


def test_anonymous_visitor_is_asked_to_sign_in(client, action):
    url = services_url(action)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"
    assert client.post(url, GOOD).status_code == 302
    assert not CommissionedService.objects.exists()


@pytest.mark.parametrize("person", ["outsider", "other_coordinator"])
def test_outsider_gets_not_found(client, request, person, action):
    client.force_login(request.getfixturevalue(person))
    assert client.get(services_url(action)).status_code == 404
    assert client.post(services_url(action), GOOD).status_code == 404
    assert not CommissionedService.objects.exists()


@pytest.mark.parametrize("person", ["supporting_officer", "unrelated_officer", "representative"])
def test_member_outside_the_lead_agency_cannot_record_funding(client, request, person, action):
    client.force_login(request.getfixturevalue(person))
    assert client.get(services_url(action)).status_code == 403
    assert client.post(services_url(action), GOOD).status_code == 403
    assert not CommissionedService.objects.exists()


@pytest.mark.parametrize("person", ["lead_officer", "coordinator", "admin_user"])
def test_lead_agency_coordinator_and_admin_record_a_service(client, request, person, action):
    user = request.getfixturevalue(person)
    client.force_login(user)
    assert client.get(services_url(action)).status_code == 200
    response = client.post(services_url(action), GOOD)
    assert response.status_code == 302
    assert response.url == services_url(action)
    service = CommissionedService.objects.get()
    assert service.action == action
    assert service.provider == "Lichfield Diversionary Activities CIC"
    assert service.funding_source == CommissionedService.Source.LDF
    assert service.amount == Decimal("12500.00")
    assert service.notes == "Summer 2021 youth sessions"
    assert service.history.get().history_user == user


def test_page_lists_the_services_with_their_total(client, lead_officer, action, service):
    CommissionedService.objects.create(
        action=action, provider="Bromford", funding_source="ldf", amount=Decimal("1234.5")
    )
    client.force_login(lead_officer)
    page = client.get(services_url(action)).content.decode()
    assert "Mediation Staffordshire" in page
    assert "Police, Fire and Crime Commissioner grant" in page
    assert "£4,000.00" in page
    assert "£1,234.50" in page
    assert "£5,234.50" in page  # the total
    assert f'action="{remove_url(action, service)}"' in page
    assert page.count("<h1") == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("twelve", "Enter the amount as a number of pounds, like 12,500"),
        ("-5", "Enter an amount of £0 or more"),
        ("", "Enter the amount in pounds, like 12,500"),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_saved(client, lead_officer, action, amount, message):
    client.force_login(lead_officer)
    response = client.post(services_url(action), GOOD | {"amount": amount})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not CommissionedService.objects.exists()


def test_a_service_needs_a_provider(client, coordinator, action):
    client.force_login(coordinator)
    response = client.post(services_url(action), GOOD | {"provider": ""})
    assert response.status_code == 200
    assert not CommissionedService.objects.exists()


# -- Removing one.


def test_remove_asks_anonymous_visitor_to_sign_in(client, action, service):
    response = client.post(remove_url(action, service))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert CommissionedService.objects.filter(pk=service.pk).exists()


def test_remove_is_not_found_for_an_outsider(client, outsider, action, service):
    client.force_login(outsider)
    assert client.post(remove_url(action, service)).status_code == 404
    assert CommissionedService.objects.filter(pk=service.pk).exists()


def test_remove_is_refused_to_a_supporting_agency(client, supporting_officer, action, service):
    client.force_login(supporting_officer)
    assert client.post(remove_url(action, service)).status_code == 403
    assert CommissionedService.objects.filter(pk=service.pk).exists()


def test_remove_takes_post_only(client, lead_officer, action, service):
    client.force_login(lead_officer)
    assert client.get(remove_url(action, service)).status_code == 405
    assert CommissionedService.objects.filter(pk=service.pk).exists()


def test_lead_officer_removes_a_service_and_history_keeps_it(client, lead_officer, action, service):
    client.force_login(lead_officer)
    response = client.post(remove_url(action, service))
    assert response.status_code == 302
    assert response.url == services_url(action)
    assert not CommissionedService.objects.filter(pk=service.pk).exists()
    removal = CommissionedService.history.filter(id=service.pk).latest("history_date")
    assert removal.history_type == "-"
    assert removal.history_user == lead_officer
    assert removal.provider == "Mediation Staffordshire"


def test_a_service_of_another_action_cannot_be_removed_through_this_one(
    client, lead_officer, action, priority, police
):
    other = ActionFactory(priority=priority, lead_agency=police)
    theirs = CommissionedService.objects.create(action=other, provider="Someone", amount=10)
    client.force_login(lead_officer)
    assert client.post(remove_url(action, theirs)).status_code == 404
    assert CommissionedService.objects.filter(pk=theirs.pk).exists()


# -- The include for the action page.


def test_include_lists_the_services_and_links_to_the_page_for_those_who_may_record(action, service):
    context = {"action": action, "services": action.services.all(), "can_record_funding": True}
    html = render_to_string("tracking/includes/_services.html", context)
    assert "Mediation Staffordshire" in html
    assert "£4,000.00" in html
    assert 'scope="col"' in html
    assert f'href="{services_url(action)}"' in html


def test_include_has_no_link_for_those_who_may_not_record(action):
    context = {"action": action, "services": action.services.all(), "can_record_funding": False}
    html = render_to_string("tracking/includes/_services.html", context)
    assert "No commissioned service is recorded for this action." in html
    assert services_url(action) not in html
