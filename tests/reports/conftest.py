"""Generated plans for the reports' tests: priorities, actions (some restricted, some completed or
withdrawn), progress updates scattered over the year, measures whose agencies leave gaps (partial
totals), commissioned services and allocations; all from a seeded random generator, so a failing
seed can be run again."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import pytest

from actions.models import Action
from priorities.models import Plan, Priority
from tests.factories import ActionFactory, PriorityFactory
from tracking.models import (
    CommissionedService,
    Figure,
    FundingAllocation,
    Measure,
    ProgressUpdate,
)
from tracking.periods import periods

RAGS = [value for value, _ in ProgressUpdate.Rag.choices]
SOURCES = [value for value, _ in CommissionedService.Source.choices]


@dataclass
class Generated:
    plan: Plan
    priorities: list[Priority]
    actions: list[Action]
    measures: list[Measure]


def generate_plan(plan: Plan, agencies: list, seed: int) -> Generated:
    rng = random.Random(seed)
    themes = list(plan.partnership.themes.order_by("order"))
    priorities = [
        PriorityFactory(plan=plan, title=f"Priority {n} (seed {seed})", order=n)
        for n in range(1, rng.randint(2, 4) + 1)
    ]
    actions = []
    for number in range(rng.randint(6, 14)):
        action = ActionFactory(
            priority=rng.choice(priorities),
            theme=rng.choice([*themes, None]),
            lead_agency=rng.choice(agencies),
            description=f"Action {number} of seed {seed}",
            restricted=rng.random() < 0.25,
            status=rng.choice(
                [Action.Status.IN_PROGRESS] * 6 + [Action.Status.COMPLETED, Action.Status.WITHDRAWN]
            ),
            target_date=rng.choice([None, datetime.date(2022, 3, 31), datetime.date(2021, 12, 1)]),
            order=number,
        )
        actions.append(action)
        for update in range(rng.randint(0, 4)):
            ProgressUpdate.objects.create(
                action=action,
                date=datetime.date(2021, 4, 1) + datetime.timedelta(days=rng.randint(0, 420)),
                rag=rng.choice(RAGS),
                percent_complete=rng.choice([None, rng.randint(0, 100)]),
                narrative=f"Update {update} of action {number} (seed {seed})",
            )
    measures = []
    for number in range(2):
        measure = Measure.objects.create(
            plan=plan,
            priority=priorities[0] if number == 0 else None,
            name=f"Measure {number} (seed {seed})",
            baseline=Decimal(rng.randint(100, 500)),
            target=Decimal(rng.randint(100, 500)),
        )
        measures.append(measure)
        reporting = rng.sample(agencies, rng.randint(1, 3))
        for start in periods(datetime.date(2020, 4, 1), datetime.date(2022, 3, 31), "quarterly"):
            for agency in reporting:
                if rng.random() < 0.8:
                    Figure.objects.create(
                        measure=measure,
                        agency=agency,
                        period_start=start,
                        value=Decimal(rng.randint(0, 300)),
                    )
    for action in rng.sample(actions, min(len(actions), 4)):
        CommissionedService.objects.create(
            action=action,
            provider=f"Provider for {action.description}",
            funding_source=rng.choice(SOURCES),
            amount=Decimal(rng.randint(100, 9000)),
        )
    for source in rng.sample(SOURCES, 2):
        FundingAllocation.objects.create(
            plan=plan, source=source, amount=Decimal(rng.randint(1000, 15000))
        )
    return Generated(plan, priorities, actions, measures)


@pytest.fixture
def generated(plan, police, council, housing, unrelated_agency, request):
    seed = getattr(request, "param", 1)
    return generate_plan(plan, [police, council, housing, unrelated_agency], seed)
