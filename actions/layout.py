"""The plan laid out as the seed lays it out: each priority a section, each theme a row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from actions.models import Action, Outcome
from priorities.models import Plan, Priority, Theme


@dataclass
class ThemeRow:
    theme: Theme | None  # None: actions whose theme is not chosen yet
    actions: list[Action] = field(default_factory=list)


@dataclass
class PrioritySection:
    priority: Priority
    rows: list[ThemeRow]

    @property
    def action_count(self) -> int:
        return sum(len(row.actions) for row in self.rows)


def plan_actions(plan: Plan):
    """Every action of a plan with what a page shows of it, in a fixed number of queries."""
    return (
        Action.objects.filter(priority__plan=plan)
        .select_related("lead_agency", "theme")
        .prefetch_related(
            "supporting_agencies",
            Prefetch("outcomes", queryset=Outcome.objects.order_by("order", "pk")),
        )
        .order_by("order", "pk")
    )


def plan_layout(plan: Plan) -> list[PrioritySection]:
    themes = list(plan.partnership.themes.order_by("order", "name"))
    priorities = list(plan.priorities.order_by("order", "pk"))
    by_cell: dict[tuple[int, int | None], list[Action]] = {}
    for action in plan_actions(plan):
        by_cell.setdefault((action.priority_id, action.theme_id), []).append(action)
    sections = []
    for priority in priorities:
        rows = [ThemeRow(theme, by_cell.get((priority.pk, theme.pk), [])) for theme in themes]
        unthemed = by_cell.get((priority.pk, None))
        if unthemed:
            rows.append(ThemeRow(None, unthemed))
        sections.append(PrioritySection(priority, rows))
    return sections
