"""A Word document (.docx) opened safely: its paragraphs and tables in order, nothing run.

Only what a plan needs is read: the body's paragraphs (their text, whether they are headings or
bold) and tables (their cells' text, laid out on the table's grid), the core properties and the
company. Before anything is parsed the package is checked, and refused with `FileRefused` (a
message saying what to do) if it is:

- not a zip at all, or a zip that is not a Word document (junk, a workbook renamed .docx);
- an encrypted, password-protected document (an OLE container holding `EncryptedPackage`), or an
  old Word 97–2003 `.doc`;
- macro-enabled (`.docm` content, or any `vbaProject.bin`), or a template;
- a decompression bomb: more than `MAX_PARTS` parts, any part unpacking to more than
  `part_limit()` bytes (checked on the declared size and again while reading), or all parts
  together more than `MAX_EXPANSION` times the upload limit;
- XML with a document type declaration (Word never writes one: entity tricks).

A table nested inside another table's cell is refused too: the reader cannot tell which of the two
holds the plan. Merged cells repeat their text in every grid cell they cover (`w:gridSpan`
across, `w:vMerge` down); line breaks and paragraphs inside a cell become line breaks.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from lxml import etree

from planfiles.tabular import OLE_MAGIC, ZIP_MAGIC, FileRefused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
DC = "{http://purl.org/dc/elements/1.1/}"
EXTENDED = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"

DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the main part's relationship type

MAX_PARTS = 2000
MAX_EXPANSION = 40  # all parts together: at most this many times the upload limit
SAVE_AS_DOCX = "Open it in Word and save it as “Word Document (.docx)”, then upload it again."

# Elements whose text is not the document's (drawings, text boxes, moved-away and deleted text,
# field codes) and the markup-compatibility wrapper whose fallback repeats what it wraps.
_SKIPPED = {
    W + "drawing",
    W + "pict",
    W + "object",
    W + "moveFrom",
    W + "del",
    W + "instrText",
    W + "delText",
    W + "rPr",
    W + "pPr",
    W + "tcPr",
    W + "trPr",
    W + "tblPr",
    MC + "AlternateContent",
}
_TEXT_BREAKS = {W + "br": "\n", W + "cr": "\n", W + "tab": "\t", W + "noBreakHyphen": "-"}
_FALSE = ("0", "false", "off")
_HEADING_STYLE = re.compile(r"(heading\s*\d|title|subtitle)", re.I)


def part_limit() -> int:
    """The most one part of a document may unpack to (setting PLAN_FILE_MAX_PART_BYTES)."""
    return int(settings.PLAN_FILE_MAX_PART_BYTES)


@dataclass
class Paragraph:
    text: str
    heading: bool = False  # a heading or title style, or an outline level
    bold: bool = False  # every run with text is bold
    style: str = ""


@dataclass
class WordTable:
    number: int  # 1-based, in the document's order
    rows: list[list[str]]  # the grid: every row as wide as the table
    merged: list[bool]  # per row: one cell across the whole table


@dataclass
class WordDocument:
    blocks: list[Paragraph | WordTable] = field(default_factory=list)
    title: str = ""
    subject: str = ""
    creator: str = ""
    company: str = ""
    application: str = ""

    @property
    def tables(self) -> list[WordTable]:
        return [block for block in self.blocks if isinstance(block, WordTable)]


# -- The package.


def read_word(data: bytes, *, limit: int) -> WordDocument:
    """The document's blocks and properties; or `FileRefused` saying what to do."""
    archive = _open_package(data, limit=limit)
    with archive:
        reader = _Package(archive)
        main = reader.main_part()
        styles = reader.styles(main)
        document = WordDocument()
        _properties(reader, document)
        root = reader.xml(main)
        body = root.find(W + "body")
        if body is None:
            raise FileRefused("The file is a Word package without a document body. " + SAVE_AS_DOCX)
        _Body(styles, document).read(body)
    return document


