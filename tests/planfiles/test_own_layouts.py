"""Plans laid out their own way: spreadsheets and Word tables read by their headings.

Each test builds a small document (tests/planfiles/documents.py), imports it into the conftest
plan as the plan's import page does, and compares the plan with what the document says: column
orders and synonyms, title rows, merged cells, line breaks, leads (blank, several, "All"), each
way of writing a date, and what a person may say about columns (`--column`).
"""

from __future__ import annotations

import datetime

import pytest

from actions.models import Action
from partners.models import Agency
from planfiles.columns import SYNONYMS, heading_key, parse_choices
from planfiles.format import PlanFileRefused, read_plan_file
from tests.planfiles.conftest_layouts import actions_of, import_into, imported
from tests.planfiles.documents import Heading, Para, Sheet, Table, csv, word, xlsx
from tests.snapshots import database_snapshot

ASB = "Anti-social Behaviour (ASB)"
EIP = "Early Intervention and Prevention"
PC = "Public Confidence"
POLICE, COUNCIL = "Staffordshire Police", "Lichfield District Council"
HOUSING, HUMANKIND = "Bromford Housing Group", "Humankind"
OUTREACH = "Street-based outreach for young people at risk"
PATROLS = "Joint patrols in the city centre"
TRIAGING = "Triaging of ASB reports to key agencies"  # the conftest plan's own action

# -- Columns: any order, any of the known headings.


HEADINGS = {
    "priority": "Priority",
    "theme": "Theme",
    "action": "Action",
    "outcome": "Outcome",
    "measure": "Measure",
    "lead_agency": "Lead agency",
    "supporting_agencies": "Supporting agencies",
    "target_date": "Target date",
}
VALUES = {
    "priority": ASB,
    "theme": "Prevention",
    "action": OUTREACH,
    "outcome": "Fewer young people drawn into ASB",
    "measure": "Referrals made",
    "lead_agency": "Police",
    "supporting_agencies": "LDC",
    "target_date": "31/03/2022",
}
EXPECTED = {
    "priority": ASB,
    "theme": EIP,
    "outcomes": [("Fewer young people drawn into ASB", "Referrals made")],
    "lead": POLICE,
    "supporting": [COUNCIL],
    "target_date": datetime.date(2022, 3, 31),
    "timescale": "",
}


def sheet_rows(order: list[str], headings: dict[str, str] | None = None) -> list[list[str]]:
    headings = HEADINGS | (headings or {})
    return [[headings[role] for role in order], [VALUES[role] for role in order]]


