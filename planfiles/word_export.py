"""A plan, or a published version, as a Word document laid out as the seed is.

Councils' committee papers are Word documents, and the seed plan is one
(`lichfield-csp-delivery-plan-2021-22.docx`). The document is written from the plan file's rows
(`planfiles.exporter`), so it lists priorities, themes and actions in the canonical file's order,
and it carries everything those rows carry, so that importing it gives the same plan.

The layout, which the Word reader relies on (docs/architecture.md, "The Word layout"):

- Body, in order: the plan's title (Heading 1); a paragraph naming the partnership and the
  period; "Introduction", "Context", "Aspirations" (Heading 2, each only if the plan has the text,
  then one paragraph per line of it); "Action plan" (Heading 2); then per priority, in order, its
  title (Heading 3) and its table. Nothing else; no empty paragraphs.
- Each priority's table has `len(COLUMNS) + 1` = 7 columns. Row 1: the priority's title in one
  cell merged across all columns (a repeating header row). Then for each theme, in order, a
  group row `[theme name, "Actions", "Outcomes", "Measure", "Lead agency", "Supporting agencies",
  "Target date"]` followed by one row per action `["", action, outcomes, measures, lead agency,
  supporting agencies, target date]`. The first three columns are the seed's own.
- A group row is known by its second and third cells ("Actions", "Outcomes"), not by its first:
  the first cell is blank for the actions without a theme (the last group) and for a priority
  with no actions (one group row, and no action row under it).
- Cells hold the canonical file's text: several outcomes stand on separate lines of the outcome
  cell (line breaks, `<w:br/>`), their measures on the same lines of the measure cell (a blank
  line where an outcome has none); supporting agencies are separated by "; "; the target date is
  written like "31 March 2022" (the timescale note, "Ongoing", where there is no date). Line
  breaks in an action's text are part of it.
- Core properties: title = the plan's title, author = the partnership's name, subject =
  "Community safety plan, <start> to <end>" (ISO dates), language en-GB; the partnership is
  also the document's company (docProps/app.xml).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, cast
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, RGBColor

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.section import Section
    from docx.styles.style import ParagraphStyle

    from lifecycle.snapshot import Snapshot
    from planfiles.exporter import FileRow
    from priorities.models import Plan


# The headings of a group row after the theme's name: the seed's two, then what the plan file
# carries beyond them. The reader may import these.
ACTIONS, OUTCOMES = "Actions", "Outcomes"
COLUMNS = (ACTIONS, OUTCOMES, "Measure", "Lead agency", "Supporting agencies", "Target date")
# The columns' widths on a landscape A4 page with 2 cm margins (25.7 cm between them).
WIDTHS = (Cm(3.0), Cm(6.2), Cm(4.8), Cm(4.0), Cm(2.7), Cm(2.7), Cm(2.3))
# The seed's shading: the priority's row, then the theme rows. Dark text on both.
PRIORITY_FILL, GROUP_FILL = "BDD7EE", "DEEAF6"
# Darker than the template's headings (#4F81BD is 3.9:1 on white), so that they pass WCAG AA.
HEADING_COLOUR = RGBColor(0x1F, 0x38, 0x64)
LANGUAGE = "en-GB"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Characters no XML document may hold (control characters but tab, line feed and return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile("(\r\n|[\n\r\t])")


@dataclass(frozen=True)
class About:
    """What the document says besides its rows: the plan's own text and its period."""

    partnership: str
    title: str
    start: str  # ISO dates
    end: str
    introduction: str = ""
    context: str = ""
    aspirations: str = ""
    status: str = ""  # e.g. "Draft", "Published"


def about_plan(plan: Plan) -> About:
    return About(
        partnership=plan.partnership.name,
        title=plan.title,
        start=plan.period_start.isoformat(),
        end=plan.period_end.isoformat(),
        introduction=plan.introduction,
        context=plan.context,
        aspirations=plan.aspirations,
        status=plan.get_status_display(),
    )


def about_version(data: Snapshot) -> About:
    plan = data["plan"]
    return About(
        partnership=data["partnership"]["name"],
        title=plan["title"],
        start=plan["period_start"],
        end=plan["period_end"],
        introduction=plan["introduction"],
        context=plan["context"],
        aspirations=plan["aspirations"],
        status="Published",
    )


def write_docx(rows: list[FileRow], about: About) -> bytes:
    """The plan file's rows (twelve strings each, in the header's order) as a Word document."""
    document = Document()
    _set_up(document, about)
    _front(document, about)
    document.add_heading("Action plan", level=2)
    for title, priority_rows in _priorities(rows):
        document.add_heading(xml_text(title), level=3)
        _priority_table(document, title, priority_rows)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


# -- The rows, grouped as the document shows them.


def _priorities(rows: list[FileRow]) -> Iterator[tuple[str, list[FileRow]]]:
    """Each priority's title and rows, in order (rows in a run with the same title)."""
    for title, group in groupby(rows, key=lambda row: row[4]):
        yield title, list(group)


def _groups(rows: list[FileRow]) -> list[tuple[str, list[FileRow]]]:
    """A priority's themes in order, each with its action rows; one empty group if none."""
    actions = [row for row in rows if any(row[5:])]
    if not actions:
        return [("", [])]
    return [(theme, list(group)) for theme, group in groupby(actions, key=lambda row: row[5])]


