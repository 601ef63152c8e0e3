"""The snapshot is read as plain rows (lifecycle/snapshot.py); it must say exactly what the plan's
model objects say, in the same order, so that a plan freezes to the same bytes as before."""

from __future__ import annotations

import datetime
import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.layout import plan_actions
from actions.models import Action
from lifecycle.snapshot import plan_snapshot
from priorities.models import Plan
from tests.factories import ActionFactory, OutcomeFactory
from tests.lifecycle.test_workspace import bulk_plan


def from_model_objects(plan: Plan) -> list[dict]:
    """The actions as the snapshot once read them: model instances, prefetched."""
    actions = plan_actions(plan).order_by("priority__order", "order", "pk")
    return [
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
        for action in actions
    ]


def test_the_snapshot_says_what_the_model_objects_say(partnership, police, council, housing):
    plan = bulk_plan(partnership, 120, seed=11)
    rng = random.Random(3)
    # Outcomes out of order, with measures, baselines and targets; a restricted action; ties in
    # the actions' order.
    for action in rng.sample(list(Action.objects.filter(priority__plan=plan)), 30):
        for order in (3, 1, 2):
            OutcomeFactory(
                action=action, order=order, measure=f"m{order}", baseline="10", target="5"
            )
    ActionFactory(
        priority=plan.priorities.first(),
        order=1,
        restricted=True,
        lead_agency=housing,
        target_date=datetime.date(2022, 1, 31),
        supporting_agencies=[police, council],
    )
    data = plan_snapshot(plan)
    assert data["actions"] == from_model_objects(plan)
    assert [t["id"] for t in data["themes"]] == list(
        partnership.themes.order_by("order", "name").values_list("pk", flat=True)
    )
    assert [p["id"] for p in data["priorities"]] == list(
        plan.priorities.order_by("order", "pk").values_list("pk", flat=True)
    )


def test_the_snapshot_takes_the_same_queries_for_any_size(partnership):
    small = bulk_plan(partnership, 5)
    with CaptureQueriesContext(connection) as few:
        plan_snapshot(small)
    small.delete()
    big = bulk_plan(partnership, 400)
    with CaptureQueriesContext(connection) as many:
        assert len(plan_snapshot(big)["actions"]) == 400
    assert len(many) == len(few)