@pytest.mark.parametrize(
    "order",
    [
        list(HEADINGS),
        list(reversed(HEADINGS)),
        ["action", "lead_agency", "priority", "target_date", "outcome", "theme", "measure"]
        + ["supporting_agencies"],
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx"])
def test_columns_are_found_in_any_order(lichfield, order, kind):
    rows = sheet_rows(order)
    data = {"csv": lambda: csv(rows), "xlsx": lambda: xlsx([Sheet("Plan", rows)])}.get(
        kind, lambda: word([Table(rows)])
    )()
    imported(import_into(lichfield, data, f"plan.{kind}"))
    assert actions_of(lichfield)[OUTREACH] == EXPECTED


@pytest.mark.parametrize(
    "headings",
    [
        {
            "action": "What we will do",
            "outcome": "Expected outcome(s)",
            "lead_agency": "Lead organisation",
            "supporting_agencies": "Partners",
            "target_date": "By when",
            "measure": "How we will measure",
        },
        {
            "action": "ACTIVITY:",
            "outcome": "Outcomes",
            "lead_agency": "Owner",
            "supporting_agencies": "Support",
            "target_date": "Deadline",
            "measure": "Performance measure",
            "priority": "Strategic priority",
            "theme": "Strand",
        },
        {
            "action": "Action(s)",
            "outcome": "outcome",
            "lead_agency": "lead",
            "supporting_agencies": "Supporting agencies",
            "target_date": "Timescale",
            "measure": "Indicator",
        },
    ],
)
def test_columns_are_known_by_their_synonyms_case_and_punctuation_aside(lichfield, headings):
    imported(import_into(lichfield, csv(sheet_rows(list(HEADINGS), headings)), "plan.csv"))
    assert actions_of(lichfield)[OUTREACH] == EXPECTED


def test_every_documented_synonym_names_its_role():
    from planfiles.columns import role_of

    for role, names in SYNONYMS.items():
        for name in names:
            assert role_of(name, {})[0] == role, name


def test_a_column_we_do_not_know_is_left_out_and_said_so(lichfield):
    rows = sheet_rows(list(HEADINGS))
    rows[0].append("Resources needed")
    rows[1].append("£500")
    report = import_into(lichfield, csv(rows), "plan.csv")
    imported(report)
    assert "The file: the column “Resources needed” is not imported" in " ".join(report.notes)
    assert actions_of(lichfield)[OUTREACH] == EXPECTED


def test_a_known_column_not_imported_is_left_out_quietly(lichfield):
    rows = sheet_rows(list(HEADINGS))
    rows[0][:0] = ["Ref", "RAG status"]
    rows[1][:0] = ["1.1", "Green"]
    report = import_into(lichfield, csv(rows), "plan.csv")
    imported(report)
    assert report.notes == []


# -- Title rows above the header (searched in the first 10 rows).


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_header_may_sit_below_a_title_and_blank_rows(lichfield, kind):
    rows = [["Lichfield CSP delivery plan 2021-22"], [], ["Draft for the board"], [], []]
    rows += sheet_rows(list(HEADINGS))
    data = csv(rows) if kind == "csv" else xlsx([Sheet("Plan", rows, merges=["A1:H1"])])
    report = import_into(lichfield, data, f"plan.{kind}")
    imported(report)
    assert actions_of(lichfield)[OUTREACH] == EXPECTED
    # Rows keep the sheet's numbers: the action is on row 7.
    assert [row.number for row in report.rows] == [7]


def test_a_header_below_the_first_ten_rows_is_not_found(lichfield):
    rows = [["Title"]] + [[""]] * 10 + sheet_rows(list(HEADINGS))
    with pytest.raises(PlanFileRefused) as refused:
        read_plan_file(csv(rows), kind="csv", filename="plan.csv")
    assert "None of the first 10 rows is a header row" in refused.value.message


def test_the_title_row_names_a_new_plan(db, tmp_path, partnership):
    from io import StringIO

    from django.core.management import call_command

    from priorities.models import Plan

    path = tmp_path / "plan.xlsx"
    rows = [["Lichfield CSP Delivery Plan 2022-23"], *sheet_rows(list(HEADINGS))]
    path.write_bytes(xlsx([Sheet("Plan", rows)]))
    call_command(
        "import_plan", str(path), "--partnership", partnership.name, "--period", "2022-23",
        stdout=StringIO(),
    )  # fmt: skip
    plan = Plan.objects.get(partnership=partnership)
    assert plan.title == "Lichfield CSP Delivery Plan 2022-23"
    assert (plan.period_start, plan.period_end) == (
        datetime.date(2022, 4, 1),
        datetime.date(2023, 3, 31),
    )
    assert actions_of(plan)[OUTREACH]["lead"] == POLICE


# -- Merged cells, grouped rows and continuation rows.


def grouped_rows() -> list[list[str]]:
    """Priority and theme written once for the rows they group (blank below)."""
    return [
        ["Priority", "Theme", "Action", "Outcome", "Lead"],
        [ASB, "Prevention", OUTREACH, "Fewer young people drawn into ASB", "Police"],
        ["", "", "Diversionary sport on Friday nights", "More young people in sport", "LDC"],
        ["", PC, PATROLS, "People feel safer", "Police"],
        ["Domestic Abuse", "Victims", "Refuge places", "More survivors housed", "Bromford"],
    ]


@pytest.mark.parametrize("merged", [False, True])
def test_a_blank_priority_or_theme_repeats_the_one_above_as_merged_cells_do(lichfield, merged):
    rows = grouped_rows()
    merges = ["A2:A4", "B2:B3"] if merged else []
    imported(import_into(lichfield, xlsx([Sheet("Plan", rows, merges=merges)]), "plan.xlsx"))
    found = actions_of(lichfield)
    assert (
        found["Diversionary sport on Friday nights"]["priority"],
        found[PATROLS]["priority"],
    ) == (
        ASB,
        ASB,
    )
    assert found["Diversionary sport on Friday nights"]["theme"] == EIP
    assert found[PATROLS]["theme"] == PC
    assert found["Refuge places"]["priority"] == "Domestic Abuse"
    assert found["Refuge places"]["lead"] == HOUSING


def test_a_merged_row_across_a_sheet_names_the_priority_of_the_rows_below(lichfield):
    rows = [
        ["Action", "Outcome", "Theme", "Lead"],
        [ASB, "", "", ""],
        [OUTREACH, "Fewer young people drawn into ASB", "Prevention", "Police"],
        ["County Lines", "", "", ""],
        ["Disrupt drug lines", "Fewer lines", "Perpetrators", "Police"],
    ]
    data = xlsx([Sheet("Plan", rows, merges=["A2:D2", "A4:D4"])])
    imported(import_into(lichfield, data, "plan.xlsx"))
    found = actions_of(lichfield)
    assert found[OUTREACH]["priority"] == ASB
    assert found["Disrupt drug lines"]["priority"] == "County Lines"
    assert found["Disrupt drug lines"]["theme"] == "Managing Perpetrators"
    assert set(found) == {OUTREACH, "Disrupt drug lines", TRIAGING}


def test_rows_without_an_action_add_outcomes_and_measures_to_the_action_above(lichfield):
    rows = [
        ["Priority", "Action", "Outcome", "Measure", "Partners"],
        [ASB, OUTREACH, "Fewer young people drawn into ASB", "", "LDC"],
        ["", "", "", "Referrals made", ""],
        ["", "", "Safer parks", "Calls about parks", "Bromford"],
    ]
    imported(import_into(lichfield, csv(rows), "plan.csv"))
    found = actions_of(lichfield)[OUTREACH]
    assert found["outcomes"] == [
        ("Fewer young people drawn into ASB", ""),
        ("", "Referrals made"),
        ("Safer parks", "Calls about parks"),
    ]
    assert found["supporting"] == [HOUSING, COUNCIL]


def test_a_merged_action_cell_over_several_outcome_rows_is_one_action(lichfield):
    rows = [
        ["Priority", "Action", "Outcome", "Measure"],
        [ASB, OUTREACH, "Fewer young people drawn into ASB", "Referrals"],
        ["", "", "Safer parks", "Calls about parks"],
    ]
    data = word([Table(rows, merges=[((1, 1), (2, 1)), ((1, 0), (2, 0))])])
    imported(import_into(lichfield, data, "plan.docx"))
    assert actions_of(lichfield)[OUTREACH]["outcomes"] == [
        ("Fewer young people drawn into ASB", "Referrals"),
        ("Safer parks", "Calls about parks"),
    ]
    assert Action.objects.filter(description=OUTREACH).count() == 1


# -- Line breaks in a cell.


@pytest.mark.parametrize("breaks", ["paragraphs", "runs"])
@pytest.mark.parametrize("kind", ["docx", "csv"])
def test_line_breaks_separate_outcomes_and_their_measures(lichfield, breaks, kind):
    rows = [
        ["Priority", "Action", "Outcomes", "Measures"],
        [ASB, OUTREACH, "Fewer incidents\nSafer parks\n", "Incidents recorded\n\nVisits logged"],
    ]
    data = word([Table(rows, breaks=breaks)]) if kind == "docx" else csv(rows)
    imported(import_into(lichfield, data, f"plan.{kind}"))
    assert actions_of(lichfield)[OUTREACH]["outcomes"] == [
        ("Fewer incidents", "Incidents recorded"),
        ("Safer parks", ""),
        ("", "Visits logged"),
    ]


# -- Leads as real plans write them.


def lead_rows(lead: str, supporting: str = "") -> list[list[str]]:
    return [
        ["Priority", "Action", "Outcome", "Lead", "Partners"],
        [ASB, OUTREACH, "Fewer young people drawn into ASB", lead, supporting],
    ]


def test_a_blank_lead_leaves_the_lead_to_choose(lichfield):
    imported(import_into(lichfield, csv(lead_rows("")), "plan.csv"))
    assert actions_of(lichfield)[OUTREACH]["lead"] == ""


@pytest.mark.parametrize(
    ("lead", "supporting", "expected_lead", "expected_supporting"),
    [
        ("Police / LDC", "", POLICE, [COUNCIL]),
        ("Police/LDC", "", POLICE, [COUNCIL]),
        ("LDC, Police", "Bromford", COUNCIL, [HOUSING, POLICE]),
        ("Bromford Housing Group; Humankind", "LDC", HOUSING, [HUMANKIND, COUNCIL]),
        ("Police\nLDC", "", POLICE, [COUNCIL]),
    ],
)
def test_a_lead_cell_naming_several_agencies_makes_the_first_lead_and_the_others_supporting(
    lichfield, lead, supporting, expected_lead, expected_supporting
):
    report = import_into(lichfield, csv(lead_rows(lead, supporting)), "plan.csv")
    imported(report)
    found = actions_of(lichfield)[OUTREACH]
    assert found["lead"] == expected_lead
    assert found["supporting"] == sorted(expected_supporting)
    (notice,) = report.notices
    assert (notice.row, notice.column) == (2, "lead_agency")
    assert f"names several agencies: {expected_lead} leads the action" in notice.message


def test_kent_police_and_mbc_from_one_lead_cell(lichfield, partnership):
    kent = Agency.objects.create(name="Kent Police", short_name="", slug="kent-police")
    mbc = Agency.objects.create(name="Maidstone Borough Council", short_name="MBC", slug="mbc")
    partnership.core_agencies.add(kent, mbc)
    imported(import_into(lichfield, csv(lead_rows("Kent Police, MBC")), "plan.csv"))
    found = actions_of(lichfield)[OUTREACH]
    assert (found["lead"], found["supporting"]) == ("Kent Police", ["Maidstone Borough Council"])


def test_several_unknown_agencies_in_a_lead_cell_are_created_one_by_one(lichfield):
    report = import_into(
        lichfield, csv(lead_rows("Youth Trust / Parks Team")), "plan.csv", create_missing=True
    )
    imported(report)
    found = actions_of(lichfield)[OUTREACH]
    assert (found["lead"], found["supporting"]) == ("Youth Trust", ["Parks Team"])
    assert report.agencies_created == ["Youth Trust", "Parks Team"]


def test_an_agency_with_a_slash_in_its_name_is_found_whole(lichfield, partnership):
    agency = Agency.objects.create(name="Police/Fire Hub", short_name="", slug="hub")
    partnership.core_agencies.add(agency)
    report = import_into(lichfield, csv(lead_rows("Police/Fire Hub")), "plan.csv")
    imported(report)
    assert actions_of(lichfield)[OUTREACH]["lead"] == "Police/Fire Hub"
    assert report.notices == []


@pytest.mark.parametrize(
    "everyone", ["All", "All partners", "All agencies", "CSP", "all partners."]
)
def test_all_partners_leave_the_lead_blank_and_every_core_agency_supporting(lichfield, everyone):
    report = import_into(lichfield, csv(lead_rows(everyone)), "plan.csv")
    imported(report)
    found = actions_of(lichfield)[OUTREACH]
    assert found["lead"] == ""
    assert found["supporting"] == sorted([POLICE, COUNCIL, HOUSING, HUMANKIND])
    (notice,) = report.notices
    assert "names no one agency to lead: the lead is left blank" in notice.message


def test_all_partners_supporting_leaves_out_the_lead(lichfield):
    report = import_into(lichfield, csv(lead_rows("Police", "All partners")), "plan.csv")
    imported(report)
    found = actions_of(lichfield)[OUTREACH]
    assert found["lead"] == POLICE
    assert found["supporting"] == sorted([COUNCIL, HOUSING, HUMANKIND])


def test_in_the_canonical_file_a_lead_names_one_agency_unless_every_part_is_known(lichfield):
    from tests.planfiles.conftest import csv_bytes, plan_row, run_import

    report = run_import(
        csv_bytes(
            [
                plan_row(lead_agency="Police / Bromford", supporting_agencies=""),
                plan_row(action="Second", lead_agency="Youth Trust, Parks", supporting_agencies=""),
            ]
        ),
        create_missing=True,
    )
    imported(report)
    found = actions_of(lichfield)
    assert (found[OUTREACH]["lead"], found[OUTREACH]["supporting"]) == (POLICE, [HOUSING])
    assert found["Second"]["lead"] == "Youth Trust, Parks"


# -- Dates as people write them.


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("2021-10-31", datetime.date(2021, 10, 31)),
        ("31/10/2021", datetime.date(2021, 10, 31)),
        ("31 October 2021", datetime.date(2021, 10, 31)),
        ("October 2021", datetime.date(2021, 10, 31)),
        ("Q3 2021-22", datetime.date(2021, 12, 31)),
        ("Q4 2021/22", datetime.date(2022, 3, 31)),
    ],
)
@pytest.mark.parametrize("kind", ["canonical", "csv", "xlsx", "docx"])
def test_each_way_of_writing_a_date_gives_the_date(lichfield, written, date, kind):
    from tests.planfiles.conftest import csv_bytes, plan_row

    rows = [["Priority", "Action", "Target date"], [ASB, OUTREACH, written]]
    data, filename = {
        "canonical": lambda: (csv_bytes([plan_row(target_date=written)]), "plan.csv"),
        "csv": lambda: (csv(rows), "plan.csv"),
        "xlsx": lambda: (xlsx([Sheet("Plan", rows)]), "plan.xlsx"),
        "docx": lambda: (word([Table(rows)]), "plan.docx"),
    }[kind]()
    report = import_into(lichfield, data, filename)
    imported(report)
    assert actions_of(lichfield)[OUTREACH]["target_date"] == date
    assert report.notices == []


