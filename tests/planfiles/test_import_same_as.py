"""The import preview's choice for each agency name the file uses that we do not know: a new
agency, or the same as an agency of the partnership, which records the name as that agency's
other name (planfiles/same_as.py, the view `plan_import_names`)."""

from __future__ import annotations

import re

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actions.models import Action
from partners.models import Agency, AgencyAlias
from partners.permissions import PERMISSIONS
from planfiles.same_as import import_names_same_as, same_as_choices
from tests.planfiles.conftest import csv_bytes, plan_row, run_import
from tests.planfiles.test_pages import CONFIRM_URL, KWARGS, LADDER, NEW, token_of, upload
from tests.snapshots import database_snapshot

NAMES_URL = reverse("plan_import_names", kwargs=KWARGS)
ROW = plan_row(lead_agency="Lichfield DC", supporting_agencies="")


def choose(client, response, **choices: str):
    """Post the preview's choice per name: name -> "" (not decided), "create" or an agency id."""
    page = response.content.decode()
    names = re.findall(r'name="name-(\d+)" value="([^"]*)"', page)
    fields = {"token": token_of(response), "names": str(len(names))}
    for number, name in names:
        fields[f"name-{number}"] = name
        fields[f"agency-{number}"] = choices.get(name, "")
    return client.post(NAMES_URL, fields)


def chosen_in(page: str) -> dict[str, str]:
    """The preview's choice per name, as the page selects it."""
    names = dict(re.findall(r'name="name-(\d+)" value="([^"]*)"', page))
    selects = dict(re.findall(r'<select[^>]*name="agency-(\d+)"(.*?)</select>', page, re.S))
    chosen = {}
    for number, name in names.items():
        found = re.search(r'value="([^"]*)" selected', selects[number])
        chosen[name] = found.group(1) if found else ""
    return chosen


# -- The service.


def test_same_as_records_the_name_and_the_file_then_finds_the_agency(
    lichfield, coordinator, council
):
    assert not run_import(csv_bytes([ROW])).ok
    [alias] = import_names_same_as(
        plan=lichfield, user=coordinator, same_as={"Lichfield DC": council.pk}
    )
    alias.refresh_from_db()
    assert (alias.agency, alias.name, alias.created_by) == (council, "Lichfield DC", coordinator)
    report = run_import(csv_bytes([ROW]))
    assert report.ok, report.errors
    assert Action.objects.get(description=NEW).lead_agency == council


def test_the_choices_are_the_partnerships_active_agencies(
    lichfield, council, police, housing, other_agency
):
    housing.active = False
    housing.save()
    choices = list(same_as_choices(lichfield))
    assert council in choices and police in choices
    assert housing not in choices and other_agency not in choices


@pytest.mark.parametrize("name", ["Staffordshire Police", "Police", "  "])
def test_a_name_that_would_clash_is_refused_and_nothing_is_recorded(
    lichfield, coordinator, council, name
):
    before = database_snapshot()
    with pytest.raises(ValidationError):
        import_names_same_as(
            plan=lichfield, user=coordinator, same_as={"Lichfield DC": council.pk, name: council.pk}
        )
    assert database_snapshot() == before
    assert not AgencyAlias.objects.exists()


def test_the_name_of_another_agency_says_so(lichfield, coordinator, council):
    with pytest.raises(ValidationError) as raised:
        import_names_same_as(
            plan=lichfield, user=coordinator, same_as={"Staffordshire Police": council.pk}
        )
    assert raised.value.messages == [
        "“Staffordshire Police” is the name of another agency, Staffordshire Police: it cannot be "
        "another name of Lichfield District Council too."
    ]


def test_only_an_agency_of_the_partnership_may_be_chosen(lichfield, coordinator, other_agency):
    with pytest.raises(ValidationError) as raised:
        import_names_same_as(
            plan=lichfield, user=coordinator, same_as={"Lichfield DC": other_agency.pk}
        )
    assert "can be the same as an active agency of" in raised.value.messages[0]
    assert not AgencyAlias.objects.exists()


@pytest.mark.parametrize(
    "role", ["lead_officer", "representative", "other_coordinator", "outsider"]
)
def test_only_those_who_import_and_name_agencies_may(request, lichfield, council, role):
    with pytest.raises(PermissionDenied):
        import_names_same_as(
            plan=lichfield, user=request.getfixturevalue(role), same_as={"LDC2": council.pk}
        )
    assert not AgencyAlias.objects.exists()


