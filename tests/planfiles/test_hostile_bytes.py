"""Hostile bytes: a control character (NUL, ESC, DEL, a C1 control: anything but tab, CR and LF)
anywhere in a text file is refused as not a text file, however far into the file it hides; a
workbook's cell holding one is refused too; and every message that repeats text from a file
(the commands' output, the web pages) shows control characters escaped (`visible`)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Action
from planfiles.figures_file import read_figures_file
from planfiles.format import read_plan_file
from planfiles.tabular import FileRefused, visible
from tests.planfiles.conftest import csv_bytes, plan_row, xlsx_bytes
from tests.planfiles.documents import Table, word
from tests.snapshots import database_snapshot

IMPORT_URL = reverse("plan_import", kwargs={"partnership": "lichfield", "period": "2021-22"})
FIGURES_HEADER = b"partnership,plan_period,measure,agency,period,value,confidence\r\n"


def with_byte_at(data: bytes, offset: int, char: str) -> bytes:
    """The file with one character put in at this byte offset (inside a run of plain text)."""
    assert data[offset - 1 : offset + 1] == b"xx", "the offset must fall inside the padding"
    return data[:offset] + char.encode() + data[offset:]


def padded_plan(size: int) -> bytes:
    """A plan file longer than `size` bytes: its action's text is mostly padding."""
    return csv_bytes([plan_row(action="Outreach " + "x" * size)])


def padded_figures(size: int) -> bytes:
    row = "lichfield,2021-22,ASB incidents,Staffordshire Police,2021-22 Q1,120," + "x" * size
    return FIGURES_HEADER + row.encode() + b"\r\n"


CONTROLS = ["\x00", "\x1b", "\x07", "\x0c", "\x7f", "\x9b"]


@pytest.mark.parametrize("offset", [5_000, 1_000_000])
@pytest.mark.parametrize("char", CONTROLS, ids=[visible(char) for char in CONTROLS])
def test_a_control_character_anywhere_in_a_plan_file_is_refused(offset, char):
    data = with_byte_at(padded_plan(offset + 100), offset, char)
    with pytest.raises(FileRefused) as caught:
        read_plan_file(data, kind="csv", filename="plan.csv")
    message = caught.value.message
    assert message.startswith(
        f"The file is not a text file: line 2 holds a control character ({visible(char)}), "
        "which text never holds."
    )
    assert char not in message


@pytest.mark.parametrize("offset", [5_000, 1_000_000])
def test_a_nul_anywhere_in_a_figures_file_is_refused(offset):
    data = with_byte_at(padded_figures(offset + 100), offset, "\x00")
    with pytest.raises(FileRefused, match=r"not a text file: line 2 holds a control character"):
        read_figures_file(data)


def test_tab_cr_and_lf_are_text(lichfield):
    data = csv_bytes([plan_row(outcome="First\tpart\r\nSecond", measure="One\rTwo")])
    table = read_plan_file(data, kind="csv")
    assert table.rows[0].cells["outcome"] == "First\tpart\r\nSecond"


def test_a_workbook_cell_holding_a_control_character_is_refused():
    """A workbook's XML holds no C0 control, but DEL and the C1 controls it does."""
    row = plan_row(lead_agency="Police\x9b31m")
    data = xlsx_bytes([list(row), list(row.values())])
    with pytest.raises(FileRefused) as caught:
        read_plan_file(data, kind="xlsx", filename="plan.xlsx")
    assert caught.value.message == (
        "Row 2, column I: the cell “Police\\x9b31m” holds a control character (\\x9b), which "
        "text never holds. Remove it from the cell, save the plan file and try again."
    )


def test_a_workbook_with_headings_of_its_own_is_checked_cell_by_cell_too():
    data = xlsx_bytes([["Action", "Lead"], ["Outreach", "Police"], ["Patrols", "Fire\x7f"]])
    with pytest.raises(FileRefused) as caught:
        read_plan_file(data, kind="xlsx", filename="plan.xlsx")
    assert caught.value.message.startswith(
        "Row 3, column B: the cell “Fire\\x7f” holds a control character (\\x7f)"
    )


def test_a_word_documents_cells_are_checked_too():
    table = Table([["Action", "Lead"], ["Outreach", "Police\x9b2J"]])
    with pytest.raises(FileRefused) as caught:
        read_plan_file(word([table]), kind="docx", filename="plan.docx")
    assert caught.value.message.startswith(
        "Table 1: Row 2, column B: the cell “Police\\x9b2J” holds a control character (\\x9b)"
    )


