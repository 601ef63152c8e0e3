"""The published plan as a PDF, drawn by WeasyPrint from the same page the public reads; and the
one way the product turns a page into a PDF (`html_to_pdf`), which the reports use too.

Every PDF is tagged (PDF/UA-1: headings, tables and reading order for screen readers), takes its
title from the page's <title> and its language from <html lang>, and numbers its pages with the
partnership's name in a running header (static/css/plan-pdf.css).
"""

from collections.abc import Sequence

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from lifecycle.models import PublishedVersion
from lifecycle.snapshot import public_view, sections
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
    data = public_view(version.data)
    html = render_to_string(
        "lifecycle/plan_pdf.html",
        {"plan": plan, "data": data, "sections": sections(data), "version": version},
    )
    return html_to_pdf(html)