def _open_package(data: bytes, *, limit: int) -> zipfile.ZipFile:
    if not data.startswith(ZIP_MAGIC):
        if data.startswith(OLE_MAGIC):
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise FileRefused(
                    "The Word document is protected by a password, so it cannot be read. Open "
                    "it in Word, remove the password (File › Info › Protect Document › Encrypt "
                    "with Password, and clear it), save it and upload it again."
                )
            raise FileRefused(
                "The file is an old-style Word 97–2003 document (.doc). " + SAVE_AS_DOCX
            )
        raise FileRefused("The file is named .docx but is not a Word document. " + SAVE_AS_DOCX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(
            "The file is named .docx but could not be opened as a Word document: it is damaged "
            "or is not a Word document. " + SAVE_AS_DOCX
        ) from None
    _check_sizes(infos, limit)
    return archive


def _check_sizes(infos: list[zipfile.ZipInfo], limit: int) -> None:
    too_big = FileRefused(
        "The document unpacks to far more data than a plan holds, so it was not read. Copy the "
        "plan's text and tables into a new document, save it as .docx and upload it again."
    )
    if len(infos) > MAX_PARTS:
        raise too_big
    if any(info.file_size > part_limit() for info in infos):
        raise too_big
    if sum(info.file_size for info in infos) > MAX_EXPANSION * limit:
        raise too_big


class _Package:
    """The parts of the package, each read with the size limit and parsed without DTDs."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        self.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )

    def read(self, name: str) -> bytes:
        limit = part_limit()
        try:
            with self.archive.open(name) as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            raise FileRefused(
                "The Word document is damaged: a part of it could not be unpacked. " + SAVE_AS_DOCX
            ) from None
        if len(data) > limit:
            raise FileRefused(
                "The document unpacks to far more data than a plan holds, so it was not read. "
                "Copy the plan's text and tables into a new document, save it as .docx and "
                "upload it again."
            )
        return data

    def xml(self, name: str) -> etree._Element:
        data = self.read(name)
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            raise FileRefused(
                "The document holds XML that Word never writes (a document type declaration), "
                "so it was not read. " + SAVE_AS_DOCX
            )
        try:
            return etree.fromstring(data, self.parser)
        except etree.XMLSyntaxError:
            raise FileRefused(
                "The Word document is damaged: part of it is not well-formed. " + SAVE_AS_DOCX
            ) from None

    def relationships(self, part: str) -> list[tuple[str, str]]:
        """(type, target part name) of the part's relationships ("" for the package's own)."""
        folder = PurePosixPath(part).parent
        name = str(folder / "_rels" / (PurePosixPath(part).name + ".rels")) if part else ""
        name = name.lstrip("/") if part else "_rels/.rels"
        if name not in self.names:
            return []
        found = []
        for rel in self.xml(name).iter(RELATIONSHIPS + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = _normalise(str(folder / target) if part else target)
            found.append((rel.get("Type", ""), path))
        return found

    def main_part(self) -> str:
        if any(PurePosixPath(name).name.lower() == "vbaproject.bin" for name in self.names):
            raise _macro_refusal()
        if "[Content_Types].xml" not in self.names:
            raise self._not_word()
        main = next(
            (path for kind, path in self.relationships("") if kind.endswith(OFFICE_DOCUMENT)),
            "",
        )
        if not main or main not in self.names:
            raise self._not_word()
        content_type = self._content_type(main)
        if content_type in MACRO_TYPES:
            raise _macro_refusal()
        if content_type == TEMPLATE_TYPE:
            raise FileRefused(
                "The file is a Word template (.dotx), not a document. " + SAVE_AS_DOCX
            )
        if content_type != DOCUMENT_TYPE:
            raise self._not_word()
        return main

    def _content_type(self, part: str) -> str:
        types = self.xml("[Content_Types].xml")
        for override in types.iter(CONTENT_TYPES + "Override"):
            if override.get("PartName", "").lstrip("/") == part:
                return override.get("ContentType", "")
        suffix = PurePosixPath(part).suffix.lstrip(".").lower()
        for default in types.iter(CONTENT_TYPES + "Default"):
            if default.get("Extension", "").lower() == suffix:
                return default.get("ContentType", "")
        return ""

    def _not_word(self) -> FileRefused:
        if any(name.startswith("xl/") for name in self.names):
            return FileRefused(
                "The file is named .docx but is an Excel workbook. Rename it .xlsx and upload "
                "it again."
            )
        return FileRefused(
            "The file is named .docx but is not a Word document (it is a zip file holding "
            "something else). " + SAVE_AS_DOCX
        )

    def styles(self, main: str) -> dict[str, tuple[bool, bool]]:
        """Paragraph styles: id -> (a heading, bold), following each style's `basedOn`."""
        path = next((p for kind, p in self.relationships(main) if kind.endswith("/styles")), "")
        if not path or path not in self.names:
            return {}
        found: dict[str, tuple[str, bool | None, bool, str]] = {}
        for style in self.xml(path).iter(W + "style"):
            style_id = style.get(W + "styleId", "")
            name = style.find(W + "name")
            based = style.find(W + "basedOn")
            outline = style.find(f"{W}pPr/{W}outlineLvl")
            bold = style.find(f"{W}rPr/{W}b")
            found[style_id] = (
                name.get(W + "val", "") if name is not None else "",
                None if bold is None else bold.get(W + "val", "true").lower() not in _FALSE,
                outline is not None and outline.get(W + "val", "9") not in ("9",),
                based.get(W + "val", "") if based is not None else "",
            )
        return {style_id: _style(style_id, found) for style_id in found}

    def properties(self, suffix: str) -> etree._Element | None:
        path = next((p for kind, p in self.relationships("") if kind.endswith(suffix)), "")
        return self.xml(path) if path and path in self.names else None


