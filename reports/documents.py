"""A report (reports.content.Report) as a PDF and as a Word document.

Both say exactly what the page says, from the same Report: its headings (`Report.outline()`) and
its tables (`Report.tables()`), in the same order. The PDF is the page's own body drawn by
WeasyPrint (lifecycle.pdf.html_to_pdf: tagged PDF/UA-1, page numbers, the partnership's name as a
running header), with the wide drawing of each chart. The Word document, for committee papers,
has the same headings as Word headings and the same tables as Word tables (each with its caption
and a repeating header row), the RAG bars as coloured squares with their words, and the
partnership's name and "Page n of N" in its header and footer. Word draws no SVG, so a measure is
its two tables there.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from lifecycle.pdf import html_to_pdf
from planfiles.word_export import LANGUAGE, page_set_up, xml_text
from reports.content import Report, Table
from tracking.charts import FRAMES, WIDE, line_chart
from tracking.dashboard import RAG_COLOURS, RagBar

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph


def report_charts(report: Report, *, pdf: bool = False) -> dict[int, SafeString]:
    """Each measure's chart, by measure id: both drawings for the page, the wide one for PDF."""
    frames = (WIDE,) if pdf else FRAMES
    blocks = [b for s in report.sections for b in s.measures] + report.other_measures
    return {
        block.data.measure.pk: line_chart(
            block.data, f"report-measure-{block.data.measure.pk}", frames=frames
        )
        for block in blocks
        if block.data.periods
    }


def report_pdf(report: Report) -> bytes:
    html = render_to_string(
        "reports/report_pdf.html", {"report": report, "charts": report_charts(report, pdf=True)}
    )
    return html_to_pdf(html)


# -- Word.

FILL = {key: colour.lstrip("#") for key, colour in RAG_COLOURS.items()}  # Word's colours


def report_docx(report: Report) -> bytes:
    document = Document()
    _set_up(document, report)
    outline = iter(report.outline())
    tables = iter(report.tables())

    def heading() -> None:
        level, text = next(outline)
        document.add_heading(xml_text(text), level=level)

    def table() -> None:
        _table(document, next(tables))

    heading()  # the title
    document.add_paragraph(xml_text(report.subtitle))
    if report.public and report.restricted_left_out:
        count = report.restricted_left_out
        document.add_paragraph(
            f"{count} restricted action{'s' if count != 1 else ''} "
            f"{'are' if count != 1 else 'is'} left out of this version."
        )
    heading()  # Summary
    document.add_paragraph(report.summary.text)
    _bar(document, report.summary)
    heading()  # Exceptions
    document.add_paragraph(
        "Actions off track, then at risk, then without an update for the period."
    )
    table()
    if report.kind == "annual":
        heading()  # Completed
        table()
        heading()  # Carried
        table()
    heading()  # Progress by priority
    for section in report.sections:
        heading()
        document.add_paragraph(section.bar.text)
        _bar(document, section.bar)
        table()
        for _block in section.measures:
            heading()
            table()  # where it stands
            table()  # its figures
    if report.other_measures:
        heading()
        for _block in report.other_measures:
            heading()
            table()
            table()
    heading()  # Funding
    over = report.funding.over_committed
    document.add_paragraph(
        "Over-committed: " + "; ".join(f"{s.label} ({s.status.lower()})" for s in over) + "."
        if over
        else "No funding source is over-committed."
    )
    table()
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _set_up(document: WordDocument, report: Report) -> None:
    section = page_set_up(document, heading_levels=4)
    properties = document.core_properties
    properties.title = xml_text(f"{report.title} – {report.partnership}")
    properties.subject = xml_text(report.plan_title)
    properties.author = xml_text(report.partnership)
    properties.category = "Progress report" if report.kind == "quarterly" else "Annual review"
    properties.language = LANGUAGE
    properties.content_status = "For the public" if report.public else "For members"
    properties.created = properties.modified = timezone.now().replace(microsecond=0)
    header = section.header.paragraphs[0]
    header.text = xml_text(f"{report.partnership} · {report.title}")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _field(paragraph: Paragraph, code: str) -> None:
    """A field Word works out when it shows the page (PAGE, NUMPAGES)."""
    run = paragraph.add_run()
    begin, text = OxmlElement("w:fldChar"), OxmlElement("w:instrText")
    end = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, end):
        run._r.append(element)


def _bar(document: WordDocument, bar: RagBar) -> None:
    """The bar in Word: a coloured square and the words for each status."""
    paragraph = document.add_paragraph()
    for segment in bar.segments:
        square = paragraph.add_run("■ ")
        square.font.color.rgb = RGBColor.from_string(FILL[segment.key])
        square.font.size = Pt(14)
        paragraph.add_run(f"{segment.label}: {segment.count}    ")


def _table(document: WordDocument, table: Table) -> None:
    """A report's table: its caption above it (and as the table's caption for screen readers),
    a repeating header row, the first cell of each row in bold."""
    caption = document.add_paragraph(xml_text(table.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True
    rows = table.rows or []
    word = document.add_table(rows=1 + max(len(rows), 1), cols=len(table.columns))
    word.style = "Table Grid"
    properties = word._tbl.tblPr
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), xml_text(table.caption))
    properties.append(element)
    header = word.rows[0]
    header_properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_properties.append(repeat)
    for cell, text in zip(header.cells, table.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(xml_text(text)).bold = True
    if not rows:
        word.rows[1].cells[0].text = xml_text(table.empty)
        return
    for word_row, row in zip(word.rows[1:], rows, strict=True):
        for index, (cell, value) in enumerate(zip(word_row.cells, row, strict=True)):
            run = cell.paragraphs[0].add_run(xml_text(value.text))
            run.bold = index == 0
            if value.number:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if value.rag:
                _shade(cell, FILL[value.rag])
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _shade(cell: object, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)
