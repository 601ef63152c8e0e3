"""Changing a plan's priorities, each change in one transaction with its author on record."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from priorities.forms import PriorityForm
from priorities.models import Plan, Priority


@transaction.atomic
def priority_create(*, plan: Plan, form: PriorityForm, user) -> Priority:
    priority = form.save(commit=False)
    priority.plan = plan
    priority.order = (plan.priorities.aggregate(top=Max("order"))["top"] or 0) + 1
    priority._history_user = user
    priority.save()
    return priority


@transaction.atomic
def priority_update(*, form: PriorityForm, user) -> Priority:
    priority = form.save(commit=False)
    priority._history_user = user
    priority.save()
    return priority


@transaction.atomic
def priority_delete(*, priority: Priority, user) -> None:
    """Remove a priority and its actions; the history of each is kept."""
    # Imported here: actions.services builds on this module.
    from actions.services import action_delete

    for action in priority.actions.all():
        action_delete(action=action, user=user)
    priority._history_user = user
    priority.delete()


def move_in_sequence(ordered: list, item_pk: int, direction: str, user) -> bool:
    """Swap an item with its neighbour above or below and renumber the sequence from 1.

    `ordered` holds the rows of one sequence (a plan's priorities, a cell's actions), locked and
    in order. False when the item is already at that end.
    """
    index = next(i for i, item in enumerate(ordered) if item.pk == item_pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.order != position:
            item.order = position
            item._history_user = user
            item.save(update_fields=["order"])
    return True


@transaction.atomic
def priority_move(*, priority: Priority, direction: str, user) -> bool:
    ordered = list(
        Priority.objects.select_for_update()
        .filter(plan_id=priority.plan_id)
        .order_by("order", "pk")
    )
    return move_in_sequence(ordered, priority.pk, direction, user)
