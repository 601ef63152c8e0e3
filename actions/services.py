"""Changing actions: each change in one transaction, with its author on record.

Services take values, not forms: the action pages, the admin, the plan file and the demo loader
all call them, so every path checks the agencies (`Action.check_agencies`), refuses an edit made
from a stale copy (`EditConflict`), writes one history row per edit and tells the plan it was
edited (`Plan.note_edit`: in consultation, a new round of agreement).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.db.models import Max

from actions.history import Change, HistoryEntry, changes_since
from actions.models import Action, Outcome
from partners.history import history_paused, record_author, recorded_as
from partners.models import Agency
from priorities.models import Priority, Theme
from priorities.services import Direction, move_in_sequence


class EditConflict(Exception):
    """Someone else saved the action after this person opened it."""

    def __init__(self, current: Action, entry: HistoryEntry | None, changes: list[Change]):
        super().__init__("The action was changed by someone else while you were editing it.")
        self.current = current
        self.entry = entry
        self.changes = changes


class _Unset(enum.Enum):
    UNSET = "unset"


# "Leave this field as it is": for a field the person may not change (e.g. `restricted`).
UNSET: Final = _Unset.UNSET


@dataclass(frozen=True)
class OutcomeValues:
    """One outcome of an action as a person gave it: `pk` names an existing outcome to keep."""

    description: str
    measure: str = ""
    baseline: str = ""
    target: str = ""
    pk: int | None = None


OUTCOME_FIELDS = ("description", "measure", "baseline", "target")


def _next_order(priority_id: int, theme_id: int | None) -> int:
    cell = Action.objects.filter(priority_id=priority_id)
    cell = cell.filter(theme__isnull=True) if theme_id is None else cell.filter(theme_id=theme_id)
    top = cell.aggregate(top=Max("order"))["top"]
    return (top or 0) + 1


@transaction.atomic
def action_create(
    *,
    user: Any,
    priority: Priority,
    description: str,
    theme: Theme | None = None,
    lead_agency: Agency | None = None,
    supporting_agencies: Iterable[Agency] = (),
    target_date: datetime.date | None = None,
    timescale: str = "",
    status: str = Action.Status.PROPOSED,
    restricted: bool = False,
    outcomes: Sequence[OutcomeValues] = (),
) -> Action:
    supporting = list(supporting_agencies)
    action = Action(
        priority=priority,
        theme=theme,
        description=description,
        lead_agency=lead_agency,
        target_date=target_date,
        timescale=timescale,
        status=status,
        restricted=restricted,
        created_by=user,
        updated_by=user,
    )
    action.check_agencies(theme=theme, lead_agency=lead_agency, supporting_agencies=supporting)
    action.order = _next_order(priority.pk, theme.pk if theme else None)
    record_author(action, user)
    action.save()
    action.supporting_agencies.set(supporting)
    _save_outcomes(action, outcomes, user)
    priority.plan.note_edit()
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    user: Any,
    expected_version: int,
    priority: Priority | _Unset = UNSET,
    theme: Theme | None | _Unset = UNSET,
    description: str | _Unset = UNSET,
    lead_agency: Agency | None | _Unset = UNSET,
    supporting_agencies: Iterable[Agency] | _Unset = UNSET,
    target_date: datetime.date | None | _Unset = UNSET,
    timescale: str | _Unset = UNSET,
    status: str | _Unset = UNSET,
    restricted: bool | _Unset = UNSET,
    outcomes: Sequence[OutcomeValues] | _Unset = UNSET,
) -> Action:
    """Save an edit made from `expected_version`; refuse it if someone saved since.

    The row is locked while the version is compared, so two saves cannot both pass the check.
    Only the values given are applied, to the locked row: fields left UNSET (such as the order
    in its cell, or `restricted` for someone who may not set it) keep what others saved. Nothing
    is saved, and the version stays, when nothing differs.
    """
    locked = Action.objects.select_for_update().select_related("priority__plan").get(pk=action.pk)
    if locked.version != expected_version:
        raise EditConflict(locked, *changes_since(locked, expected_version))
    given = {
        "priority": priority,
        "theme": theme,
        "description": description,
        "lead_agency": lead_agency,
        "target_date": target_date,
        "timescale": timescale,
        "status": status,
        "restricted": restricted,
    }
    changed = {
        name: value
        for name, value in given.items()
        if value is not UNSET and getattr(locked, name) != value
    }
    supporting, supporting_changed = _supporting_given(locked, supporting_agencies)
    outcome_plan = None if isinstance(outcomes, _Unset) else _outcome_changes(locked, outcomes)
    if not changed and not supporting_changed and not outcome_plan:
        return locked
    _save_edit(locked, user, changed, supporting, agencies_changed=supporting_changed)
    if outcome_plan:
        _apply_outcome_changes(locked, outcome_plan, user)
    locked.priority.plan.note_edit()
    return locked


def _supporting_given(
    action: Action, agencies: Iterable[Agency] | _Unset
) -> tuple[list[Agency], bool]:
    """The supporting agencies the edit leaves (those there are, if UNSET), and whether they
    differ from those there are."""
    current = list(action.supporting_agencies.all())
    supporting = current if isinstance(agencies, _Unset) else list(agencies)
    return supporting, {a.pk for a in supporting} != {a.pk for a in current}


def _save_edit(
    action: Action,
    user: Any,
    changed: dict[str, Any],
    supporting: list[Agency],
    *,
    agencies_changed: bool,
) -> None:
    """Apply the changed fields and agencies to the locked action, check the agencies, and save
    it as its next version."""
    for name, value in changed.items():
        setattr(action, name, value)
    action.check_agencies(
        theme=action.theme, lead_agency=action.lead_agency, supporting_agencies=supporting
    )
    if changed or agencies_changed:
        _set_agencies_quietly(action, supporting)
    action.version += 1
    action.updated_by = user
    record_author(action, user)
    action.save()


def _set_agencies_quietly(action: Action, supporting: list[Agency]) -> None:
    """One history row for the edit: the agencies are set without one, then the action's save
    records the action together with its agencies."""
    with history_paused(action):
        action.supporting_agencies.set(supporting)


@dataclass
class _OutcomeChanges:
    create: list[OutcomeValues]
    update: list[tuple[Outcome, OutcomeValues]]
    delete: list[Outcome]

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)


def _outcome_changes(action: Action, wanted: Sequence[OutcomeValues]) -> _OutcomeChanges:
    """What to do to the action's outcomes so that they are the ones wanted: outcomes named by
    `pk` are kept (and changed where their text differs), others created, the rest removed."""
    existing = {outcome.pk: outcome for outcome in action.outcomes.all()}
    keep = {values.pk for values in wanted if values.pk in existing}
    return _OutcomeChanges(
        create=[values for values in wanted if values.pk not in existing],
        update=[
            (existing[values.pk], values)
            for values in wanted
            if values.pk in existing
            and any(
                getattr(existing[values.pk], name) != getattr(values, name)
                for name in OUTCOME_FIELDS
            )
        ],
        delete=[outcome for pk, outcome in existing.items() if pk not in keep],
    )


def _apply_outcome_changes(action: Action, plan: _OutcomeChanges, user: Any) -> None:
    for outcome, values in plan.update:
        for name in OUTCOME_FIELDS:
            setattr(outcome, name, getattr(values, name))
        record_author(outcome, user)
        outcome.save()
    for outcome in plan.delete:
        record_author(outcome, user)
        outcome.delete()
    _save_outcomes(action, plan.create, user)


def _save_outcomes(action: Action, outcomes: Sequence[OutcomeValues], user: Any) -> None:
    """Add outcomes to the action, after those it has."""
    top = action.outcomes.aggregate(top=Max("order"))["top"] or 0
    for order, values in enumerate(outcomes, start=top + 1):
        outcome = Outcome(
            action=action, order=order, **{name: getattr(values, name) for name in OUTCOME_FIELDS}
        )
        record_author(outcome, user)
        outcome.save()


@transaction.atomic
def action_delete(*, action: Action, user: Any) -> None:
    """Remove an action and its outcomes; the history of each (and who removed it) is kept."""
    plan = action.priority.plan
    with recorded_as(user):
        action.delete()
    plan.note_edit()


@transaction.atomic
def action_move(*, action: Action, direction: Direction, user: Any) -> bool:
    """Move an action one place up or down within its cell (priority × theme)."""
    cell = list(
        Action.objects.select_for_update()
        .filter(priority_id=action.priority_id, theme_id=action.theme_id)
        .order_by("order", "pk")
    )
    moved = move_in_sequence(cell, action.pk, direction, user)
    if moved:
        action.priority.plan.note_edit()
    return moved
