"""The plan's "Import actions" page (upload → preview → confirm or cancel) and the downloads."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from partners.models import Agency
from tests.planfiles.conftest import csv_bytes, plan_row
from tests.snapshots import database_snapshot

NEW = "Street-based outreach for young people at risk"
KWARGS = {"partnership": "lichfield", "period": "2021-22"}
IMPORT_URL = reverse("plan_import", kwargs=KWARGS)
CONFIRM_URL = reverse("plan_import_confirm", kwargs=KWARGS)
CANCEL_URL = reverse("plan_import_cancel", kwargs=KWARGS)
WORKSPACE_URL = reverse("plan_workspace", kwargs=KWARGS)


def export_url(fmt: str) -> str:
    return reverse("plan_export", kwargs=KWARGS | {"fmt": fmt})


def upload(client, data: bytes, name: str = "plan.csv", **fields):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data), **fields})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


# -- Who may: the permission ladder.

LADDER = [
    ("lead_officer", 403),
    ("supporting_officer", 403),
    ("unrelated_officer", 403),
    ("representative", 403),
    ("other_coordinator", 404),
    ("outsider", 404),
    ("coordinator", 200),
    ("admin_user", 200),
]


@pytest.mark.parametrize(("role", "expected"), LADDER)
@pytest.mark.parametrize("url", [IMPORT_URL, export_url("csv")])
def test_import_and_export_pages_are_for_the_coordinator_and_admins(
    client, request, lichfield, role, expected, url
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("url", [IMPORT_URL, CONFIRM_URL, CANCEL_URL, export_url("json")])
def test_anonymous_visitors_are_asked_to_sign_in(client, lichfield, url):
    response = client.get(url) if url in (IMPORT_URL,) or "export" in url else client.post(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(("role", "expected"), LADDER)
def test_members_cannot_upload_and_nothing_changes(client, request, lichfield, role, expected):
    client.force_login(request.getfixturevalue(role))
    before = database_snapshot()
    response = upload(client, csv_bytes([plan_row()]))
    assert response.status_code == expected
    assert database_snapshot() == before  # an upload only previews


@pytest.mark.parametrize("role", ["lead_officer", "other_coordinator"])
def test_others_cannot_confirm_an_import(client, request, lichfield, coordinator, role):
    client.force_login(coordinator)
    token = token_of(upload(client, csv_bytes([plan_row()])))
    client.force_login(request.getfixturevalue(role))
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code in (403, 404)
    assert not Action.objects.filter(description=NEW).exists()


def test_a_plan_that_is_not_a_draft_cannot_take_an_import_but_can_be_exported(
    client, lichfield, coordinator
):
    lichfield.status = "consultation"
    lichfield.save()
    client.force_login(coordinator)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(export_url("csv")).status_code == 200


def test_an_unknown_export_format_is_not_found(client, lichfield, coordinator):
    client.force_login(coordinator)
    assert client.get(export_url("pdf")).status_code == 404


# -- Upload, preview, confirm.


def test_upload_previews_row_by_row_without_saving(client, lichfield, action, coordinator):
    client.force_login(coordinator)
    rows = [
        plan_row(),
        plan_row(action=action.description, lead_agency="LDC", supporting_agencies=""),
        plan_row(
            priority="Fraud", action="Courier fraud awareness", theme="", outcome="", measure=""
        ),
    ]
    before = database_snapshot()
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 200
    assert database_snapshot() == before
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "Nothing has been saved yet" in page
    assert "2 new actions, 1 changed, 0 unchanged" in page
    assert "New priority: Fraud" in page
    assert re.search(r"<td>2</td>\s*<td><strong>New action</strong></td>", page)
    assert re.search(r"<td>3</td>\s*<td>Changed</td>", page)
    assert "Lead agency: Staffordshire Police → Lichfield District Council" in page


def test_confirm_imports_the_previewed_file(client, lichfield, coordinator):
    client.force_login(coordinator)
    token = token_of(upload(client, csv_bytes([plan_row()])))
    response = client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert response.redirect_chain == [(WORKSPACE_URL, 302)]
    assert "Imported plan.csv: 1 action added, 0 changed, 0 unchanged." in (
        response.content.decode()
    )
    action = Action.objects.get(description=NEW)
    assert action.created_by == coordinator


def test_confirming_twice_imports_once(client, lichfield, coordinator):
    client.force_login(coordinator)
    token = token_of(upload(client, csv_bytes([plan_row()])))
    client.post(CONFIRM_URL, {"token": token})
    after_first = database_snapshot()
    response = client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert "This import is already done" in response.content.decode()
    assert database_snapshot() == after_first
    assert Action.objects.filter(description=NEW).count() == 1


def test_cancel_forgets_the_file(client, lichfield, coordinator):
    client.force_login(coordinator)
    before = database_snapshot()
    token = token_of(upload(client, csv_bytes([plan_row()])))
    response = client.post(CANCEL_URL, {"token": token}, follow=True)
    assert "The import was cancelled. Nothing was changed." in response.content.decode()
    client.post(CONFIRM_URL, {"token": token})
    assert database_snapshot() == before


def test_a_confirmation_with_a_stale_token_does_nothing(client, lichfield, coordinator):
    client.force_login(coordinator)
    old = token_of(upload(client, csv_bytes([plan_row()])))
    token_of(upload(client, csv_bytes([plan_row(action="Newer file")])))
    before = database_snapshot()
    client.post(CONFIRM_URL, {"token": old})
    assert database_snapshot() == before


def test_create_missing_ticked_at_upload_applies_at_confirmation(client, lichfield, coordinator):
    client.force_login(coordinator)
    response = upload(client, csv_bytes([plan_row(lead_agency="Lichfield Youth Trust")]))
    assert "Lichfield Youth Trust" in response.content.decode()
    response = upload(
        client, csv_bytes([plan_row(lead_agency="Lichfield Youth Trust")]), create_missing="on"
    )
    assert "New agency: Lichfield Youth Trust" in response.content.decode()
    client.post(CONFIRM_URL, {"token": token_of(response)})
    trust = Agency.objects.get(name="Lichfield Youth Trust")
    assert Action.objects.get(description=NEW).lead_agency == trust
    assert lichfield.partnership.core_agencies.filter(pk=trust.pk).exists()


def test_a_plan_changed_since_the_preview_is_checked_again(client, lichfield, coordinator, police):
    client.force_login(coordinator)
    token = token_of(upload(client, csv_bytes([plan_row()])))
    police.active = False
    police.save()
    before = database_snapshot()
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 409
    assert "Staffordshire Police is inactive" in response.content.decode()
    assert database_snapshot() == before


# -- Bad files: the form again, with the error summary and every problem.


def test_bad_rows_show_the_form_again_with_every_problem(client, lichfield, coordinator):
    client.force_login(coordinator)
    rows = [plan_row(target_date="31/02/2022"), plan_row(action="B", lead_agency="Nobody")]
    before = database_snapshot()
    response = upload(client, csv_bytes(rows), create_missing="")
    assert response.status_code == 200
    assert database_snapshot() == before
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert 'href="#id_file"' in page
    assert "The file has 2 problems, so nothing was imported." in page
    assert re.search(r"<td>2</td><td>target_date</td><td>“31/02/2022” is not a date", page)
    assert re.search(r"<td>3</td><td>lead_agency</td><td>No agency is called “Nobody”", page)
    assert "Known agencies:" in page
    assert 'type="file"' in page and "<h1" in page and page.count("<h1") == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4", "plan.pdf", "is not a CSV, XLSX or Word file"),
        (b"", "plan.csv", "The file is empty"),
        (b"name,action\r\nx,y\r\n", "plan.csv", "The first row is not the plan file&#x27;s header"),
        ("partnership,é".encode("cp1252"), "plan.csv", "not UTF-8"),
    ],
)
def test_a_file_refused_as_a_whole_shows_the_reason_on_the_field(
    client, lichfield, coordinator, data, name, message
):
    client.force_login(coordinator)
    before = database_snapshot()
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'href="#id_file"' in response.content.decode()
    assert database_snapshot() == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    client, lichfield, coordinator, settings
):
    settings.PLAN_FILE_MAX_BYTES = 100
    client.force_login(coordinator)
    response = upload(client, csv_bytes([plan_row()]))
    assert "the largest plan file we accept is 100 bytes" in response.content.decode()


def test_an_xlsx_file_is_imported_too(client, lichfield, coordinator):
    from planfiles.format import write_xlsx

    row = plan_row()
    client.force_login(coordinator)
    response = upload(client, write_xlsx([tuple(row.values())]), "plan.xlsx")
    client.post(CONFIRM_URL, {"token": token_of(response)})
    assert Action.objects.filter(description=NEW).exists()


# -- Downloads and the links to them.


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("json", "application/json"),
    ],
)
def test_the_plan_downloads_in_each_format(
    client, lichfield, action, coordinator, fmt, content_type
):
    client.force_login(coordinator)
    response = client.get(export_url(fmt))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="lichfield-2021-22-plan.{fmt}"'
    assert response.content


def test_a_plan_that_cannot_be_exported_says_why(client, lichfield, action, coordinator):
    action.description = "Bell\x07"
    action.save()
    client.force_login(coordinator)
    response = client.get(export_url("xlsx"), follow=True)
    assert "cannot hold" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown"), [("coordinator", True), ("admin_user", True), ("lead_officer", False)]
)
def test_the_workspace_links_to_import_and_export_for_those_allowed(
    client, request, lichfield, role, shown
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(WORKSPACE_URL).content.decode()
    assert (IMPORT_URL in page) is shown
    assert (export_url("xlsx") in page) is shown


# -- Plans laid out their own way: Word documents and spreadsheets with their own headings.

COLUMNS_URL = reverse("plan_import_columns", kwargs=KWARGS)


@pytest.mark.parametrize(("role", "expected"), LADDER)
def test_only_the_coordinator_and_admins_may_choose_the_columns(
    client, request, lichfield, role, expected
):
    client.force_login(request.getfixturevalue(role))
    response = client.post(COLUMNS_URL, {"token": "nothing", "columns": "0"})
    # Those who may import are sent back to upload the file (nothing waits for this token).
    assert response.status_code == (302 if expected == 200 else expected)


def test_choosing_the_columns_asks_an_anonymous_visitor_to_sign_in(client, lichfield):
    response = client.post(COLUMNS_URL, {"token": "nothing", "columns": "0"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={COLUMNS_URL}"


def own_rows() -> list[list[str]]:
    outcome = "Fewer young people drawn into ASB"
    return [
        ["Priority", "What we will do", "Expected outcome", "Notes", "Owner"],
        ["Anti-social Behaviour (ASB)", NEW, outcome, "Referrals", "Police / LDC"],
    ]


def choices_of(page: str) -> dict[str, str]:
    """The preview's choice per column: heading -> what it is read as."""
    headings = dict(re.findall(r'name="heading-(\d+)" value="([^"]*)"', page))
    chosen = dict(
        re.findall(r'name="role-(\d+)"[^>]*>(?:(?!</select>).)*?value="(\w+)" selected', page, re.S)
    )
    return {headings[n]: chosen[n] for n in headings}


