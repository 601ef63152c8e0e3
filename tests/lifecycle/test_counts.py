"""The workspace's and the readiness page's counts agree, as both come from lifecycle/readiness.py:
"N empty cells" is the number of cells the workspace's grid marks "Gap: no actions", and the
readiness page's "Gaps to consider" the same number."""

from __future__ import annotations

import html
import re

from django.http import HttpResponse

from lifecycle.readiness import plan_readiness
from tests.factories import ActionFactory, OutcomeFactory

PLAN = "/plans/lichfield/2021-22/"


def text_of(response: HttpResponse) -> str:
    assert response.status_code == 200
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def gaps_badge(readiness_page: str) -> int:
    return int(re.search(r"Gaps to consider (\d+)", readiness_page).group(1))


def test_the_demo_plans_empty_cells_are_counted_alike_everywhere(
    client, demo_plan, django_user_model
) -> None:
    client.force_login(django_user_model.objects.get(username="coordinator"))
    workspace = text_of(client.get(PLAN + "workspace/"))
    readiness_page = text_of(client.get(PLAN + "readiness/"))
    readiness = plan_readiness(demo_plan)

    # Five priorities have no action at all: their twenty cells are gaps, and the priorities
    # block the plan.
    gaps = workspace.count("Gap: no actions")
    assert gaps == 20
    assert readiness.empty_cell_count == gaps
    assert readiness.blocker_count == 5
    assert "5 blockers, 20 empty cells, 9 of 9 core agencies yet to agree." in workspace
    assert gaps_badge(readiness_page) == gaps
    assert "Show the 20 empty cells" in readiness_page
    assert readiness_page.count(": no action — Add an action") == gaps


def test_a_priority_with_some_actions_counts_only_its_empty_themes(
    client, plan, priority, action, coordinator
) -> None:
    client.force_login(coordinator)
    workspace = text_of(client.get(PLAN + "workspace/"))
    assert workspace.count("Gap: no actions") == 3
    assert "0 blockers, 3 empty cells, 4 of 4 core agencies yet to agree." in workspace
    assert gaps_badge(text_of(client.get(PLAN + "readiness/"))) == 3


def test_the_no_theme_yet_column_has_no_gaps(client, plan, priority, action, coordinator) -> None:
    """Actions without a theme open a "No theme yet" column; its empty cells are not gaps in the
    plan (no theme is missing an action there), so neither the grid nor the counts say so."""
    unthemed = ActionFactory(priority=priority, theme=None, lead_agency=action.lead_agency)
    OutcomeFactory(action=unthemed)
    other = plan.priorities.create(title="Domestic Abuse", order=priority.order + 1)
    client.force_login(coordinator)
    response = client.get(PLAN + "workspace/")
    workspace = text_of(response)
    assert "No theme yet" in workspace
    # The first priority's three empty themes, and the four of the priority with no actions.
    assert workspace.count("Gap: no actions") == 3 + 4
    assert plan_readiness(plan).empty_cell_count == 7
    assert "2 blockers, 7 empty cells" in workspace  # the unthemed action, the empty priority
    assert f'id="cell-{other.pk}-none" class=""' in response.content.decode()