def test_a_spreadsheet_date_cell_is_a_date(lichfield):
    rows = [["Priority", "Action", "By when"], [ASB, OUTREACH, datetime.datetime(2022, 1, 31)]]
    imported(import_into(lichfield, xlsx([Sheet("Plan", rows)]), "plan.xlsx"))
    assert actions_of(lichfield)[OUTREACH]["target_date"] == datetime.date(2022, 1, 31)


@pytest.mark.parametrize("kind", ["canonical", "csv", "docx"])
@pytest.mark.parametrize("written", ["Ongoing", "Annual", "Each school holiday"])
def test_text_that_is_no_date_is_kept_as_the_timescale_with_a_notice(lichfield, kind, written):
    from tests.planfiles.conftest import csv_bytes, plan_row

    rows = [["Priority", "Action", "Timescale"], [ASB, OUTREACH, written]]
    data, filename = {
        "canonical": lambda: (csv_bytes([plan_row(target_date=written)]), "plan.csv"),
        "csv": lambda: (csv(rows), "plan.csv"),
        "docx": lambda: (word([Table(rows)]), "plan.docx"),
    }[kind]()
    report = import_into(lichfield, data, filename)
    imported(report)
    found = actions_of(lichfield)[OUTREACH]
    assert (found["target_date"], found["timescale"]) == (None, written)
    (notice,) = report.notices
    assert notice.column == "target_date"
    assert f"“{written}” is not a date: the target date is left blank" in notice.message