def test_visible_escapes_controls_and_reordering_keeps_tabs_and_line_breaks():
    text = "a\x1b[31mb\x00c\rd\te\nf\x85g\u202eh\u2066i"
    assert visible(text) == "a\\x1b[31mb\\x00c\\x0dd\te\nf\\x85g\\u202eh\\u2066i"
    assert visible(visible(text)) == visible(text)
    assert visible("Lichfield – “LDC” ü") == "Lichfield – “LDC” ü"


# -- The commands' output.


def import_plan(path) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_plan", str(path), stdout=out, stderr=err)
    return str(caught.value), out.getvalue(), err.getvalue()


def test_import_plan_shows_a_terminal_escape_in_a_workbook_cell_escaped(lichfield, tmp_path):
    path = tmp_path / "plan.xlsx"
    row = plan_row(lead_agency="\x9b2J\x9b31mStaffordshire Police")
    path.write_bytes(xlsx_bytes([list(row), list(row.values())]))
    before = database_snapshot()
    message, out, err = import_plan(path)
    assert "“\\x9b2J\\x9b31mStaffordshire Police” holds a control character (\\x9b)" in message
    assert "\x9b" not in message + out + err
    assert database_snapshot() == before


def test_import_plan_shows_a_terminal_escape_in_a_csv_file_escaped(lichfield, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([plan_row(lead_agency="\x1b]0;pwned\x07Police")]))
    message, out, err = import_plan(path)
    assert "plan.csv: The file is not a text file" not in message  # import_plan: the message
    assert "line 2 holds a control character (\\x1b)" in message
    assert "\x1b" not in message + out + err


def test_import_plan_escapes_what_a_file_may_hold_in_its_messages(lichfield, tmp_path):
    """Text may hold a bidirectional override (it is not a control character); the messages
    that repeat it show it escaped, and a file's name too."""
    path = tmp_path / "plan\x1b[2J.csv"
    path.write_bytes(csv_bytes([plan_row(lead_agency="Police\u202eecilop")]))
    message, out, err = import_plan(path)
    assert message == "plan\\x1b[2J.csv: 1 error; nothing was imported."
    assert "No agency is called “Police\\u202eecilop”" in err
    assert "“Police\\u202eecilop”" in err  # the unknown names' note too
    for raw in ("\x1b", "\u202e"):
        assert raw not in message + out + err


def test_import_figures_shows_control_characters_escaped(tmp_path, asb_measure):
    path = tmp_path / "figures\x1b[31m.csv"
    path.write_bytes(with_byte_at(padded_figures(6_000), 5_000, "\x1b"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_figures", str(path), stdout=out, stderr=err)
    message = str(caught.value)
    assert message.startswith("figures\\x1b[31m.csv: The file is not a text file: line 2 holds")
    assert "\x1b" not in message + out.getvalue() + err.getvalue()


# -- The web pages.


def upload(client, data: bytes, name: str):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


def test_the_import_page_shows_a_refused_files_control_character_escaped(
    client, lichfield, coordinator
):
    client.force_login(coordinator)
    data = with_byte_at(padded_plan(1_000_100), 1_000_000, "\x00")
    before = database_snapshot()
    html = upload(client, data, "plan.csv").content.decode()
    assert "The file is not a text file: line 2 holds a control character (\\x00)" in html
    assert "\x00" not in html
    assert database_snapshot() == before


def test_the_import_page_shows_a_workbook_cells_control_character_escaped(
    client, lichfield, coordinator
):
    client.force_login(coordinator)
    row = plan_row(lead_agency="\x9b31mPolice")
    html = upload(client, xlsx_bytes([list(row), list(row.values())]), "plan.xlsx")
    html = html.content.decode()
    assert "the cell “\\x9b31mPolice” holds a control character (\\x9b)" in html
    assert "\x9b" not in html


def test_the_import_page_shows_text_from_the_file_escaped(client, lichfield, coordinator):
    """(Django takes such characters out of an uploaded file's name itself.)"""
    client.force_login(coordinator)
    response = upload(client, csv_bytes([plan_row(lead_agency="Police\u202eecilop")]), "p.csv")
    html = response.content.decode()
    assert "No agency is called “Police\\u202eecilop”" in html
    assert "\u202e" not in html
    assert not Action.objects.filter(description=plan_row()["action"]).exists()
