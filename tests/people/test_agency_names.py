"""The other names of a partnership's agencies (/partnerships/<slug>/members/agency-names/): the
coordinator sees them, adds one (refused with the rule's sentence when it breaks one), removes
one; the members page leads there; an admin does the same in the Django admin. Who may is in
the permission matrix (tests/test_permission_matrix.py, MEMBERS)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.aliases import agency_alias_add
from partners.models import AgencyAlias
from tests.factories import AgencyFactory
from tests.snapshots import database_snapshot

URL = "/partnerships/lichfield/members/agency-names/"


@pytest.fixture
def signed_in(client, partnership, coordinator):
    client.force_login(coordinator)
    return client


def test_the_page_lists_each_core_agency_with_its_names(signed_in, council, other_agency):
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    agency_alias_add(agency=other_agency, alias="West Mercia", user=None)
    html = signed_in.get(URL).content.decode()
    assert '<th scope="row">Lichfield District Council</th>' in html
    assert "<td>LDC</td>" in html
    assert "Lichfield DC" in html
    assert "West Mercia Police" not in html  # not a core agency of Lichfield
    assert "West Mercia" not in html


def test_adding_a_name_says_what_files_now_find(signed_in, council):
    response = signed_in.post(URL, {"agency": council.pk, "name": " Lichfield  DC "}, follow=True)
    assert response.redirect_chain == [(URL + "#agency-ldc", 302)]
    assert "Files and forms now find Lichfield District Council by “Lichfield DC” too." in (
        response.content.decode()
    )
    assert list(council.aliases.values_list("name", flat=True)) == ["Lichfield DC"]


def test_a_name_that_breaks_a_rule_is_refused_in_words_and_nothing_changes(
    signed_in, police, council
):
    before = database_snapshot()
    response = signed_in.post(URL, {"agency": police.pk, "name": "ldc"})
    assert response.status_code == 200
    assert (
        "In Lichfield District Community Safety Partnership, “ldc” is already the short name of "
        "Lichfield District Council: it cannot be another name of Staffordshire Police too."
    ) in response.content.decode()
    assert database_snapshot() == before


def test_only_core_agencies_can_be_chosen(signed_in, other_agency):
    before = database_snapshot()
    response = signed_in.post(URL, {"agency": other_agency.pk, "name": "WMP2"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert database_snapshot() == before


def test_the_page_can_start_from_a_name_and_an_agency(signed_in, council):
    """An import's problems link here with the unknown name filled in."""
    response = signed_in.get(URL, {"agency": "ldc", "name": "Lichfield DC"})
    form = response.context["form"]
    assert form.initial == {"agency": council, "name": "Lichfield DC"}


def test_removing_a_name(signed_in, council):
    alias = agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    response = signed_in.post(f"{URL}{alias.pk}/remove/", follow=True)
    assert response.redirect_chain == [(URL + "#agency-ldc", 302)]
    assert "Files and forms no longer find Lichfield District Council by “Lichfield DC”." in (
        response.content.decode()
    )
    assert not council.aliases.exists()


def test_a_name_of_another_partnerships_agency_is_not_found(signed_in, other_agency):
    alias = agency_alias_add(agency=other_agency, alias="West Mercia", user=None)
    assert signed_in.post(f"{URL}{alias.pk}/remove/").status_code == 404
    assert AgencyAlias.objects.filter(pk=alias.pk).exists()


def test_the_members_page_leads_there(signed_in):
    html = signed_in.get("/partnerships/lichfield/members/").content.decode()
    assert f'href="{URL}"' in html


# -- The admin: an agency's other names inline, under the same rules.


def admin_form(agency, *names: str) -> dict:
    data = {
        "name": agency.name,
        "short_name": agency.short_name,
        "slug": agency.slug,
        "kind": agency.kind,
        "active": "on",
        "aliases-TOTAL_FORMS": str(len(names)),
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for number, name in enumerate(names):
        data[f"aliases-{number}-name"] = name
    return data


def test_an_admin_adds_names_in_the_django_admin(client, admin_user, partnership, council):
    client.force_login(admin_user)
    url = reverse("admin:partners_agency_change", args=[council.pk])
    response = client.post(url, admin_form(council, "Lichfield DC", "Lichfield Council"))
    assert response.status_code == 302, response.context["errors"]
    added = council.aliases.order_by("name")
    assert [(alias.name, alias.created_by) for alias in added] == [
        ("Lichfield Council", admin_user),
        ("Lichfield DC", admin_user),
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            ("Police",),
            "In Lichfield District Community Safety Partnership, “Police” is already the short "
            "name of Staffordshire Police",
        ),
        (("Lichfield DC", "lichfield dc"), "“lichfield dc” is listed twice among the other names."),
    ],
)
def test_the_admin_keeps_the_same_rules(
    client, admin_user, partnership, council, police, names, message
):
    client.force_login(admin_user)
    url = reverse("admin:partners_agency_change", args=[council.pk])
    response = client.post(url, admin_form(council, *names))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not council.aliases.exists()


def test_the_admin_may_not_name_a_new_agency_by_another_agencys_other_name(
    client, admin_user, partnership, council
):
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    client.force_login(admin_user)
    newcomer = AgencyFactory.build(name="Lichfield DC", slug="lichfield-dc")
    response = client.post(reverse("admin:partners_agency_add"), admin_form(newcomer))
    assert response.status_code == 200
    assert "“Lichfield DC” is another name of Lichfield District Council" in (
        response.content.decode()
    )
