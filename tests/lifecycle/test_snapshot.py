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


# -- The plan page keeps each section's HTML under a digest of what it shows (Section.key).


def test_the_draft_page_shows_every_change_at_once(client, demo_plan, django_user_model):
    from django.core.cache import cache

    from actions.models import Outcome
    from partners.models import Agency

    client.force_login(django_user_model.objects.get(username="coordinator"))
    url = demo_plan.get_absolute_url()

    def page() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    first = page()
    assert "Lead:</span> Staffordshire Police" in first
    kept = len(cache._cache)  # the local-memory cache: the sections are kept
    assert kept >= 7
    assert "Lead:</span> Staffordshire Police" in page()
    assert len(cache._cache) == kept  # and read again: nothing new to keep
    Agency.objects.filter(name="Staffordshire Police").update(name="Staffordshire Constabulary")
    assert "Lead:</span> Staffordshire Constabulary" in page()
    triage = Action.objects.get(priority__plan=demo_plan, description__startswith="Triaging")
    Action.objects.filter(pk=triage.pk).update(description="Triage every report within a day")
    assert "Triage every report within a day" in page()
    Outcome.objects.filter(action=triage).update(description="Answers within one working day")
    assert "Answers within one working day" in page()
    Action.objects.filter(pk=triage.pk).update(restricted=True)
    assert "Restricted: not shown to the public" in page()
