"""The report pages: who reads which version, the PDF and Word files, and what the county analyst
never sees (restricted text)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from tests.factories import ActionFactory, OutcomeFactory
from tracking.models import ProgressUpdate

SECRET = "Covert test purchase operation at the off-licence"
SECRET_UPDATE = "Two arrests; the operation continues"


@pytest.fixture
def restricted(priority, police, partnership):
    """A restricted action led by the police, with its update for 2021-22 Q1."""
    action = ActionFactory(
        priority=priority,
        theme=partnership.themes.first(),
        lead_agency=police,
        description=SECRET,
        restricted=True,
    )
    OutcomeFactory(action=action)
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 6, 1), rag="on_track", narrative=SECRET_UPDATE
    )
    return action


def urls(plan) -> dict[str, str]:
    args = [plan.partnership.slug, plan.period]
    return {
        "index": reverse("report_index", args=args),
        "quarterly": reverse("report_quarterly", args=[*args, 1]),
        "pdf": reverse("report_quarterly_pdf", args=[*args, 1]),
        "docx": reverse("report_quarterly_docx", args=[*args, 1]),
        "annual": reverse("report_annual", args=args),
        "annual_pdf": reverse("report_annual_pdf", args=args),
        "annual_docx": reverse("report_annual_docx", args=args),
    }


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return " ".join([p.text for p in document.paragraphs] + cells)


def test_members_read_the_report_with_restricted_actions_and_the_public_version_without(
    client, plan, action, restricted, unrelated_officer
):
    client.force_login(unrelated_officer)
    page = client.get(urls(plan)["quarterly"]).content.decode()
    assert SECRET in page and SECRET_UPDATE in page
    assert "Version for members" in page
    public = client.get(urls(plan)["quarterly"] + "?version=public").content.decode()
    assert SECRET not in public and SECRET_UPDATE not in public
    assert "1 restricted action is left out of this version." in public


def test_the_analyst_reads_only_the_version_for_the_public(
    client, plan, action, restricted, analyst
):
    client.force_login(analyst)
    for name, url in urls(plan).items():
        response = client.get(url)
        assert response.status_code == 200, name
        if name.endswith("docx"):
            text = docx_text(response.content)
        elif name.endswith("pdf"):
            assert response["Content-Type"] == "application/pdf"
            assert b"-public.pdf" in response["Content-Disposition"].encode()
            continue
        else:
            text = response.content.decode()
        assert SECRET not in text and SECRET_UPDATE not in text, name
        if name in ("quarterly", "annual"):
            assert "Version for the public" in text
            assert "Show the version for members" not in text
    # The plan's own page (a draft) reads as the public will read it.
    page = client.get(plan.get_absolute_url()).content.decode()
    assert SECRET not in page
    assert "Restricted action led by Staffordshire Police" in page


def test_the_files_are_pdf_and_word_and_never_cached_by_others(client, plan, action, coordinator):
    client.force_login(coordinator)
    pdf = client.get(urls(plan)["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert 'filename="lichfield-2021-22-q1.pdf"' in pdf["Content-Disposition"]
    assert "no-store" in pdf["Cache-Control"] and "private" in pdf["Cache-Control"]
    word = client.get(urls(plan)["annual_docx"] + "?version=public")
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="lichfield-2021-22-annual-review-public.docx"' in word["Content-Disposition"]
    assert "Annual review 2021-22" in docx_text(word.content)


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_people_of_other_partnerships_find_no_report(client, request, plan, role):
    client.force_login(request.getfixturevalue(role))
    for url in urls(plan).values():
        assert client.get(url).status_code == 404


def test_an_analyst_of_another_area_finds_no_report(client, plan, other_partnership):
    from partners.models import Area
    from tests.factories import UserFactory

    elsewhere = Area.objects.create(name="West Mercia", slug="west-mercia")
    other_partnership.area = elsewhere
    other_partnership.save()
    stranger = UserFactory(username="wm.analyst")
    elsewhere.analysts.add(stranger)
    client.force_login(stranger)
    assert client.get(urls(plan)["quarterly"]).status_code == 404
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(reverse("area_overview", args=["west-mercia"])).status_code == 200


def test_visitors_are_asked_to_sign_in(client, plan):
    for url in urls(plan).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_period_the_plan_does_not_have_is_not_found(client, plan, coordinator):
    client.force_login(coordinator)
    url = reverse("report_quarterly", args=[plan.partnership.slug, plan.period, 5])
    assert client.get(url).status_code == 404


def test_the_dashboard_and_workspace_link_the_reports_funding_and_downloads(
    client, plan, coordinator
):
    client.force_login(coordinator)
    dashboard = client.get(reverse("plan_dashboard", args=["lichfield", "2021-22"])).content
    for name in ("report_index", "plan_funding", "progress_updates_csv", "plan_figures_csv"):
        assert f'href="{reverse(name, args=["lichfield", "2021-22"])}"'.encode() in dashboard
    workspace = client.get(plan.get_workspace_url()).content
    assert f'href="{urls(plan)["index"]}"'.encode() in workspace


def test_the_report_page_queries_do_not_grow_with_actions(
    client, plan, priority, police, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n):
        for i in range(n):
            action = ActionFactory(priority=priority, lead_agency=police, description=f"A{i}")
            ProgressUpdate.objects.create(
                action=action, date=datetime.date(2021, 6, 1), rag="at_risk", narrative="x"
            )

    client.force_login(coordinator)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(urls(plan)["quarterly"]).status_code == 200
    grow(40)
    with django_assert_max_num_queries(len(small)):
        assert client.get(urls(plan)["quarterly"]).status_code == 200


def test_a_large_plans_report_points_to_word_rather_than_draw_a_pdf_while_one_waits(
    client, plan, action, coordinator, settings
):
    settings.DRAFT_PDF_MAX_ACTIONS = 0
    client.force_login(coordinator)
    response = client.get(urls(plan)["pdf"] + "?version=public")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "too large for a PDF on demand" in html
    assert f'href="{urls(plan)["docx"]}?version=public"' in html
    assert f'href="{urls(plan)["quarterly"]}?version=public"' in html
