"""The plan, or a published version, as a Word document laid out as the seed is.

`read_layout` below reads a document exactly as planfiles/word_export.py describes its layout,
back into the plan file's columns: what it finds must be the plan file's rows, in their order.
That is what the Word reader (import) relies on; the import round trip is tested with it.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from actions.models import Action
from planfiles.exporter import plan_export, plan_export_rows, version_export, version_export_rows
from planfiles.format import one_line
from planfiles.word_export import COLUMNS, About, write_docx
from tests.factories import ActionFactory, AgencyFactory, OutcomeFactory, PriorityFactory

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SEED = Path(settings.BASE_DIR).parent / "shared/seed/lichfield-csp-delivery-plan-2021-22.docx"
KWARGS = {"partnership": "lichfield", "period": "2021-22"}
EXPORT_URL = reverse("plan_export", kwargs=KWARGS | {"fmt": "docx"})
VERSION_URL = "/plans/lichfield/2021-22/versions/1/plan.docx"


def open_docx(data: bytes) -> WordDocument:
    return docx.Document(io.BytesIO(data))


def body(document: WordDocument) -> list[Paragraph | Table]:
    """The document's paragraphs and tables, in order."""
    items: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    return items


def iso(text: str) -> str:
    return datetime.datetime.strptime(text, "%d %B %Y").date().isoformat() if text else ""


def read_layout(document: WordDocument) -> list[tuple[str, ...]]:
    """The document's tables as the plan file's columns from `priority` to `measure`: one row per
    action, and a row with the action columns blank for a priority with no actions."""
    rows: list[tuple[str, ...]] = []
    for table in document.tables:
        first, *rest = table.rows
        tcs = first._tr.tc_lst
        assert len(tcs) == 1 and tcs[0].grid_span == len(COLUMNS) + 1  # merged across
        priority, theme, found = first.cells[0].text, None, False
        for row in rest:
            values = [cell.text for cell in row.cells]
            if values[1:3] == ["Actions", "Outcomes"]:  # a theme's row
                assert values[1:] == list(COLUMNS)
                theme = values[0]
                continue
            assert values[0] == "" and theme is not None
            action, outcome, measure, lead, supporting, target_date = values[1:]
            rows.append(
                (priority, theme, action, outcome, lead, supporting, iso(target_date), measure)
            )
            found = True
        if not found:
            rows.append((priority, *[""] * 7))
    return rows


def file_columns(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [row[4:] for row in rows]


# -- The layout.


def test_the_demo_plan_reads_back_as_its_plan_file_rows(demo_plan):
    data, content_type, filename = plan_export(demo_plan, "docx")
    assert (content_type, filename) == (WORD, "lichfield-2021-22-plan.docx")
    document = open_docx(data)
    assert read_layout(document) == file_columns(plan_export_rows(demo_plan))
    properties = document.core_properties
    assert properties.title == demo_plan.title
    assert properties.author == "Lichfield District Community Safety Partnership"
    assert properties.subject == "Community safety plan, 2021-04-01 to 2022-03-31"


def test_the_first_three_columns_hold_the_seeds_actions_and_outcomes_in_its_order(demo_plan):
    """A reader of the seed's three columns reads the export as it reads the seed."""

    def seed_columns(document: WordDocument) -> list[tuple[str, str]]:
        return [
            (row.cells[1].text, row.cells[2].text)
            for table in document.tables
            for row in table.rows[1:]
            if row.cells[0].text == "" and row.cells[1].text != "Actions"
        ]

    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The seed document is missing at {SEED}")
        pytest.skip(f"The seed document is not beside the project ({SEED})")
    exported = seed_columns(open_docx(plan_export(demo_plan, "docx")[0]))
    assert len(exported) == 9
    assert exported == seed_columns(docx.Document(str(SEED)))


def test_the_body_is_headings_paragraphs_and_a_table_under_each_priority(demo_plan):
    items = body(open_docx(plan_export(demo_plan, "docx")[0]))
    styles = [item.style.name if isinstance(item, Paragraph) else "table" for item in items]
    assert items[0].text == demo_plan.title and styles[0] == "Heading 1"
    assert items[1].text == (
        "Lichfield District Community Safety Partnership, 1 April 2021 to 31 March 2022."
    )
    pairs = zip(items, styles, strict=True)
    sections = [item.text for item, style in pairs if style == "Heading 2"]
    assert sections == ["Introduction", "Context", "Aspirations", "Action plan"]
    start = [getattr(item, "text", None) for item in items].index("Action plan") + 1
    priorities = list(demo_plan.priorities.order_by("order").values_list("title", flat=True))
    assert styles[start:] == ["Heading 3", "table"] * len(priorities)
    assert [item.text for item in items[start::2]] == priorities
    for item in items:
        if isinstance(item, Table):
            assert len(item.columns) == 7
            assert len(item.rows[0]._tr.tc_lst) == 1


def test_several_outcomes_measures_dates_and_unthemed_actions_read_back(
    lichfield, priority, action, partnership, housing, council
):
    themes = {theme.name: theme for theme in partnership.themes.all()}
    action.target_date = datetime.date(2022, 3, 31)
    action.save()
    action.supporting_agencies.add(housing)
    OutcomeFactory(action=action, description="Fewer\nrepeat calls", measure="Calls", order=5)
    OutcomeFactory(action=action, description="", measure="Only a measure", order=6)
    ActionFactory(
        priority=priority,
        theme=themes["Public Confidence"],
        description="Two lines:\nsecond line",
        target_date=datetime.date(2021, 10, 1),
    )
    ActionFactory(priority=priority, theme=None, description="No theme yet", lead_agency=council)
    PriorityFactory(plan=lichfield, title="Fraud; and scams", order=priority.order + 1)
    rows = file_columns(plan_export_rows(lichfield))
    document = open_docx(plan_export(lichfield, "docx")[0])
    assert read_layout(document) == rows
    first = document.tables[0].rows[2].cells
    assert first[2].text == "Quicker more effective responses\nFewer repeat calls\n"
    assert first[3].text == "\nCalls\nOnly a measure"
    assert first[5].text == "Bromford Housing Group; Lichfield District Council"
    assert first[6].text == "31 March 2022"
    assert document.tables[0].rows[-1].cells[0].text == ""  # the unthemed group comes last
    assert [c.text for c in document.tables[1].rows[1].cells] == ["", *COLUMNS]


_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp")), min_size=1, max_size=30
).map(str.strip)
_LINE = _TEXT.filter(bool)


