"""Generated plans, written in each layout partnerships use, imported: the plan is the one written.

Hypothesis draws a plan (priorities, actions in themes, outcomes and measures over several lines,
measures alone, leads blank, single, several or "All", supporting agencies, target dates in every
form people write them or as words) and a way of writing it down:

- a spreadsheet (CSV or XLSX) or a Word table with a header row: columns in any order, each under
  any of its known headings, title and blank rows above;
- Word tables, one per priority, the priority from the heading or bold paragraph above or from a
  merged first row;
- the seed's layout: a table per priority, a row per theme (theme, "Actions", "Outcomes", …), the
  actions under it with their first cell blank;
- a workbook whose priorities are merged rows across the sheet.

The import's plan must be exactly the drawn plan.
"""

from __future__ import annotations

import datetime
import string

from hypothesis import event, given
from hypothesis import strategies as st

from planfiles.columns import SYNONYMS
from tests.planfiles.conftest_layouts import actions_of, import_into
from tests.planfiles.documents import Heading, Para, Sheet, Table, csv, word, xlsx
from tests.planfiles.test_round_trip import in_a_fresh_database, round_trip_settings

POLICE, COUNCIL = "Staffordshire Police", "Lichfield District Council"
HOUSING, HUMANKIND = "Bromford Housing Group", "Humankind"
CORE = (POLICE, COUNCIL, HOUSING, HUMANKIND)
WRITTEN_AGENCIES = {
    POLICE: ("Staffordshire Police", "Police", "police"),
    COUNCIL: ("LDC", "Lichfield District Council"),
    HOUSING: ("Bromford", "Bromford Housing Group"),
    HUMANKIND: ("Humankind",),
}
THEMES = {
    "Early Intervention and Prevention": ("Prevention", "Early Intervention and Prevention"),
    "Managing Perpetrators": ("Perpetrators", "managing perpetrators"),
    "Supporting Victims and Witnesses": ("Victims",),
    "Public Confidence": ("Public Confidence", "Confidence"),
}
PRIORITIES = ("Anti-social Behaviour (ASB)", "Domestic Abuse", "County Lines", "Fraud")
EVERYONE = ("All", "All partners", "All agencies", "CSP")
ROLES = (
    "priority",
    "theme",
    "action",
    "outcome",
    "measure",
    "lead_agency",
    "supporting_agencies",
    "target_date",
)
MONTHS = [datetime.date(2021, 1, 1).replace(month=m).strftime("%B") for m in range(1, 13)]

WORDS = st.text(string.ascii_letters + "éô’–", min_size=1, max_size=8)
TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)


@st.composite
def target_dates(draw):
    """(what the cell says, the date, the timescale)."""
    kind = draw(st.sampled_from(["blank", "iso", "dmy", "long", "month", "quarter", "words"]))
    if kind == "blank":
        return "", None, ""
    if kind == "words":
        words = draw(st.sampled_from(["Ongoing", "Annual", "Quarterly", "Each school holiday"]))
        return words, None, words
    if kind == "quarter":
        quarter = draw(st.integers(1, 4))
        ends = {1: (2021, 6, 30), 2: (2021, 9, 30), 3: (2021, 12, 31), 4: (2022, 3, 31)}
        sep = draw(st.sampled_from(["-", "/"]))
        return f"Q{quarter} 2021{sep}22", datetime.date(*ends[quarter]), ""
    if kind == "month":
        month = draw(st.integers(1, 12))
        date = datetime.date(2022, month % 12 + 1, 1) if month < 12 else datetime.date(2023, 1, 1)
        date -= datetime.timedelta(days=1)
        return f"{MONTHS[month - 1]} {date.year}", date, ""
    date = draw(st.dates(datetime.date(2021, 4, 1), datetime.date(2023, 3, 31)))
    written = {
        "iso": date.isoformat(),
        "dmy": f"{date.day:02d}/{date.month:02d}/{date.year}",
        "long": f"{date.day} {MONTHS[date.month - 1]} {date.year}",
    }[kind]
    return written, date, ""


@st.composite
def actions(draw, number: int):
    theme = draw(st.sampled_from(sorted(THEMES)))
    outcome, measure = TEXT.map("Outcome ".__add__), TEXT.map("Measure ".__add__)
    # An outcome with or without its measure, or a measure alone.
    pair = st.one_of(
        st.tuples(outcome, st.one_of(st.just(""), measure)), st.tuples(st.just(""), measure)
    )
    outcomes = draw(st.lists(pair, max_size=3))
    lead_kind = draw(st.sampled_from(["blank", "one", "several", "everyone"]))
    leads = {"blank": [], "one": [draw(st.sampled_from(CORE))], "everyone": []}.get(lead_kind)
    if leads is None:
        leads = draw(st.lists(st.sampled_from(CORE), min_size=2, max_size=2, unique=True))
    others = [agency for agency in CORE if agency not in leads]
    supporting = draw(st.lists(st.sampled_from(others), unique=True, max_size=2))
    if lead_kind == "everyone":
        lead_cell = draw(st.sampled_from(EVERYONE))
        expected_lead, expected_supporting = "", sorted(CORE)
    else:
        names = [draw(st.sampled_from(WRITTEN_AGENCIES[agency])) for agency in leads]
        lead_cell = draw(st.sampled_from([" / ", ", ", "; "])).join(names)
        expected_lead = leads[0] if leads else ""
        expected_supporting = sorted(set(supporting) | set(leads[1:]))
    written_supporting = draw(st.sampled_from(["; ", ", "])).join(
        draw(st.sampled_from(WRITTEN_AGENCIES[agency])) for agency in supporting
    )
    date_cell, date, timescale = draw(target_dates())
    return {
        "description": f"Action {number} " + draw(TEXT),
        "theme_written": draw(st.sampled_from(THEMES[theme])),
        "theme": theme,
        "outcome_cell": "\n".join(outcome for outcome, _ in outcomes),
        "measure_cell": "\n".join(measure for _, measure in outcomes),
        "outcomes": outcomes,
        "lead_cell": lead_cell,
        "supporting_cell": written_supporting,
        "date_cell": date_cell,
        "expected": {
            "theme": theme,
            "outcomes": outcomes,
            "lead": expected_lead,
            "supporting": expected_supporting,
            "target_date": date,
            "timescale": timescale,
        },
    }