def test_a_word_document_is_previewed_with_how_each_column_was_read(client, lichfield, coordinator):
    from tests.planfiles.documents import Heading, Table, word

    client.force_login(coordinator)
    data = word([Heading("Action plan"), Table(own_rows())])
    before = database_snapshot()
    response = upload(client, data, "plan.docx")
    assert database_snapshot() == before
    page = response.content.decode()
    assert "How the file was read" in page
    assert "Table 1: 1 action (priority: Anti-social Behaviour (ASB))" in page
    assert choices_of(page) == {
        "Priority": "priority",
        "What we will do": "action",
        "Expected outcome": "outcome",
        "Notes": "ignore",
        "Owner": "lead_agency",
    }
    assert "“Police / LDC” names several agencies: Staffordshire Police leads the action" in page
    assert re.search(r"<td>Table 1, row 2</td>\s*<td><strong>New action</strong></td>", page)
    client.post(CONFIRM_URL, {"token": token_of(response)})
    action = Action.objects.get(description=NEW)
    assert action.lead_agency.name == "Staffordshire Police"
    assert [a.name for a in action.supporting_agencies.all()] == ["Lichfield District Council"]


def test_choosing_what_a_column_holds_checks_the_file_again_and_imports_it_so(
    client, lichfield, coordinator
):
    from tests.planfiles.documents import csv

    client.force_login(coordinator)
    response = upload(client, csv(own_rows()), "plan.csv")
    page = response.content.decode()
    columns = choices_of(page)
    fields = {"token": token_of(response), "columns": str(len(columns))}
    for number, (heading, role) in enumerate(columns.items()):
        fields[f"heading-{number}"] = heading
        fields[f"role-{number}"] = "measure" if heading == "Notes" else role
    before = database_snapshot()
    again = client.post(COLUMNS_URL, fields)
    assert database_snapshot() == before
    assert choices_of(again.content.decode())["Notes"] == "measure"
    assert token_of(again) != fields["token"]
    # The old token no longer confirms; the new one imports with the columns chosen.
    client.post(CONFIRM_URL, {"token": fields["token"]})
    assert not Action.objects.filter(description=NEW).exists()
    client.post(CONFIRM_URL, {"token": token_of(again)})
    outcome = Action.objects.get(description=NEW).outcomes.get()
    assert (outcome.description, outcome.measure) == (
        "Fewer young people drawn into ASB",
        "Referrals",
    )


