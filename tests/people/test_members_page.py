"""The members page: each core agency's people, the coordinators, waiting invitations and
requests; every change of membership listed in words; a bounded number of queries; objects of
another partnership not found."""

import pytest
from django.urls import reverse

from partners.models import Membership
from people import services
from people.models import AccessRequest, Invitation
from tests.factories import MembershipFactory, UserFactory

URL = "/partnerships/lichfield/members/"


@pytest.fixture
def members(
    partnership, police, council, housing, lead_officer, supporting_officer, representative
):
    return partnership


def test_the_page_lists_each_agency_with_its_people(client, coordinator, members, lead_officer):
    lead_officer.last_login = None
    lead_officer.save()
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Bromford Housing Group", "Staffordshire Police", "Coordinators"):
        assert f">{heading}</h2>" in html
    assert lead_officer.email in html
    assert "Never" in html  # last sign-in
    page = response.context["page"]
    police_row = next(row for row in page.agencies if row.agency.slug == "police")
    assert [m.user for m in police_row.memberships] == [lead_officer]


def test_the_page_does_not_list_leavers(client, coordinator, members, lead_officer):
    lead_officer.is_active = False
    lead_officer.save()
    client.force_login(coordinator)
    assert lead_officer.email not in client.get(URL).content.decode()


def test_the_number_of_queries_does_not_grow_with_the_people(
    client, coordinator, members, housing, django_assert_max_num_queries
):
    client.force_login(coordinator)
    client.get(URL)  # warm: content types, sessions
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    for number in range(15):
        person = MembershipFactory(user=UserFactory(username=f"extra{number}"), agency=housing)
        services.membership_speaks_for_set(by=coordinator, membership=person, speaks=True)
        Invitation.objects.create(email=f"x{number}@example.org", agency=housing)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_every_change_of_membership_is_listed_in_words(
    client, coordinator, members, housing, police, lead_officer, representative, admin_user
):
    henry = MembershipFactory(user=UserFactory(username="henry"), agency=housing).user
    name = henry.get_full_name()
    services.membership_speaks_for_set(
        by=coordinator, membership=henry.memberships.get(), speaks=True
    )
    services.coordinator_add(by=coordinator, partnership=members, person=lead_officer)
    services.partnership_domains_set(by=admin_user, partnership=members, domains="bromford.co.uk")
    invitation = services.invitation_create(
        by=representative, agency=housing, email="new.officer@example.org", partnership=members
    )
    services.invitation_cancel(by=coordinator, invitation=invitation)
    services.coordinator_remove(by=coordinator, partnership=members, person=lead_officer)
    services.member_remove(by=coordinator, membership=henry.memberships.get())

    client.force_login(coordinator)
    changes = [(c.who, c.what) for c in client.get(URL).context["page"].changes]

    erin, dana, nia = (
        coordinator.get_full_name(),
        representative.get_full_name(),
        lead_officer.get_full_name(),
    )
    assert changes[:7] == [
        (erin, f"{name} was removed from Bromford Housing Group (has left: account closed)"),
        (erin, f"{nia} no longer coordinates"),
        (erin, "Cancelled the invitation of new.officer@example.org to Bromford Housing Group"),
        (dana, "Invited new.officer@example.org to Bromford Housing Group"),
        (admin_user.get_full_name(), "Set the allowed e-mail domains: bromford.co.uk"),
        (erin, f"Made {nia} a coordinator"),
        (erin, f"{name} now speaks for Bromford Housing Group"),
    ]
    assert ("System", f"{name} joined Bromford Housing Group") in changes


def test_the_representative_sees_the_changes_of_their_agency_only(
    client, coordinator, members, representative, police, lead_officer
):
    services.membership_speaks_for_set(
        by=coordinator, membership=lead_officer.memberships.get(), speaks=True
    )
    client.force_login(representative)
    whats = [c.what for c in client.get(URL).context["page"].changes]
    assert not any("Staffordshire Police" in what for what in whats)
    assert any("Bromford Housing Group" in what for what in whats)


def test_the_representative_invites_to_their_agency_only_and_chooses_no_role(
    client, representative, members
):
    client.force_login(representative)
    form = client.get(reverse("member_invite", args=["lichfield"])).context["form"]
    assert [a.name for a in form.fields["agency"].queryset] == ["Bromford Housing Group"]
    assert "may_speak_for_agency" not in form.fields


def test_the_coordinator_makes_someone_speak_for_their_agency(
    client, coordinator, members, lead_officer
):
    membership = lead_officer.memberships.get()
    client.force_login(coordinator)
    response = client.post(
        reverse("member_speaks_for", args=["lichfield", membership.pk]), {"speaks": "yes"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.may_speak_for_agency
    client.post(reverse("member_speaks_for", args=["lichfield", membership.pk]), {"speaks": "no"})
    membership.refresh_from_db()
    assert not membership.may_speak_for_agency


def test_only_members_of_its_agencies_become_coordinators(client, coordinator, members, outsider):
    client.force_login(coordinator)
    response = client.post(
        reverse("coordinator_add", args=["lichfield"]), {"person": outsider.pk}, follow=True
    )
    assert "is not a member of any of the partnership&#x27;s agencies" in response.content.decode()
    assert not members.coordinators.filter(pk=outsider.pk).exists()


@pytest.mark.parametrize(
    ("domains", "problem"),
    [
        ("gmail.com", "open to anyone"),
        ("not a domain", "is not an e-mail domain"),
        ("lichfielddc", "is not an e-mail domain"),
    ],
)
def test_the_allowed_domains_must_be_an_agencys_own(client, coordinator, members, domains, problem):
    client.force_login(coordinator)
    response = client.post(reverse("partnership_domains", args=["lichfield"]), {"domains": domains})
    assert response.status_code == 200
    assert problem in response.content.decode()
    members.refresh_from_db()
    assert members.allowed_email_domains == ""


def test_objects_of_another_partnership_are_not_found_through_this_one(
    client, coordinator, members, outsider, other_partnership, other_agency
):
    """Lichfield's coordinator asking for Tamworth's people under Lichfield's address: 404."""
    membership = outsider.memberships.get()
    invitation = Invitation.objects.create(email="a@example.org", agency=other_agency)
    request = AccessRequest.objects.create(email="b@example.org", partnership=other_partnership)
    client.force_login(coordinator)
    for url in (
        reverse("member_remove", args=["lichfield", membership.pk]),
        reverse("member_speaks_for", args=["lichfield", membership.pk]),
        reverse("invitation_cancel", args=["lichfield", invitation.pk]),
        reverse("invitation_resend", args=["lichfield", invitation.pk]),
        reverse("access_request_decide", args=["lichfield", request.pk]),
        reverse("coordinator_remove", args=["lichfield", outsider.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert Membership.objects.filter(pk=membership.pk).exists()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_a_representative_cannot_invite_to_another_agency_by_forging_the_form(
    client, representative, members, police
):
    client.force_login(representative)
    response = client.post(
        reverse("member_invite", args=["lichfield"]),
        {"first_name": "A", "last_name": "B", "email": "a@example.org", "agency": police.pk},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_my_plan_work_links_to_the_members_page_for_those_who_may_see_it(
    client, coordinator, members, lead_officer
):
    client.force_login(coordinator)
    assert f'href="{URL}"' in client.get(reverse("my_work")).content.decode()
    client.force_login(lead_officer)
    assert f'href="{URL}"' not in client.get(reverse("my_work")).content.decode()