def _action_cells(row: FileRow) -> tuple[str, ...]:
    _, action, outcome, lead, supporting, target_date, measure = row[5:]
    return ("", action, outcome, measure, lead, supporting, word_date(target_date))


def word_date(iso: str) -> str:
    """A target date as people write it, e.g. "31 March 2022" ("" stays ""; a timescale note
    such as "Ongoing", which the plan file carries where there is no date, stays as it is)."""
    try:
        date = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def xml_text(text: str) -> str:
    """The text without the control characters no Word document can hold."""
    return _NOT_XML.sub("", text)


# -- The document.


def page_set_up(document: WordDocument, *, heading_levels: int) -> Section:
    """A4 landscape with 2 cm margins, headings 1 to `heading_levels` in the site's colour: the
    page of every Word document the site writes (the plan's, the reports'). Its one section."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    for level in range(1, heading_levels + 1):
        style = cast("ParagraphStyle", document.styles[f"Heading {level}"])
        style.font.color.rgb = HEADING_COLOUR
    return section


def _set_up(document: WordDocument, about: About) -> None:
    page_set_up(document, heading_levels=3)
    _language(document)
    properties = document.core_properties
    properties.title = xml_text(about.title)
    properties.subject = f"Community safety plan, {about.start} to {about.end}"
    properties.author = xml_text(about.partnership)
    properties.last_modified_by = xml_text(about.partnership)
    properties.category = "Community safety plan"
    properties.content_status = about.status
    properties.language = LANGUAGE
    properties.comments = "Exported from CSP Action Plan."
    properties.revision = 1
    properties.created = properties.modified = timezone.now().replace(microsecond=0)
    _package_parts(document, about)


def _language(document: WordDocument) -> None:
    """British English for every run, through the document's default run properties."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:  # not so in python-docx's template; kept simple if it changes
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _package_parts(document: WordDocument, about: About) -> None:
    """The partnership as the company (docProps/app.xml); no thumbnail of an empty page."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES):
            package.rels.pop(rel_id)
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>CSP Action Plan</Application>'
        f"<Company>{escape(xml_text(about.partnership))}</Company></Properties>"
    )
    part = Part(
        PackURI("/docProps/app.xml"),
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        app.encode("utf-8"),
        package,
    )
    package.relate_to(part, RT.EXTENDED_PROPERTIES)


def _front(document: WordDocument, about: About) -> None:
    document.add_heading(xml_text(about.title), level=1)
    start, end = (word_date(about.start), word_date(about.end))
    document.add_paragraph(f"{xml_text(about.partnership)}, {start} to {end}.")
    for heading, text in (
        ("Introduction", about.introduction),
        ("Context", about.context),
        ("Aspirations", about.aspirations),
    ):
        lines = [line.strip() for line in xml_text(text).splitlines() if line.strip()]
        if lines:
            document.add_heading(heading, level=2)
            for line in lines:
                document.add_paragraph(line)


# -- A priority's table, written as WordprocessingML: python-docx's cell-by-cell API takes about
# 3 ms a row, 15 s for a 5,000-action plan; the XML text, parsed once per table, takes a tenth.


def _priority_table(document: WordDocument, title: str, rows: list[FileRow]) -> None:
    description = f"Actions and outcomes for {title}, theme by theme."
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f"<w:tblCaption w:val={_attribute(title)}/>"
        f"<w:tblDescription w:val={_attribute(description)}/>"
        "</w:tblPr><w:tblGrid>",
        *(f'<w:gridCol w:w="{width.twips}"/>' for width in WIDTHS),
        "</w:tblGrid>",
        # The priority's row: one cell across the table, repeated on each page as its header.
        "<w:tr><w:trPr><w:tblHeader/></w:trPr>",
        _cell(title, sum(width.twips for width in WIDTHS), span=len(WIDTHS), head=PRIORITY_FILL),
        "</w:tr>",
    ]
    for theme, actions in _groups(rows):
        parts.append(_row((theme, *COLUMNS), head=GROUP_FILL))
        parts += [_row(_action_cells(row)) for row in actions]
    parts.append("</w:tbl>")
    table = parse_xml("".join(parts))
    body = document.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(table)  # the body ends with the section's properties
    else:
        body.append(table)


def _row(texts: tuple[str, ...], *, head: str = "") -> str:
    cells = "".join(
        _cell(text, width.twips, head=head) for text, width in zip(texts, WIDTHS, strict=True)
    )
    return f"<w:tr>{cells}</w:tr>"


def _cell(text: str, width: int, *, span: int = 1, head: str = "") -> str:
    """A cell with its text in one paragraph; a heading cell is bold on the fill `head`."""
    properties = f'<w:tcW w:type="dxa" w:w="{width}"/>'
    if span > 1:
        properties += f'<w:gridSpan w:val="{span}"/>'
    if head:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{head}"/>'
    return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p>{_run(text, bold=bool(head))}</w:p></w:tc>"


def _run(text: str, *, bold: bool = False) -> str:
    """The text as a run: line breaks as `<w:br/>`, tabs as `<w:tab/>`, as Word writes them."""
    text = xml_text(text)
    if not text:
        return ""
    pieces = []
    for piece in _BREAKS.split(text):
        if piece in ("\r\n", "\n", "\r"):
            pieces.append("<w:br/>")
        elif piece == "\t":
            pieces.append("<w:tab/>")
        elif piece:
            pieces.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}{''.join(pieces)}</w:r>"


def _attribute(value: str) -> str:
    return quoteattr(xml_text(value))