def test_a_file_laid_out_its_own_way_with_problems_is_previewed_without_confirm(
    client, lichfield, coordinator
):
    from tests.planfiles.documents import csv

    client.force_login(coordinator)
    rows = own_rows()
    rows[1][4] = "Lichfield Youth Trust"
    response = upload(client, csv(rows), "plan.csv")
    page = response.content.decode()
    assert "How the file was read" in page
    assert "nothing can be imported until it is put right" in page
    assert "No agency is called “Lichfield Youth Trust”" in page
    assert "The file names 1 agency we do not know: “Lichfield Youth Trust”" in page
    assert CONFIRM_URL not in page
    # Ticking "create missing" in the preview checks the file again with it.
    fields = {"token": token_of(response), "columns": "0", "create_missing": "on"}
    again = client.post(COLUMNS_URL, fields).content.decode()
    assert "New agency: Lichfield Youth Trust" in again
    assert CONFIRM_URL in again


def test_a_column_choice_for_an_upload_that_is_gone_does_nothing(client, lichfield, coordinator):
    client.force_login(coordinator)
    response = client.post(COLUMNS_URL, {"token": "nothing", "columns": "0"}, follow=True)
    assert "There is no import waiting" in response.content.decode()


@pytest.mark.parametrize("role", ["lead_officer", "other_coordinator"])
def test_others_cannot_choose_columns(client, request, lichfield, coordinator, role):
    from tests.planfiles.documents import csv

    client.force_login(coordinator)
    token = token_of(upload(client, csv(own_rows()), "plan.csv"))
    client.force_login(request.getfixturevalue(role))
    response = client.post(COLUMNS_URL, {"token": token, "columns": "0"})
    assert response.status_code in (403, 404)


def test_a_word_document_that_is_not_a_plan_is_refused_on_the_field(client, lichfield, coordinator):
    from tests.planfiles.documents import Para, word

    client.force_login(coordinator)
    response = upload(client, word([Para("No table here.")]), "plan.docx")
    assert "The document has no table" in response.content.decode()
    assert 'href="#id_file"' in response.content.decode()
