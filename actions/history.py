"""An action's record of changes, in words: who changed what, when, from what to what."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats

from actions.models import Action, Outcome
from partners.models import Agency
from priorities.models import Priority, Theme

# Fields that are bookkeeping, not content a person changed.
IGNORED = {"version", "updated_at", "created_at", "updated_by", "created_by", "order"}
OUTCOME_IGNORED = {"order", "action"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str
    changes: list[Change] = field(default_factory=list)


def _person(record) -> str:
    user = record.history_user
    if user is None:
        return "System"
    return user.get_full_name() or user.username


class _Names:
    """Looks up the names behind ids in a few queries, for showing values."""

    def __init__(self) -> None:
        self.agencies = dict(Agency.objects.values_list("pk", "name"))
        self.themes: dict[int, str] = {}
        self.priorities: dict[int, str] = {}

    def load_for(self, records) -> None:
        theme_ids = {r.theme_id for r in records if r.theme_id}
        priority_ids = {r.priority_id for r in records if r.priority_id}
        self.themes = dict(Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name"))
        self.priorities = dict(
            Priority.objects.filter(pk__in=priority_ids).values_list("pk", "title")
        )

    def show(self, model, name: str, value) -> str:
        if value in (None, "", []):
            return "(none)"
        if name == "lead_agency":
            return self.agencies.get(value, f"agency #{value}")
        if name == "theme":
            return self.themes.get(value, f"theme #{value}")
        if name == "priority":
            return self.priorities.get(value, f"priority #{value}")
        if name == "supporting_agencies":
            names = sorted(self.agencies.get(row["agency"], "?") for row in value)
            return ", ".join(names) if names else "(none)"
        model_field = model._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, datetime.date):
            return formats.date_format(value)
        return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def diff(model, old, new, names: _Names, ignored: set[str]) -> list[Change]:
    """The changes between two historical records of one object, in words."""
    delta = new.diff_against(old)
    return [
        Change(
            _label(model, change.field),
            names.show(model, change.field, change.old),
            names.show(model, change.field, change.new),
        )
        for change in delta.changes
        if change.field not in ignored
    ]


def action_history(action_id: int) -> list[HistoryEntry]:
    """Every recorded change to an action and its outcomes, newest first.

    Works for deleted actions too: the history rows outlive the action.
    """
    records = list(
        Action.history.filter(id=action_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = _Names()
    names.load_for(records)
    entries = []
    previous = None
    for record in records:
        if record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, _person(record), "Created the action"))
        elif record.history_type == "-":
            entries.append(HistoryEntry(record.history_date, _person(record), "Deleted the action"))
        elif previous is not None:
            changes = diff(Action, previous, record, names, IGNORED)
            if changes:
                entries.append(
                    HistoryEntry(
                        record.history_date, _person(record), "Changed the action", changes
                    )
                )
        previous = record
    entries.extend(_outcome_history(action_id, names))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _outcome_history(action_id: int, names: _Names) -> list[HistoryEntry]:
    records = (
        Outcome.history.filter(action_id=action_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    last_seen: dict[int, Any] = {}
    for record in records:
        who = _person(record)
        if record.history_type == "+":
            entries.append(
                HistoryEntry(record.history_date, who, f"Added the outcome “{record.description}”")
            )
        elif record.history_type == "-":
            entries.append(
                HistoryEntry(
                    record.history_date, who, f"Removed the outcome “{record.description}”"
                )
            )
        elif record.id in last_seen:
            changes = diff(Outcome, last_seen[record.id], record, names, OUTCOME_IGNORED)
            if changes:
                entries.append(
                    HistoryEntry(record.history_date, who, "Changed an outcome", changes)
                )
        last_seen[record.id] = record
    return entries


def changes_since(action: Action, version: int) -> tuple[HistoryEntry | None, list[Change]]:
    """What others changed in an action after the given version: for an edit that clashed."""
    latest = action.history.select_related("history_user").order_by("-history_date").first()
    base = action.history.filter(version=version).order_by("-history_date").first()
    if latest is None or base is None:
        return None, []
    names = _Names()
    names.load_for([latest, base])
    changes = diff(Action, base, latest, names, IGNORED)
    return HistoryEntry(latest.history_date, _person(latest), "Changed the action"), changes


@dataclass
class ActionChanges:
    description: str
    entries: list[HistoryEntry]


def plan_changes_since(plan, since: datetime.datetime) -> list[ActionChanges]:
    """What happened to a plan's actions after a moment: for agencies whose agreement an edit
    cleared, so they can see what changed before they answer again."""
    changed_ids = (
        Action.history.filter(priority__plan=plan, history_date__gt=since)
        .values_list("id", flat=True)
        .distinct()
    )
    outcome_action_ids = (
        Outcome.history.filter(action__priority__plan=plan, history_date__gt=since)
        .values_list("action_id", flat=True)
        .distinct()
    )
    result = []
    for action_id in sorted(set(changed_ids) | set(outcome_action_ids)):
        entries = [e for e in action_history(action_id) if e.when > since]
        if not entries:
            continue
        latest = Action.history.filter(id=action_id).order_by("-history_date").first()
        result.append(ActionChanges(latest.description, entries))
    return result
