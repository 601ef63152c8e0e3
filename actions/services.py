"""Changing actions: each change in one transaction, with its author on record."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from actions.forms import ActionForm
from actions.history import Change, HistoryEntry, changes_since
from actions.models import Action
from priorities.services import move_in_sequence, plan_edited


class EditConflict(Exception):
    """Someone else saved the action after this person opened it."""

    def __init__(self, current: Action, entry: HistoryEntry | None, changes: list[Change]):
        super().__init__("The action was changed by someone else while you were editing it.")
        self.current = current
        self.entry = entry
        self.changes = changes


def _next_order(priority_id: int, theme_id: int | None) -> int:
    top = Action.objects.filter(priority_id=priority_id, theme_id=theme_id).aggregate(
        top=Max("order")
    )["top"]
    return (top or 0) + 1


CONTENT_FIELDS = [f for f in ActionForm.Meta.fields if f != "supporting_agencies"]


@transaction.atomic
def action_create(*, form: ActionForm, outcomes, user) -> Action:
    action = form.save(commit=False)
    action.created_by = action.updated_by = user
    action.order = _next_order(action.priority_id, action.theme_id)
    action._history_user = user
    action.save()
    action.supporting_agencies.set(form.cleaned_data["supporting_agencies"])
    outcomes.instance = action
    _save_outcomes(outcomes, user)
    plan_edited(action.priority.plan)
    return action


@transaction.atomic
def action_update(*, action_id: int, form: ActionForm, outcomes, user, expected_version: int):
    """Save an edit made from `expected_version`; refuse it if someone saved since.

    The row is locked while the version is compared, so two saves cannot both pass the check.
    The form's values are applied to the locked row, so fields the form does not show (such as
    the order in its cell) keep what others saved.
    """
    action = Action.objects.select_for_update().get(pk=action_id)
    if action.version != expected_version:
        raise EditConflict(action, *changes_since(action, expected_version))
    if not form.has_changed() and not outcomes.has_changed():
        return action
    for name in CONTENT_FIELDS:
        if name in form.cleaned_data:  # a field the person may not set is not on their form
            setattr(action, name, form.cleaned_data[name])
    # One history row for the edit: the agencies are set quietly, then the save records
    # the action together with its agencies.
    action.skip_history_when_saving = True
    try:
        action.supporting_agencies.set(form.cleaned_data["supporting_agencies"])
    finally:
        del action.skip_history_when_saving
    action.version += 1
    action.updated_by = user
    action._history_user = user
    action.save()
    outcomes.instance = action
    _save_outcomes(outcomes, user)
    plan_edited(action.priority.plan)
    return action


def _save_outcomes(outcomes, user) -> None:
    for outcome in outcomes.save(commit=False):
        outcome._history_user = user
        outcome.save()
    for outcome in outcomes.deleted_objects:
        outcome._history_user = user
        outcome.delete()


@transaction.atomic
def action_delete(*, action: Action, user) -> None:
    action._history_user = user
    for outcome in action.outcomes.all():
        outcome._history_user = user
        outcome.delete()
    action.delete()
    plan_edited(action.priority.plan)


@transaction.atomic
def action_move(*, action: Action, direction: str, user) -> bool:
    """Move an action one place up or down within its cell (priority × theme)."""
    cell = list(
        Action.objects.select_for_update()
        .filter(priority_id=action.priority_id, theme_id=action.theme_id)
        .order_by("order", "pk")
    )
    moved = move_in_sequence(cell, action.pk, direction, user)
    if moved:
        plan_edited(action.priority.plan)
    return moved