@pytest.mark.parametrize("written", ["2022-02-30", "31/02/2022", "Q5 2021-22", "32 March 2022"])
def test_a_date_that_cannot_be_is_an_error(lichfield, written):
    before = database_snapshot()
    rows = [["Priority", "Action", "Target date"], [ASB, OUTREACH, written]]
    report = import_into(lichfield, csv(rows), "plan.csv")
    assert database_snapshot() == before
    (error,) = report.errors
    assert (error.row, error.column) == (2, "target_date")
    assert "Correct the date" in error.message


def test_a_timescale_survives_the_canonical_round_trip(lichfield):
    from planfiles.exporter import plan_export
    from tests.planfiles.conftest import csv_bytes, plan_row, run_import

    imported(run_import(csv_bytes([plan_row(target_date="Ongoing")])))
    data = plan_export(lichfield, "csv")[0]
    assert b",Ongoing," in data
    again = run_import(data)
    assert again.ok and not again.changes_anything


# -- Choosing what a column holds.


def test_a_column_choice_names_a_heading_the_list_does_not_know(lichfield):
    rows = [["Priority", "Our commitments", "Result we want"], [ASB, OUTREACH, "Fewer incidents"]]
    with pytest.raises(PlanFileRefused):
        read_plan_file(csv(rows), kind="csv", filename="plan.csv")
    choices = parse_choices(["action=Our commitments", "outcome=Result we want"])
    report = import_into(lichfield, csv(rows), "plan.csv", columns=choices)
    imported(report)
    assert actions_of(lichfield)[OUTREACH]["outcomes"] == [("Fewer incidents", "")]
    (info,) = report.tables
    assert [(c.heading, c.role, c.how) for c in info.columns] == [
        ("Priority", "priority", "recognised"),
        ("Our commitments", "action", "chosen"),
        ("Result we want", "outcome", "chosen"),
    ]


