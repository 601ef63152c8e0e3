"""Generated plans for the benchmarks (scripts/bench_pages.py, scripts/generate_national.py).

Plans of any size, built with `bulk_create` in a handful of queries per plan, with the text real
plans have: actions of 15–45 words, one or two outcomes with a measure, up to three supporting
agencies, a target date for most. Nothing here is a test fixture: the tests build their own data.
Django must be set up before these functions are called.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

VOCABULARY = (
    "partners community safety young people hotspot areas diversionary activity referrals "
    "repeat victims domestic abuse perpetrators housing officers police patrols licensed "
    "premises night time economy safeguarding vulnerable adults county lines exploitation "
    "schools outreach mediation neighbourhood disputes anti-social behaviour reporting "
    "awareness campaign fraud scams older residents car key burglary crime prevention "
    "advice targeted visits substance misuse treatment pathways mental health support "
    "multi-agency meetings information sharing early intervention joint tasking evidence "
    "data analysis quarterly review satisfaction survey volunteers funding commissioning "
    "services partnership board delivery within agreed timescales across the district"
)
WORDS = VOCABULARY.split()


def text(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def build_plan(
    *,
    partnership: Any,
    start_year: int,
    actions: int,
    rng: random.Random,
    priorities: int = 7,
    title: str | None = None,
    status: str = "draft",
    themes: Sequence[Any] | None = None,
    agencies: Sequence[Any] | None = None,
) -> Any:
    """A plan of `partnership` for April `start_year` to March, with `priorities` priorities and
    `actions` actions spread over them and the partnership's themes (a few without a theme or a
    lead agency, as drafts have). Returns the plan; its actions are `plan_actions(plan)`."""
    from actions.models import Action, Outcome
    from priorities.models import Plan, Priority

    themes = list(themes if themes is not None else partnership.themes.order_by("order"))
    agencies = list(agencies if agencies is not None else partnership.core_agencies.all())
    plan = Plan.objects.create(
        partnership=partnership,
        title=title or f"Community Safety Delivery Plan {start_year} – {start_year + 1}",
        period_start=datetime.date(start_year, 4, 1),
        period_end=datetime.date(start_year + 1, 3, 31),
        deadline=datetime.date(start_year, 5, 1),
        status=status,
        introduction=text(rng, 60, 90),
        context=text(rng, 40, 60),
        aspirations=text(rng, 10, 20),
    )
    rows = Priority.objects.bulk_create(
        [
            Priority(
                plan=plan,
                title=f"Priority {n}: {text(rng, 2, 5)[:-1]}",
                description=text(rng, 20, 40),
                evidence="Strategic Assessment (Appendix One)",
                order=n,
            )
            for n in range(1, priorities + 1)
        ]
    )
    target = datetime.date(start_year + 1, 3, 31)
    created = Action.objects.bulk_create(
        [
            Action(
                priority=rows[n % len(rows)],
                # One action in 40 without a theme, one in 50 without a lead: drafts have gaps.
                theme=None if n % 40 == 39 else themes[n % len(themes)],
                lead_agency=None if n % 50 == 49 else agencies[n % len(agencies)],
                description=text(rng, 15, 45),
                target_date=None if n % 7 == 6 else target,
                status=rng.choice(Action.Status.values),
                order=n,
                restricted=n % 60 == 59,
            )
            for n in range(actions)
        ]
    )
    Through = Action.supporting_agencies.through
    through = []
    for action in created:
        others = [a for a in agencies if a.pk != action.lead_agency_id]
        for agency in rng.sample(others, min(len(others), rng.randint(0, 3))):
            through.append(Through(action_id=action.pk, agency_id=agency.pk))
    Through.objects.bulk_create(through, batch_size=2000)
    Outcome.objects.bulk_create(
        [
            Outcome(
                action=action,
                description=text(rng, 8, 20),
                measure=text(rng, 3, 8) if k == 0 else "",
                order=k,
            )
            for n, action in enumerate(created)
            # One action in 25 without an outcome yet.
            for k in range(0 if n % 25 == 24 else rng.randint(1, 2))
        ],
        batch_size=2000,
    )
    return plan
