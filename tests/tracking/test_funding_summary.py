"""The funding summary: what a plan's commissioned services add up to, by priority and by source,
in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from tests.factories import ActionFactory, PlanFactory, PriorityFactory
from tracking.funding import funding_summary
from tracking.models import CommissionedService


def buy(action, amount, source="ldf", provider="Provider"):
    return CommissionedService.objects.create(
        action=action, provider=provider, funding_source=source, amount=Decimal(amount)
    )


@pytest.fixture
def funded(plan, priority, action, partnership, police):
    """ASB: £12,500 LDF + £4,000.50 OPFCC over two actions; Domestic Abuse: £3,000 LDF;
    County Lines: nothing. Another partnership's plan has money that must not count."""
    priority.order = 1
    priority.save(update_fields=["order"])
    domestic_abuse = PriorityFactory(plan=plan, title="Domestic Abuse", order=5)
    PriorityFactory(plan=plan, title="County Lines", order=6)
    second = ActionFactory(priority=priority, lead_agency=police)
    buy(action, "12500")
    buy(second, "4000.50", source="opfcc")
    buy(ActionFactory(priority=domestic_abuse, lead_agency=police), "3000")
    elsewhere = PriorityFactory(plan=PlanFactory(), title="Elsewhere")
    buy(ActionFactory(priority=elsewhere), "99999")
    return plan


def test_totals_by_priority_list_every_priority_in_order(funded):
    summary = funding_summary(funded)
    assert [(row.priority.title, row.total, row.services) for row in summary.by_priority] == [
        ("Anti-social Behaviour (ASB)", Decimal("16500.50"), 2),
        ("Domestic Abuse", Decimal("3000.00"), 1),
        ("County Lines", Decimal("0.00"), 0),
    ]


def test_totals_by_source_list_the_sources_used_in_their_defined_order(funded):
    summary = funding_summary(funded)
    assert [(row.label, row.total, row.services) for row in summary.by_source] == [
        ("Locality Delivery Funding", Decimal("15500.00"), 2),
        ("Police, Fire and Crime Commissioner grant", Decimal("4000.50"), 1),
    ]


def test_grand_total_counts_this_plan_only(funded):
    summary = funding_summary(funded)
    assert summary.total == Decimal("19500.50")
    assert summary.services == 3


def test_a_plan_without_services_sums_to_nothing(plan, priority):
    summary = funding_summary(plan)
    assert summary.total == Decimal("0.00")
    assert summary.by_source == []
    assert [row.total for row in summary.by_priority] == [Decimal("0.00")]


def test_query_count_does_not_grow_with_the_number_of_services(
    funded, priority, police, django_assert_num_queries
):
    with django_assert_num_queries(2):
        funding_summary(funded)
    for _ in range(30):
        buy(ActionFactory(priority=priority, lead_agency=police), "100", source="council")
    with django_assert_num_queries(2):
        summary = funding_summary(funded)
    assert summary.services == 33


def test_include_renders_two_accessible_tables_in_pounds(funded):
    html = render_to_string(
        "tracking/includes/_funding_summary.html", {"funding": funding_summary(funded)}
    )
    assert html.count("<table") == 2
    assert "<caption" in html and "Funding by priority" in html and "Funding by source" in html
    assert '<th scope="col">Priority</th>' in html
    assert '<th scope="row">Domestic Abuse</th>' in html
    assert "£16,500.50" in html
    assert "£15,500.00" in html
    assert "£19,500.50" in html


def test_include_says_so_when_nothing_is_funded(plan, priority):
    html = render_to_string(
        "tracking/includes/_funding_summary.html", {"funding": funding_summary(plan)}
    )
    assert "<table" not in html
    assert "No commissioned service is recorded" in html
