"""The whole plan as plain data: frozen into published versions, rendered, compared.

A snapshot is a dict of strings, numbers, lists and dicts only, so that it serialises to the same
JSON text every time. The public sees it through `public_view`, which leaves restricted actions as
"Restricted action led by <agency>" and nothing more.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from actions.layout import plan_actions
from priorities.models import Plan

FORMAT = 1


def plan_snapshot(plan: Plan) -> dict:
    """Everything the plan says, as it stands now, in a fixed number of queries."""
    partnership = plan.partnership
    themes = list(partnership.themes.order_by("order", "name"))
    priorities = list(plan.priorities.order_by("order", "pk"))
    actions = []
    for action in plan_actions(plan).order_by("priority__order", "order", "pk"):
        actions.append(
            {
                "id": action.pk,
                "priority": action.priority_id,
                "theme": action.theme_id,
                "description": action.description,
                "lead_agency": action.lead_agency.name if action.lead_agency else None,
                "supporting_agencies": sorted(a.name for a in action.supporting_agencies.all()),
                "target_date": action.target_date.isoformat() if action.target_date else None,
                "status": action.get_status_display(),
                "restricted": action.restricted,
                "outcomes": [
                    {
                        "description": o.description,
                        "measure": o.measure,
                        "baseline": o.baseline,
                        "target": o.target,
                    }
                    for o in action.outcomes.all()
                ],
            }
        )
    return {
        "format": FORMAT,
        "partnership": {"name": partnership.name, "slug": partnership.slug},
        "plan": {
            "title": plan.title,
            "period": plan.period,
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            "deadline": plan.deadline.isoformat() if plan.deadline else None,
            "introduction": plan.introduction,
            "context": plan.context,
            "aspirations": plan.aspirations,
            "revision": plan.revision,
        },
        "agencies": sorted(partnership.core_agencies.values_list("name", flat=True)),
        "themes": [{"id": t.pk, "name": t.name} for t in themes],
        "priorities": [
            {"id": p.pk, "title": p.title, "description": p.description, "evidence": p.evidence}
            for p in priorities
        ],
        "actions": actions,
    }


def serialise(data: dict) -> tuple[str, str]:
    """Canonical JSON text and its SHA-256: the same plan always gives the same bytes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def restricted_label(action: dict) -> str:
    return f"Restricted action led by {action['lead_agency'] or 'an agency not yet chosen'}"


def public_view(data: dict) -> dict:
    """The snapshot with restricted actions reduced to who leads them."""
    public = dict(data)
    public["actions"] = [
        {
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
        if action["restricted"]
        else action
        for action in data["actions"]
    ]
    return public


# -- Laying a snapshot out as the seed does: each priority a section, each theme a row.


@dataclass
class Row:
    theme: dict | None
    actions: list[dict] = field(default_factory=list)


@dataclass
class Section:
    priority: dict
    rows: list[Row]

    @property
    def action_count(self) -> int:
        return sum(len(row.actions) for row in self.rows)


def sections(data: dict) -> list[Section]:
    cells: dict[tuple[int, int | None], list[dict]] = {}
    for action in data["actions"]:
        cells.setdefault((action["priority"], action["theme"]), []).append(action)
    result = []
    for priority in data["priorities"]:
        rows = [
            Row(theme, cells.get((priority["id"], theme["id"]), [])) for theme in data["themes"]
        ]
        unthemed = cells.get((priority["id"], None))
        if unthemed:
            rows.append(Row(None, unthemed))
        result.append(Section(priority, rows))
    return result


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


def _action_fields(action: dict, data: dict) -> dict[str, str]:
    priorities = {p["id"]: p["title"] for p in data["priorities"]}
    themes = {t["id"]: t["name"] for t in data["themes"]}
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


def compare(old: dict, new: dict) -> VersionDiff:
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
