"""Requests to join from people who signed in with their organisation's account, uninvited, at
one of the partnership's allowed e-mail domains: recorded once, the coordinators told by e-mail
(through the worker), approved into an agency (choosing it) or refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import Membership
from people import services
from people.models import AccessRequest
from tests.factories import UserFactory
from tests.people.conftest import outbox_to, run_worker

User = get_user_model()
JOE = "joe.bloggs@bromford.co.uk"


@pytest.fixture
def allowing(partnership, coordinator):
    partnership.allowed_email_domains = "bromford.co.uk\nlichfielddc.gov.uk"
    partnership.save()
    return partnership


@pytest.fixture
def ask(allowing, housing, django_capture_on_commit_callbacks):
    def do(email=JOE, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.access_request_create(
                email=email,
                partnership=allowing,
                first_name="Joe",
                last_name="Bloggs",
                agency_guess=housing,
                **kwargs,
            )

    return do


def test_a_request_is_recorded_once_and_the_coordinators_are_told(ask, coordinator):
    first = ask()
    second = ask(email=JOE.upper())
    assert first.pk == second.pk
    assert AccessRequest.objects.count() == 1
    assert mail.outbox == []  # not in the request
    run_worker()
    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert "Joe Bloggs (joe.bloggs@bromford.co.uk) asks to join" in message.subject
    assert "/partnerships/lichfield/members/" in message.body


def test_only_an_allowed_domain_may_ask(allowing):
    for email in ("joe@gmail.com", "joe@mail.bromford.co.uk", "joe@bromford.co.uk.evil.example"):
        with pytest.raises(ValidationError, match="does not accept"):
            services.access_request_create(email=email, partnership=allowing)
    assert not AccessRequest.objects.exists()


def test_the_partnerships_allowing_an_address_are_found_by_its_exact_domain(
    allowing, other_partnership
):
    other_partnership.allowed_email_domains = "tamworth.gov.uk, bromford.co.uk"
    other_partnership.save()
    assert services.partnerships_allowing_email("a@Bromford.co.uk") == [allowing, other_partnership]
    assert services.partnerships_allowing_email("a@lichfielddc.gov.uk") == [allowing]
    assert services.partnerships_allowing_email("a@dc.gov.uk") == []
    assert services.partnerships_allowing_email("a@evil-bromford.co.uk") == []


def test_the_coordinator_approves_choosing_the_agency(
    client, ask, coordinator, council, django_capture_on_commit_callbacks
):
    request = ask()
    client.force_login(coordinator)
    page = client.get(reverse("members_list", args=["lichfield"]))
    assert JOE in page.content.decode()
    url = reverse("access_request_decide", args=["lichfield", request.pk])
    assert client.get(url).context["form"].initial["agency"].slug == "bromford"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "agency": council.pk})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.outcome == AccessRequest.Outcome.APPROVED
    assert (request.decided_by, request.agency) == (coordinator, council)
    person = User.objects.get(email=JOE)
    assert request.user == person
    assert (person.username, person.first_name, person.is_active) == (JOE, "Joe", True)
    assert not person.has_usable_password()  # they sign in with their organisation's account
    assert Membership.objects.filter(user=person, agency=council).exists()
    run_worker()
    (message,) = outbox_to(JOE)
    assert "as a member of Lichfield District Council" in message.body


def test_approving_needs_an_agency(client, ask, coordinator):
    request = ask()
    client.force_login(coordinator)
    url = reverse("access_request_decide", args=["lichfield", request.pk])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "Choose the agency they work for." in response.content.decode()
    request.refresh_from_db()
    assert request.is_pending


def test_an_existing_pending_account_is_the_one_let_in(ask, coordinator, housing):
    pending = UserFactory(username="joe-sso", email=JOE, is_active=False)
    request = ask(user=pending)
    assert (
        services.access_request_approve(access_request=request, by=coordinator, agency=housing)
        == pending
    )
    pending.refresh_from_db()
    assert pending.is_active
    assert pending.memberships.get().agency == housing


def test_the_coordinator_refuses(client, ask, coordinator):
    request = ask()
    client.force_login(coordinator)
    client.post(
        reverse("access_request_decide", args=["lichfield", request.pk]),
        {"decision": "refuse", "reason": "Not a partner officer"},
    )
    request.refresh_from_db()
    assert request.outcome == AccessRequest.Outcome.REFUSED
    assert request.reason == "Not a partner officer"
    assert not User.objects.filter(email=JOE).exists()
    changes = client.get(reverse("members_list", args=["lichfield"])).context["page"].changes
    assert changes[0].what == f"Refused {JOE}'s request to join"
    with pytest.raises(ValidationError, match="already been decided"):
        services.access_request_refuse(access_request=request, by=coordinator)


def test_an_agency_outside_the_partnership_is_refused(ask, coordinator, other_agency):
    request = ask()
    with pytest.raises(ValidationError, match="not a core agency"):
        services.access_request_approve(access_request=request, by=coordinator, agency=other_agency)
