"""The published plan as a PDF, drawn by WeasyPrint from the same page the public reads; and the
one way the product turns a page into a PDF (`html_to_pdf`), which the reports use too.

Every PDF is tagged (PDF/UA-1: headings, tables and reading order for screen readers), takes its
title from the page's <title> and its language from <html lang>, and numbers its pages with the
partnership's name in a running header (static/css/plan-pdf.css).

Drawn once per version, by the task worker when the version is published, and served from storage
(lifecycle/published_files.py): about 25 ms of CPU per action, so never inside a request. A live
draft's PDF is drawn on demand for its members, up to DRAFT_PDF_MAX_ACTIONS actions.
"""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from actions.models import Action
from lifecycle.models import PublishedVersion
from lifecycle.published_files import Drawer
from lifecycle.snapshot import Snapshot, plan_snapshot, public_view, sections
from priorities.models import Plan

PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = ("css/plan-pdf.css",)) -> bytes:
    """A page as a tagged PDF, styled by our own static files (nothing is fetched over the
    network)."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDFs need.
    from weasyprint import CSS, HTML

    sheets = [CSS(filename=finders.find(name)) for name in stylesheets]
    return HTML(string=html).write_pdf(stylesheets=sheets, pdf_variant=PDF_VARIANT)


def render_plan_pdf(plan: Plan, version: PublishedVersion) -> bytes:
    """A published version's PDF, as the public reads it (drawn by the task worker only)."""
    return _draw(plan, public_view(version.data), version)


def render_draft_pdf(plan: Plan) -> bytes:
    """The live draft's PDF, for the partnership's members, restricted actions included: drawn in
    the request, so only for plans of at most DRAFT_PDF_MAX_ACTIONS actions (draft_pdf_refusal)."""
    return _draw(plan, plan_snapshot(plan), None)


def draft_pdf_refusal(plan: Plan) -> str | None:
    """Why the draft's PDF is not drawn on demand (it is too large), or None."""
    limit = settings.DRAFT_PDF_MAX_ACTIONS
    count = Action.objects.filter(priority__plan=plan).count()
    if count <= limit:
        return None
    return (
        f"This draft has {count} actions. A PDF of a draft is drawn while you wait only for plans "
        f"of up to {limit} actions, because a large one takes a minute or more to draw. Download "
        "the draft as a Word document instead (it is quick at any size), or publish the plan: "
        "each published version's PDF is drawn once, in the background, when it is published."
    )


def _draw(plan: Plan, data: Snapshot, version: PublishedVersion | None) -> bytes:
    html = render_to_string(
        "lifecycle/plan_pdf.html",
        {"plan": plan, "data": data, "sections": sections(data), "version": version},
    )
    return html_to_pdf(html)


def pdf_filename(plan: Plan, version: PublishedVersion) -> str:
    return f"{plan.partnership.slug}-{plan.period}-v{version.number}.pdf"


PDF_DRAWER = Drawer(
    kind="pdf",
    content_type="application/pdf",
    disposition="inline",
    filename=pdf_filename,
    draw=render_plan_pdf,
    description="PDF",
)
