"""Columns recognised by their headings: the one list of what plans call each column.

A spreadsheet or a Word table laid out its own way is read by its headings. Each heading is
compared with the synonyms below whatever its case and punctuation ("Action(s)", "ACTIONS:",
"action" are the same heading: `heading_key`). What the list does not know, a person names:
`import_plan --column ROLE=HEADING`, or the choice per column in the web import's preview; such a
choice wins over the list. README.md ("Plans laid out their own way") shows the same list.

The roles are the canonical plan file's columns (planfiles/format.py, `HEADER`), and `ignore`
for a column that is known but not imported (references, RAG status, progress notes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ROLES: tuple[str, ...] = (
    "priority",
    "theme",
    "action",
    "outcome",
    "measure",
    "lead_agency",
    "supporting_agencies",
    "target_date",
    "partnership",
    "plan_title",
    "plan_start",
    "plan_end",
)
IGNORE = "ignore"

# What each role is called, in words, for people choosing a column's meaning.
ROLE_LABELS: dict[str, str] = {
    "priority": "Priority",
    "theme": "Theme",
    "action": "Action",
    "outcome": "Outcome",
    "measure": "Measure",
    "lead_agency": "Lead agency",
    "supporting_agencies": "Supporting agencies",
    "target_date": "Target date",
    "partnership": "Partnership",
    "plan_title": "Plan's title",
    "plan_start": "Plan's start date",
    "plan_end": "Plan's end date",
    IGNORE: "Not imported",
}

# The headings each role is known by. Each is matched as `heading_key` makes it (case,
# punctuation and "(s)" aside), so "Action(s)" and "actions" need no entries of their own.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "priority": (
        "Priority",
        "Priorities",
        "Priority area",
        "Strategic priority",
        "Key priority",
        "Focus area",
        "Area of focus",
    ),
    "theme": (
        "Theme",
        "Themes",
        "Approach",
        "Strand",
        "Workstream",
        "Work stream",
        "OPFCC theme",
        "PFCC theme",
        "Delivery theme",
    ),
    "action": (
        "Action",
        "Actions",
        "Action(s)",
        "What we will do",
        "What will we do",
        "What are we going to do",
        "Activity",
        "Activities",
        "Task",
        "Tasks",
        "Intervention",
        "Interventions",
        "Key actions",
        "Action description",
        "Deliverable",
        "Deliverables",
    ),
    "outcome": (
        "Outcome",
        "Outcomes",
        "Outcome(s)",
        "Expected outcome",
        "Expected outcomes",
        "Intended outcome",
        "Intended outcomes",
        "Desired outcome",
        "Desired outcomes",
        "What difference will it make",
        "What success looks like",
        "Impact",
    ),
    "measure": (
        "Measure",
        "Measures",
        "Performance measure",
        "Performance measures",
        "Indicator",
        "Indicators",
        "Performance indicator",
        "Performance indicators",
        "KPI",
        "KPIs",
        "How we will measure",
        "How we will measure it",
        "How will we measure",
        "How will we measure success",
        "How success will be measured",
        "Measure of success",
        "Measures of success",
        "Success measure",
        "Success measures",
    ),
    "lead_agency": (
        "Lead",
        "Lead agency",
        "Lead agencies",
        "Lead organisation",
        "Lead organization",
        "Lead partner",
        "Lead officer",
        "Owner",
        "Action owner",
        "Responsible",
        "Responsible agency",
        "Who will lead",
    ),
    "supporting_agencies": (
        "Partners",
        "Partner",
        "Supporting agencies",
        "Supporting agency",
        "Supporting partners",
        "Support",
        "Supported by",
        "Other partners",
        "Partner agencies",
        "Key partners",
        "Partners involved",
    ),
    "target_date": (
        "Target date",
        "Target dates",
        "Timescale",
        "Timescales",
        "Timeframe",
        "Time frame",
        "By when",
        "Deadline",
        "Due date",
        "Due by",
        "Date",
        "Completion date",
        "Target completion date",
        "When",
    ),
    "partnership": ("Partnership", "CSP", "Community safety partnership"),
    "plan_title": ("Plan title", "Plan name"),
    "plan_start": ("Plan start", "Plan start date"),
    "plan_end": ("Plan end", "Plan end date"),
    IGNORE: (
        "Ref",
        "Reference",
        "No",
        "Number",
        "ID",
        "Item",
        "RAG",
        "RAG status",
        "Status",
        "Progress",
        "Progress update",
        "Update",
        "Comments",
        "Notes",
        "Resources",
        "Cost",
        "Budget",
        "Funding",
        "Risk",
        "Start date",
        "Baseline",
        "Target",
    ),
}

# A cell longer than this is never taken for a heading (it is a plan's text).
MAX_HEADING = 120
_S_IN_BRACKETS = re.compile(r"\(s\)", re.I)
_NOT_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=4096)
def heading_key(text: str) -> str:
    """A heading as headings are compared: words of letters and digits, lower case, "(s)" and
    "&" aside ("Action(s):" and "ACTIONS" are "actions"; "#" and "No." are "no")."""
    text = _S_IN_BRACKETS.sub("s", text).replace("&", " and ").replace("#", " no ")
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


KNOWN: dict[str, str] = {
    heading_key(name): role for role, names in SYNONYMS.items() for name in (*names, role)
}


class ColumnChoiceError(ValueError):
    """A `--column ROLE=HEADING` that cannot be used; the message says why."""


def parse_choices(specs: Iterable[str]) -> dict[str, str]:
    """`ROLE=HEADING` pairs, as given to import_plan, keyed by the heading's key."""
    choices: dict[str, str] = {}
    for spec in specs:
        role, sep, heading = spec.partition("=")
        role = role.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or not heading.strip():
            raise ColumnChoiceError(
                f'“{spec}” is not ROLE=HEADING: write for example --column action="What we\'ll do".'
            )
        if role not in (*ROLES, IGNORE):
            raise ColumnChoiceError(
                f"“{role}” is not a column of a plan. Use one of: {', '.join((*ROLES, IGNORE))}."
            )
        choices[heading_key(heading)] = role
    return choices


def role_of(heading: str, choices: Mapping[str, str]) -> tuple[str | None, str]:
    """A heading's role (None: not known) and how it was found: "chosen" or "recognised"."""
    if len(heading) > MAX_HEADING:
        return None, ""  # an action's or an outcome's text, not a heading
    key = heading_key(heading)
    if not key:
        return None, ""
    if key in choices:
        return choices[key], "chosen"
    if key in KNOWN:
        return KNOWN[key], "recognised"
    return None, ""


@dataclass
class ColumnInfo:
    """How one column of a table was understood, for the preview and the command's summary."""

    position: int  # 0-based
    heading: str
    role: str | None  # None: not recognised, so not imported
    how: str  # "recognised", "chosen", "layout" (the theme names of the seed's layout), ""

    @property
    def key(self) -> str:
        return heading_key(self.heading)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role] if self.role else "Not recognised: not imported"


@dataclass
class TableInfo:
    """A table of a Word document, or a sheet of a spreadsheet, as the reader understood it."""

    label: str  # "Table 2", "Sheet “Plan”", or "The file"
    columns: list[ColumnInfo] = field(default_factory=list)
    rows: int = 0  # actions found
    priorities: list[str] = field(default_factory=list)
    skipped: str = ""  # why no row was read from it, if none was
