"""Agencies' other names ("LDC", "SFRS", "MBC"): the rules they keep, and the one place names are
matched (partners/names.py). Every file finding agencies by them: tests/planfiles/
test_import_aliases.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from partners.aliases import agency_alias_add, agency_alias_remove, agency_names
from partners.models import Agency, AgencyAlias
from partners.names import Names
from tests.factories import AgencyFactory

# -- The rule of names, with other names in it.


def item(pk: int, name: str, short_name: str = "") -> SimpleNamespace:
    return SimpleNamespace(pk=pk, name=name, short_name=short_name)


def test_an_other_name_finds_its_agency_whatever_the_case_and_spaces():
    names = Names([item(1, "Lichfield District Council", "LDC")], aliases=[(1, "Lichfield  DC")])
    assert names.find("lichfield dc").item.pk == 1
    assert names.find("  LICHFIELD   DC ").item.pk == 1
    assert names.find("LDC").item.pk == 1
    assert names.find("Lichfield").item is None


def test_a_full_name_wins_over_an_other_name():
    names = Names([item(1, "Police"), item(2, "Staffordshire Police")], aliases=[(2, "police")])
    assert names.find("Police").item.pk == 1


def test_an_other_name_shared_with_a_short_name_is_settled_by_the_core():
    """Medway's short name is "MBC"; in Maidstone's partnership "MBC" is Maidstone's other name."""
    agencies = [item(1, "Medway Council", "MBC"), item(2, "Maidstone Borough Council", "Maidstone")]
    names = Names(agencies, aliases=[(2, "MBC")])
    assert names.find("MBC").could_be  # no partnership: either
    assert names.among({2}).find("mbc").item.pk == 2
    assert names.among({1}).find("mbc").item.pk == 1


def test_other_names_of_unknown_items_are_ignored():
    names = Names([item(1, "Humankind")], aliases=[(99, "HK"), (1, "  ")])
    assert names.find("HK").item is None


# -- The rules another name keeps: unique within a partnership, never another agency's name.


@pytest.fixture
def fire(partnership):
    fire = AgencyFactory(
        name="Staffordshire Fire and Rescue Service", short_name="Fire", slug="sfrs"
    )
    partnership.core_agencies.add(fire)
    return fire


def test_an_other_name_is_added_by_someone_and_kept_as_written(fire, coordinator):
    alias = agency_alias_add(agency=fire, alias="  SFRS ", user=coordinator)
    assert (alias.name, alias.folded, alias.created_by) == ("SFRS", "sfrs", coordinator)
    assert list(fire.aliases.values_list("name", flat=True)) == ["SFRS"]


def test_an_other_name_is_added_by_nobody_in_particular_from_a_command(fire):
    assert agency_alias_add(agency=fire, alias="SFRS", user=None).created_by is None


def refused(agency: Agency, alias: str) -> str:
    with pytest.raises(ValidationError) as caught:
        agency_alias_add(agency=agency, alias=alias, user=None)
    return " ".join(caught.value.messages)


def test_the_same_other_name_twice_is_refused_whatever_the_case(fire):
    agency_alias_add(agency=fire, alias="SFRS", user=None)
    assert refused(fire, "sfrs") == (
        "“sfrs” is already another name of Staffordshire Fire and Rescue Service."
    )
    assert fire.aliases.count() == 1


def test_an_other_name_already_used_in_the_partnership_is_refused(fire, council, partnership):
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    assert refused(fire, "LICHFIELD dc") == (
        "In Lichfield District Community Safety Partnership, “Lichfield DC” is already another "
        "name of Lichfield District Council: it cannot be another name of Staffordshire Fire and "
        "Rescue Service too."
    )


def test_another_core_agencys_short_name_is_refused(fire, council):
    assert refused(fire, "ldc") == (
        "In Lichfield District Community Safety Partnership, “ldc” is already the short name of "
        "Lichfield District Council: it cannot be another name of Staffordshire Fire and Rescue "
        "Service too."
    )


def test_another_agencys_name_is_refused_in_any_partnership(fire, other_agency):
    assert refused(fire, "west mercia  police") == (
        "“west mercia police” is the name of another agency, West Mercia Police: it cannot be "
        "another name of Staffordshire Fire and Rescue Service too."
    )


def test_the_agencys_own_names_and_blanks_are_refused(fire):
    assert refused(fire, "staffordshire fire and rescue service") == (
        "“staffordshire fire and rescue service” is Staffordshire Fire and Rescue Service's own "
        "name: it matches already."
    )
    assert refused(fire, "FIRE") == (
        "“FIRE” is Staffordshire Fire and Rescue Service's short name: it matches already."
    )
    assert refused(fire, "   ") == "Give the other name."
    assert refused(fire, "SF\x1bRS") == "Another name cannot hold control characters."
    assert not fire.aliases.exists()


def test_the_same_other_name_is_fine_in_partnerships_that_do_not_share_agencies(
    partnership, other_partnership, council, other_agency
):
    """ "MBC" may mean one council in one partnership and another council in another."""
    agency_alias_add(agency=council, alias="MBC", user=None)
    agency_alias_add(agency=other_agency, alias="MBC", user=None)
    assert AgencyAlias.objects.filter(folded="mbc").count() == 2


def test_an_agency_may_not_take_another_agencys_other_name_as_its_name(council):
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    newcomer = Agency(name="lichfield dc", slug="lichfield-dc")
    with pytest.raises(ValidationError) as caught:
        newcomer.full_clean()
    assert caught.value.message_dict["name"] == [
        "“Lichfield DC” is another name of Lichfield District Council. Remove it from that "
        "agency's other names first, or choose another name."
    ]


def test_removing_an_other_name_forgets_it(council):
    alias = agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    agency_alias_remove(alias=alias, user=None)
    assert agency_names().find("Lichfield DC").item is None


def test_agency_names_reads_everything_in_two_queries(council, django_assert_num_queries):
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)
    with django_assert_num_queries(2):
        assert agency_names({council.pk}).find("lichfield dc").item == council
