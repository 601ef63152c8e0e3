"""The plan file of a published version: the frozen copy, for the public and for scripts."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from planfiles.exporter import plan_export, version_export
from priorities.models import Plan


def test_a_version_exports_exactly_what_the_plan_exported_when_it_was_published(demo_plan, publish):
    live = {fmt: plan_export(demo_plan, fmt)[0] for fmt in ("csv", "json")}
    version = publish(demo_plan)
    for fmt, expected in live.items():
        assert version_export(version.data, fmt, filename="x")[0] == expected


def test_later_edits_do_not_change_the_versions_file(client, demo_plan, publish):
    version = publish(demo_plan)
    url = reverse("plan_version_file", args=["lichfield", "2021-22", version.number, "csv"])
    before = client.get(url).content
    Plan.objects.filter(pk=demo_plan.pk).update(status=Plan.Status.DRAFT)
    Action.objects.filter(priority__plan=demo_plan).update(description="Rewritten after publishing")
    after = client.get(url)
    assert after.status_code == 200
    assert after["Content-Type"].startswith("text/csv")
    assert "attachment" in after["Content-Disposition"]
    assert after.content == before
    assert b"Rewritten after publishing" not in after.content


def test_the_public_file_shows_restricted_actions_only_as_who_leads_them(
    client, demo_plan, publish
):
    secret = Action.objects.get(description__startswith="Taking swift positive action")
    Action.objects.filter(pk=secret.pk).update(restricted=True)
    publish(demo_plan)
    for fmt in ("csv", "json"):
        body = client.get(f"/plans/lichfield/2021-22/versions/1/plan.{fmt}").content.decode()
        assert "Taking swift positive action" not in body
        assert "stop the harm" not in body
        assert "Restricted action led by Staffordshire Police" in body


def test_no_file_before_publication_nor_in_an_unknown_format(client, demo_plan, publish):
    assert client.get("/plans/lichfield/2021-22/versions/1/plan.csv").status_code == 404
    publish(demo_plan)
    assert client.get("/plans/lichfield/2021-22/versions/1/plan.exe").status_code == 404
    assert client.get("/plans/lichfield/2021-22/versions/2/plan.csv").status_code == 404
    page = client.get("/plans/lichfield/2021-22/").content.decode()
    assert 'href="/plans/lichfield/2021-22/versions/1/plan.csv"' in page


def test_export_plan_command_exports_a_version(demo_plan, publish, capsys):
    version = publish(demo_plan)
    Action.objects.filter(priority__plan=demo_plan).update(description="Changed later")
    out = io.StringIO()
    call_command(
        "export_plan",
        "--partnership",
        "lichfield",
        "--period",
        "2021-22",
        "--published-version",
        "1",
        stdout=out,
    )
    assert out.getvalue().encode() == version_export(version.data, "csv", filename="x")[0]
    assert "Changed later" not in out.getvalue()
    with pytest.raises(Exception, match="no published version 7"):
        call_command(
            "export_plan",
            "--partnership",
            "lichfield",
            "--period",
            "2021-22",
            "--published-version",
            "7",
        )


def test_the_admin_downloads_a_versions_file(client, demo_plan, publish, admin_user):
    version = publish(demo_plan)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:lifecycle_publishedversion_changelist"),
        {"action": "download_plan_file", "_selected_action": [version.pk]},
    )
    assert response.status_code == 200
    assert response.content == version_export(version.data, "csv", filename="x")[0]


def _xlsx_text(content: bytes) -> str:
    """Every cell of a workbook, as one text."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return "\n".join(cells)


def test_the_public_workbook_shows_restricted_actions_only_as_who_leads_them(
    client, demo_plan, publish
):
    secret = Action.objects.get(description__startswith="Taking swift positive action")
    Action.objects.filter(pk=secret.pk).update(restricted=True)
    publish(demo_plan)
    response = client.get("/plans/lichfield/2021-22/versions/1/plan.xlsx")
    assert response.status_code == 200
    text = _xlsx_text(response.content)
    assert "Taking swift positive action" not in text
    assert "stop the harm" not in text
    assert "Restricted action led by Staffordshire Police" in text
    assert "Triaging of ASB reports to key agencies" in text  # the other actions are there
