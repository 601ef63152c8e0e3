"""The plan laid out: as the seed lays it out (sections), and as a priority × theme matrix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Prefetch, QuerySet

from actions.models import Action, Outcome
from priorities.models import Plan, Priority, Theme


class InCell(Protocol):
    """What places an action in the grid: an Action, or a card of the workspace's grid."""

    priority_id: int
    theme_id: int | None


@dataclass
class ThemeRow:
    theme: Theme | None  # None: actions whose theme is not chosen yet
    actions: list[Any] = field(default_factory=list)  # Actions, or the workspace's cards

    @property
    def movable(self) -> bool:
        """Whether any action here has move buttons (the workspace's cards)."""
        return any(getattr(action, "move_url", "") for action in self.actions)


@dataclass
class PrioritySection:
    priority: Priority
    rows: list[ThemeRow]

    @property
    def action_count(self) -> int:
        return sum(len(row.actions) for row in self.rows)


def plan_actions(plan: Plan) -> QuerySet[Action]:
    """Every action of a plan with what a page shows of it, in a fixed number of queries."""
    return (
        Action.objects.filter(priority__plan=plan)
        .select_related("lead_agency", "theme", "priority__plan")
        .prefetch_related(
            "supporting_agencies",
            Prefetch("outcomes", queryset=Outcome.objects.order_by("order", "pk")),
        )
        .order_by("order", "pk")
    )


def _by_cell(actions: Iterable[InCell]) -> dict[tuple[int, int | None], list[Any]]:
    cells: dict[tuple[int, int | None], list[Any]] = {}
    for action in actions:
        cells.setdefault((action.priority_id, action.theme_id), []).append(action)
    return cells


def plan_layout(plan: Plan, actions=None) -> list[PrioritySection]:
    """Each priority a section, each theme a row; a row for actions without a theme if any."""
    themes = list(plan.partnership.themes.order_by("order", "name"))
    priorities = list(plan.priorities.order_by("order", "pk"))
    by_cell = _by_cell(plan_actions(plan) if actions is None else actions)
    sections = []
    for priority in priorities:
        rows = [ThemeRow(theme, by_cell.get((priority.pk, theme.pk), [])) for theme in themes]
        unthemed = by_cell.get((priority.pk, None))
        if unthemed:
            rows.append(ThemeRow(None, unthemed))
        sections.append(PrioritySection(priority, rows))
    return sections


@dataclass
class Matrix:
    columns: list[Theme | None]
    rows: list[PrioritySection]  # each row's cells line up with the columns


def plan_matrix(
    plan: Plan,
    actions: Iterable[InCell],
    *,
    priority: Priority | None = None,
    theme: Theme | None = None,
) -> Matrix:
    """The priority × theme grid; a "no theme yet" column when any action lacks a theme."""
    actions = list(actions)
    columns: list[Theme | None] = list(plan.partnership.themes.order_by("order", "name"))
    if theme is not None:
        columns = [theme]
    elif any(action.theme_id is None for action in actions):
        columns.append(None)
    priorities = [priority] if priority else list(plan.priorities.order_by("order", "pk"))
    by_cell = _by_cell(actions)
    rows = [
        PrioritySection(
            p, [ThemeRow(t, by_cell.get((p.pk, t.pk if t else None), [])) for t in columns]
        )
        for p in priorities
    ]
    return Matrix(columns, rows)
