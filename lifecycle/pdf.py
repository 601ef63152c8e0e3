"""The published plan as a PDF, drawn by WeasyPrint from the same page the public reads.

Drawn once per version, by the task worker when the version is published, and served from storage
(lifecycle/published_files.py): about 25 ms of CPU per action, so never inside a request.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from lifecycle.models import PublishedVersion
from lifecycle.published_files import Drawer
from lifecycle.snapshot import public_view, sections
from priorities.models import Plan


def render_plan_pdf(plan: Plan, version: PublishedVersion) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only this page needs.
    from weasyprint import CSS, HTML

    data = public_view(version.data)
    html = render_to_string(
        "lifecycle/plan_pdf.html",
        {"plan": plan, "data": data, "sections": sections(data), "version": version},
    )
    # Styles come from our own files: nothing is fetched over the network.
    stylesheets = [CSS(filename=finders.find("css/plan-pdf.css"))]
    return HTML(string=html).write_pdf(stylesheets=stylesheets)


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
