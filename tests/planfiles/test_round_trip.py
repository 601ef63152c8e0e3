"""Round trip: export a plan, import the file into an empty database, export again: same file.

Over the demo plan (through the management commands, as a script would), and over generated plans
(hypothesis) full of awkward text: quotes, commas, semicolons, line breaks, non-ASCII letters,
and cells a spreadsheet would take for formulas (=, +, -, @).
"""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.models import Action, Outcome
from lifecycle.models import PublishedVersion
from partners.models import Agency, Partnership
from planfiles.exporter import plan_export
from planfiles.format import clean_text, one_line
from priorities.models import Plan, Priority, Theme
from tests.planfiles.conftest import run_import


def wipe_plans() -> None:
    """An empty database, as far as plans go: the import has nothing to match against."""
    PublishedVersion.objects.all().delete()  # the demo's second partnership has a published plan
    Outcome.objects.all().delete()
    Action.objects.all().delete()
    Priority.objects.all().delete()
    Plan.objects.all().delete()
    Theme.objects.all().delete()
    Partnership.objects.all().delete()
    Agency.objects.all().delete()


def xlsx_cells(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


# -- The demo plan, through the commands.


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_plan_round_trips_through_the_commands(db, tmp_path, fmt):
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    first, again = tmp_path / f"first.{fmt}", tmp_path / f"again.{fmt}"
    export = ["export_plan", "--period", "2021-22", "--partnership"]
    call_command(*export, "lichfield", "--output", str(first), stderr=io.StringIO())
    json_before = plan_export(Plan.objects.get(partnership__slug="lichfield"), "json")[0]
    wipe_plans()

    out = io.StringIO()
    call_command("import_plan", str(first), "--create-missing", stdout=out)
    assert "Actions: 9 created, 0 updated, 0 unchanged." in out.getvalue()
    assert "Errors: 0." in out.getvalue()
    # The new partnership's slug comes from its name; the name finds it too.
    name = "Lichfield District Community Safety Partnership"
    call_command(*export, name, "--output", str(again), stderr=io.StringIO())

    if fmt == "csv":
        assert again.read_bytes() == first.read_bytes()
    else:
        assert xlsx_cells(again.read_bytes()) == xlsx_cells(first.read_bytes())
    assert plan_export(Plan.objects.get(), "json")[0] == json_before
    # All seven priorities come back, in order, including the five with no actions yet.
    plan = Plan.objects.get()
    assert plan.priorities.count() == 7
    assert list(plan.partnership.themes.values_list("name", flat=True)) == [
        "Early Intervention and Prevention",
        "Managing Perpetrators",
        "Supporting Victims and Witnesses",
        "Public Confidence",
    ]


def test_the_demo_plan_exported_as_json_lists_every_row(db):
    call_command("load_demo", "--no-users", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "export_plan", "--partnership", "Lichfield District Community Safety Partnership",
        "--period", "2021-22", "--format", "json", stdout=out,
    )  # fmt: skip
    records = json.loads(out.getvalue())
    assert len(records) == 9 + 5
    assert records[0]["priority"] == "Anti-social Behaviour (ASB)"
    assert records[-1] == {
        "partnership": "Lichfield District Community Safety Partnership",
        "plan_title": "Community Safety Delivery Plan Outline 2021 – 2022",
        "plan_start": "2021-04-01",
        "plan_end": "2022-03-31",
        "priority": "City Centre Chasetown",
        "theme": "",
        "action": "",
        "outcome": "",
        "lead_agency": "",
        "supporting_agencies": "",
        "target_date": "",
        "measure": "",
    }


# -- Generated plans.

AWKWARD = [
    '"', '""', ",", ";", "'", "=", "=SUM(A1:A2)", "+44 1543", "-", "@here", "\t", "é", "Ł",
    "–", "’", "日本", "🙂", "ß", "\n", "\r\n", "  ", "'=", "O'Brien", 'say "hi", ok',
]  # fmt: skip
CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
PIECES = st.one_of(st.text(CHARACTERS, min_size=1, max_size=6), st.sampled_from(AWKWARD))


def _text(*, multiline: bool, max_size: int, forbid: str = ""):
    """Text as the product stores it: trimmed, Unix line breaks (single-line: none at all)."""

    def shape(raw: str) -> str:
        for character in forbid:
            raw = raw.replace(character, " ")
        value = clean_text(raw) if multiline else one_line(raw)
        return value[:max_size].strip()

    return st.lists(PIECES, min_size=1, max_size=5).map("".join).map(shape).filter(bool)


NAME = _text(multiline=False, max_size=60)
AGENCY_NAME = _text(multiline=False, max_size=60, forbid=";")
DESCRIPTION = _text(multiline=True, max_size=200)
DATE = st.dates(datetime.date(2000, 1, 1), datetime.date(2098, 12, 31))


@st.composite
def plans(draw):
    agencies = draw(st.lists(AGENCY_NAME, min_size=1, max_size=5, unique_by=str.casefold))
    themes = draw(st.lists(NAME, max_size=4, unique_by=str.casefold))
    titles = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    start = draw(DATE)
    priorities = []
    for title in titles:
        actions = draw(
            st.lists(
                st.tuples(
                    st.one_of(st.none(), st.integers(0, len(themes) - 1)) if themes else st.none(),
                    DESCRIPTION,
                ),
                max_size=4,
                unique_by=lambda action: (action[0], action[1]),
            )
        )
        drawn = [draw(_action(theme, text, agencies)) for theme, text in actions]
        priorities.append((title, drawn))
    return {
        "partnership": draw(NAME),
        "title": draw(NAME),
        "start": start,
        "end": start + datetime.timedelta(days=draw(st.integers(1, 1500))),
        "agencies": agencies,
        "themes": themes,
        "theme_order": draw(st.permutations(range(len(themes)))),
        "priorities": priorities,
    }


@st.composite
def _action(draw, theme, text, agencies):
    lead = draw(st.one_of(st.none(), st.integers(0, len(agencies) - 1)))
    others = [index for index in range(len(agencies)) if index != lead]
    return {
        "theme": theme,
        "description": text,
        "lead": lead,
        "supporting": draw(st.lists(st.sampled_from(others), unique=True)) if others else [],
        "target_date": draw(st.one_of(st.none(), DATE)),
        "outcomes": draw(st.lists(st.tuples(NAME, st.one_of(st.just(""), NAME)), max_size=3)),
    }


def build(spec) -> Plan:
    partnership = Partnership.objects.create(name=spec["partnership"], slug="generated")
    agencies = [
        Agency.objects.create(name=name, slug=f"agency-{n}", short_name=f"A{n}")
        for n, name in enumerate(spec["agencies"])
    ]
    partnership.core_agencies.add(*agencies)
    themes = [
        Theme.objects.create(partnership=partnership, name=name, order=spec["theme_order"][n])
        for n, name in enumerate(spec["themes"])
    ]
    plan = Plan.objects.create(
        partnership=partnership,
        title=spec["title"],
        period_start=spec["start"],
        period_end=spec["end"],
    )
    for order, (title, actions) in enumerate(spec["priorities"], start=1):
        priority = Priority.objects.create(plan=plan, title=title, order=order)
        for position, item in enumerate(actions):
            action = Action.objects.create(
                priority=priority,
                theme=themes[item["theme"]] if item["theme"] is not None else None,
                lead_agency=agencies[item["lead"]] if item["lead"] is not None else None,
                description=item["description"],
                target_date=item["target_date"],
                order=position,
            )
            action.supporting_agencies.set([agencies[i] for i in item["supporting"]])
            for n, (text, measure) in enumerate(item["outcomes"]):
                Outcome.objects.create(action=action, description=text, measure=measure, order=n)
    return plan


def round_trip(spec, fmt: str) -> None:
    plan = build(spec)
    first = plan_export(plan, fmt)[0]
    json_before = plan_export(plan, "json")[0]
    wipe_plans()
    filename = f"plan.{fmt}"
    report = run_import(first, filename, create_missing=True)
    assert report.ok, [str(error) for error in report.errors]
    again = plan_export(Plan.objects.get(), fmt)[0]
    if fmt == "xlsx":
        assert xlsx_cells(again) == xlsx_cells(first)
    else:
        assert again == first
    assert plan_export(Plan.objects.get(), "json")[0] == json_before
    # And importing it once more changes nothing.
    assert run_import(first, filename).changes_anything is False


class Rollback(Exception):
    pass


def in_a_fresh_database(check) -> None:
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def round_trip_settings(examples: int) -> settings:
    # Each example runs in its own transaction (in_a_fresh_database), so the function-scoped
    # database fixture is safe to share. No example database: nothing is written to the tree.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@round_trip_settings(60)
@given(spec=plans())
def test_any_plan_round_trips_as_csv(db, spec):
    in_a_fresh_database(lambda: round_trip(spec, "csv"))


@round_trip_settings(25)
@given(spec=plans())
def test_any_plan_round_trips_as_xlsx(db, spec):
    in_a_fresh_database(lambda: round_trip(spec, "xlsx"))