@st.composite
def plan_rows(draw: st.DrawFn) -> list[tuple[str, ...]]:
    """Rows as the exporter writes them: priorities in turn, each theme by theme, unthemed last."""
    head = ("Partnership", "Plan", "2021-04-01", "2022-03-31")
    themes = ["Early Intervention", "Public Confidence", ""]
    rows: list[tuple[str, ...]] = []
    titles = draw(st.lists(_LINE, min_size=1, max_size=4, unique=True))
    for title in titles:
        count = draw(st.integers(0, 4))
        if not count:
            rows.append((*head, title, *[""] * 7))
            continue
        picked = sorted(draw(st.lists(st.sampled_from(themes), min_size=count, max_size=count)))
        for theme in sorted(picked, key=lambda t: (t == "", t)):
            outcomes = draw(
                st.lists(st.tuples(_TEXT.map(one_line), _TEXT.map(one_line)), max_size=3)
            )
            outcomes = [pair for pair in outcomes if any(pair)]
            date = draw(st.none() | st.dates(datetime.date(2000, 1, 1)))
            rows.append(
                (
                    *head,
                    title,
                    theme,
                    draw(st.lists(_LINE, min_size=1, max_size=2).map("\n".join)),
                    "\n".join(text for text, _ in outcomes),
                    draw(st.sampled_from(["", "Staffordshire Police", "A, B and C"])),
                    draw(st.sampled_from(["", "Pathway", "Humankind; Pathway"])),
                    date.isoformat() if date else "",
                    "\n".join(measure for _, measure in outcomes).rstrip("\n"),
                )
            )
    return rows


@hypothesis_settings(max_examples=60, deadline=None)
@given(plan_rows())
def test_any_plans_rows_read_back_from_the_document(rows):
    about = About(partnership="Partnership", title="Plan", start="2021-04-01", end="2022-03-31")
    assert read_layout(open_docx(write_docx(rows, about))) == file_columns(rows)


def test_characters_no_document_can_hold_are_left_out(lichfield, action):
    Action.objects.filter(pk=action.pk).update(description="Bell\x07 rung")
    document = open_docx(plan_export(lichfield, "docx")[0])
    assert document.tables[0].rows[2].cells[1].text == "Bell rung"


# -- Accessible Word.


