"""The report as Word and as PDF says what the page says: every heading and every table.

The .docx is opened with python-docx: its headings (styles "Heading 1" to "Heading 4") are the
report's outline, in order, and its tables are the report's tables (caption, header row, every
cell). The PDF (read with pypdf) holds every heading and every cell's text, is tagged (PDF/UA-1),
numbers its pages, names the partnership on every page, and never ends a page on a heading.
"""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from reports.content import Report, annual_review, quarterly_report
from reports.documents import report_docx, report_pdf
from tracking.reporting import reporting_periods


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(params=["quarterly", "annual", "public"])
def report(request, generated) -> Report:
    plan = generated.plan
    if request.param == "annual":
        return annual_review(plan, public=False)
    return quarterly_report(plan, reporting_periods(plan)[1], public=request.param == "public")


def docx_parts(data: bytes):
    document = Document(io.BytesIO(data))
    headings = [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]
    return document, headings


@pytest.mark.parametrize("generated", [2], indirect=True)
def test_the_docx_holds_every_heading_and_table(report):
    document, headings = docx_parts(report_docx(report))
    assert headings == report.outline()
    tables = report.tables()
    assert len(document.tables) == len(tables)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == [table.caption for table in tables]
    for word, table in zip(document.tables, tables, strict=True):
        cells = [[cell.text for cell in row.cells] for row in word.rows]
        assert cells[0] == table.columns
        expected = [[cell.text for cell in row] for row in table.rows]
        if not expected:
            expected = [[table.empty] + [""] * (len(table.columns) - 1)]
        assert cells[1:] == expected
        # The header row repeats on every page.
        assert (
            word.rows[0]._tr.trPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
            )
            is not None
        )
    properties = document.core_properties
    assert properties.author == report.partnership
    assert report.partnership in document.sections[0].header.paragraphs[0].text
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


@pytest.mark.parametrize("generated", [2], indirect=True)
def test_the_pdf_holds_every_heading_and_every_cell(report):
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    pages = [page.extract_text() for page in reader.pages]
    text = squash(" ".join(pages))
    for _, heading in report.outline():
        assert squash(heading) in text, heading
    for table in report.tables():
        assert squash(table.caption) in text, table.caption
        for row in table.rows or [[]]:
            for cell in row:
                assert squash(cell.text) in text, (table.caption, cell.text)
    # Tagged for screen readers, with its language and title.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith(report.title)
    # Page numbers and the partnership's name on every page.
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert report.partnership in page


@pytest.mark.parametrize("generated", [3], indirect=True)
def test_no_heading_ends_a_page_of_the_pdf(generated):
    """A heading always has what follows it (its table, its bar) on the same page."""
    report = annual_review(generated.plan, public=False)
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    headings = {squash(text) for _, text in report.outline()}
    captions = {squash(table.caption) for table in report.tables()}
    margins = re.compile(
        r"^(Page \d+ of \d+|.*Annual review.*|" + re.escape(report.partnership) + ")$"
    )
    assert len(reader.pages) > 1
    for page in reader.pages[:-1]:
        lines = [squash(line) for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not margins.match(line)]
        assert body[-1] not in headings | captions, body[-3:]


@pytest.mark.parametrize("generated", [2], indirect=True)
def test_the_public_version_leaves_restricted_actions_out_of_every_document(generated):
    plan = generated.plan
    first = generated.actions[0]
    type(first).objects.filter(pk=first.pk).update(restricted=True)
    restricted = [first.description] + [a.description for a in generated.actions if a.restricted]
    report = quarterly_report(plan, reporting_periods(plan)[1], public=True)
    document, _ = docx_parts(report_docx(report))
    words = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(report))).pages)
    for description in restricted:
        assert description not in words
        assert description not in squash(pdf)
