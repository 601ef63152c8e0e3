"""The demo data: Lichfield District CSP's delivery plan outline for 2021–22, as the seed has it.

The texts below are the seed's own words. The seed names no lead or supporting agencies for its
example actions; the ones given here are illustrative, so that each demo officer has actions of
their own agency to work on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from actions.services import OutcomeValues, action_create
from operations.demo_area import AREA_SLUG, demo_lichfield_funding, demo_load_area
from partners.models import Agency, Area, Membership, Partnership
from priorities.models import Plan, Priority, Theme
from priorities.services import priority_create
from tracking.figures import figure_save, measure_save
from tracking.periods import periods

PARTNERSHIP_NAME = "Lichfield District Community Safety Partnership"
PARTNERSHIP_SLUG = "lichfield"

# (name, short name, slug, kind), in the order the seed lists the core members.
AGENCIES: list[tuple[str, str, str, str]] = [
    ("Lichfield District Council", "LDC", "lichfield-district-council", "district_council"),
    ("Staffordshire Police", "Police", "staffordshire-police", "police"),
    (
        "Staffordshire Fire and Rescue Service",
        "SFRS",
        "staffordshire-fire-and-rescue",
        "fire_and_rescue",
    ),
    ("Staffordshire Probation Service", "Probation", "staffordshire-probation", "probation"),
    ("Staffordshire County Council", "SCC", "staffordshire-county-council", "county_council"),
    ("Bromford Housing Group", "Bromford", "bromford-housing-group", "housing_provider"),
    ("Support Staffordshire", "Support Staffs", "support-staffordshire", "voluntary_sector"),
    ("Pathway", "Pathway", "pathway", "voluntary_sector"),
    ("Humankind", "Humankind", "humankind", "substance_misuse"),
]

PLAN_TITLE = "Community Safety Delivery Plan Outline 2021 – 2022"
PLAN_START = datetime.date(2021, 4, 1)
PLAN_END = datetime.date(2022, 3, 31)
PLAN_DEADLINE = datetime.date(2021, 5, 1)

INTRODUCTION = (
    "The Crime and Disorder Act 1998 places obligations on the Community Safety Partnership to "
    "produce a Community Safety Plan to outline how all partners intend to work together to impact "
    "upon crime and disorder, substance misuse and reduce reoffending in the local area. The Crime "
    "and Disorder Act 1998 changed the way crime and anti-social behaviour was to be tackled, as it "
    "is recognised that in order to be effective, agencies needed to work together to address the "
    "issues collectively."
)

CONTEXT = (
    "The delivery plan for 2020 – 21 was produced prior to the Covid 19 pandemic. The impact of the "
    "pandemic has changed the outlook for the delivery of public services and realigned many "
    "priorities. This plan will need to be flexible as recovery from the pandemic commences and new "
    "issues emerge. In addition each priority identified below will have to be cognisant of the "
    "changes to perception and demand as we emerge from Covid restrictions."
)

ASPIRATIONS = "There is also a development needed in the assessment of data."

EVIDENCE = "Lichfield Community Safety Strategic Assessment 2020 (Appendix One)"

PRIORITIES: list[str] = [
    "Anti-social Behaviour (ASB)",
    "Domestic Abuse",
    "Car Key Burglary and Car Theft",
    "County Lines",
    "Fraud",
    "Vulnerable Persons – Alcohol; Mental Health; Contextual Safeguarding – Complex Cases",
    "City Centre Chasetown",
]

EIP, MP, SVW, PC = (
    "Early Intervention and Prevention",
    "Managing Perpetrators",
    "Supporting Victims and Witnesses",
    "Public Confidence",
)


@dataclass(frozen=True)
class DemoAction:
    priority: str
    theme: str
    description: str
    outcome: str
    lead: str
    supporting: tuple[str, ...] = ()


ASB, DA = PRIORITIES[0], PRIORITIES[1]

ACTIONS: list[DemoAction] = [
    DemoAction(
        ASB,
        EIP,
        "Develop or commission diversionary sporting activity in the community aimed at providing "
        "positive alternative activities for young people",
        "Reduction in ASB incidents reported in 'hotspot areas'",
        "Lichfield District Council",
        ("Support Staffordshire", "Staffordshire Police"),
    ),
    DemoAction(
        ASB,
        EIP,
        "Triaging of ASB reports to key agencies to prevent duplicated responses and ensuring the "
        "most appropriate supporting agency offers support at the earliest opportunity",
        "Quicker more effective responses at an early stage",
        "Staffordshire Police",
        ("Lichfield District Council", "Bromford Housing Group"),
    ),
    DemoAction(
        ASB,
        MP,
        "Taking swift positive action to tackle those causing anti-social behaviour to 'stop the "
        "harm' and prevent a recurrence",
        "Reduction in repeat incidences of ASB and repeat victimisation",
        "Staffordshire Police",
        ("Lichfield District Council", "Bromford Housing Group"),
    ),
    DemoAction(
        ASB,
        SVW,
        "Working closely to offer support to people suffering from ASB to ensure that they are "
        "better able to deal with the issues they are facing",
        "Better satisfaction with the ASB response",
        "Bromford Housing Group",
        ("Lichfield District Council", "Staffordshire Police"),
    ),
    DemoAction(
        ASB,
        PC,
        "Develop regular communications and messaging to the people of Lichfield District to "
        "encourage them to manage instances of ASB more effectively and seek support from the CSP "
        "as required.",
        "A community more capable of responding to and managing ASB",
        "Lichfield District Council",
        ("Staffordshire Police",),
    ),
    DemoAction(
        DA,
        EIP,
        "Ensure all reports of domestic abuse that are responded to by Staffordshire police are "
        "effectively risk assessed at source and appropriate support offered",
        "Fewer medium and high risk cases and incidents being reported",
        "Staffordshire Police",
        ("Pathway",),
    ),
    DemoAction(
        DA,
        MP,
        "Repeat perpetrators of domestic abuse to be identified and be offered support to change "
        "behaviour",
        "Reduction in repeated domestic abuse by the same perpetrator",
        "Staffordshire Probation Service",
        ("Staffordshire Police",),
    ),
    DemoAction(
        DA,
        SVW,
        "Commissioned and voluntary services to be engaged appropriately around all survivors of "
        "domestic abuse",
        "Increased numbers of survivors of domestic abuse engaging with support agencies and "
        "increasing their resilience and awareness as to how they can get help",
        "Pathway",
        ("Staffordshire County Council",),
    ),
    DemoAction(
        DA,
        PC,
        "Publicity and awareness raising around key events and times of the year, e.g. Euro 21, "
        "Christmas",
        "Increased levels of awareness and confidence that if domestic abuse occurs there is "
        "support readily available.",
        "Lichfield District Council",
        ("Staffordshire Police", "Pathway"),
    ),
]

# The baseline data set the seed asks for: ASB as the police record it and as a housing
# association handles it, quarter by quarter (illustrative figures; 2020-21 Q1 as the brief gives).
ASB_MEASURE: dict[str, Any] = {
    "name": "ASB incidents",
    "unit": "incidents",
    "definition": "Anti-social behaviour incidents reported to or handled by each agency in "
    "Lichfield District, counted once per incident by the agency that recorded it.",
    "frequency": "quarterly",
    "baseline_period": "2020-21 Q1",
    "baseline": 509,
    "target": 450,
    "target_description": "Fewer than 450 incidents a quarter across agencies by March 2022",
}
ASB_FIGURES = {
    "Staffordshire Police": [455, 480, 430, 398, 412, 468, 421, 389],
    "Bromford Housing Group": [88, 91, 84, 79, 97, 102, 93, 86],
}
ASB_FIRST_QUARTER = datetime.date(2019, 4, 1)

DEMO_PASSWORD = "demo-password-2021"

# (username, first name, last name, agency or None, may speak for the agency)
DEMO_USERS: list[tuple[str, str, str, str | None, bool]] = [
    ("coordinator", "Casey", "Coordinator", "Lichfield District Council", False),
    ("police.officer", "Priya", "Patel", "Staffordshire Police", True),
    ("bromford.officer", "Ben", "Brooks", "Bromford Housing Group", True),
    ("council.officer", "Chris", "Clarke", "Lichfield District Council", True),
    # Reads every plan of Staffordshire's partnerships (the county view), changes nothing.
    ("opfcc.analyst", "Olu", "Okafor", None, False),
]
# The demo users who are county analysts, and of which area.
DEMO_ANALYSTS = {"opfcc.analyst": AREA_SLUG}


@transaction.atomic
def demo_load_plan() -> Plan:
    """Create the Lichfield partnership and its 2021–22 plan; anything already there is kept."""
    partnership, _ = Partnership.objects.get_or_create(
        slug=PARTNERSHIP_SLUG, defaults={"name": PARTNERSHIP_NAME}
    )
    agencies = {}
    for name, short_name, slug, kind in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            name=name, defaults={"short_name": short_name, "slug": slug, "kind": kind}
        )
        agencies[name] = agency
    partnership.core_agencies.add(*agencies.values())
    themes = {theme.name: theme for theme in Theme.objects.create_defaults(partnership)}

    plan, _ = Plan.objects.get_or_create(
        partnership=partnership,
        period_start=PLAN_START,
        period_end=PLAN_END,
        defaults={
            "title": PLAN_TITLE,
            "deadline": PLAN_DEADLINE,
            "introduction": INTRODUCTION,
            "context": CONTEXT,
            "aspirations": ASPIRATIONS,
        },
    )
    # Through the same services as the pages, as the system (no person): what is there is kept.
    existing = {priority.title: priority for priority in plan.priorities.all()}
    priorities = {
        title: existing.get(title)
        or priority_create(plan=plan, user=None, title=title, evidence=EVIDENCE)
        for title in PRIORITIES
    }
    for item in ACTIONS:
        priority = priorities[item.priority]
        if not priority.actions.filter(description=item.description).exists():
            action_create(
                user=None,
                priority=priority,
                description=item.description,
                theme=themes[item.theme],
                lead_agency=agencies[item.lead],
                supporting_agencies=[agencies[name] for name in item.supporting],
                outcomes=[OutcomeValues(item.outcome)],
            )
    _load_asb_measure(plan, priorities[ASB], agencies)
    demo_lichfield_funding(plan)
    # Staffordshire, and a second (invented) partnership of it: operations/demo_area.py.
    demo_load_area(partnership)
    return plan


def _load_asb_measure(plan: Plan, priority: Priority, agencies: dict[str, Agency]) -> None:
    measure = plan.measures.filter(name=ASB_MEASURE["name"]).first() or measure_save(
        plan=plan, user=None, **ASB_MEASURE, priority=priority
    )
    quarters = periods(ASB_FIRST_QUARTER, datetime.date(2021, 3, 31), "quarterly")
    entered = set(measure.figures.values_list("agency_id", "period_start"))
    for agency_name, values in ASB_FIGURES.items():
        agency = agencies[agency_name]
        for start, value in zip(quarters, values, strict=True):
            if (agency.pk, start) not in entered:
                figure_save(
                    measure=measure,
                    agency=agency,
                    period_start=start,
                    value=Decimal(value),
                    confidence="Demo figure",
                    user=None,
                )


@transaction.atomic
def demo_load_users() -> None:
    """The demo cast, all with the demo password. Never for a production site."""
    User = get_user_model()
    partnership = Partnership.objects.get(slug=PARTNERSHIP_SLUG)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "is_staff": True,
            "is_superuser": True,
            "first_name": "Ada",
            "last_name": "Admin",
        },
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    for username, first, last, agency_name, speaks in DEMO_USERS:
        email = f"{username}@example.org"  # so a newcomer sees the e-mails they would get
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": email}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif not user.email:  # demo users loaded before they had addresses
            user.email = email
            user.save(update_fields=["email"])
        if agency_name:
            Membership.objects.get_or_create(
                user=user,
                agency=Agency.objects.get(name=agency_name),
                defaults={"may_speak_for_agency": speaks},
            )
    partnership.coordinators.add(User.objects.get(username="coordinator"))
    for username, area_slug in DEMO_ANALYSTS.items():
        Area.objects.get(slug=area_slug).analysts.add(User.objects.get(username=username))
