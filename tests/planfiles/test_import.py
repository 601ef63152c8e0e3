"""Importing a plan file: what is found, created, changed and left alone."""

from __future__ import annotations

import datetime

import pytest

from actions.history import action_history
from actions.models import Action, Outcome
from partners.models import Agency, Partnership
from priorities.models import Plan, Priority, Theme
from tests.factories import AgencyFactory, UserFactory
from tests.planfiles.conftest import csv_bytes, plan_row, run_import
from tests.snapshots import database_snapshot

NEW = "Street-based outreach for young people at risk"


def test_a_new_action_is_created_with_its_agencies_outcomes_and_measures(lichfield, coordinator):
    rows = [
        plan_row(
            outcome="Fewer young people drawn into ASB\nMore referrals to youth services",
            measure="ASB incidents (police)\nReferrals made",
            supporting_agencies="LDC; Bromford Housing Group",
        )
    ]
    report = run_import(csv_bytes(rows), user=coordinator)
    assert report.ok, report.errors
    action = Action.objects.get(description=NEW)
    assert action.priority.title == "Anti-social Behaviour (ASB)"
    assert action.theme.name == "Early Intervention and Prevention"
    assert action.lead_agency.name == "Staffordshire Police"
    assert sorted(a.short_name for a in action.supporting_agencies.all()) == ["Bromford", "LDC"]
    assert action.target_date == datetime.date(2022, 3, 31)
    assert action.created_by == coordinator
    assert list(action.outcomes.values_list("description", "measure", "order")) == [
        ("Fewer young people drawn into ASB", "ASB incidents (police)", 1),
        ("More referrals to youth services", "Referrals made", 2),
    ]
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)


def test_names_match_by_name_or_short_name_whatever_the_case_and_spaces(lichfield):
    row = plan_row(
        theme="  prevention ",
        lead_agency=" POLICE",
        supporting_agencies="lichfield district council ;  bromford",
    )
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    action = Action.objects.get(description=NEW)
    assert action.theme.name == "Early Intervention and Prevention"
    assert action.lead_agency.name == "Staffordshire Police"
    assert action.supporting_agencies.count() == 2


def test_a_full_name_wins_over_another_agencys_short_name(lichfield, partnership):
    # "Police" is the short name of Staffordshire Police, and the full name of another agency.
    named_police = AgencyFactory(name="Police", short_name="BTP", slug="btp")
    partnership.core_agencies.add(named_police)
    report = run_import(csv_bytes([plan_row(lead_agency="police")]))
    assert report.ok, report.errors
    assert Action.objects.get(description=NEW).lead_agency == named_police


def test_an_ambiguous_short_name_asks_for_the_full_name(lichfield, partnership):
    partnership.core_agencies.add(AgencyFactory(name="Probation North", short_name="Probation"))
    partnership.core_agencies.add(AgencyFactory(name="Probation South", short_name="Probation"))
    report = run_import(csv_bytes([plan_row(lead_agency="Probation")]))
    assert [e.column for e in report.errors] == ["lead_agency"]
    assert "could be “Probation North” or “Probation South”" in report.errors[0].message


def test_a_blank_theme_and_lead_agency_are_allowed(lichfield):
    report = run_import(csv_bytes([plan_row(theme="", lead_agency="", supporting_agencies="")]))
    assert report.ok, report.errors
    action = Action.objects.get(description=NEW)
    assert action.theme is None and action.lead_agency is None


def test_an_unknown_priority_is_created_at_the_end(lichfield, priority):
    report = run_import(csv_bytes([plan_row(priority="Serious Violence; Knife Crime")]))
    assert report.ok, report.errors
    created = Priority.objects.get(plan=lichfield, title="Serious Violence; Knife Crime")
    assert created.order > priority.order
    assert report.priorities_created == ["Serious Violence; Knife Crime"]
    assert created.history.count() == 1


def test_a_row_with_only_a_priority_creates_the_priority_without_an_action(lichfield):
    action_columns = ("theme", "action", "outcome", "lead_agency", "supporting_agencies")
    row = plan_row(priority="Fraud") | dict.fromkeys(action_columns, "")
    row |= {"target_date": "", "measure": ""}
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    assert Priority.objects.filter(plan=lichfield, title="Fraud").exists()
    assert not Action.objects.filter(priority__title="Fraud").exists()


