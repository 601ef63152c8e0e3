"""The demo's county: Staffordshire, the police force and commissioner's area Lichfield belongs
to, and a second partnership of it, Kingsmoor, INVENTED for the demo (its name, its plan, its
agencies of its own and its figures are all made up, and say so), so that the county view has two
partnerships to put side by side, and the progress reports a published plan with progress.

Kingsmoor's plan is published, with a quarter of progress and most of a second: one action off
track, one at risk, one without its second update; one restricted action (a police operation)
that the public and the county analyst never read; an ASB measure whose latest quarter has the
police's figure but not the housing provider's (a partial total); and Locality Delivery Funding
over-committed. Two of its themes have names of its own beside the commissioner's wording.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from actions.services import OutcomeValues, action_create
from lifecycle.models import PublishedVersion
from lifecycle.snapshot import plan_snapshot, serialise
from partners.models import Agency, Area, Partnership
from priorities.models import DEFAULT_THEMES, Plan, Theme
from priorities.services import priority_create
from tracking.figures import figure_save, measure_save
from tracking.funding import commissioned_service_add, funding_allocations_save
from tracking.models import ProgressUpdate
from tracking.periods import periods
from tracking.progress import progress_record

AREA_NAME, AREA_SLUG = "Staffordshire", "staffordshire"
NAME = "Kingsmoor Community Safety Partnership (demo: invented)"
SLUG = "kingsmoor-demo"
PLAN_TITLE = "Kingsmoor Community Safety Plan 2021 – 2022 (demo)"
START, END = datetime.date(2021, 4, 1), datetime.date(2022, 3, 31)
DEADLINE = datetime.date(2021, 5, 1)
PUBLISHED = datetime.datetime(2021, 4, 28, 10, 0, tzinfo=datetime.UTC)
DEMO_NOTE = (
    "This partnership is invented for the demo: its agencies of its own, its plan and its figures "
    "are made up, so that the county view has two partnerships to compare."
)

# Agencies of its own (invented) and the county's agencies it shares with Lichfield.
OWN_AGENCIES: list[tuple[str, str, str, str]] = [
    (
        "Kingsmoor District Council (demo)",
        "KDC",
        "kingsmoor-district-council-demo",
        "district_council",
    ),
    ("Moorland Homes (demo)", "Moorland", "moorland-homes-demo", "housing_provider"),
]
SHARED_AGENCIES = [
    "Staffordshire Police",
    "Staffordshire Fire and Rescue Service",
    "Staffordshire County Council",
]
# The partnership's own names for two of the commissioner's themes.
OWN_THEME_NAMES = {
    "Managing Perpetrators": "Tackling Offending",
    "Public Confidence": "Community Reassurance",
}


@dataclass(frozen=True)
class Progress:
    date: datetime.date
    rag: str
    percent: int
    narrative: str


@dataclass(frozen=True)
class DemoAction:
    priority: str
    theme: str  # the default theme's name (before the partnership's own names)
    description: str
    outcome: OutcomeValues
    lead: str
    target: datetime.date
    progress: tuple[Progress, ...] = ()
    restricted: bool = False


ASB, DA = "Anti-social Behaviour (demo)", "Domestic Abuse (demo)"
Q1, Q2 = datetime.date(2021, 7, 6), datetime.date(2021, 10, 8)
ON, RISK, OFF = (
    ProgressUpdate.Rag.ON_TRACK,
    ProgressUpdate.Rag.AT_RISK,
    ProgressUpdate.Rag.OFF_TRACK,
)
KDC, POLICE, COUNTY = OWN_AGENCIES[0][0], "Staffordshire Police", "Staffordshire County Council"

ACTIONS: list[DemoAction] = [
    DemoAction(
        ASB,
        "Early Intervention and Prevention",
        "Youth outreach workers in the town's parks on Friday and Saturday evenings",
        OutcomeValues(
            "Fewer ASB reports from the parks", "ASB incidents", "62 a quarter", "45 a quarter"
        ),
        KDC,
        datetime.date(2022, 3, 31),
        (
            Progress(Q1, ON, 25, "Two outreach workers started in June; 140 young people met."),
            Progress(Q2, ON, 50, "Sessions run every weekend; reports from the parks down."),
        ),
    ),
    DemoAction(
        ASB,
        "Managing Perpetrators",
        "Acceptable behaviour contracts for repeat perpetrators of ASB",
        OutcomeValues("Fewer repeat perpetrators", "Repeat perpetrators", "38", "25"),
        POLICE,
        datetime.date(2021, 12, 31),
        (
            Progress(Q1, ON, 30, "Twelve contracts signed with partners present."),
            Progress(Q2, RISK, 40, "Two breaches; the panel meets less often over the summer."),
        ),
    ),
    DemoAction(
        ASB,
        "Public Confidence",
        "“You said, we did” updates in each ward every month",
        OutcomeValues("More residents who feel informed", "Residents' survey", "41%", "55%"),
        KDC,
        datetime.date(2022, 3, 31),
        (Progress(Q1, ON, 20, "The first three monthly updates went out in all wards."),),
    ),
    DemoAction(
        DA,
        "Supporting Victims and Witnesses",
        "An independent domestic violence adviser in the district's hospital",
        OutcomeValues("More survivors referred to support", "Referrals", "30 a year", "60 a year"),
        COUNTY,
        datetime.date(2022, 3, 31),
        (
            Progress(Q1, ON, 15, "Recruitment under way with the hospital trust."),
            Progress(Q2, OFF, 15, "The post was not filled: the recruitment is to be run again."),
        ),
    ),
    DemoAction(
        DA,
        "Managing Perpetrators",
        "Targeted police operation against repeat perpetrators of domestic abuse",
        OutcomeValues("Fewer repeat incidents", "Repeat incidents"),
        POLICE,
        datetime.date(2021, 9, 30),
        (Progress(Q1, ON, 60, "Operational detail is restricted."),),
        restricted=True,
    ),
]

# ASB incidents a quarter, 2020-21 Q1 to 2021-22 Q1: the housing provider has not entered the
# latest quarter yet, so its total is partial.
ASB_MEASURE: dict[str, Any] = {
    "name": "ASB incidents",
    "unit": "incidents",
    "definition": "Anti-social behaviour incidents in Kingsmoor, invented for the demo.",
    "frequency": "quarterly",
    "baseline_period": "2020-21",
    "baseline": Decimal(260),
    "target": Decimal(230),
    "target_description": "Fewer than 230 incidents a quarter by March 2022 (demo)",
}
ASB_FIGURES = {
    "Staffordshire Police": [214, 231, 205, 198, 190],
    "Moorland Homes (demo)": [48, 52, 45, 41],
}
ASB_FIRST_QUARTER = datetime.date(2020, 4, 1)

# (source, allocated, [(action's description start, provider, amount)])
FUNDING: list[tuple[str, Decimal, list[tuple[str, str, Decimal]]]] = [
    (
        "ldf",
        Decimal("10000.00"),
        [
            ("Youth outreach", "Kingsmoor Youth Trust (demo)", Decimal("8000.00")),
            ("An independent", "Moorland Advocacy (demo)", Decimal("3500.00")),
        ],
    ),
    (
        "opfcc",
        Decimal("6000.00"),
        [("Acceptable", "Restorative Kingsmoor (demo)", Decimal("2500.00"))],
    ),
]


def demo_area() -> Area:
    area, _ = Area.objects.get_or_create(slug=AREA_SLUG, defaults={"name": AREA_NAME})
    return area


@transaction.atomic
def demo_load_area(lichfield: Partnership) -> Plan:
    """Staffordshire, with Lichfield and the invented Kingsmoor in it; Kingsmoor's published plan.
    Anything already there is kept."""
    area = demo_area()
    if lichfield.area_id is None:
        lichfield.area = area
        lichfield.save(update_fields=["area"])
    partnership, _ = Partnership.objects.get_or_create(
        slug=SLUG, defaults={"name": NAME, "area": area}
    )
    agencies = {name: Agency.objects.get(name=name) for name in SHARED_AGENCIES}
    for name, short_name, slug, kind in OWN_AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(
            name=name, defaults={"short_name": short_name, "slug": slug, "kind": kind}
        )
    partnership.core_agencies.add(*agencies.values())
    themes = _themes(partnership)
    plan, created = Plan.objects.get_or_create(
        partnership=partnership,
        period_start=START,
        period_end=END,
        defaults={"title": PLAN_TITLE, "deadline": DEADLINE, "introduction": DEMO_NOTE},
    )
    if created:
        _fill(plan, agencies, themes)
    return plan


def _themes(partnership: Partnership) -> dict[str, Theme]:
    """The commissioner's four themes, two of them under names of the partnership's own (the
    commissioner's wording kept beside), by their default names."""
    themes = {}
    for order, (name, short_name, opfcc_name) in enumerate(DEFAULT_THEMES, start=1):
        themes[name], _ = Theme.objects.get_or_create(
            partnership=partnership,
            name=OWN_THEME_NAMES.get(name, name),
            defaults={"short_name": short_name, "opfcc_name": opfcc_name, "order": order},
        )
    return themes


def _fill(plan: Plan, agencies: dict[str, Agency], themes: dict[str, Theme]) -> None:
    priorities = {
        title: priority_create(plan=plan, user=None, title=title, evidence=DEMO_NOTE)
        for title in (ASB, DA)
    }
    actions = [
        (
            item,
            action_create(
                user=None,
                priority=priorities[item.priority],
                description=item.description,
                theme=themes[item.theme],
                lead_agency=agencies[item.lead],
                target_date=item.target,
                restricted=item.restricted,
                outcomes=[item.outcome],
            ),
        )
        for item in ACTIONS
    ]
    _publish(plan)
    for item, action in actions:
        for step in item.progress:
            progress_record(
                action=action,
                user=None,
                date=step.date,
                rag=step.rag,
                narrative=step.narrative,
                percent_complete=step.percent,
            )
    measure = measure_save(plan=plan, user=None, priority=priorities[ASB], **ASB_MEASURE)
    quarters = periods(ASB_FIRST_QUARTER, datetime.date(2021, 6, 30), "quarterly")
    for name, values in ASB_FIGURES.items():
        for start, value in zip(quarters, values, strict=False):
            figure_save(
                measure=measure,
                agency=agencies[name],
                period_start=start,
                value=Decimal(value),
                confidence="Demo figure (invented)",
                user=None,
            )
    amounts: dict[str, Decimal | None] = {}
    for source, allocated, services in FUNDING:
        amounts[source] = allocated
        for opening, provider, amount in services:
            commissioned_service_add(
                action=next(a for _, a in actions if a.description.startswith(opening)),
                user=None,
                provider=provider,
                amount=amount,
                funding_source=source,
            )
    funding_allocations_save(plan=plan, user=None, amounts=amounts)


def _publish(plan: Plan) -> None:
    """Published as of 28 April 2021, before its deadline: version 1 of the plan as it stands.
    (As plan_publish does it, without a person to ask or to tell: the demo's loader.)"""
    text, checksum = serialise(plan_snapshot(plan))
    PublishedVersion.objects.create(
        plan=plan, number=1, snapshot=text, checksum=checksum, published_at=PUBLISHED
    )
    plan.status = Plan.Status.AGREED
    plan.publish(at=PUBLISHED)


def demo_lichfield_funding(plan: Plan) -> None:
    """Lichfield's allocations and one commissioned service, recorded once."""
    if plan.funding_allocations.exists():
        return
    action = (
        plan.priorities.get(title="Anti-social Behaviour (ASB)")
        .actions.order_by("order", "pk")
        .first()
    )
    if action is not None:
        commissioned_service_add(
            action=action,
            user=None,
            provider="Lichfield Leisure diversionary sport sessions (demo provider)",
            amount=Decimal("12500.00"),
        )
    funding_allocations_save(
        plan=plan,
        user=None,
        amounts={"ldf": Decimal("20000.00"), "opfcc": Decimal("5000.00")},
    )
