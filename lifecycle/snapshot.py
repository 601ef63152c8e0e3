"""The whole plan as plain data: frozen into published versions, rendered, compared.

A snapshot is a dict of strings, numbers, lists and dicts only, so that it serialises to the same
JSON text every time. The public sees it through `public_view`, which leaves restricted actions as
"Restricted action led by <agency>" and nothing more.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import NotRequired, TypedDict

from actions.layout import seed_rows
from actions.models import Action, Outcome
from priorities.models import Plan
from tracking.dashboard import RagBar

FORMAT = 1


class PartnershipData(TypedDict):
    name: str
    slug: str


class PlanData(TypedDict):
    title: str
    period: str  # e.g. "2021-22"
    period_start: str  # ISO dates
    period_end: str
    deadline: str | None
    introduction: str
    context: str
    aspirations: str
    revision: int


class ThemeData(TypedDict):
    id: int
    name: str


class PriorityData(TypedDict):
    id: int
    title: str
    description: str
    evidence: str


class OutcomeData(TypedDict):
    description: str
    measure: str
    baseline: str
    target: str


class ProgressData(TypedDict):
    """How an action is going, added to a copy for display (lifecycle.document); never frozen."""

    rag: str
    label: str
    date: datetime.date
    percent: int | None


class ActionData(TypedDict):
    id: int
    priority: int  # a PriorityData's id
    theme: int | None  # a ThemeData's id
    description: str
    lead_agency: str | None  # the agencies by name
    supporting_agencies: list[str]
    target_date: str | None
    status: str  # as people read it: "In progress"
    restricted: bool
    outcomes: list[OutcomeData]
    progress: NotRequired[ProgressData]


class Snapshot(TypedDict):
    """The shape of a frozen plan: what `plan_snapshot` writes and a PublishedVersion keeps."""

    format: int
    partnership: PartnershipData
    plan: PlanData
    agencies: list[str]  # the core agencies' names
    themes: list[ThemeData]
    priorities: list[PriorityData]
    actions: list[ActionData]


def plan_snapshot(plan: Plan) -> Snapshot:
    """Everything the plan says, as it stands now, in a fixed number of queries (plain rows, no
    model instances: a plan of hundreds of actions is read in a few milliseconds)."""
    partnership = plan.partnership
    themes = partnership.themes.order_by("order", "name").values_list("pk", "name")
    priorities = plan.priorities.order_by("order", "pk").values_list(
        "pk", "title", "description", "evidence"
    )
    return {
        "format": FORMAT,
        "partnership": {"name": partnership.name, "slug": partnership.slug},
        "plan": _plan_data(plan),
        "agencies": sorted(partnership.core_agencies.values_list("name", flat=True)),
        "themes": [{"id": pk, "name": name} for pk, name in themes],
        "priorities": [
            {"id": pk, "title": title, "description": description, "evidence": evidence}
            for pk, title, description, evidence in priorities
        ],
        "actions": _actions_data(plan),
    }


def _plan_data(plan: Plan) -> PlanData:
    return {
        "title": plan.title,
        "period": plan.period,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "deadline": plan.deadline.isoformat() if plan.deadline else None,
        "introduction": plan.introduction,
        "context": plan.context,
        "aspirations": plan.aspirations,
        "revision": plan.revision,
    }


STATUS_LABELS = {value: str(label) for value, label in Action.Status.choices}


def _actions_data(plan: Plan) -> list[ActionData]:
    """The plan's actions, by priority then in their order, with their agencies and outcomes:
    three queries."""
    in_plan = {"action__priority__plan": plan}
    supporting: dict[int, list[str]] = defaultdict(list)
    through = Action.supporting_agencies.through.objects.filter(**in_plan)
    for action_id, name in through.values_list("action_id", "agency__name"):
        supporting[action_id].append(name)
    outcomes: dict[int, list[OutcomeData]] = defaultdict(list)
    rows = Outcome.objects.filter(**in_plan).order_by("action_id", "order", "pk")
    for action_id, description, measure, baseline, target in rows.values_list(
        "action_id", "description", "measure", "baseline", "target"
    ):
        outcomes[action_id].append(
            {"description": description, "measure": measure, "baseline": baseline, "target": target}
        )
    actions = (
        Action.objects.filter(priority__plan=plan)
        .order_by("priority__order", "order", "pk")
        .values_list(
            "pk", "priority_id", "theme_id", "description", "lead_agency__name", "target_date",
            "status", "restricted",
        )
    )  # fmt: skip
    return [
        {
            "id": pk,
            "priority": priority,
            "theme": theme,
            "description": description,
            "lead_agency": lead,
            "supporting_agencies": sorted(supporting.get(pk, [])),
            "target_date": target_date.isoformat() if target_date else None,
            "status": STATUS_LABELS.get(status, status),
            "restricted": restricted,
            "outcomes": outcomes.get(pk, []),
        }
        for pk, priority, theme, description, lead, target_date, status, restricted in actions
    ]


def serialise(data: Snapshot) -> tuple[str, str]:
    """Canonical JSON text and its SHA-256: the same plan always gives the same bytes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def restricted_label(action: ActionData) -> str:
    return f"Restricted action led by {action['lead_agency'] or 'an agency not yet chosen'}"


