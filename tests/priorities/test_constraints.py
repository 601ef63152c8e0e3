"""The invariants: refused by the database, and explained in a sentence by validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.admin import ActionAdminForm
from actions.models import Action
from priorities.models import Plan, Priority, Theme
from tests.factories import PartnershipFactory, PlanFactory, PriorityFactory


def test_duplicate_plan_for_a_period_is_refused(plan):
    twin = Plan(
        partnership=plan.partnership,
        title="Another plan",
        period_start=plan.period_start,
        period_end=plan.period_end,
    )
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert "This partnership already has a plan for this period." in exc.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_plan_with_same_period_label_but_other_dates_is_refused(plan):
    twin = Plan(
        partnership=plan.partnership,
        title="Calendar-year plan",
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    with pytest.raises(ValidationError, match="already has a plan for 2021-22"):
        twin.full_clean()


def test_same_period_in_another_partnership_is_fine(plan, other_partnership):
    other = Plan(
        partnership=other_partnership,
        title="Tamworth plan",
        period_start=plan.period_start,
        period_end=plan.period_end,
    )
    other.full_clean()
    other.save()


def test_plan_period_must_end_after_it_starts(partnership):
    backwards = Plan(
        partnership=partnership,
        title="Backwards",
        period_start=datetime.date(2022, 3, 31),
        period_end=datetime.date(2021, 4, 1),
    )
    with pytest.raises(ValidationError, match="must end after it starts"):
        backwards.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()


def test_duplicate_priority_title_in_a_plan_is_refused(priority):
    twin = Priority(plan=priority.plan, title=priority.title)
    with pytest.raises(ValidationError, match="already has a priority with this title"):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_same_priority_title_in_another_plan_is_fine(priority):
    other_plan = PlanFactory(partnership=PartnershipFactory())
    PriorityFactory(plan=other_plan, title=priority.title).full_clean()


def test_action_with_another_partnerships_theme_is_refused(priority, other_partnership):
    foreign_theme = Theme.objects.filter(partnership=other_partnership).first()
    action = Action(priority=priority, theme=foreign_theme, description="Something")
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert exc.value.message_dict["theme"] == [
        f"The theme “{foreign_theme}” belongs to Tamworth Community Safety Partnership, "
        "not to Lichfield District Community Safety Partnership."
    ]


def test_action_led_by_an_agency_outside_the_partnership_is_refused(priority, other_agency):
    action = Action(priority=priority, lead_agency=other_agency, description="Something")
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert exc.value.message_dict["lead_agency"] == [
        "West Mercia Police is not a member of Lichfield District Community Safety Partnership."
    ]


def test_action_supported_by_an_agency_outside_the_partnership_is_refused(
    priority, police, other_agency
):
    form = ActionAdminForm(
        data={
            "priority": priority.pk,
            "lead_agency": police.pk,
            "supporting_agencies": [other_agency.pk],
            "description": "Joint patrols",
            "status": Action.Status.PROPOSED,
            "order": 0,
        }
    )
    assert not form.is_valid()
    assert form.errors["supporting_agencies"] == [
        "West Mercia Police is not a member of Lichfield District Community Safety Partnership."
    ]
    assert not Action.objects.exists()


def test_action_with_its_own_partnerships_theme_and_agencies_is_fine(priority, police, council):
    theme = priority.plan.partnership.themes.first()
    action = Action(priority=priority, theme=theme, lead_agency=police, description="Fine")
    action.full_clean()
    action.check_agencies(supporting_agencies=[council])


def test_draft_action_may_lack_theme_and_lead_agency(priority):
    Action(priority=priority, description="Still being drafted").full_clean()


def test_new_partnership_gets_the_four_default_themes(db):
    partnership = PartnershipFactory()
    assert list(partnership.themes.order_by("order").values_list("name", "opfcc_name")) == [
        ("Early Intervention and Prevention", "Early Intervention and Prevention"),
        ("Managing Perpetrators", "Managing Offenders"),
        ("Supporting Victims and Witnesses", "Supporting Victims and Witnesses"),
        ("Public Confidence", "Public Confidence"),
    ]
