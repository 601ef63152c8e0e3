"""Someone who belongs nowhere is told what to do, with the coordinators named when the
partnership is known (their e-mail's domain is one it allows)."""

from django.urls import reverse

from tests.factories import UserFactory

MESSAGE = (
    "You're not a member of any partnership yet. Ask your partnership's coordinator to invite you."
)


def test_a_person_with_no_membership_is_told_to_ask_the_coordinator(db, client):
    client.force_login(UserFactory(username="newbie", email="newbie@example.org"))
    html = client.get(reverse("my_work")).content.decode()
    assert MESSAGE in html
    assert "administrator" not in html


def test_the_coordinators_are_named_when_the_partnership_is_known(client, partnership, coordinator):
    partnership.allowed_email_domains = "bromford.co.uk"
    partnership.save()
    client.force_login(UserFactory(username="joe", email="joe@bromford.co.uk"))
    html = client.get(reverse("my_work")).content.decode()
    assert MESSAGE in html
    assert f"{partnership.name}: {coordinator.get_full_name()}" in html
    assert f'href="mailto:{coordinator.email}"' in html


def test_members_and_coordinators_are_not_told(client, lead_officer, coordinator):
    for person in (lead_officer, coordinator):
        client.force_login(person)
        assert MESSAGE not in client.get(reverse("my_work")).content.decode()