def test_the_document_is_accessible_word(demo_plan):
    data = plan_export(demo_plan, "docx")[0]
    document = open_docx(data)
    for item in body(document):
        if isinstance(item, Paragraph):
            assert item.text.strip(), "no empty paragraphs for spacing"
        else:
            header, *others = item.rows
            assert header._tr.trPr.find(qn("w:tblHeader")) is not None
            assert all(row._tr.trPr is None for row in others)
            properties = item._tbl.tblPr
            assert properties.find(qn("w:tblCaption")).get(qn("w:val")) == header.cells[0].text
            assert properties.find(qn("w:tblDescription")) is not None
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert (
        defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val"))
        == "en-GB"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        app = archive.read("docProps/app.xml").decode()
    assert "<Company>Lichfield District Community Safety Partnership</Company>" in app
    assert not [name for name in names if "thumbnail" in name]


# -- Published versions: the public copy, redacted.


def test_the_public_version_shows_restricted_actions_only_as_who_leads_them(
    client, demo_plan, publish
):
    secret = Action.objects.get(description__startswith="Taking swift positive action")
    Action.objects.filter(pk=secret.pk).update(restricted=True)
    publish(demo_plan, draw=True)
    response = client.get(VERSION_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == WORD
    assert (
        response["Content-Disposition"] == 'attachment; filename="lichfield-2021-22-v1-plan.docx"'
    )
    document = open_docx(response.content)
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Taking swift positive action" not in text
    assert "Reduction in repeat incidences" not in text  # its outcome
    row = next(r for t in document.tables for r in t.rows if "Restricted" in r.cells[1].text)
    assert [c.text for c in row.cells] == [
        "",
        "Restricted action led by Staffordshire Police",
        "",
        "",
        "Staffordshire Police",
        "",
        "",
    ]


def test_a_version_reads_back_as_its_plan_file(demo_plan, publish):
    version = publish(demo_plan)
    Action.objects.filter(priority__plan=demo_plan).update(description="Changed later")
    data = version_export(version.data, "docx", filename="x.docx")[0]
    assert read_layout(open_docx(data)) == file_columns(version_export_rows(version.data))
    assert "Changed later" not in str(read_layout(open_docx(data)))


def test_the_public_pages_link_to_the_word_document(client, demo_plan, publish):
    publish(demo_plan, draw=True)
    for url in ("/plans/lichfield/2021-22/", "/plans/lichfield/2021-22/versions/1/"):
        assert f'href="{VERSION_URL}"' in client.get(url).content.decode()


def test_no_word_document_before_publication(client, demo_plan):
    assert client.get(VERSION_URL).status_code == 404


# -- The members' export: coordinators and admins only, as for the plan file.


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("lead_officer", 403),
        ("representative", 403),
        ("other_coordinator", 404),
        ("outsider", 404),
        ("coordinator", 200),
        ("admin_user", 200),
    ],
)
def test_the_workspace_export_is_for_the_coordinator_and_admins(
    client, request, lichfield, action, role, expected
):
    client.force_login(request.getfixturevalue(role))
    response = client.get(EXPORT_URL)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == WORD
        assert (
            response["Content-Disposition"] == 'attachment; filename="lichfield-2021-22-plan.docx"'
        )
        assert open_docx(response.content).tables


def test_anonymous_visitors_are_asked_to_sign_in(client, lichfield):
    response = client.get(EXPORT_URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={EXPORT_URL}"


@pytest.mark.parametrize(("role", "shown"), [("coordinator", True), ("lead_officer", False)])
def test_the_workspace_links_to_the_word_document(client, request, lichfield, role, shown):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("plan_workspace", kwargs=KWARGS)).content.decode()
    assert (f'href="{EXPORT_URL}"' in page) is shown


def test_the_word_export_takes_a_fixed_number_of_queries(
    lichfield, priority, django_assert_max_num_queries
):
    for n in range(30):
        ActionFactory(priority=priority, description=f"Action {n}", lead_agency=AgencyFactory())
    with django_assert_max_num_queries(6):
        plan_export(lichfield, "docx")


# -- Scripts and the admin.


def test_export_plan_writes_a_word_document(lichfield, action, tmp_path):
    path = tmp_path / "plan.docx"
    call_command(
        "export_plan", "--partnership", "lichfield", "--period", "2021-22",
        "--output", str(path), stderr=io.StringIO(),
    )  # fmt: skip
    assert read_layout(open_docx(path.read_bytes())) == file_columns(plan_export_rows(lichfield))
    with pytest.raises(CommandError, match="A Word document cannot go to the terminal"):
        call_command(
            "export_plan", "--partnership", "lichfield", "--period", "2021-22",
            "--format", "docx", stdout=io.StringIO(),
        )  # fmt: skip


def test_export_plan_writes_a_versions_word_document_in_full(demo_plan, publish, tmp_path):
    Action.objects.filter(description__startswith="Taking swift").update(restricted=True)
    publish(demo_plan, draw=True)
    path = tmp_path / "v1.bin"
    call_command(
        "export_plan", "--partnership", "lichfield", "--period", "2021-22",
        "--published-version", "1", "--format", "docx", "--output", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    text = "\n".join(
        c.text for t in open_docx(path.read_bytes()).tables for r in t.rows for c in r.cells
    )
    assert "Taking swift positive action" in text  # scripts get the frozen copy in full


def test_the_admin_downloads_a_versions_word_document(client, demo_plan, publish, admin_user):
    version = publish(demo_plan)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:lifecycle_publishedversion_changelist"),
        {"action": "download_word", "_selected_action": [version.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == WORD
    assert "lichfield-2021-22-v1-plan.docx" in response["Content-Disposition"]
    assert read_layout(open_docx(response.content)) == file_columns(
        version_export_rows(version.data)
    )
