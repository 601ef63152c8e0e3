"""Changing a plan's priorities, each change in one transaction with its author on record.

Services take values, not forms: pages, the admin, the plan file and the demo loader all call
them, so every path numbers, records and counts an edit the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.db.models import Max

from partners.history import record_author, recorded_as
from priorities.models import Plan, Priority

Direction = Literal["up", "down"]


@transaction.atomic
def priority_create(
    *, plan: Plan, user: Any, title: str, description: str = "", evidence: str = ""
) -> Priority:
    priority = Priority(
        plan=plan,
        title=title,
        description=description,
        evidence=evidence,
        order=(plan.priorities.aggregate(top=Max("order"))["top"] or 0) + 1,
    )
    record_author(priority, user)
    priority.full_clean()
    priority.save()
    plan.note_edit()
    return priority


@transaction.atomic
def priority_update(
    *, priority: Priority, user: Any, title: str, description: str, evidence: str
) -> Priority:
    priority.title, priority.description, priority.evidence = title, description, evidence
    record_author(priority, user)
    priority.full_clean()
    priority.save()
    priority.plan.note_edit()
    return priority


@transaction.atomic
def priority_delete(*, priority: Priority, user: Any) -> None:
    """Remove a priority and its actions; the history of each (and who removed it) is kept."""
    with recorded_as(user):
        priority.delete()
    priority.plan.note_edit()


def move_in_sequence(ordered: list[Any], item_pk: int, direction: Direction, user: Any) -> bool:
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
            record_author(item, user)
            item.save(update_fields=["order"])
    return True


@transaction.atomic
def priority_move(*, priority: Priority, direction: Direction, user: Any) -> bool:
    ordered = list(
        Priority.objects.select_for_update()
        .filter(plan_id=priority.plan_id)
        .order_by("order", "pk")
    )
    moved = move_in_sequence(ordered, priority.pk, direction, user)
    if moved:
        priority.plan.note_edit()
    return moved