@st.composite
def plans(draw):
    titles = draw(st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=3, unique=True))
    numbers = iter(range(1, 100))
    priorities = []
    for title in titles:
        drawn = draw(st.lists(actions(next(numbers)), min_size=1, max_size=3))
        # In a layout grouped by theme, actions come theme by theme.
        drawn.sort(key=lambda action: action["theme"])
        for action in drawn:
            action["description"] = f"Action {next(numbers)} {action['description']}"
        priorities.append((title, drawn))
    return priorities


def cells_of(action: dict, priority: str) -> dict[str, str]:
    return {
        "priority": priority,
        "theme": action["theme_written"],
        "action": action["description"],
        "outcome": action["outcome_cell"],
        "measure": action["measure_cell"],
        "lead_agency": action["lead_cell"],
        "supporting_agencies": action["supporting_cell"],
        "target_date": action["date_cell"],
    }


@st.composite
def header_rows(draw, plan, *, with_priority: bool = True):
    roles = [role for role in ROLES if with_priority or role != "priority"]
    order = draw(st.permutations(roles))
    headings = [draw(st.sampled_from((role, *SYNONYMS[role]))) for role in order]
    headings = [draw(st.sampled_from([h, h.upper(), h.lower() + ":"])) for h in headings]
    rows = [headings]
    for priority, drawn in plan:
        for action in drawn:
            cells = cells_of(action, priority)
            rows.append([cells[role] for role in order])
    return rows


@st.composite
def documents(draw, plan):
    """(bytes, file name) of the plan in one of the layouts."""
    layout = draw(
        st.sampled_from(["csv", "xlsx", "docx-rows", "docx-tables", "docx-seed", "xlsx-merged"])
    )
    breaks = draw(st.sampled_from(["paragraphs", "runs"]))
    event(layout)
    if layout in ("csv", "xlsx"):
        rows = draw(header_rows(plan))
        titles = draw(
            st.lists(st.sampled_from([["Lichfield CSP plan"], [], ["Draft"]]), max_size=4)
        )
        rows = titles + rows
        return (
            (csv(rows), "plan.csv")
            if layout == "csv"
            else (xlsx([Sheet("Plan", rows)]), "plan.xlsx")
        )
    if layout == "docx-rows":
        rows = draw(header_rows(plan))
        return word([Heading("Action plan", 1), Table(rows, breaks=breaks)]), "plan.docx"
    if layout == "xlsx-merged":
        rows = draw(header_rows(plan, with_priority=False))
        header, body = rows[0], iter(rows[1:])
        sheet_rows, merges = [header], []
        for priority, drawn in plan:
            sheet_rows.append([priority] + [""] * (len(header) - 1))
            merges.append(f"A{len(sheet_rows)}:{chr(64 + len(header))}{len(sheet_rows)}")
            sheet_rows += [next(body) for _ in drawn]
        return xlsx([Sheet("Plan", sheet_rows, merges=merges)]), "plan.xlsx"
    blocks: list = [Heading("Community safety plan", 1)]
    for priority, drawn in plan:
        if layout == "docx-seed":
            blocks.append(
                Table(_seed_rows(draw, priority, drawn), merges=[((0, 0), (0, 6))], breaks=breaks)
            )
            continue
        rows = draw(header_rows([(priority, drawn)], with_priority=False))
        where = draw(st.sampled_from(["heading", "bold", "merged"]))
        if where == "merged":
            blocks.append(
                Table(
                    [[priority] * len(rows[0]), *rows],
                    merges=[((0, 0), (0, len(rows[0]) - 1))],
                    breaks=breaks,
                )
            )
        else:
            blocks.append(Heading(priority, 2) if where == "heading" else Para(priority, bold=True))
            blocks.append(Table(rows, breaks=breaks))
    return word(blocks), "plan.docx"


def _seed_rows(draw, priority: str, drawn: list[dict]) -> list[list[str]]:
    extra = ["Measure", "Lead", "Partners", "By when"]
    rows = [[priority] + [""] * 6]
    theme = None
    for action in drawn:
        if action["theme"] != theme:
            theme = action["theme"]
            rows.append([action["theme_written"], "Actions", "Outcomes", *extra])
        cells = cells_of(action, priority)
        rows.append(
            [
                "",
                cells["action"],
                cells["outcome"],
                cells["measure"],
                cells["lead_agency"],
                cells["supporting_agencies"],
                cells["target_date"],
            ]
        )
    return rows


def check(lichfield, plan, document) -> None:
    data, filename = document
    report = import_into(lichfield, data, filename)
    assert report.ok, [str(error) for error in report.errors]
    found = actions_of(lichfield)
    for priority, drawn in plan:
        for action in drawn:
            assert found.pop(action["description"]) == action["expected"] | {"priority": priority}
    assert set(found) == {"Triaging of ASB reports to key agencies"}  # the conftest plan's own


@round_trip_settings(60)
@given(data=st.data())
def test_a_plan_written_in_any_layout_imports_as_written(lichfield, data):
    plan = data.draw(plans())
    document = data.draw(documents(plan))
    in_a_fresh_database(lambda: check(lichfield, plan, document))