def test_an_admin_may(lichfield, admin_user, council):
    import_names_same_as(plan=lichfield, user=admin_user, same_as={"LDC2": council.pk})
    assert AgencyAlias.objects.get().agency == council


def test_not_into_a_plan_that_is_not_a_draft(lichfield, coordinator, council):
    lichfield.status = "consultation"
    lichfield.save()
    with pytest.raises(PermissionDenied):
        import_names_same_as(plan=lichfield, user=coordinator, same_as={"LDC2": council.pk})


@pytest.fixture
def names_not_allowed():
    """Someone who may import but not change the agencies' other names (no such person today:
    both are the coordinator's and an admin's)."""
    rules.set_perm("partners.manage_agency_names", rules.always_deny)
    yield
    rules.set_perm("partners.manage_agency_names", PERMISSIONS["partners.manage_agency_names"])


def test_who_may_import_but_not_name_agencies_may_not(
    names_not_allowed, lichfield, coordinator, council
):
    with pytest.raises(PermissionDenied):
        import_names_same_as(plan=lichfield, user=coordinator, same_as={"LDC2": council.pk})


# -- The preview.


def test_a_file_whose_only_problems_are_unknown_agencies_is_previewed_with_a_choice(
    client, lichfield, coordinator, council
):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([ROW, plan_row(action="B", lead_agency="Youth Trust")]))
    page = response.content.decode()
    assert "Check the import" in page
    assert "Agency names we do not know" in page
    assert '<legend class="h6">“Lichfield DC”</legend>' in page
    assert '<label class="form-label" for="agency-0">What the file means by “Lichfield DC”' in page
    assert "A new agency: create “Youth Trust”" in page
    assert f'<option value="{council.pk}">Same as Lichfield District Council</option>' in page
    assert chosen_in(page) == {"Lichfield DC": "", "Youth Trust": ""}
    assert CONFIRM_URL not in page


def test_choosing_same_as_records_the_name_and_the_rows_then_match(
    client, lichfield, coordinator, council
):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([ROW]))
    again = choose(client, response, **{"Lichfield DC": str(council.pk)})
    page = again.content.decode()
    assert "Files and forms now find Lichfield District Council by “Lichfield DC” too." in page
    assert AgencyAlias.objects.get(name="Lichfield DC").agency == council
    assert "Agency names we do not know" not in page
    assert "1 new action" in page and CONFIRM_URL in page
    # The old token is spent; the new one imports, the action led by the agency chosen.
    client.post(CONFIRM_URL, {"token": token_of(response)})
    assert not Action.objects.filter(description=NEW).exists()
    client.post(CONFIRM_URL, {"token": token_of(again)})
    assert Action.objects.get(description=NEW).lead_agency == council


def test_choosing_create_creates_the_agency_at_confirmation_only(
    client, lichfield, coordinator, council
):
    client.force_login(coordinator)
    rows = [
        plan_row(lead_agency="Youth Trust"),
        plan_row(action="B", lead_agency="Other Trust", supporting_agencies=""),
    ]
    before = database_snapshot()
    again = choose(client, upload(client, csv_bytes(rows)), **{"Youth Trust": "create"})
    assert database_snapshot() == before
    page = again.content.decode()
    assert "New agency: Youth Trust" not in page  # "Other Trust" still stops the import
    assert chosen_in(page) == {"Other Trust": "", "Youth Trust": "create"}
    assert "No agency is called “Other Trust”" in page
    assert "No agency is called “Youth Trust”" not in page
    again = choose(client, again, **{"Youth Trust": "create", "Other Trust": str(council.pk)})
    page = again.content.decode()
    assert "New agency: Youth Trust" in page
    assert chosen_in(page) == {"Youth Trust": "create"}
    client.post(CONFIRM_URL, {"token": token_of(again)})
    trust = Agency.objects.get(name="Youth Trust")
    assert Action.objects.get(description=NEW).lead_agency == trust
    assert Action.objects.get(description="B").lead_agency == council
    assert lichfield.partnership.core_agencies.filter(pk=trust.pk).exists()
    assert not AgencyAlias.objects.filter(name="Youth Trust").exists()


def test_a_name_written_two_ways_is_one_choice(client, lichfield, coordinator, council):
    client.force_login(coordinator)
    rows = [ROW, plan_row(action="B", lead_agency="LICHFIELD  dc", supporting_agencies="")]
    response = upload(client, csv_bytes(rows))
    [name] = chosen_in(response.content.decode())
    again = choose(client, response, **{name: str(council.pk)})
    assert "2 new actions" in again.content.decode()
    client.post(CONFIRM_URL, {"token": token_of(again)})
    assert Action.objects.get(description="B").lead_agency == council