def test_reimporting_the_same_file_changes_nothing(lichfield):
    data = csv_bytes([plan_row(), plan_row(action="Second", theme="", lead_agency="")])
    assert run_import(data).created == 2
    before = database_snapshot()
    report = run_import(data)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert not report.changes_anything
    assert database_snapshot() == before


def test_a_matching_action_is_updated_and_keeps_its_outcomes_baselines(lichfield, action):
    outcome = action.outcomes.get()
    outcome.baseline, outcome.target = "120 reports", "100 reports"
    outcome.save()
    row = plan_row(
        action=action.description,
        lead_agency="LDC",
        supporting_agencies="Police",
        outcome=f"{outcome.description}\nFewer repeat callers",
        measure="Triage time\nRepeat calls",
        target_date="2021-12-31",
    )
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    action.refresh_from_db()
    assert action.lead_agency.short_name == "LDC"
    assert [a.short_name for a in action.supporting_agencies.all()] == ["Police"]
    assert action.target_date == datetime.date(2021, 12, 31)
    assert action.version == 2
    outcome.refresh_from_db()
    assert (outcome.measure, outcome.baseline, outcome.target) == (
        "Triage time",
        "120 reports",
        "100 reports",
    )
    assert action.outcomes.count() == 2
    changes = report.rows[0].changes
    assert "Lead agency: Staffordshire Police → Lichfield District Council" in changes
    assert "Outcome added: “Fewer repeat callers”" in changes


def test_an_outcome_the_file_no_longer_lists_is_removed_with_history(lichfield, action):
    row = plan_row(action=action.description, lead_agency="Police", supporting_agencies="LDC")
    row |= {"outcome": "A new outcome", "measure": "", "target_date": ""}
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    assert list(action.outcomes.values_list("description", flat=True)) == ["A new outcome"]
    assert "Outcome removed: “Quicker more effective responses”" in report.rows[0].changes
    assert Outcome.history.filter(history_type="-").count() == 1


def test_actions_the_file_does_not_list_are_left_alone(lichfield, action):
    report = run_import(csv_bytes([plan_row()]))
    assert report.ok
    assert Action.objects.filter(pk=action.pk).exists()
    assert Action.objects.count() == 2


def test_import_history_records_who_and_the_supporting_agencies(lichfield, coordinator, action):
    run_import(csv_bytes([plan_row()]), user=coordinator)
    created = Action.objects.get(description=NEW)
    record = created.history.get()
    assert record.history_type == "+"
    assert record.history_user == coordinator
    assert [a.agency.short_name for a in record.supporting_agencies.all()] == ["LDC"]
    assert created.outcomes.get().history.get().history_user == coordinator
    # A later change shows as a change of agencies, not as agencies appearing from nowhere.
    row = plan_row(supporting_agencies="LDC; Bromford")
    run_import(csv_bytes([row]), user=coordinator)
    entries = action_history(created.pk)
    assert entries[0].what == "Changed the action"
    [change] = [c for c in entries[0].changes if c.field == "Supporting agencies"]
    assert change.old == "Lichfield District Council"
    assert change.new == "Bromford Housing Group, Lichfield District Council"


def test_new_actions_go_at_the_end_of_their_cell(lichfield, action):
    run_import(csv_bytes([plan_row(), plan_row(action="Another")]))
    cell = Action.objects.filter(priority=action.priority, theme=action.theme).order_by("order")
    assert [a.description for a in cell] == [action.description, NEW, "Another"]


def test_an_inactive_agency_cannot_lead_a_new_action(lichfield, police):
    police.active = False
    police.save()
    report = run_import(csv_bytes([plan_row()]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "lead_agency")]
    assert "Staffordshire Police is inactive" in report.errors[0].message


def test_the_plan_keeps_its_title_and_a_note_says_so(lichfield):
    report = run_import(csv_bytes([plan_row(plan_title="Another title")]))
    assert report.ok
    lichfield.refresh_from_db()
    assert lichfield.title == "Community Safety Delivery Plan"
    assert "keeps its title" in report.warnings[0]


def test_a_missing_plan_is_created_as_a_draft(partnership, police, council):
    row = plan_row(plan_start="2022-04-01", plan_end="2023-03-31", plan_title="Plan 2022-23")
    report = run_import(csv_bytes([row]))
    assert report.ok, report.errors
    plan = Plan.objects.get(partnership=partnership)
    assert (plan.period, plan.title, plan.status) == ("2022-23", "Plan 2022-23", "draft")
    assert report.plan_created


