"""The Strategic Assessment: the coordinator attaches it to a plan; members read it, and once the
plan has a published version so does the public; the PDF goes through a permission check."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tracking.models import StrategicAssessment

PAGE = "/plans/lichfield/2021-22/assessment/"
EDIT = "/plans/lichfield/2021-22/assessment/edit/"
PDF = "/plans/lichfield/2021-22/assessment.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name="assessment.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(**overrides):
    data = {
        "title": "Lichfield District Strategic Assessment 2020",
        "author": "",
        "date": "2020-12-01",
        "summary": "ASB fell during lockdown; domestic abuse rose.",
        "url": "https://www.staffordshire.gov.uk/lichfield-sa-2020",
    }
    data.update(overrides)
    return data


@pytest.fixture
def assessment(plan, council):
    return StrategicAssessment.objects.create(
        plan=plan,
        title="Lichfield District Strategic Assessment 2020",
        author=council,
        date=datetime.date(2020, 12, 1),
        summary="ASB fell during lockdown.",
        url="https://www.staffordshire.gov.uk/lichfield-sa-2020",
    )


@pytest.fixture
def assessment_with_pdf(assessment):
    assessment.document.save("whatever.pdf", pdf_upload(), save=True)
    return assessment


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# -- Reading the assessment page.


def test_anonymous_visitor_is_asked_to_sign_in_before_publication(client, assessment):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={PAGE}"


def test_outsider_gets_not_found_before_publication(client, outsider, assessment):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404


def test_member_reads_the_assessment_beside_each_prioritys_evidence(
    client, lead_officer, assessment, priority
):
    priority.evidence = "ASB reports rose 12% in the city centre."
    priority.save()
    client.force_login(lead_officer)
    page = client.get(PAGE).content.decode()
    assert "Lichfield District Strategic Assessment 2020" in page
    assert "Lichfield District Council" in page
    assert "1 December 2020" in page
    assert f'id="evidence-{priority.pk}"' in page
    assert "ASB reports rose 12% in the city centre." in page
    assert 'href="https://www.staffordshire.gov.uk/lichfield-sa-2020"' in page
    assert page.count("<h1") == 1
    # Only the coordinator manages it.
    assert EDIT not in page


def test_coordinator_sees_how_to_add_one_when_there_is_none(client, coordinator, plan):
    client.force_login(coordinator)
    page = client.get(PAGE).content.decode()
    assert "No Strategic Assessment has been attached" in page
    assert f'href="{EDIT}"' in page
    assert "Add the Strategic Assessment" in page


def test_public_reads_the_assessment_and_the_published_evidence_once_published(
    client, plan, priority, assessment, publish
):
    priority.evidence = "Evidence as published."
    priority.save()
    publish(plan)
    plan.refresh_from_db()
    plan.amend()
    priority.evidence = "Evidence redrafted after publication."
    priority.save()
    page = client.get(PAGE).content.decode()
    assert "Lichfield District Strategic Assessment 2020" in page
    assert "Evidence as published." in page
    assert "redrafted" not in page
    assert "Edit the evidence" not in page


def test_member_reads_the_live_evidence_of_an_amended_plan(
    client, plan, priority, assessment, publish, coordinator
):
    publish(plan)
    plan.refresh_from_db()
    plan.amend()
    priority.evidence = "Evidence redrafted after publication."
    priority.save()
    client.force_login(coordinator)
    page = client.get(PAGE).content.decode()
    assert "Evidence redrafted after publication." in page
    assert f'href="/priorities/{priority.pk}/edit/"' in page


# -- Adding and editing it: the coordinator (or an admin) only.


def test_edit_page_asks_anonymous_visitor_to_sign_in(client, plan):
    response = client.post(EDIT, form_data())
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={EDIT}"
    assert not StrategicAssessment.objects.exists()


def test_edit_page_is_not_found_for_an_outsider(client, other_coordinator, plan):
    client.force_login(other_coordinator)
    assert client.get(EDIT).status_code == 404
    assert client.post(EDIT, form_data()).status_code == 404
    assert not StrategicAssessment.objects.exists()


@pytest.mark.parametrize("member", ["lead_officer", "representative"])
def test_member_who_does_not_run_the_plan_cannot_edit_it(client, member, request, assessment):
    client.force_login(request.getfixturevalue(member))
    assert client.get(EDIT).status_code == 403
    response = client.post(EDIT, form_data(title="Changed"))
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.title == "Lichfield District Strategic Assessment 2020"


def test_coordinator_adds_the_assessment_with_a_link(client, coordinator, plan, council):
    client.force_login(coordinator)
    assert client.get(EDIT).status_code == 200
    response = client.post(EDIT, form_data(author=council.pk))
    assert response.status_code == 302
    assert response.url == PAGE
    saved = StrategicAssessment.objects.get(plan=plan)
    assert saved.title == "Lichfield District Strategic Assessment 2020"
    assert saved.author == council
    assert saved.date == datetime.date(2020, 12, 1)
    assert saved.url == "https://www.staffordshire.gov.uk/lichfield-sa-2020"
    assert not saved.document
    assert saved.history.get().history_user == coordinator


def test_admin_edits_the_assessment(client, admin_user, assessment):
    client.force_login(admin_user)
    response = client.post(EDIT, form_data(title="Strategic Assessment 2020 (revised)"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.title == "Strategic Assessment 2020 (revised)"


def test_coordinator_uploads_the_pdf_and_members_download_it(
    client, coordinator, lead_officer, plan, settings
):
    client.force_login(coordinator)
    response = client.post(EDIT, form_data(url="", document=pdf_upload("SA 2020 FINAL v3.pdf")))
    assert response.status_code == 302
    saved = StrategicAssessment.objects.get(plan=plan)
    assert saved.document.name.startswith("assessments/")
    assert saved.document.name.endswith(".pdf")
    assert "lichfield-2021-22-strategic-assessment" in saved.document.name
    assert [path.read_bytes() for path in media_files(settings)] == [PDF_BYTES]

    client.force_login(lead_officer)
    page = client.get(PAGE).content.decode()
    assert f'href="{PDF}"' in page
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "no-store" in response["Cache-Control"]


def test_upload_refuses_a_file_that_is_not_named_pdf(client, coordinator, plan, settings):
    client.force_login(coordinator)
    response = client.post(EDIT, form_data(document=pdf_upload("assessment.docx")))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "“assessment.docx” is not a PDF file" in page
    assert not StrategicAssessment.objects.exists()
    assert media_files(settings) == []


def test_upload_refuses_a_file_named_pdf_that_is_not_one(client, coordinator, plan, settings):
    client.force_login(coordinator)
    fake = pdf_upload("assessment.pdf", b"PK\x03\x04 this is a Word document really")
    response = client.post(EDIT, form_data(document=fake))
    assert response.status_code == 200
    assert "“assessment.pdf” is named .pdf but is not a PDF file" in response.content.decode()
    assert not StrategicAssessment.objects.exists()
    assert media_files(settings) == []


def test_upload_refuses_a_pdf_over_the_size_limit(client, coordinator, assessment, settings):
    settings.ASSESSMENT_MAX_UPLOAD_BYTES = 1024
    client.force_login(coordinator)
    big = pdf_upload("big.pdf", PDF_BYTES + b"0" * 2048)
    response = client.post(EDIT, form_data(title="Changed", document=big))
    assert response.status_code == 200
    page = response.content.decode()
    assert "the largest PDF we accept is 1.0\xa0KB" in page
    assessment.refresh_from_db()
    assert assessment.title == "Lichfield District Strategic Assessment 2020"
    assert not assessment.document
    assert media_files(settings) == []


def test_the_default_size_limit_is_ten_megabytes():
    assert django_settings.ASSESSMENT_MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def test_an_assessment_needs_a_link_or_a_pdf(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(EDIT, form_data(url=""))
    assert response.status_code == 200
    assert "Give a link to the assessment, upload it as a PDF, or both." in (
        response.content.decode()
    )
    assert not StrategicAssessment.objects.exists()


def test_editing_without_a_new_file_keeps_the_pdf(client, coordinator, assessment_with_pdf):
    name = assessment_with_pdf.document.name
    client.force_login(coordinator)
    page = client.get(EDIT).content.decode()
    # The form never links to the file's media address: only the checked view serves it.
    assert "/assessments/" not in page
    response = client.post(EDIT, form_data(title="Renamed"))
    assert response.status_code == 302
    assessment_with_pdf.refresh_from_db()
    assert assessment_with_pdf.title == "Renamed"
    assert assessment_with_pdf.document.name == name


def test_coordinator_removes_the_pdf_and_keeps_the_link(client, coordinator, assessment_with_pdf):
    client.force_login(coordinator)
    response = client.post(EDIT, form_data(remove_document="on"))
    assert response.status_code == 302
    assessment_with_pdf.refresh_from_db()
    assert not assessment_with_pdf.document
    assert assessment_with_pdf.url
    assert client.get(PDF).status_code == 404


def test_removing_the_pdf_with_no_link_left_is_refused(client, coordinator, assessment_with_pdf):
    client.force_login(coordinator)
    response = client.post(EDIT, form_data(url="", remove_document="on"))
    assert response.status_code == 200
    assessment_with_pdf.refresh_from_db()
    assert assessment_with_pdf.document


def test_a_new_pdf_replaces_the_old_one(client, coordinator, assessment_with_pdf):
    client.force_login(coordinator)
    new = PDF_BYTES.replace(b"1.4", b"1.7")
    response = client.post(EDIT, form_data(document=pdf_upload("new.pdf", new)))
    assert response.status_code == 302
    assert b"".join(client.get(PDF).streaming_content) == new


# -- The PDF: never a public media URL.


def test_pdf_asks_anonymous_visitor_to_sign_in_before_publication(client, assessment_with_pdf):
    response = client.get(PDF)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={PDF}"


def test_pdf_is_not_found_for_an_outsider(client, outsider, assessment_with_pdf):
    client.force_login(outsider)
    assert client.get(PDF).status_code == 404


def test_pdf_is_public_once_the_plan_is_published(client, plan, assessment_with_pdf, publish):
    publish(plan)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "lichfield-2021-22-strategic-assessment.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_pdf_is_not_found_when_none_was_uploaded(client, lead_officer, assessment):
    client.force_login(lead_officer)
    assert client.get(PDF).status_code == 404


def _media_root(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "MEDIA_ROOT"}
    result = subprocess.run(
        [sys.executable, "-c", "import csp_plan.settings as s; print(s.MEDIA_ROOT)"],
        cwd=django_settings.BASE_DIR,
        env=clean | {"SECRET_KEY": "x"} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_media_root_defaults_to_the_project_media_folder():
    assert _media_root({}) == str(django_settings.BASE_DIR / "media")


def test_media_root_comes_from_the_environment():
    assert _media_root({"MEDIA_ROOT": "/srv/csp/media"}) == "/srv/csp/media"