def _normalise(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _macro_refusal() -> FileRefused:
    return FileRefused(
        "The document is macro-enabled (.docm), and macros are never opened here. Open it in "
        "Word and save it as “Word Document (.docx)”, which leaves the macros out, then upload "
        "it again."
    )


def _style(
    style_id: str, found: dict[str, tuple[str, bool | None, bool, str]]
) -> tuple[bool, bool]:
    heading, bold, seen = False, None, set()
    while style_id in found and style_id not in seen:
        seen.add(style_id)
        name, own_bold, outline, based = found[style_id]
        heading = heading or outline or bool(_HEADING_STYLE.fullmatch(name.strip()))
        bold = own_bold if bold is None else bold
        style_id = based
    return heading, bool(bold)


def _properties(reader: _Package, document: WordDocument) -> None:
    core = reader.properties("/metadata/core-properties")
    if core is not None:
        for attribute, tag in (("title", "title"), ("subject", "subject"), ("creator", "creator")):
            element = core.find(DC + tag)
            setattr(
                document, attribute, (element.text or "").strip() if element is not None else ""
            )
    app = reader.properties("/extended-properties")
    if app is not None:
        for attribute, tag in (("company", "Company"), ("application", "Application")):
            element = app.find(EXTENDED + tag)
            setattr(
                document, attribute, (element.text or "").strip() if element is not None else ""
            )


# -- The body.


class _Body:
    def __init__(self, styles: dict[str, tuple[bool, bool]], document: WordDocument) -> None:
        self.styles = styles
        self.document = document

    def read(self, body: etree._Element) -> None:
        for element in _children(body, (W + "p", W + "tbl")):
            if element.tag == W + "p":
                self.document.blocks.append(self._paragraph(element))
            else:
                number = len(self.document.tables) + 1
                self.document.blocks.append(_table(element, number))

    def _paragraph(self, element: etree._Element) -> Paragraph:
        style_id = ""
        properties = element.find(W + "pPr")
        outline = False
        if properties is not None:
            style = properties.find(W + "pStyle")
            style_id = style.get(W + "val", "") if style is not None else ""
            level = properties.find(W + "outlineLvl")
            outline = level is not None and level.get(W + "val", "9") != "9"
        heading, style_bold = self.styles.get(style_id, (False, False))
        runs = [run for run in element.iter(W + "r") if _run_text(run).strip()]
        bold = bool(runs) and all(_run_bold(run, style_bold) for run in runs)
        return Paragraph(
            text=_paragraph_text(element).strip(),
            heading=heading or outline,
            bold=bold,
            style=style_id,
        )


def _children(element: etree._Element, wanted: tuple[str, ...]) -> list[etree._Element]:
    """The wanted elements among the children, looking inside content controls, custom XML and
    tracked insertions, which wrap paragraphs, tables, rows and cells."""
    found = []
    for child in element:
        if child.tag in wanted:
            found.append(child)
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
            found += _children(child, wanted)
    return found


def _run_text(run: etree._Element) -> str:
    return "".join(t.text or "" for t in run.iter(W + "t"))


def _run_bold(run: etree._Element, style_bold: bool) -> bool:
    mark = run.find(f"{W}rPr/{W}b")
    if mark is None:
        return style_bold
    return mark.get(W + "val", "true").lower() not in _FALSE


def _paragraph_text(element: etree._Element) -> str:
    pieces: list[str] = []
    _collect(element, pieces)
    return "".join(pieces)


def _collect(element: etree._Element, pieces: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == W + "t":
            pieces.append(child.text or "")
        elif tag in _TEXT_BREAKS:
            if tag != W + "br" or child.get(W + "type") in (None, "textWrapping"):
                pieces.append(_TEXT_BREAKS[tag])
        elif len(child):
            _collect(child, pieces)


def _cell_text(cell: etree._Element) -> str:
    if next(cell.iter(W + "tbl"), None) is not None:
        raise FileRefused(
            "The document has a table inside a table's cell, which we cannot read as a plan. "
            "Move the inner table out of the cell (or turn it into text), save the document and "
            "upload it again."
        )
    return "\n".join(_paragraph_text(p) for p in _children(cell, (W + "p",)))


def _int_value(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(int(element.get(W + "val", default)), 0)
    except ValueError:
        return default


def _table(element: etree._Element, number: int) -> WordTable:
    grid: list[list[tuple[str, object]]] = []
    for row_index, row in enumerate(_children(element, (W + "tr",))):
        properties = row.find(W + "trPr")
        before = _int_value(
            properties.find(W + "gridBefore") if properties is not None else None, 0
        )
        after = _int_value(properties.find(W + "gridAfter") if properties is not None else None, 0)
        cells: list[tuple[str, object]] = [("", None)] * before
        for cell in _children(row, (W + "tc",)):
            properties = cell.find(W + "tcPr")
            span = (
                _int_value(properties.find(W + "gridSpan") if properties is not None else None, 1)
                or 1
            )
            merge = properties.find(W + "vMerge") if properties is not None else None
            column = len(cells)
            if merge is not None and merge.get(W + "val", "continue") != "restart" and grid:
                above = grid[-1]
                text, origin = above[column] if column < len(above) else ("", None)
            else:
                text, origin = _cell_text(cell), (row_index, column)
            cells += [(text, origin)] * min(span, 1000)
        cells += [("", None)] * after
        grid.append(cells)
    width = max((len(row) for row in grid), default=0)
    rows, merged = [], []
    for cells in grid:
        origins = {origin for _, origin in cells}
        merged.append(
            width > 1 and len(cells) == width and len(origins) == 1 and None not in origins
        )
        rows.append([text for text, _ in cells] + [""] * (width - len(cells)))
    return WordTable(number=number, rows=rows, merged=merged)