def test_a_column_choice_overrides_the_list(lichfield):
    rows = [["Priority", "Action", "Notes"], [ASB, OUTREACH, "Referrals made"]]
    report = import_into(lichfield, csv(rows), "plan.csv", columns=parse_choices(["measure=NOTES"]))
    imported(report)
    assert actions_of(lichfield)[OUTREACH]["outcomes"] == [("", "Referrals made")]


def test_a_column_choice_with_an_unknown_role_is_refused():
    from planfiles.columns import ColumnChoiceError

    with pytest.raises(ColumnChoiceError, match="“deliverable” is not a column of a plan"):
        parse_choices(["deliverable=What"])
    with pytest.raises(ColumnChoiceError, match="is not ROLE=HEADING"):
        parse_choices(["action"])


def test_heading_keys_leave_out_case_and_punctuation():
    assert heading_key("Action(s):") == heading_key("ACTIONS") == "actions"
    assert heading_key("Victims & Witnesses") == "victims and witnesses"
    assert heading_key("lead_agency") == "lead agency"


# -- Word: every table, and where each table's priority comes from.


def table_rows(priority_column: bool = False) -> list[list[str]]:
    head = ["Theme", "Action", "Outcome", "Lead"]
    row = ["Prevention", OUTREACH, "Fewer young people drawn into ASB", "Police"]
    if priority_column:
        return [["Priority", *head], [ASB, *row]]
    return [head, row]


