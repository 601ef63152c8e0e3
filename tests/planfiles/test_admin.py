"""The plan file in the Django admin: import (preview, confirm) and export on the actions list.

Open to superusers and to staff who coordinate a partnership, for their own plans; not to every
staff user, which is django-import-export's default.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from tests.factories import PlanFactory, UserFactory
from tests.planfiles.conftest import csv_bytes, plan_row
from tests.snapshots import database_snapshot

CHANGELIST = reverse("admin:actions_action_changelist")
IMPORT = reverse("admin:actions_action_import")
PROCESS = reverse("admin:actions_action_process_import")
EXPORT = reverse("admin:actions_action_export")
NEW = "Street-based outreach for young people at risk"
CSV, XLSX = "0", "1"  # the format choices, in the order the admin offers them


def staff(username: str, *, coordinates=None):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="actions"))
    if coordinates is not None:
        coordinates.coordinators.add(user)
    return user


def admin_upload(client, data: bytes, name="plan.csv", fmt=CSV, **fields):
    return client.post(
        IMPORT, {"import_file": SimpleUploadedFile(name, data), "format": fmt, **fields}
    )


def confirm_fields(response) -> dict:
    page = response.content.decode()
    form = page[page.index(f'action="{PROCESS}"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_the_admin_previews_then_imports(client, admin_user, lichfield):
    client.force_login(admin_user)
    assert client.get(IMPORT).status_code == 200
    before = database_snapshot()
    response = admin_upload(client, csv_bytes([plan_row()]))
    assert response.status_code == 200
    assert database_snapshot() == before
    page = response.content.decode()
    assert "Confirm import" in page
    assert "Actions: 1 to create, 0 to update, 0 unchanged." in page
    assert NEW in page
    response = client.post(PROCESS, confirm_fields(response))
    assert response.status_code == 302
    action = Action.objects.get(description=NEW)
    assert action.created_by == admin_user
    assert LogEntry.objects.filter(object_id=str(action.pk)).exists()


def test_a_second_confirmation_imports_nothing_more(client, admin_user, lichfield):
    client.force_login(admin_user)
    fields = confirm_fields(admin_upload(client, csv_bytes([plan_row()])))
    client.post(PROCESS, fields)
    after = database_snapshot()
    response = client.post(PROCESS, fields, follow=True)
    assert "This import has already been done" in response.content.decode()
    assert database_snapshot() == after


def test_bad_rows_are_listed_by_row_and_column_and_nothing_changes(client, admin_user, lichfield):
    client.force_login(admin_user)
    before = database_snapshot()
    rows = [plan_row(), plan_row(action="B", target_date="2022-02-30")]
    response = admin_upload(client, csv_bytes(rows))
    page = response.content.decode()
    assert "Nothing was imported: the file has 1 problem" in page
    assert "<td>3</td><td>target_date</td><td>“2022-02-30” is not a date" in page
    assert "Confirm import" not in page
    assert database_snapshot() == before


def test_a_file_that_is_not_utf8_gets_the_plain_reason(client, admin_user, lichfield):
    client.force_login(admin_user)
    response = admin_upload(client, "partnership,é\r\n".encode("cp1252"))
    assert "The file is not UTF-8 text" in response.content.decode()


def test_create_missing_is_offered_and_carried_to_the_confirmation(client, admin_user, lichfield):
    client.force_login(admin_user)
    response = admin_upload(
        client, csv_bytes([plan_row(lead_agency="Lichfield Youth Trust")]), create_missing="on"
    )
    fields = confirm_fields(response)
    assert fields["create_missing"] == "True"
    client.post(PROCESS, fields)
    assert Action.objects.get(description=NEW).lead_agency.name == "Lichfield Youth Trust"


def test_staff_who_coordinate_nothing_cannot_import_or_export(client, lichfield):
    client.force_login(staff("steve"))
    assert client.get(IMPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403
    fields = {"import_file_name": "x", "original_file_name": "x.csv", "format": CSV}
    assert client.post(PROCESS, fields).status_code == 403
    page = client.get(CHANGELIST).content.decode()
    assert IMPORT not in page and EXPORT not in page


def test_a_staff_coordinator_imports_into_their_own_plans_only(
    client, lichfield, partnership, other_partnership
):
    client.force_login(staff("casey", coordinates=partnership))
    page = client.get(CHANGELIST).content.decode()
    assert IMPORT in page
    response = admin_upload(client, csv_bytes([plan_row()]))
    assert "Confirm import" in response.content.decode()

    PlanFactory(partnership=other_partnership)
    before = database_snapshot()
    other = plan_row(partnership="Tamworth Community Safety Partnership", lead_agency="")
    response = admin_upload(client, csv_bytes([other | {"supporting_agencies": "", "theme": ""}]))
    assert "You may not import into the plans of Tamworth" in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize(("fmt", "extension"), [("0", "csv"), ("1", "xlsx"), ("2", "json")])
def test_the_admin_exports_one_plan_in_the_canonical_format(
    client, admin_user, lichfield, action, fmt, extension
):
    client.force_login(admin_user)
    response = client.post(f"{EXPORT}?priority__plan__id__exact={lichfield.pk}", {"format": fmt})
    assert response.status_code == 200
    disposition = f'attachment; filename="lichfield-2021-22-plan.{extension}"'
    assert response["Content-Disposition"] == disposition


def test_the_admin_export_of_several_plans_asks_for_one(client, admin_user, lichfield, action):
    from tests.factories import ActionFactory, PriorityFactory

    ActionFactory(priority=PriorityFactory(plan=PlanFactory(partnership=lichfield.partnership,
                  period_start="2022-04-01", period_end="2023-03-31")))  # fmt: skip
    client.force_login(admin_user)
    response = client.post(EXPORT, {"format": CSV}, follow=True)
    assert "Filter the list by plan" in response.content.decode()


def test_the_admin_reads_xlsx_files_too(client, admin_user, lichfield):
    from planfiles.format import write_xlsx

    client.force_login(admin_user)
    data = write_xlsx([tuple(plan_row().values())])
    response = admin_upload(client, data, "plan.xlsx", fmt=XLSX)
    client.post(PROCESS, confirm_fields(response))
    assert Action.objects.filter(description=NEW).exists()
