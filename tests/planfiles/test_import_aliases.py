"""Every file finds an agency by its other names ("Staffs Police", "MBC"): the plan file in CSV
and XLSX, and the figures file, through partners/aliases.py's `agency_names`."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from partners.aliases import agency_alias_add
from tests.factories import AgencyFactory, PartnershipFactory
from tests.planfiles.conftest import csv_bytes, plan_row, run_import, xlsx_bytes
from tracking.models import Figure


@pytest.fixture
def aliases(lichfield, council, police):
    agency_alias_add(agency=police, alias="Staffs Police", user=None)
    agency_alias_add(agency=council, alias="Lichfield DC", user=None)


def test_the_plan_file_finds_agencies_by_their_other_names(lichfield, aliases, council, police):
    row = plan_row(lead_agency="staffs police", supporting_agencies="LICHFIELD DC")
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    action = Action.objects.get(description=row["action"])
    assert action.lead_agency == police
    assert list(action.supporting_agencies.all()) == [council]


def test_the_plan_file_as_a_workbook_finds_them_too(lichfield, aliases, police):
    row = plan_row(action="From a workbook", lead_agency="Staffs Police")
    data = xlsx_bytes([list(row), list(row.values())])
    report = run_import(data, filename="plan.xlsx")
    assert report.ok, report.errors
    assert Action.objects.get(description="From a workbook").lead_agency == police


def test_an_unknown_name_says_other_names_count(lichfield):
    report = run_import(csv_bytes([plan_row(lead_agency="Staffs Police")]))
    assert [error.message for error in report.errors] == [
        "No agency is called “Staffs Police” (by name, short name or other name)."
    ]


def test_the_figures_file_finds_agencies_by_their_other_names(
    tmp_path, aliases, asb_measure, police
):
    path = tmp_path / "figures.csv"
    path.write_text(
        "partnership,plan_period,measure,agency,period,value,confidence\r\n"
        "lichfield,2021-22,ASB incidents,STAFFS police,2021-22 Q1,120,\r\n",
        encoding="utf-8",
    )
    call_command("import_figures", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Figure.objects.get().agency == police


def test_an_other_name_in_one_partnership_does_not_steal_a_short_name_in_another(lichfield, police):
    """Tamworth's "MBC" is its own council's short name; Lichfield's "MBC" its council's alias."""
    tamworth_council = AgencyFactory(name="Tamworth Borough Council", short_name="MBC")
    PartnershipFactory(name="Tamworth CSP", slug="tamworth-csp", core_agencies=[tamworth_council])
    council = lichfield.partnership.core_agencies.get(short_name="LDC")
    agency_alias_add(agency=council, alias="MBC", user=None)
    report = run_import(csv_bytes([plan_row(lead_agency="MBC", supporting_agencies="")]))
    assert report.ok, report.errors
    assert Action.objects.get(description=plan_row()["action"]).lead_agency == council


def test_the_import_page_leads_from_an_unknown_name_to_giving_it_to_an_agency(
    client, lichfield, coordinator, police
):
    """A file with other problems too goes back to the upload page, which links each unknown
    name to the agency names page (a file whose only problems are unknown names is previewed,
    with a choice for each name: tests/planfiles/test_import_same_as.py)."""
    client.force_login(coordinator)
    row = plan_row(lead_agency="Staffs Police & Co")
    bad = plan_row(action="Bad date", target_date="31/02/2022")
    response = client.post(
        reverse("plan_import", kwargs={"partnership": "lichfield", "period": "2021-22"}),
        {"file": SimpleUploadedFile("plan.csv", csv_bytes([row, bad]))},
    )
    link = "/partnerships/lichfield/members/agency-names/?name=Staffs%20Police%20%26%20Co"
    assert f'href="{link}"' in response.content.decode()
    form = client.get(link).context["form"]
    assert form.initial["name"] == "Staffs Police & Co"
    client.post(link, {"agency": police.pk, "name": "Staffs Police & Co"})
    response = client.post(
        reverse("plan_import", kwargs={"partnership": "lichfield", "period": "2021-22"}),
        {"file": SimpleUploadedFile("plan.csv", csv_bytes([row]))},
    )
    page = response.content.decode()
    assert "Check the import" in page
    assert "Import 1 row" in page and "Agency names we do not know" not in page


def test_an_admin_is_led_there_too(client, lichfield, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("plan_import", kwargs={"partnership": "lichfield", "period": "2021-22"}),
        {
            "file": SimpleUploadedFile(
                "plan.csv",
                csv_bytes([plan_row(lead_agency="Nobody", target_date="31/02/2022")]),
            )
        },
    )
    assert "give an agency the name “Nobody”" in response.content.decode()
