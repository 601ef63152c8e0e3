"""Text as real plans have it: long actions, outcomes and measures, and measures given for an action
whose outcome is left unsaid. Real plans of other partnerships were refused for these (a measure
cell of 679 characters; measures beside a blank outcome cell). They import, and the canonical
plan file's round trip keeps them."""

from __future__ import annotations

import pytest

from actions.models import Action, Outcome
from planfiles.exporter import plan_export
from priorities.models import Plan
from tests.planfiles.conftest import csv_bytes, plan_row, run_import
from tests.planfiles.test_round_trip import wipe_plans, xlsx_cells

MEASURE = ("Number of referrals to the youth service recorded each quarter; " * 60)[:3000].strip()
ACTION = ("Work with schools, youth services and the police to reach young people. " * 80)[:5000]
OUTCOME = ("Young people at risk of being drawn into anti-social behaviour are diverted. " * 70)[
    :5000
]


def test_a_3000_character_measure_and_5000_character_texts_import(lichfield):
    report = run_import(csv_bytes([plan_row(action=ACTION, outcome=OUTCOME, measure=MEASURE)]))
    assert report.ok, [str(e) for e in report.errors]
    outcome = Outcome.objects.get(action__description=ACTION.strip())
    assert (outcome.description, outcome.measure) == (OUTCOME.strip(), MEASURE)
    assert len(MEASURE) >= 2990 and len(ACTION.strip()) >= 4990


def test_measures_without_outcomes_belong_to_the_action(lichfield):
    report = run_import(
        csv_bytes(
            [
                plan_row(outcome="", measure="Referrals made\nSchools reached"),
                plan_row(action="Second", outcome="\nSafer parks", measure="Visits\nCalls"),
            ]
        )
    )
    assert report.ok, [str(e) for e in report.errors]
    first = Action.objects.get(description=plan_row()["action"])
    assert [(o.description, o.measure) for o in first.outcomes.order_by("order")] == [
        ("", "Referrals made"),
        ("", "Schools reached"),
    ]
    second = Action.objects.get(description="Second")
    assert [(o.description, o.measure) for o in second.outcomes.order_by("order")] == [
        ("", "Visits"),
        ("Safer parks", "Calls"),
    ]
    # A measure alone is not an outcome: the action still lacks one.
    assert "no outcome" in first.blocking_gaps
    assert Action.objects.with_outcome_count().get(pk=first.pk).outcome_count == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_canonical_round_trip_keeps_long_measures_and_measures_alone(lichfield, fmt):
    rows = [
        plan_row(outcome="Fewer incidents\n", measure=f"{MEASURE}\nStands alone"),
        plan_row(action="Second", outcome="", measure="Only a measure"),
        plan_row(action="Third", outcome="\nSafer parks", measure="First alone\nCalls"),
    ]
    assert run_import(csv_bytes(rows)).ok
    plan = Plan.objects.get()
    first = plan_export(plan, fmt)[0]
    json_before = plan_export(plan, "json")[0]
    wipe_plans()
    report = run_import(first, f"plan.{fmt}", create_missing=True)
    assert report.ok, [str(e) for e in report.errors]
    again = plan_export(Plan.objects.get(), fmt)[0]
    if fmt == "xlsx":
        assert xlsx_cells(again) == xlsx_cells(first)
    else:
        assert again == first
    assert plan_export(Plan.objects.get(), "json")[0] == json_before
    measures = set(Outcome.objects.values_list("description", "measure"))
    assert ("Fewer incidents", MEASURE) in measures
    assert ("", "Stands alone") in measures
    assert ("", "Only a measure") in measures
    assert ("", "First alone") in measures


def test_an_action_with_a_measure_alone_can_still_be_edited(client, lichfield, coordinator):
    from tests.planfiles.conftest import csv_bytes as rows_of

    assert run_import(rows_of([plan_row(outcome="", measure="Referrals made")])).ok
    action = Action.objects.get(description=plan_row()["action"])
    outcome = action.outcomes.get()
    client.force_login(coordinator)
    page = client.get(f"/actions/{action.pk}/edit/").content.decode()
    assert "This measure belongs to the action" in page
    detail = client.get(action.get_absolute_url()).content.decode()
    assert "A measure of the action" in detail
    assert outcome.measure in detail