def test_a_name_to_create_may_be_undecided_again(client, lichfield, coordinator):
    client.force_login(coordinator)
    again = choose(client, upload(client, csv_bytes([ROW])), **{"Lichfield DC": "create"})
    assert CONFIRM_URL in again.content.decode()
    again = choose(client, again, **{"Lichfield DC": ""})
    page = again.content.decode()
    assert chosen_in(page) == {"Lichfield DC": ""}
    assert CONFIRM_URL not in page
    client.post(CONFIRM_URL, {"token": token_of(again)})
    assert not Agency.objects.filter(name="Lichfield DC").exists()


def test_a_clash_is_refused_in_words_and_the_upload_is_kept(
    client, lichfield, coordinator, council
):
    client.force_login(coordinator)
    # Someone else gives Staffordshire Police the name while the preview is open.
    response = upload(client, csv_bytes([ROW]))
    AgencyAlias.objects.create(
        agency=lichfield.partnership.core_agencies.get(slug="police"), name="Lichfield DC"
    )
    before = database_snapshot()
    again = choose(client, response, **{"Lichfield DC": str(council.pk)})
    assert database_snapshot() == before
    page = again.content.decode()
    assert "Nothing was recorded:" in page
    assert "“Lichfield DC” is already" in page
    # The file is still there, to import as it now reads.
    client.post(CONFIRM_URL, {"token": token_of(again)})
    assert Action.objects.get(description=NEW).lead_agency.slug == "police"


def test_a_refused_choice_keeps_what_the_person_chose(client, lichfield, coordinator, council):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([ROW]))
    fields = {
        "token": token_of(response),
        "names": "2",
        "name-0": "Lichfield DC",
        "agency-0": str(council.pk),
        "name-1": "Staffordshire Police",
        "agency-1": str(council.pk),
    }
    before = database_snapshot()
    page = client.post(NAMES_URL, fields).content.decode()
    assert database_snapshot() == before
    assert "is the name of another agency, Staffordshire Police" in page
    assert chosen_in(page) == {"Lichfield DC": str(council.pk)}


def test_who_may_not_name_agencies_is_offered_create_only(
    names_not_allowed, client, lichfield, coordinator, council
):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([ROW]))
    page = response.content.decode()
    assert "A new agency: create “Lichfield DC”" in page
    assert "Same as" not in page
    before = database_snapshot()
    refused = choose(client, response, **{"Lichfield DC": str(council.pk)})
    assert refused.status_code == 403
    assert database_snapshot() == before
    again = choose(client, upload(client, csv_bytes([ROW])), **{"Lichfield DC": "create"})
    assert "New agency: Lichfield DC" in again.content.decode()


# -- Who may: the ladder of the new page.


@pytest.mark.parametrize(("role", "expected"), LADDER)
def test_only_the_coordinator_and_admins_may_choose_the_names(
    client, request, lichfield, role, expected
):
    client.force_login(request.getfixturevalue(role))
    before = database_snapshot()
    response = client.post(NAMES_URL, {"token": "nothing", "names": "0"})
    # Those who may import are sent back to upload the file (nothing waits for this token).
    assert response.status_code == (302 if expected == 200 else expected)
    assert database_snapshot() == before


def test_choosing_the_names_asks_an_anonymous_visitor_to_sign_in(client, lichfield):
    response = client.post(NAMES_URL, {"token": "nothing", "names": "0"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={NAMES_URL}"


def test_choosing_the_names_takes_post_only(client, lichfield, coordinator):
    client.force_login(coordinator)
    assert client.get(NAMES_URL).status_code == 405


@pytest.mark.parametrize("role", ["lead_officer", "other_coordinator"])
def test_others_cannot_choose_for_an_upload(client, request, lichfield, coordinator, council, role):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([ROW]))
    client.force_login(request.getfixturevalue(role))
    before = database_snapshot()
    refused = choose(client, response, **{"Lichfield DC": str(council.pk)})
    assert refused.status_code in (403, 404)
    assert database_snapshot() == before


def test_a_choice_for_an_upload_that_is_gone_does_nothing(client, lichfield, coordinator, council):
    client.force_login(coordinator)
    fields = {"token": "nothing", "names": "1", "name-0": "LDC2", "agency-0": str(council.pk)}
    response = client.post(NAMES_URL, fields, follow=True)
    assert "There is no import waiting" in response.content.decode()
    assert not AgencyAlias.objects.exists()