@pytest.mark.parametrize(
    "blocks",
    [
        [
            Heading("Action plan", 1),
            Heading(ASB, 2),
            Para("What partners will do."),
            Table(table_rows()),
        ],
        [Para(ASB, bold=True), Table(table_rows())],
        [
            Heading("Action plan", 1),
            Table([[ASB, "", "", ""], *table_rows()], merges=[((0, 0), (0, 3))]),
        ],
        [
            Heading("Domestic Abuse", 2),
            Table([[ASB, "", "", ""], *table_rows()], merges=[((0, 0), (0, 3))]),
        ],
        [Heading("Domestic Abuse", 2), Table(table_rows(priority_column=True))],
        [
            Table(
                [["Action plan 2021-22"] * 5, *table_rows(priority_column=True)],
                merges=[((0, 0), (0, 4))],
            )
        ],
    ],
    ids=["heading", "bold", "merged-row", "merged-row-wins", "column", "column-and-title"],
)
def test_a_tables_priority_comes_from_a_column_a_merged_first_row_or_the_heading_above(
    lichfield, blocks
):
    report = import_into(lichfield, word(blocks), "plan.docx")
    imported(report)
    found = actions_of(lichfield)
    assert found[OUTREACH]["priority"] == ASB
    # The conftest plan has this priority already: no other was made.
    assert list(lichfield.priorities.values_list("title", flat=True)) == [ASB]


def test_a_table_without_a_priority_is_an_error(lichfield):
    before = database_snapshot()
    report = import_into(lichfield, word([Para("Our actions"), Table(table_rows())]), "plan.docx")
    assert database_snapshot() == before
    (error,) = report.errors
    assert error.column == "priority"
    assert "Table 1 gives no priority for the actions of its rows 2" in error.message


