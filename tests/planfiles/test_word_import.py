"""Word documents in: the seed itself, and our own export read back.

- The seed's .docx, imported into an empty database with the partnership and the period given,
  gives the seed's nine actions, each in its priority × theme cell with its outcome, as
  `load_demo` has them (the seed calls its tables "… (example)" and writes "Early Intervention
  Prevention" and "&": the names are compared as the same words, the cells by their order).
- A plan exported as .docx and imported again gives the same plan: exported again, the same
  document (the demo plan through the commands; generated plans full of awkward text).
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import docx
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from hypothesis import given

from actions.models import Action
from operations import demo
from planfiles.exporter import plan_export
from priorities.models import Plan
from tests.planfiles.conftest import run_import
from tests.planfiles.test_round_trip import build as build_plan
from tests.planfiles.test_round_trip import (
    in_a_fresh_database,
    plans,
    round_trip_settings,
    wipe_plans,
)

SEED = (
    Path(django_settings.BASE_DIR).parent / "shared/seed/lichfield-csp-delivery-plan-2021-22.docx"
)
PARTNERSHIP = "Lichfield District Community Safety Partnership"


def same_words(name: str) -> str:
    """A priority's or theme's name as the seed and load_demo both mean it."""
    name = re.sub(r"\((example|ASB)\)", "", name.replace("&", "and"))
    return " ".join(word for word in name.casefold().split() if word != "and")


def cells(plan: Plan) -> list[tuple[int, int, str, list[str]]]:
    """Each action as (priority's place, theme's place, text, outcomes), places counted from 1."""
    priorities = {p.pk: n for n, p in enumerate(plan.priorities.order_by("order", "pk"), 1)}
    themes = {t.pk: n for n, t in enumerate(plan.partnership.themes.order_by("order", "pk"), 1)}
    return sorted(
        (
            priorities[action.priority_id],
            themes[action.theme_id],
            action.description,
            [o.description for o in action.outcomes.order_by("order")],
        )
        for action in Action.objects.filter(priority__plan=plan)
    )


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is not beside the repository")
def test_the_seed_document_gives_the_seeds_nine_actions_as_load_demo_has_them(db):
    out = io.StringIO()
    call_command(
        "import_plan", str(SEED), "--create-missing", "--partnership", PARTNERSHIP,
        "--period", "2021-22", stdout=out,
    )  # fmt: skip
    assert "Actions: 9 created, 0 updated, 0 unchanged." in out.getvalue()
    imported = Plan.objects.get()
    assert imported.partnership.name == PARTNERSHIP
    assert (imported.period, imported.title) == ("2021-22", demo.PLAN_TITLE)
    assert imported.introduction == demo.INTRODUCTION
    imported_cells = cells(imported)
    imported_names = (
        [same_words(p.title) for p in imported.priorities.order_by("order")],
        [same_words(t.name) for t in imported.partnership.themes.order_by("order")],
    )

    wipe_plans()
    demo_plan = demo.demo_load_plan()
    demo_names = (
        [same_words(p.title) for p in demo_plan.priorities.order_by("order")],
        [same_words(t.name) for t in demo_plan.partnership.themes.order_by("order")],
    )
    assert imported_cells == cells(demo_plan)
    # The seed's two tables are load_demo's first two priorities; its themes are the four.
    assert imported_names[0] == demo_names[0][:2]
    assert imported_names[1] == demo_names[1]
    assert len(imported_cells) == 9


def document_text(data: bytes) -> list[str]:
    """Everything a reader sees in the document: paragraphs and every table's cells, in order."""
    document = docx.Document(io.BytesIO(data))
    seen = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            seen.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif child.tag.endswith("}tbl"):
            for row in docx.table.Table(child, document).rows:
                seen.append(" | ".join(cell.text for cell in row.cells))
    properties = document.core_properties
    return [*seen, properties.title, properties.subject, properties.author]


