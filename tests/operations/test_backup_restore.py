"""`manage.py backup` then `manage.py restore` into an empty database loses nothing: every row of
every table comes back as it was, history, published versions, agreements, figures and progress
included, and the restored site goes on working."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import stat
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from actions.models import Action
from lifecycle.models import Agreement, PublishedVersion
from lifecycle.services import plan_amend
from partners.models import Agency
from priorities.models import Plan
from tracking.figures import figure_save
from tracking.models import CommissionedService, Figure, ProgressUpdate

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/plans/lichfield/2021-22/"
NOT_COMPARED = {"sessions.Session"}


def every_row() -> dict[str, list[dict]]:
    """Every row of every table, many-to-many links and history included, by primary key."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in NOT_COMPARED:
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


@pytest.fixture
def site(settings, django_user_model):
    """The demo plan through a year: agreed by the agencies, published twice, with progress,
    corrected figures, funding, a group with a permission and an admin log entry."""
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    coordinator = django_user_model.objects.get(username="coordinator")
    police_officer = django_user_model.objects.get(username="police.officer")
    plan = Plan.objects.get(partnership__slug="lichfield")
    for agency in plan.partnership.core_agencies.all():
        Agreement.objects.create(
            plan=plan,
            agency=agency,
            round=1,
            decision=Agreement.Decision.AGREED,
            decided_by=police_officer,
            decided_at=datetime.datetime(2021, 4, 20, 10, tzinfo=datetime.UTC),
        )
    action = Action.objects.filter(priority__plan=plan).first()
    action.restricted = True
    action.save()

    from lifecycle.services import plan_publish

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
    plan_publish(plan=Plan.objects.get(pk=plan.pk), user=coordinator)
    plan_amend(plan=Plan.objects.get(pk=plan.pk), user=coordinator)
    action.description = "Revised in the second revision"
    action.save()
    action.supporting_agencies.add(Agency.objects.get(name="Bromford Housing Group"))
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
    plan_publish(plan=Plan.objects.get(pk=plan.pk), user=coordinator)

    ProgressUpdate.objects.create(
        action=action,
        date=datetime.date(2021, 7, 1),
        rag=ProgressUpdate.Rag.AT_RISK,
        percent_complete=40,
        narrative="Recruitment is behind.",
        created_by=police_officer,
    )
    figure = Figure.objects.filter(
        measure__plan=plan, agency__memberships__user=police_officer
    ).first()
    figure_save(
        measure=figure.measure,
        agency=figure.agency,
        period_start=figure.period_start,
        value=Decimal("123.45"),
        confidence=figure.confidence,
        user=police_officer,
    )
    CommissionedService.objects.create(
        action=action, provider="Victim Support", amount=Decimal("12500.00")
    )
    group = Group.objects.create(name="Analysts")
    group.permissions.add(Permission.objects.get(codename="view_figure"))
    police_officer.groups.add(group)
    police_officer.user_permissions.add(Permission.objects.get(codename="view_measure"))
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Plan),
        object_id=str(plan.pk),
        object_repr=str(plan),
        action_flag=CHANGE,
        change_message="Changed the deadline.",
    )
    return plan


def backup(tmp_path) -> str:
    path = tmp_path / "site.json.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return str(path)


def restore(path: str) -> None:
    call_command("restore", path, stdout=io.StringIO())


def empty_database() -> None:
    call_command("flush", interactive=False, verbosity=0)


def test_a_backup_restored_into_an_empty_database_loses_nothing(site, tmp_path):
    before = every_row()
    # Lichfield's two, and the demo's second (invented) partnership's one.
    assert len(before["lifecycle.PublishedVersion"]) == 3
    assert before["priorities.HistoricalPlan"]
    assert before["actions.HistoricalAction_supporting_agencies"]
    assert before["tracking.HistoricalFigure"]
    assert before["lifecycle.Agreement"]
    assert before["tracking.ProgressUpdate"]
    path = backup(tmp_path)

    empty_database()
    assert not Plan.objects.exists()
    restore(path)

    after = every_row()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        assert after[label] == rows, label


def test_the_restored_site_serves_the_same_public_plan_and_takes_new_data(
    site, tmp_path, client, django_user_model
):
    page = client.get(URL).content
    pdf = client.get(URL + "versions/1/plan.pdf").content
    path = backup(tmp_path)
    empty_database()
    restore(path)
    cache.clear()

    assert client.get(URL).content == page
    assert client.get(URL + "versions/1/plan.pdf").content == pdf
    # Sequences were moved past the restored rows: new rows, links and history go in.
    action = Action.objects.filter(
        restricted=True, priority__plan__partnership__slug="lichfield"
    ).get()
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 10, 1), rag="on_track", narrative="Back on track."
    )
    action.supporting_agencies.add(Agency.objects.get(name="Lichfield District Council"))
    action.save()
    assert action.history.count() >= 3
    user = django_user_model.objects.create_user("new.officer", password="a-long-password-1")
    user.groups.add(Group.objects.get(name="Analysts"))
    signed_in = client.post(
        "/accounts/login/", {"username": "police.officer", "password": "demo-password-2021"}
    )
    assert signed_in.status_code == 302


def test_the_published_versions_are_restored_byte_for_byte(site, tmp_path):
    snapshots = {v.number: (v.snapshot, v.checksum) for v in PublishedVersion.objects.all()}
    path = backup(tmp_path)
    empty_database()
    restore(path)
    assert {v.number: (v.snapshot, v.checksum) for v in PublishedVersion.objects.all()} == (
        snapshots
    )


def test_restoring_writes_no_new_history(site, tmp_path):
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label.split(".")[1].startswith("Historical")
    }
    path = backup(tmp_path)
    empty_database()
    restore(path)
    for label, count in counts.items():
        assert apps.get_model(label).objects.count() == count, label


def test_the_backup_is_one_gzipped_json_fixture_readable_by_its_owner_only(site, tmp_path):
    path = backup(tmp_path)
    mode = stat.S_IMODE((tmp_path / "site.json.gz").stat().st_mode)
    assert mode == 0o600
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        objects = json.load(stream)
    labels = {row["model"] for row in objects}
    assert {"lifecycle.publishedversion", "priorities.historicalplan", "auth.user"} <= labels
    assert "sessions.session" not in labels
    assert not list(tmp_path.glob(".backup-*"))  # no temporary file left behind


def test_restore_refuses_a_database_that_holds_data(site, tmp_path):
    path = backup(tmp_path)
    before = every_row()
    with pytest.raises(CommandError, match="not empty"):
        restore(path)
    assert every_row() == before


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        restore(str(tmp_path / "missing.json.gz"))


def test_backup_refuses_a_name_restore_would_not_read(db, tmp_path):
    with pytest.raises(CommandError, match=r"\.json\.gz"):
        call_command("backup", str(tmp_path / "site.zip"), stdout=io.StringIO())
