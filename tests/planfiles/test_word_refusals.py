"""Word documents refused as a whole, with a message saying what to do, and nothing written:
junk named .docx, macro-enabled documents, encrypted ones, documents with no table or with a
table inside a table, decompression bombs and XML with entity declarations."""

from __future__ import annotations

import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from planfiles.format import PlanFileRefused, kind_for_filename, read_plan_file
from tests.planfiles.documents import Para, Table, word
from tests.snapshots import database_snapshot

GOOD_ROWS = [["Priority", "Action", "Outcome"], ["Fraud", "Courier fraud talks", "Fewer victims"]]


def refused(data: bytes, filename: str = "plan.docx") -> str:
    before = database_snapshot()
    with pytest.raises(PlanFileRefused) as caught:
        read_plan_file(data, kind=kind_for_filename(filename), filename=filename)
    assert database_snapshot() == before
    return caught.value.message


def rezip(data: bytes, change) -> bytes:
    """The document's package with its parts changed: change(name, bytes) -> bytes or None."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
    return stream.getvalue()


def good() -> bytes:
    return word([Table(GOOD_ROWS)])


@pytest.mark.django_db
def test_a_good_document_is_read():
    table = read_plan_file(good(), kind="docx", filename="plan.docx")
    assert [row.cells["action"] for row in table.rows] == ["Courier fraud talks"]


@pytest.mark.django_db
def test_a_zip_of_junk_named_docx_is_refused():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("junk.bin", b"\x00\x01" * 100)
        archive.writestr("notes.txt", "not a document")
    message = refused(stream.getvalue())
    assert "is not a Word document" in message
    assert "save it as “Word Document (.docx)”" in message


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04 broken zip", b""])
def test_bytes_that_are_no_document_are_refused(data):
    message = refused(data)
    assert "Word" in message


@pytest.mark.django_db
def test_a_workbook_named_docx_is_refused_with_advice():
    from tests.planfiles.documents import Sheet, xlsx

    assert "is an Excel workbook. Rename it .xlsx" in refused(xlsx([Sheet("Plan", GOOD_ROWS)]))


@pytest.mark.django_db
def test_a_macro_enabled_document_is_refused_by_its_name_and_by_its_content():
    with pytest.raises(PlanFileRefused, match="macro-enabled Word document"):
        kind_for_filename("plan.docm")

    def macro_type(name, content):
        if name == "[Content_Types].xml":
            return content.replace(
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        return content

    assert "macro-enabled (.docm)" in refused(rezip(good(), macro_type))

    def with_macros(name, content):
        return content

    data = rezip(good(), with_macros)
    stream = io.BytesIO(data)
    with zipfile.ZipFile(stream, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macros")
    assert "macros are never opened here" in refused(stream.getvalue())


@pytest.mark.django_db
def test_an_encrypted_document_is_refused_with_how_to_remove_the_password():
    # An encrypted Office document is an OLE compound file holding EncryptedPackage.
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    )
    message = refused(data)
    assert "protected by a password" in message
    assert "remove the password" in message


@pytest.mark.django_db
def test_an_old_word_document_is_refused():
    assert "Word 97–2003 document (.doc)" in refused(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    )
    with pytest.raises(PlanFileRefused, match="save it as “Word Document"):
        kind_for_filename("plan.doc")


@pytest.mark.django_db
def test_a_document_with_no_table_is_refused():
    message = refused(word([Para("Our plan: we will do good things.")]))
    assert "The document has no table" in message
    assert "Put the actions in a table" in message


@pytest.mark.django_db
def test_a_document_whose_tables_hold_no_plan_is_refused():
    message = refused(word([Table([["Name", "Phone"], ["Casey", "01543"]])]))
    assert "None of the document's table has a header row" in message
    assert "table 1 starts “Name”, “Phone”" in message


@pytest.mark.django_db
def test_a_table_inside_a_table_is_refused():
    import docx

    document = docx.Document(io.BytesIO(good()))
    document.tables[0].cell(1, 1).add_table(rows=1, cols=1)
    stream = io.BytesIO()
    document.save(stream)
    message = refused(stream.getvalue())
    assert "a table inside a table's cell" in message


@pytest.mark.django_db
def test_a_decompression_bomb_is_refused_on_its_declared_size(settings):
    settings.PLAN_FILE_MAX_PART_BYTES = 1_000_000

    def bomb(name, content):
        if name == "word/document.xml":
            return content.replace(b"</w:body>", b"<!--" + b" " * 5_000_000 + b"--></w:body>")
        return content

    data = rezip(good(), bomb)
    assert len(data) < 100_000  # a small file that unpacks to far more
    assert "unpacks to far more data than a plan holds" in refused(data)


@pytest.mark.django_db
def test_a_part_that_lies_about_its_size_is_stopped_while_reading(settings):
    """A zip whose directory declares a small size but whose data unpacks to more: the reader
    stops at the limit (or the zip's own check fails); either way the file is refused."""
    settings.PLAN_FILE_MAX_PART_BYTES = 1_000_000

    def bomb(name, content):
        if name == "word/document.xml":
            return content.replace(b"</w:body>", b"<!--" + b" " * 3_000_000 + b"--></w:body>")
        return content

    data = bytearray(rezip(good(), bomb))
    # Rewrite the declared uncompressed size of document.xml (local header and directory).
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    true_size = info.file_size.to_bytes(4, "little")
    data = bytes(data).replace(true_size, (500).to_bytes(4, "little"))
    message = refused(data)
    assert "Word" in message or "far more data" in message


@pytest.mark.django_db
def test_all_parts_together_are_limited_too(settings):
    settings.PLAN_FILE_MAX_BYTES = 10_000
    settings.PLAN_FILE_MAX_PART_BYTES = 10_000_000

    def padding(name, content):
        return content

    stream = io.BytesIO(rezip(good(), padding))
    with zipfile.ZipFile(stream, "a", zipfile.ZIP_DEFLATED) as archive:
        for number in range(20):
            archive.writestr(f"customXml/padding{number}.xml", b" " * 100_000)
    data = stream.getvalue()
    with pytest.raises(PlanFileRefused, match="far more data than a plan holds"):
        read_plan_file(data, kind="docx", filename="plan.docx", limit=len(data) + 1)


@pytest.mark.django_db
def test_xml_with_entity_declarations_is_refused():
    def laughs(name, content):
        if name == "word/document.xml":
            head, _, rest = content.partition(b"?>")
            return head + b'?><!DOCTYPE w [<!ENTITY lol "lol">]>' + rest
        return content

    assert "document type declaration" in refused(rezip(good(), laughs))


def test_the_command_refuses_with_the_message_and_exits_non_zero(db, tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(word([Para("No table here.")]))
    before = database_snapshot()
    with pytest.raises(CommandError, match="The document has no table") as caught:
        call_command("import_plan", str(path), stdout=StringIO(), stderr=StringIO())
    assert caught.value.returncode == 1
    assert database_snapshot() == before