def test_the_demo_plan_as_word_round_trips_through_the_commands(db, tmp_path):
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    first, again = tmp_path / "first.docx", tmp_path / "again.docx"
    export = ["export_plan", "--period", "2021-22", "--partnership"]
    call_command(*export, "lichfield", "--output", str(first), stderr=io.StringIO())
    csv_before = plan_export(Plan.objects.get(partnership__slug="lichfield"), "csv")[0]
    wipe_plans()

    out = io.StringIO()
    call_command("import_plan", str(first), "--create-missing", stdout=out)
    assert "Actions: 9 created, 0 updated, 0 unchanged." in out.getvalue()
    call_command(*export, PARTNERSHIP, "--output", str(again), stderr=io.StringIO())

    assert document_text(again.read_bytes()) == document_text(first.read_bytes())
    assert plan_export(Plan.objects.get(), "csv")[0] == csv_before
    # Importing the document once more changes nothing.
    out = io.StringIO()
    call_command("import_plan", str(first), stdout=out)
    assert "Actions: 0 created, 0 updated, 9 unchanged." in out.getvalue()


def test_a_partnership_other_than_the_documents_own_is_an_error(db, tmp_path):
    from django.core.management import CommandError

    call_command("load_demo", "--no-users", stdout=io.StringIO())
    path = tmp_path / "plan.docx"
    call_command(
        "export_plan", "--period", "2021-22", "--partnership", "lichfield", "--output", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_plan", str(path), "--partnership", "Tamworth CSP", "--period", "2021-22",
            "--title", "Another title", stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert "partnership: The file says “Lichfield District Community Safety Partnership”, but " \
        "--partnership says “Tamworth CSP”" in err.getvalue()  # fmt: skip
    assert "plan_title: The file says" in err.getvalue()


def word_round_trip(spec) -> None:
    plan = build_plan(spec)
    first = plan_export(plan, "docx")[0]
    csv_before = plan_export(plan, "csv")[0]
    wipe_plans()
    report = run_import(first, "plan.docx", create_missing=True)
    assert report.ok, [str(error) for error in report.errors]
    again = plan_export(Plan.objects.get(), "docx")[0]
    assert document_text(again) == document_text(first)
    assert plan_export(Plan.objects.get(), "csv")[0] == csv_before
    assert run_import(first, "plan.docx").changes_anything is False


# Characters no Word document can hold are left out of the export, so they cannot come back.
_NOT_XML = re.compile("[\ufffe\uffff]")


@round_trip_settings(20)
@given(spec=plans().filter(lambda spec: not _NOT_XML.search(repr(spec))))
def test_any_plan_round_trips_as_word(db, spec):
    in_a_fresh_database(lambda: word_round_trip(spec))


@pytest.mark.parametrize("reason", ["measures without outcomes", "long text", "timescale"])
def test_word_round_trip_keeps_what_real_plans_have(db, reason):
    spec = {
        "partnership": "Kent CSP",
        "title": "Plan",
        "start": datetime.date(2021, 4, 1),
        "end": datetime.date(2022, 3, 31),
        "agencies": ["Kent Police", "Maidstone Borough Council"],
        "themes": ["Prevention"],
        "theme_order": [0],
        "priorities": [
            (
                "ASB",
                [
                    {
                        "theme": 0,
                        "description": "Patrols " + "x" * (4000 if reason == "long text" else 1),
                        "lead": 0,
                        "supporting": [1],
                        "target_date": None,
                        "outcomes": [("", "Patrols done"), ("Fewer incidents", "m" * 3000)]
                        if reason != "timescale"
                        else [("Fewer incidents", "")],
                    }
                ],
            )
        ],
    }
    plan = build_plan(spec)
    if reason == "timescale":
        Action.objects.update(timescale="Ongoing")
    first = plan_export(plan, "docx")[0]
    wipe_plans()
    report = run_import(first, "plan.docx", create_missing=True)
    assert report.ok, [str(error) for error in report.errors]
    assert document_text(plan_export(Plan.objects.get(), "docx")[0]) == document_text(first)
