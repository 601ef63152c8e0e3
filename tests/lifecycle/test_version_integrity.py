"""A published version is verified against the SHA-256 taken when it was published, wherever it is
read: a version altered behind the product's back is never served or exported, and
`verify_versions` (for cron) names it."""

import io

import pytest
from django.core.management import CommandError, call_command

from lifecycle.models import PublishedVersion, VersionAltered

URL = "/plans/lichfield/2021-22/"


@pytest.fixture
def altered(demo_plan, publish):
    """Version 1, published, then its stored text changed in the database directly."""
    version = publish(demo_plan)
    tampered = version.snapshot.replace("Triaging of ASB reports", "Ignoring ASB reports")
    assert tampered != version.snapshot
    PublishedVersion.objects.filter(pk=version.pk).update(snapshot=tampered)
    return PublishedVersion.objects.get(pk=version.pk)


def test_an_intact_version_is_read(demo_plan, publish):
    version = publish(demo_plan)
    assert version.is_intact
    assert version.data["plan"]["title"] == demo_plan.title


def test_an_altered_version_is_not_read(altered):
    assert not altered.is_intact
    with pytest.raises(VersionAltered):
        altered.data  # noqa: B018


@pytest.mark.parametrize(
    "path",
    ["", "versions/1/", "plan.pdf", "versions/1/plan.pdf", "versions/1/plan.csv", "versions/"],
)
def test_no_public_page_or_file_serves_an_altered_version(client, altered, path):
    response = client.get(URL + path)
    assert response.status_code == 500
    body = response.content.decode(errors="replace")
    assert "Ignoring ASB reports" not in body
    assert "no longer matches what was published" in body


def test_the_export_command_refuses_an_altered_version(altered):
    with pytest.raises(CommandError, match="no longer matches the checksum"):
        call_command(
            "export_plan",
            "--partnership",
            "lichfield",
            "--period",
            "2021-22",
            "--published-version",
            "1",
            stdout=io.StringIO(),
        )


def test_verify_versions_passes_when_every_version_matches(demo_plan, publish):
    publish(demo_plan)
    out = io.StringIO()
    call_command("verify_versions", stdout=out)
    # Lichfield's, and the demo's second (invented) partnership's.
    assert "2 published version(s) checked: all match their checksum." in out.getvalue()


def test_verify_versions_names_an_altered_version_and_fails(altered):
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 published version"):
        call_command("verify_versions", stdout=io.StringIO(), stderr=err)
    assert f"ALTERED: {altered}" in err.getvalue()