def public_view(data: Snapshot) -> Snapshot:
    """The snapshot with restricted actions reduced to who leads them."""
    public = data.copy()
    public["actions"] = [
        _reduced(action) if action["restricted"] else action for action in data["actions"]
    ]
    return public


def _reduced(action: ActionData) -> ActionData:
    return {
        "id": action["id"],
        "priority": action["priority"],
        "theme": action["theme"],
        "restricted": True,
        "description": restricted_label(action),
        "lead_agency": action["lead_agency"],
        "supporting_agencies": [],
        "target_date": None,
        "status": "",
        "outcomes": [],
    }


# -- Laying a snapshot out as the seed does: each priority a section, each theme a row.


@dataclass
class Row:
    theme: ThemeData | None
    actions: list[ActionData] = field(default_factory=list)


@dataclass
class Section:
    priority: PriorityData
    rows: list[Row]
    # How its actions are going, as a bar (added for display by lifecycle.document; None in a
    # document without progress, such as the published PDF).
    progress: RagBar | None = None

    @property
    def action_count(self) -> int:
        return sum(len(row.actions) for row in self.rows)

    @cached_property
    def key(self) -> str:
        """A digest of all the section shows (the priority, its themes, its actions with their
        progress): the plan page keeps each section's HTML under it (`{% cache %}` in
        _plan_body.html), so any change to what it shows makes a new key, and nothing has to
        be forgotten."""
        shown = [self.priority, [(row.theme, row.actions) for row in self.rows]]
        text = json.dumps(shown, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sections(data: Snapshot) -> list[Section]:
    cells: dict[tuple[int, int | None], list[ActionData]] = {}
    for action in data["actions"]:
        cells.setdefault((action["priority"], action["theme"]), []).append(action)
    themes = [(theme["id"], theme) for theme in data["themes"]]
    return [
        Section(
            priority,
            [Row(theme, row) for theme, row in seed_rows(cells, priority["id"], themes)],
        )
        for priority in data["priorities"]
    ]


# -- What changed between two versions.


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class ActionChange:
    description: str
    changes: list[FieldChange]


@dataclass
class VersionDiff:
    plan: list[FieldChange]
    priorities_added: list[str]
    priorities_removed: list[str]
    added: list[str]
    removed: list[str]
    changed: list[ActionChange]

    @property
    def is_empty(self) -> bool:
        return not any(
            [
                self.plan,
                self.priorities_added,
                self.priorities_removed,
                self.added,
                self.removed,
                self.changed,
            ]
        )


PLAN_FIELDS = [
    ("title", "Title"),
    ("introduction", "Introduction"),
    ("context", "Context"),
    ("aspirations", "Aspirations"),
    ("deadline", "Deadline"),
]


def _action_fields(action: ActionData, data: Snapshot) -> dict[str, str]:
    priorities = {p["id"]: p["title"] for p in data["priorities"]}
    themes: dict[int | None, str] = {t["id"]: t["name"] for t in data["themes"]}
    outcomes = "\n".join(
        o["description"] + (f" (measure: {o['measure']})" if o.get("measure") else "")
        for o in action["outcomes"]
    )
    return {
        "Action": action["description"],
        "Priority": priorities.get(action["priority"], ""),
        "Theme": themes.get(action["theme"], "(none)"),
        "Lead agency": action["lead_agency"] or "(none)",
        "Supporting agencies": ", ".join(action["supporting_agencies"]) or "(none)",
        "Target date": action["target_date"] or "(none)",
        "Status": action["status"],
        "Restricted": "Yes" if action["restricted"] else "No",
        "Outcomes": outcomes or "(none)",
    }


def compare(old: Snapshot, new: Snapshot) -> VersionDiff:
    """Actions added, removed and changed (field by field) from one snapshot to another."""
    plan_changes = [
        FieldChange(label, str(old["plan"].get(key) or ""), str(new["plan"].get(key) or ""))
        for key, label in PLAN_FIELDS
        if old["plan"].get(key) != new["plan"].get(key)
    ]
    old_priorities = {p["id"]: p["title"] for p in old["priorities"]}
    new_priorities = {p["id"]: p["title"] for p in new["priorities"]}
    old_actions = {a["id"]: a for a in old["actions"]}
    new_actions = {a["id"]: a for a in new["actions"]}
    changed = []
    for pk in old_actions.keys() & new_actions.keys():
        before = _action_fields(old_actions[pk], old)
        after = _action_fields(new_actions[pk], new)
        fields = [FieldChange(k, before[k], after[k]) for k in before if before[k] != after[k]]
        if fields:
            changed.append(ActionChange(new_actions[pk]["description"], fields))
    changed.sort(key=lambda change: change.description)
    return VersionDiff(
        plan=plan_changes,
        priorities_added=[new_priorities[k] for k in new_priorities.keys() - old_priorities.keys()],
        priorities_removed=[
            old_priorities[k] for k in old_priorities.keys() - new_priorities.keys()
        ],
        added=sorted(
            new_actions[k]["description"] for k in new_actions.keys() - old_actions.keys()
        ),
        removed=sorted(
            old_actions[k]["description"] for k in old_actions.keys() - new_actions.keys()
        ),
        changed=changed,
    )