def test_a_plan_with_the_same_period_label_but_other_dates_is_refused(lichfield):
    report = run_import(csv_bytes([plan_row(plan_start="2021-05-01", plan_end="2022-04-30")]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "plan_start")]
    assert "already has a plan for 2021-22" in report.errors[0].message


def test_create_missing_creates_agencies_themes_and_the_partnership(db):
    row = plan_row(
        partnership="Cannock Chase CSP",
        theme="Enforcement",
        lead_agency="Cannock Chase Council",
        supporting_agencies="Staffordshire Police; Cannock Chase Council Housing",
    )
    report = run_import(csv_bytes([row]), create_missing=True)
    assert report.ok, report.errors
    partnership = Partnership.objects.get(name="Cannock Chase CSP")
    assert partnership.slug == "cannock-chase-csp"
    assert sorted(partnership.core_agencies.values_list("name", flat=True)) == [
        "Cannock Chase Council",
        "Cannock Chase Council Housing",
        "Staffordshire Police",
    ]
    assert list(partnership.themes.values_list("name", flat=True)) == ["Enforcement"]
    assert Agency.objects.get(name="Cannock Chase Council").slug == "cannock-chase-council"


def test_create_missing_lets_a_known_agency_join_the_partnership(lichfield, other_agency):
    report = run_import(csv_bytes([plan_row(lead_agency="WMP")]), create_missing=True)
    assert report.ok, report.errors
    assert report.agencies_joining == ["West Mercia Police"]
    assert lichfield.partnership.core_agencies.filter(pk=other_agency.pk).exists()


def test_a_dry_run_reports_without_saving(lichfield):
    before = database_snapshot()
    report = run_import(csv_bytes([plan_row(priority="Fraud")]), dry_run=True)
    assert report.ok
    assert report.created == 1
    assert report.priorities_created == ["Fraud"]
    assert database_snapshot() == before


def test_into_a_plan_refuses_a_file_for_another_period(lichfield):
    report = run_import(
        csv_bytes([plan_row(plan_start="2020-04-01", plan_end="2021-03-31")]), into=lichfield
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "plan_start")]
    assert "this is the plan for 2021-22" in report.errors[0].message


def test_into_a_plan_refuses_a_file_for_another_partnership(lichfield, other_partnership):
    row = plan_row(partnership="Tamworth Community Safety Partnership")
    report = run_import(csv_bytes([row]), into=lichfield)
    assert [(e.row, e.column) for e in report.errors] == [(2, "partnership")]


def test_a_spreadsheet_quote_prefix_is_taken_off(lichfield):
    report = run_import(csv_bytes([plan_row(action="'=Joint work (with police)")]))
    assert report.ok
    assert Action.objects.filter(description="=Joint work (with police)").exists()


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_a_byte_order_mark(lichfield, bom):
    report = run_import(csv_bytes([plan_row()], bom=bom))
    assert report.ok, report.errors


def test_import_is_one_transaction(lichfield, monkeypatch):
    """A failure half-way through writing leaves nothing behind."""
    from planfiles import writer

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_changed_actions", explode)
    before = database_snapshot()
    with pytest.raises(RuntimeError):
        rows = [plan_row(priority="Fraud", theme="Enforcement")]
        run_import(csv_bytes(rows), create_missing=True)
    assert database_snapshot() == before
    assert not Theme.objects.filter(name="Enforcement").exists()


def test_a_user_who_is_not_signed_in_is_recorded_as_nobody(lichfield):
    from django.contrib.auth.models import AnonymousUser

    run_import(csv_bytes([plan_row()]), user=AnonymousUser())
    assert Action.objects.get(description=NEW).created_by is None


def test_an_admin_may_import_into_any_plan_and_others_only_as_the_rules_say(lichfield):
    from partners.permissions import can

    officer = UserFactory(username="officer-x")
    report = run_import(
        csv_bytes([plan_row()]), allowed=lambda plan: can(officer, "planfiles.import_plan", plan)
    )
    assert [str(e) for e in report.errors] == [
        "You may not import into the plans of Lichfield District Community Safety Partnership."
    ]
