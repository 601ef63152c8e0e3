"""What an import of a plan file knows between its passes: shared by the checks and the writer.

`Row` is a row of the file checked on its own (pass 1); `Context` holds the names the rows use,
looked up, and what the import will create (pass 2); `Planned` is one row's part in the
import. The writer (planfiles/writer.py) writes what these say.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from partners.models import Agency, Partnership
from partners.names import Names
from planfiles.report import RowPlan
from priorities.models import Plan, Priority, Theme


@dataclass
class Row:
    """A row of the file, its cells cleaned and its dates and lines read."""

    number: int
    values: dict[str, str]
    start: datetime.date | None = None
    end: datetime.date | None = None
    target_date: datetime.date | None = None
    timescale: str = ""  # the target date cell's text, when it is no date ("Ongoing")
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (outcome, measure)
    supporting: list[str] = field(default_factory=list)

    @property
    def is_action(self) -> bool:
        return bool(self.values["action"])


@dataclass(eq=False)
class NewThing:
    """Something the import will create: an agency, a theme or a priority."""

    name: str
    first_row: int
    obj: Agency | Theme | Priority | None = None  # the saved object, once written

    @property
    def pk(self) -> int | None:
        return self.obj.pk if self.obj is not None else None


@dataclass
class ExistingOutcome:
    pk: int
    description: str
    measure: str
    order: int


@dataclass
class ExistingAction:
    """An action of the plan, as much of it as the import compares and changes."""

    pk: int
    priority_id: int
    theme_id: int | None
    description: str
    lead_agency_id: int | None
    target_date: datetime.date | None
    timescale: str
    order: int
    version: int
    supporting: dict[int, int] = field(default_factory=dict)  # agency id -> through row id
    outcomes: list[ExistingOutcome] = field(default_factory=list)


# An action of the plan is known by its priority, its theme and its text.
ActionKey = tuple[int, int | None, str]


@dataclass
class Context:
    """What the import knows once the names are looked up, and what it will create."""

    create_missing: bool
    # The agency names (folded) the person chose to create, one by one, in the preview.
    create_agencies: frozenset[str] = frozenset()
    partnership: Partnership | None = None
    new_partnership: Partnership | None = None
    partnership_unknown: bool = False
    plan: Plan | None = None
    new_plan: Plan | None = None
    agencies: Names[Agency] = field(default_factory=lambda: Names([]))
    themes: Names[Theme] = field(default_factory=lambda: Names([]))
    priorities: dict[str, Priority] = field(default_factory=dict)
    new_agencies: dict[str, NewThing] = field(default_factory=dict)
    new_themes: dict[str, NewThing] = field(default_factory=dict)
    new_priorities: dict[str, NewThing] = field(default_factory=dict)
    joining: dict[int, Agency] = field(default_factory=dict)
    existing: dict[ActionKey, ExistingAction] = field(default_factory=dict)
    unknown: dict[str, dict[str, None]] = field(
        default_factory=lambda: {"partnership": {}, "agency": {}, "theme": {}}
    )
    # A new plan's introduction, context and aspirations, when the file gives them (Word).
    about: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> Plan | None:
        return self.plan or self.new_plan


@dataclass
class OutcomeChanges:
    create: list[tuple[str, str, int]] = field(default_factory=list)  # description, measure, order
    update: list[tuple[ExistingOutcome, str, int]] = field(default_factory=list)
    delete: list[ExistingOutcome] = field(default_factory=list)


@dataclass
class Planned:
    """One row's part in the import: what it refers to and what will be written."""

    row: Row
    result: RowPlan
    priority: Priority | NewThing
    theme: Theme | NewThing | None = None
    lead: Agency | NewThing | None = None
    supporting: list[Agency | NewThing] = field(default_factory=list)
    existing: ExistingAction | None = None
    supporting_changed: bool = False
    outcome_changes: OutcomeChanges | None = None
    everyone: bool = False  # "All": every core agency supports the action
