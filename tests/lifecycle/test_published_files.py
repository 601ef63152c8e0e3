"""A published version's PDF and Word document are drawn once, in the background, when the version
is published; stored; and served from storage (lifecycle/published_files.py). No request draws one:
until it is drawn, a request gets "being prepared" (503, Retry-After) and the worker is asked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from lifecycle import published_files
from lifecycle.models import PublishedFile, PublishedVersion
from lifecycle.services import plan_amend
from lifecycle.tasks import draw_published_files
from priorities.models import Plan

URL = "/plans/lichfield/2021-22/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def drawings(monkeypatch):
    """Counts each drawing of each kind, wherever it happens."""
    counts = dict.fromkeys(published_files.DRAWERS, 0)
    for kind, drawer in list(published_files.DRAWERS.items()):

        def counted(plan, version, draw=drawer.draw, kind=kind):
            counts[kind] += 1
            return draw(plan, version)

        monkeypatch.setitem(
            published_files.DRAWERS, kind, dataclasses.replace(drawer, draw=counted)
        )
    return counts


@pytest.fixture
def coordinator(demo_plan, django_user_model):
    return django_user_model.objects.get(username="coordinator")


def publish_through_the_worker(publish, plan, capture, user=None):
    """Publish as the site does: the drawing is queued once the transaction commits, and run by
    the (here immediate) task backend."""
    with capture(execute=True):
        version = publish(Plan.objects.get(pk=plan.pk), user)
    return version


def test_both_kinds_are_registered():
    assert set(published_files.DRAWERS) == {"pdf", "docx"}


def test_each_version_is_drawn_once_and_no_request_draws_it(
    client, demo_plan, coordinator, publish, settings, drawings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.TASKS = IMMEDIATE
    publish_through_the_worker(publish, demo_plan, django_capture_on_commit_callbacks)
    assert drawings == {"pdf": 1, "docx": 1}

    for reader in ("visitor", "coordinator", "visitor"):
        if reader == "coordinator":
            client.force_login(coordinator)
        else:
            client.logout()
        for path in ("plan.pdf", "versions/1/plan.pdf"):
            response = client.get(URL + path)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")
            assert response["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v1.pdf"'
        docx = client.get(URL + "versions/1/plan.docx")
        assert docx.status_code == 200
        assert docx["Content-Type"] == DOCX
        assert docx["Content-Disposition"] == (
            'attachment; filename="lichfield-2021-22-v1-plan.docx"'
        )
        assert docx.content.startswith(b"PK")
    assert drawings == {"pdf": 1, "docx": 1}

    # The next version is drawn once too; the first is not drawn again.
    plan_amend(plan=Plan.objects.get(pk=demo_plan.pk), user=coordinator)
    publish_through_the_worker(publish, demo_plan, django_capture_on_commit_callbacks, coordinator)
    assert drawings == {"pdf": 2, "docx": 2}
    latest = client.get(URL + "plan.pdf")
    assert latest["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v2.pdf"'
    client.get(URL + "versions/1/plan.pdf")
    assert drawings == {"pdf": 2, "docx": 2}


def test_until_it_is_drawn_a_request_is_told_to_try_again_and_the_worker_is_asked(
    client, demo_plan, publish, settings, drawings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE  # queued for a worker that has not run yet
    version = publish_through_the_worker(publish, demo_plan, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.filter(task_path__endswith="draw_published_files")
    assert queued.count() == 1
    assert queued.get().args_kwargs["args"] == [version.pk]

    for path in ("plan.pdf", "versions/1/plan.pdf", "versions/1/plan.docx"):
        response = client.get(URL + path)
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert "no-store" in response["Cache-Control"]
        page = " ".join(response.content.decode().split())
        assert "is being prepared" in page
        assert "Try again shortly" in page
    assert drawings == {"pdf": 0, "docx": 0}  # no request drew anything
    # The queue already holds the drawing: requests ask at most once every few minutes.
    assert queued.count() <= 2

    draw_published_files.call(version.pk)  # what the worker does
    assert drawings == {"pdf": 1, "docx": 1}
    assert client.get(URL + "plan.pdf").status_code == 200
    assert draw_published_files.call(version.pk) == "nothing to draw"
    assert drawings == {"pdf": 1, "docx": 1}


def test_the_file_is_stored_under_the_version_and_its_checksum(demo_plan, publish):
    version = publish(demo_plan, draw=True)
    stored = PublishedFile.objects.get(version=version, kind="pdf")
    assert f"/{version.pk}-{version.checksum}/" in stored.file.name
    assert stored.file.name.endswith("lichfield-2021-22-v1.pdf")
    content = stored.file.read()
    assert hashlib.sha256(content).hexdigest() == stored.sha256
    assert stored.size == len(content)


def test_the_stored_file_is_served_with_its_etag_and_revalidated(client, demo_plan, publish):
    publish(demo_plan, draw=True)
    latest = client.get(URL + "plan.pdf")
    assert latest["Cache-Control"] == "public, no-cache"
    numbered = client.get(URL + "versions/1/plan.pdf")
    assert numbered["Cache-Control"] == "public, max-age=86400"
    etag = numbered["ETag"]
    assert etag == latest["ETag"]
    again = client.get(URL + "versions/1/plan.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_damaged_file_is_not_served_and_is_drawn_again(
    client, demo_plan, publish, settings, drawings
):
    settings.TASKS = DATABASE
    version = publish(demo_plan, draw=True)
    assert drawings["pdf"] == 1
    stored = PublishedFile.objects.get(version=version, kind="pdf")
    with open(stored.file.path, "wb") as damaged:
        damaged.write(b"%PDF-1.7 not what was drawn")

    response = client.get(URL + "plan.pdf")
    assert response.status_code == 503
    assert not PublishedFile.objects.filter(pk=stored.pk).exists()
    assert DBTaskResult.objects.filter(task_path__endswith="draw_published_files").exists()
    draw_published_files.call(version.pk)
    response = client.get(URL + "plan.pdf")
    assert response.status_code == 200
    assert b"not what was drawn" not in response.content


def test_the_command_draws_what_is_missing_and_redraws_on_request(demo_plan, publish, drawings):
    version = publish(demo_plan)  # no worker ran
    count = PublishedVersion.objects.count()  # the demo's other partnership has one too
    out = io.StringIO()
    call_command("draw_published_files", stdout=out)
    assert f"{version}: drew docx, pdf." in out.getvalue()
    assert drawings == {"pdf": count, "docx": count}

    out = io.StringIO()
    call_command("draw_published_files", stdout=out)
    assert f"{count} published version(s): 0 drawn" in out.getvalue()
    assert drawings == {"pdf": count, "docx": count}

    old = PublishedFile.objects.get(version=version, kind="pdf")
    call_command("draw_published_files", "--redraw", stdout=io.StringIO())
    assert drawings == {"pdf": 2 * count, "docx": 2 * count}
    new = PublishedFile.objects.get(version=version, kind="pdf")
    assert new.pk == old.pk
    assert PublishedFile.objects.filter(version=version).count() == 2


def test_an_altered_version_is_not_drawn(demo_plan, publish, drawings):
    version = publish(demo_plan)
    PublishedVersion.objects.filter(pk=version.pk).update(
        snapshot=version.snapshot.replace("Triaging", "Ignoring")
    )
    with pytest.raises(Exception, match="no longer match their checksum"):
        call_command("draw_published_files", stdout=io.StringIO(), stderr=io.StringIO())
    assert not PublishedFile.objects.filter(version=version).exists()


# -- A live draft's PDF: drawn on demand for its members, up to a size.

DRAFT_PDF = URL + "draft.pdf"


def test_a_member_downloads_the_drafts_pdf(client, demo_plan, coordinator):
    from pypdf import PdfReader

    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    assert f'href="{DRAFT_PDF}"' in page
    response = client.get(DRAFT_PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="lichfield-2021-22-draft.pdf"'
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Draft, not published" in text


def test_a_draft_above_the_limit_is_not_drawn_and_the_page_says_what_to_do(
    client, demo_plan, coordinator, settings, monkeypatch
):
    from lifecycle import pdf

    settings.DRAFT_PDF_MAX_ACTIONS = 3
    monkeypatch.setattr(pdf, "_draw", lambda *a: pytest.fail("drawn above the limit"))
    client.force_login(coordinator)
    response = client.get(DRAFT_PDF)
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "A PDF of a draft is drawn while you wait only for plans of up to 3 actions" in page
    assert 'href="/plans/lichfield/2021-22/export/docx/"' in page


def test_the_drafts_pdf_is_for_members_only(client, demo_plan, outsider):
    assert client.get(DRAFT_PDF).status_code == 302  # sign in first
    client.force_login(outsider)
    assert client.get(DRAFT_PDF).status_code == 404
