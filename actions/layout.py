"""The plan laid out: as the seed lays it out (sections), and as a priority × theme matrix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

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


ActionT = TypeVar("ActionT")
ThemeT = TypeVar("ThemeT")


def seed_rows(
    cells: Mapping[tuple[int, int | None], list[ActionT]],
    priority_id: int,
    themes: Iterable[tuple[int, ThemeT]],
) -> list[tuple[ThemeT | None, list[ActionT]]]:
    """A priority's rows as the seed lays them out, for the plan and a frozen version alike: each
    theme (id, theme) in order, even with no actions; then, only if there are any, the actions
    whose theme is not chosen yet. `cells`: the actions by (priority id, theme id)."""
    rows: list[tuple[ThemeT | None, list[ActionT]]] = [
        (theme, cells.get((priority_id, theme_id), [])) for theme_id, theme in themes
    ]
    unthemed = cells.get((priority_id, None))
    if unthemed:
        rows.append((None, unthemed))
    return rows


def plan_layout(plan: Plan, actions=None) -> list[PrioritySection]:
    """Each priority a section, each theme a row; a row for actions without a theme if any."""
    themes = [(theme.pk, theme) for theme in plan.partnership.themes.order_by("order", "name")]
    priorities = list(plan.priorities.order_by("order", "pk"))
    by_cell = _by_cell(plan_actions(plan) if actions is None else actions)
    return [
        PrioritySection(
            priority,
            [ThemeRow(theme, row) for theme, row in seed_rows(by_cell, priority.pk, themes)],
        )
        for priority in priorities
    ]


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