def test_every_table_is_read_and_others_are_left_out_with_a_note(lichfield):
    contacts = Table([["Name", "Phone"], ["Casey", "01543 000000"]])
    blocks = [
        contacts,
        Heading(ASB),
        Table(table_rows()),
        Heading("County Lines"),
        Table(
            [["Theme", "Action", "Outcome"], ["Perpetrators", "Disrupt drug lines", "Fewer lines"]]
        ),
    ]
    report = import_into(lichfield, word(blocks), "plan.docx")
    imported(report)
    assert [(t.label, t.rows, t.priorities) for t in report.tables] == [
        ("Table 1", 0, []),
        ("Table 2", 1, [ASB]),
        ("Table 3", 1, ["County Lines"]),
    ]
    assert report.notes[0].startswith("Table 1 was not read: no header row")
    assert actions_of(lichfield)["Disrupt drug lines"]["priority"] == "County Lines"
    assert [str(e) for e in report.notices] == []
    assert report.rows[1].place == "Table 3, row 2"


def test_a_table_broken_by_a_page_break_carries_on_with_the_columns_above(lichfield):
    first = Table([[ASB, "", "", ""], *table_rows()], merges=[((0, 0), (0, 3))])
    second = Table([["Prevention", PATROLS, "People feel safer", "LDC"]])
    report = import_into(lichfield, word([first, Para(""), second]), "plan.docx")
    imported(report)
    found = actions_of(lichfield)
    assert (found[PATROLS]["priority"], found[PATROLS]["lead"]) == (ASB, COUNCIL)


def test_the_seed_layout_with_merged_theme_cells(lichfield):
    rows = [
        [ASB, "", ""],
        ["Early Intervention Prevention", "Actions", "Outcomes"],
        ["Early Intervention Prevention", OUTREACH, "Fewer young people drawn into ASB"],
        ["Public Confidence", "Actions", "Outcomes"],
        ["", PATROLS, "People feel safer"],
    ]
    data = word([Table(rows, merges=[((0, 0), (0, 2)), ((1, 0), (2, 0))])])
    report = import_into(lichfield, data, "plan.docx", create_missing=True)
    imported(report)
    found = actions_of(lichfield)
    assert (found[OUTREACH]["theme"], found[PATROLS]["theme"]) == (
        "Early Intervention Prevention",
        PC,
    )
    assert report.themes_created == ["Early Intervention Prevention"]


def test_a_priority_table_with_no_actions_gives_a_priority_with_no_actions(lichfield):
    rows = [["Fraud", "", ""], ["", "Actions", "Outcomes"]]
    report = import_into(lichfield, word([Table(rows, merges=[((0, 0), (0, 2))])]), "plan.docx")
    imported(report)
    assert report.priorities_created == ["Fraud"]
    assert list(lichfield.priorities.values_list("title", flat=True)) == [ASB, "Fraud"]


# -- Workbooks of several sheets.


def test_each_sheet_of_a_workbook_is_read_its_name_the_priority(lichfield):
    sheets = [
        Sheet("Read me", [["This workbook holds the plan, a sheet per priority."]]),
        Sheet("ASB", [["Theme", "Action", "Lead"], ["Prevention", OUTREACH, "Police"]]),
        Sheet(
            "County Lines",
            [["Theme", "Action", "Lead"], ["Perpetrators", "Disrupt drug lines", "Police"]],
        ),
    ]
    report = import_into(lichfield, xlsx(sheets), "plan.xlsx")
    imported(report)
    found = actions_of(lichfield)
    assert (found[OUTREACH]["priority"], found["Disrupt drug lines"]["priority"]) == (
        "ASB",
        "County Lines",
    )
    assert report.rows[0].place == "Sheet “ASB”, row 2"


# -- The plan the file gives, or not.


def test_a_file_laid_out_its_own_way_takes_the_plan_from_the_page(lichfield):
    rows = [["Priority", "Action"], [ASB, OUTREACH]]
    report = import_into(lichfield, csv(rows), "plan.csv")
    imported(report)
    assert report.plan == lichfield


def test_a_file_naming_another_partnership_is_refused_on_the_page(lichfield):
    rows = [["Partnership", "Priority", "Action"], ["Tamworth CSP", ASB, OUTREACH]]
    report = import_into(lichfield, csv(rows), "plan.csv")
    assert not report.ok
    assert "This file is for “Tamworth CSP”" in report.errors[0].message
