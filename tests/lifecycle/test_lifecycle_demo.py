"""The plan's life on the demo plan (`load_demo`): a real plan cannot go for agreement while a
priority has no action, and next year's plan copies what is left to do.

Apart from test_lifecycle.py, whose cast is made once for the whole module (tests/cast.py): the
demo's partnership is Lichfield too.
"""

from __future__ import annotations

import datetime

from actions.models import Action
from partners.models import Agency
from priorities.models import Plan
from tests.factories import ActionFactory, OutcomeFactory
from tests.lifecycle.test_lifecycle import (
    CONSULTATION,
    DRAFT,
    HOUSING,
    NEXT_YEAR_WORKSPACE_URL,
    PLAN_URL,
    fresh,
    messages_of,
    text_of,
)
from tests.snapshots import database_snapshot


def test_the_demo_plan_cannot_go_for_agreement_until_each_priority_has_an_action(
    client, demo_plan, django_user_model
):
    coordinator = django_user_model.objects.get(username="coordinator")
    client.force_login(coordinator)
    response = client.post(PLAN_URL + "stage/send/", follow=True)
    assert (
        "The plan cannot be sent for agreement yet: 5 blockers remain, starting with: "
        "The priority “Car Key Burglary and Car Theft” has no actions." in text_of(response)
    )
    assert fresh(demo_plan).status == DRAFT

    bromford = Agency.objects.get(name=HOUSING)
    for priority in demo_plan.priorities.filter(actions__isnull=True):
        action = ActionFactory(
            priority=priority,
            theme=demo_plan.partnership.themes.first(),
            lead_agency=bromford,
            description=f"Problem-solving plan for {priority.title}",
        )
        OutcomeFactory(action=action, description="Fewer incidents reported")
    response = client.post(PLAN_URL + "stage/send/")
    assert messages_of(response) == ["The plan was sent to the core agencies for agreement."]
    assert fresh(demo_plan).status == CONSULTATION


def test_start_next_year_copies_the_priorities_and_unfinished_actions(
    client, demo_plan, publish, django_user_model
):
    publish(demo_plan)
    coordinator = django_user_model.objects.get(username="coordinator")
    actions = list(
        Action.objects.filter(priority__plan=demo_plan).order_by("priority__order", "order", "pk")
    )
    completed, withdrawn, in_progress = actions[0], actions[5], actions[6]
    Action.objects.filter(pk=completed.pk).update(status=Action.Status.COMPLETED)
    Action.objects.filter(pk=withdrawn.pk).update(status=Action.Status.WITHDRAWN)
    Action.objects.filter(pk=in_progress.pk).update(
        status=Action.Status.IN_PROGRESS, target_date=datetime.date(2022, 3, 31)
    )
    OutcomeFactory(
        action=in_progress, description="Fewer repeat perpetrators", measure="MARAC referrals"
    )
    old_plan_rows = database_snapshot()
    client.force_login(coordinator)

    response = client.post(PLAN_URL + "stage/next-year/")

    assert response.status_code == 302
    assert response.url == NEXT_YEAR_WORKSPACE_URL
    assert messages_of(response) == [
        "Next year's plan was started: Community Safety Delivery Plan Outline 2022 – 2023. "
        "7 unfinished actions copied; 2 finished or withdrawn actions left behind. "
        "1 target date moved a year on."
    ]
    new_plan = Plan.objects.get(partnership=demo_plan.partnership, period_start__year=2022)
    assert new_plan.previous_plan == demo_plan
    assert new_plan.period == "2022-23"
    assert (new_plan.period_start, new_plan.period_end) == (
        datetime.date(2022, 4, 1),
        datetime.date(2023, 3, 31),
    )
    assert new_plan.deadline == datetime.date(2022, 5, 1)
    assert new_plan.status == DRAFT
    assert (new_plan.revision, new_plan.consultation_round) == (1, 0)
    assert new_plan.last_published_at is None
    assert not new_plan.versions.exists()
    assert not new_plan.agreements.exists()
    for name in ("introduction", "context", "aspirations"):
        assert getattr(new_plan, name) == getattr(demo_plan, name)

    old_priorities = list(demo_plan.priorities.order_by("order"))
    new_priorities = list(new_plan.priorities.order_by("order"))
    assert [(p.title, p.order, p.evidence) for p in new_priorities] == [
        (p.title, p.order, p.evidence) for p in old_priorities
    ]
    assert not {p.pk for p in new_priorities} & {p.pk for p in old_priorities}

    def content(action):
        return (
            action.priority.title,
            action.theme_id,
            action.description,
            action.lead_agency_id,
            sorted(a.name for a in action.supporting_agencies.all()),
            action.restricted,
            [
                (o.description, o.measure, o.baseline, o.target)
                for o in action.outcomes.order_by("order", "pk")
            ],
        )

    copies = list(
        Action.objects.filter(priority__plan=new_plan).order_by("priority__order", "order", "pk")
    )
    unfinished = [a for a in actions if a.pk not in (completed.pk, withdrawn.pk)]
    # The same actions, priority by priority in the plan's order (actions of one priority that
    # share a place, one per theme, may come in either order).
    assert sorted(map(content, copies), key=repr) == sorted(map(content, unfinished), key=repr)
    assert [(a.priority.title, a.order) for a in copies] == [
        (a.priority.title, a.order) for a in unfinished
    ]
    assert all(a.status == Action.Status.PROPOSED for a in copies)
    assert all(a.version == 1 and a.created_by == coordinator for a in copies)
    assert any(len(content(a)[4]) > 1 for a in copies)  # the agencies came along
    # The plan it came from is as it was: each of its rows is still there, unchanged.
    after = database_snapshot()
    for label in ("priorities.Plan", "priorities.Priority", "actions.Action", "actions.Outcome"):
        assert [row for row in after[label] if row in old_plan_rows[label]] == old_plan_rows[label]
