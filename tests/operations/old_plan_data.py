"""The Lichfield 2021–22 plan, published and tracked through the year, written into a database
at an earlier migration state through that state's own (historical) models.

It uses no model class of today's code, so it fills the schema the migrations built, not the
one the models describe now. Models are looked up by class name in whichever of our apps holds
them in that state, so the data still fits once a model has moved to another app.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.db.migrations.state import StateApps
from django.db.models import Model
from django.db.models.fields.files import FieldFile

AT = datetime.datetime(2021, 4, 1, 9, 30, tzinfo=datetime.UTC)
HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}

# (name, short name, slug, kind): the partnership's nine core agencies.
AGENCIES = [
    ("Lichfield District Council", "LDC", "lichfield-district-council", "district_council"),
    ("Staffordshire Police", "Police", "staffordshire-police", "police"),
    ("Staffordshire Fire and Rescue Service", "SFRS", "staffordshire-fire", "fire_and_rescue"),
    ("Staffordshire Probation Service", "Probation", "staffordshire-probation", "probation"),
    ("Staffordshire County Council", "SCC", "staffordshire-county-council", "county_council"),
    ("Bromford Housing Group", "Bromford", "bromford-housing-group", "housing_provider"),
    ("Support Staffordshire", "Support Staffs", "support-staffordshire", "voluntary_sector"),
    ("Pathway", "Pathway", "pathway", "voluntary_sector"),
    ("Humankind", "Humankind", "humankind", "substance_misuse"),
]
THEMES = [
    ("Early Intervention and Prevention", "Prevention", "Early Intervention and Prevention"),
    ("Managing Perpetrators", "Perpetrators", "Managing Offenders"),
    ("Supporting Victims and Witnesses", "Victims", "Supporting Victims and Witnesses"),
    ("Public Confidence", "Confidence", "Public Confidence"),
]
PRIORITIES = [
    "Anti-social Behaviour (ASB)",
    "Domestic Abuse",
    "Car Key Burglary and Car Theft",
    "County Lines",
    "Fraud",
    "Vulnerable Persons – Alcohol; Mental Health; Contextual Safeguarding – Complex Cases",
    "City Centre Chasetown",
]
# (priority, theme, description, outcome, lead agency, supporting agencies)
ACTIONS = [
    (
        0,
        0,
        "Develop or commission diversionary sporting activity for young people",
        "Reduction in ASB incidents reported in 'hotspot areas'",
        "LDC",
        ["Support Staffs", "Police"],
    ),
    (
        0,
        0,
        "Triaging of ASB reports to key agencies to prevent duplicated responses",
        "Quicker more effective responses at an early stage",
        "Police",
        ["LDC", "Bromford"],
    ),
    (
        0,
        1,
        "Taking swift positive action to tackle those causing anti-social behaviour",
        "Reduction in repeat incidences of ASB and repeat victimisation",
        "Police",
        ["Bromford"],
    ),
    (
        0,
        2,
        "Working closely to offer support to people suffering from ASB",
        "Better satisfaction with the ASB response",
        "Bromford",
        ["LDC", "Police"],
    ),
    (
        1,
        0,
        "Ensure all reports of domestic abuse are effectively risk assessed at source",
        "Fewer medium and high risk cases and incidents being reported",
        "Police",
        ["Pathway"],
    ),
    (
        1,
        3,
        "Publicity and awareness raising around key events, e.g. Euro 21, Christmas",
        "Increased levels of awareness and confidence that support is available",
        "LDC",
        ["Police", "Pathway"],
    ),
]
ASB_FIGURES = {
    "Police": [455, 480, 430, 398, 412, 468, 421, 389],
    "Bromford": [88, 91, 84, 79, 97, 102, 93, 86],
}


class OldModels:
    """The models of a migration state, by class name, in whichever of our apps holds them."""

    def __init__(self, apps: StateApps, app_labels: list[str]) -> None:
        self.apps = apps
        self.by_name: dict[str, type[Model]] = {}
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in app_labels:
                assert model.__name__ not in self.by_name, f"Two models named {model.__name__}"
                self.by_name[model.__name__] = model

    def __getitem__(self, name: str) -> type[Model]:
        return self.by_name[name]

    def historical(self) -> list[type[Model]]:
        return [m for name, m in sorted(self.by_name.items()) if name.startswith("Historical")]


def fill_old_database(apps: StateApps, app_labels: list[str]) -> None:
    """Rows in every table of our apps, history and many-to-many links included."""
    m = OldModels(apps, app_labels)
    users = _people(apps)
    agencies, partnership = _partnership(m, users)
    plan, actions, outcomes = _plan(m, partnership, agencies, users)
    _lifecycle(m, plan, agencies, users)
    _tracking(m, plan, actions, outcomes, agencies, users)
    _history(m, users["coordinator"])
    _permissions_and_admin_log(apps, m, users["coordinator"])


def _people(apps: StateApps) -> dict[str, Model]:
    User = apps.get_model(settings.AUTH_USER_MODEL)
    people = {}
    for username, first, last in [
        ("admin", "Ada", "Admin"),
        ("coordinator", "Casey", "Coordinator"),
        ("police.officer", "Priya", "Patel"),
        ("bromford.officer", "Ben", "Brooks"),
        ("council.officer", "Chris", "Clarke"),
    ]:
        people[username] = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password="!unusable",
            is_staff=username == "admin",
            is_superuser=username == "admin",
            date_joined=AT,
        )
    return people


def _partnership(m: OldModels, users: dict) -> tuple[dict[str, Model], Model]:
    agencies = {
        short: m["Agency"].objects.create(name=name, short_name=short, slug=slug, kind=kind)
        for name, short, slug, kind in AGENCIES
    }
    m["Agency"].objects.create(
        name="Staffordshire Youth Offending Service", slug="yos", kind="other", active=False
    )
    partnership = m["Partnership"].objects.create(
        name="Lichfield District Community Safety Partnership", slug="lichfield"
    )
    partnership.core_agencies.set(agencies.values())
    partnership.coordinators.add(users["coordinator"])
    for username, short, speaks in [
        ("coordinator", "LDC", False),
        ("police.officer", "Police", True),  # speaks for the police
        ("bromford.officer", "Bromford", False),
        ("council.officer", "LDC", False),
    ]:
        m["Membership"].objects.create(
            user=users[username], agency=agencies[short], may_speak_for_agency=speaks
        )
    return agencies, partnership


def _plan(m: OldModels, partnership, agencies, users) -> tuple[Model, list, list]:
    themes = [
        m["Theme"].objects.create(
            partnership=partnership, name=name, short_name=short, opfcc_name=opfcc, order=order
        )
        for order, (name, short, opfcc) in enumerate(THEMES, start=1)
    ]
    plan = m["Plan"].objects.create(
        partnership=partnership,
        title="Community Safety Delivery Plan Outline 2021 – 2022",
        period_start=datetime.date(2021, 4, 1),
        period_end=datetime.date(2022, 3, 31),
        deadline=datetime.date(2021, 5, 1),
        status="published",
        introduction="The Crime and Disorder Act 1998 places obligations on the partnership.",
        context="The delivery plan for 2020 – 21 was produced prior to the Covid 19 pandemic.",
        aspirations="There is also a development needed in the assessment of data.",
        revision=1,
        consultation_round=1,
        last_published_at=AT + datetime.timedelta(days=25),
    )
    m["Plan"].objects.create(
        partnership=partnership,
        title="Community Safety Delivery Plan 2022 – 2023",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2023, 3, 31),
        previous_plan=plan,
    )
    priorities = [
        m["Priority"].objects.create(
            plan=plan, title=title, order=order, evidence="Strategic Assessment 2020"
        )
        for order, title in enumerate(PRIORITIES, start=1)
    ]
    actions, outcomes = [], []
    for order, (priority, theme, description, outcome, lead, supporting) in enumerate(
        ACTIONS, start=1
    ):
        action = m["Action"].objects.create(
            priority=priorities[priority],
            theme=themes[theme],
            lead_agency=agencies[lead],
            description=description,
            target_date=datetime.date(2022, 3, 31),
            status="in_progress",
            order=order,
            restricted=order == 3,
            version=2,
            created_by=users["coordinator"],
            updated_by=users["police.officer"],
        )
        action.supporting_agencies.set([agencies[short] for short in supporting])
        actions.append(action)
        outcomes.append(
            m["Outcome"].objects.create(
                action=action, description=outcome, measure="Incidents", baseline="509", order=1
            )
        )
    return plan, actions, outcomes


def _lifecycle(m: OldModels, plan, agencies, users) -> None:
    for short, agency in agencies.items():
        m["Agreement"].objects.create(
            plan=plan,
            agency=agency,
            round=1,
            decision="waived" if short == "Humankind" else "agreed",
            comment="No answer by the deadline" if short == "Humankind" else "",
            decided_at=AT + datetime.timedelta(days=20),
            decided_by=users["coordinator" if short == "Humankind" else "police.officer"],
        )
    snapshot = json.dumps(
        {"title": plan.title, "priorities": PRIORITIES, "actions": [a[2] for a in ACTIONS]},
        sort_keys=True,
        ensure_ascii=False,
    )
    m["PublishedVersion"].objects.create(
        plan=plan,
        number=1,
        snapshot=snapshot,
        checksum=hashlib.sha256(snapshot.encode()).hexdigest(),
        published_at=AT + datetime.timedelta(days=25),
        published_by=users["coordinator"],
    )
    for kind, agency in [("agency", agencies["Police"]), ("coordinator", None)]:
        m["Reminder"].objects.create(
            plan=plan,
            agency=agency,
            kind=kind,
            days_before=14,
            deadline=plan.deadline,
            sent_at=AT + datetime.timedelta(days=16),
            recipients="police.officer@example.org",
        )
    m["StrategicAssessment"].objects.create(
        plan=plan,
        title="Lichfield Community Safety Strategic Assessment 2020",
        date=datetime.date(2020, 12, 1),
        summary="ASB and domestic abuse remain the largest demands.",
        url="https://www.lichfielddc.gov.uk/",
        document="assessments/2020/strategic-assessment.pdf",
        author=agencies["LDC"],
    )


def _tracking(m: OldModels, plan, actions, outcomes, agencies, users) -> None:
    for action, rag, percent in [(actions[0], "on_track", 40), (actions[1], "at_risk", None)]:
        for quarter in range(2):
            m["ProgressUpdate"].objects.create(
                action=action,
                date=datetime.date(2021, 6, 30) + datetime.timedelta(days=92 * quarter),
                rag=rag,
                percent_complete=percent,
                narrative="Sessions running in Chasetown and Burntwood.",
                created_by=users["police.officer"],
            )
    measure = m["Measure"].objects.create(
        plan=plan,
        priority=actions[0].priority,
        name="ASB incidents",
        unit="incidents",
        definition="ASB incidents reported to or handled by each agency.",
        frequency="quarterly",
        baseline_period="2020-21 Q1",
        baseline=509,
        target=450,
        target_description="Fewer than 450 a quarter by March 2022",
    )
    measure.outcomes.set(outcomes[:2])
    for short, values in ASB_FIGURES.items():
        for quarter, value in enumerate(values):
            year, month = 2019 + quarter // 4, 4 + 3 * (quarter % 4)
            m["Figure"].objects.create(
                measure=measure,
                agency=agencies[short],
                period_start=datetime.date(year + (month > 12), (month - 1) % 12 + 1, 1),
                value=value,
                confidence="Validated" if quarter < 7 else "provisional: March not yet validated",
                entered_by=users["police.officer" if short == "Police" else "bromford.officer"],
            )
    for action, provider, source, amount in [
        (actions[0], "Lichfield Sports Partnership", "ldf", "12500.00"),
        (actions[0], "Positive Futures", "opfcc", "4999.99"),
        (actions[3], "Bromford Tenancy Support", "partner", "8000.50"),
    ]:
        m["CommissionedService"].objects.create(
            action=action, provider=provider, funding_source=source, amount=amount
        )


def _history(m: OldModels, user) -> None:
    """What django-simple-history would have written: a "created" row for every object of every
    model with history, a "changed" row for the plan, and the many-to-many history."""
    for historical in m.historical():
        if any(f.name == "m2m_history_id" for f in historical._meta.fields):
            continue
        base = m[historical.__name__.removeprefix("Historical")]
        for obj in base.objects.order_by("pk"):
            _history_row(historical, obj, "+", user)
    plan = m["Plan"].objects.get(status="published")
    _history_row(m["HistoricalPlan"], plan, "~", user, reason="Published")
    for historical in m.historical():
        if any(f.name == "m2m_history_id" for f in historical._meta.fields):
            _m2m_history(m, historical)


def _history_row(historical, obj, kind: str, user, reason: str | None = None) -> None:
    values = {}
    for field in historical._meta.concrete_fields:
        if field.name in HISTORY_FIELDS:
            continue
        value = getattr(obj, field.attname)
        values[field.attname] = value.name if isinstance(value, FieldFile) else value
    historical.objects.create(
        **values,
        history_date=AT + datetime.timedelta(days=30 if kind == "~" else 0),
        history_type=kind,
        history_user=user,
        history_change_reason=reason,
    )


def _m2m_history(m: OldModels, historical) -> None:
    """E.g. HistoricalAction_supporting_agencies: the links as they were at each history row."""
    through = m[historical.__name__.removeprefix("Historical")]
    parent_history = historical._meta.get_field("history").related_model
    parent = m[parent_history.__name__.removeprefix("Historical")]
    source = next(
        f for f in through._meta.fields if f.is_relation and f.related_model is parent
    ).name
    target = next(
        f for f in through._meta.fields if f.is_relation and f.name != source and not f.primary_key
    ).name
    for row in parent_history.objects.order_by("history_id"):
        for link in through.objects.filter(**{f"{source}_id": row.id}).order_by("pk"):
            historical.objects.create(
                history=row,
                id=link.pk,
                **{f"{source}_id": row.id, f"{target}_id": getattr(link, f"{target}_id")},
            )


def _permissions_and_admin_log(apps: StateApps, m: OldModels, user) -> None:
    """Rows that point at content types: a person's permission, a group's, an admin log entry.
    They must still point at the same models once a model moved to another app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    LogEntry = apps.get_model("admin", "LogEntry")
    agreement = m["Agreement"]
    agreement_type = ContentType.objects.get(
        app_label=agreement._meta.app_label, model=agreement._meta.model_name
    )
    user.user_permissions.add(
        Permission.objects.get(content_type=agreement_type, codename="change_agreement")
    )
    group = Group.objects.create(name="Coordinators")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in={model._meta.app_label for model in m.by_name.values()}
        )
    )
    user.groups.add(group)
    LogEntry.objects.create(
        action_time=AT,
        user=user,
        content_type=agreement_type,
        object_id=str(agreement.objects.order_by("pk").first().pk),
        object_repr="Agreement",
        action_flag=2,
        change_message="[]",
    )
