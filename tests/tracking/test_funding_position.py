"""The plan's funding: what each source allocates against what commissioned services commit,
over-commitment flagged in words; the coordinator sets the allocations."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ActionFactory
from tracking.funding import funding_allocations_save, funding_position
from tracking.models import CommissionedService, FundingAllocation


@pytest.fixture
def funded(plan, action, police, priority):
    second = ActionFactory(priority=priority, lead_agency=police)
    for target, amount, source in [
        (action, "12500", "ldf"),
        (second, "9000", "ldf"),
        (second, "4000.50", "opfcc"),
        (action, "750", "council"),
    ]:
        CommissionedService.objects.create(
            action=target, provider="P", amount=Decimal(amount), funding_source=source
        )
    FundingAllocation.objects.create(plan=plan, source="ldf", amount=Decimal("20000"))
    FundingAllocation.objects.create(plan=plan, source="opfcc", amount=Decimal("5000"))
    FundingAllocation.objects.create(plan=plan, source="partner", amount=Decimal("1000"))
    return plan


def test_each_source_allocated_against_committed(funded, django_assert_num_queries):
    with django_assert_num_queries(3):
        position = funding_position(funded)
    rows = {s.source: (s.allocated, s.committed, s.services, s.status) for s in position.sources}
    assert rows == {
        "ldf": (Decimal("20000.00"), Decimal("21500.00"), 2, "Over-committed by £1,500.00"),
        "opfcc": (Decimal("5000.00"), Decimal("4000.50"), 1, "£999.50 left to commit"),
        "council": (None, Decimal("750.00"), 1, "No allocation recorded"),
        "partner": (Decimal("1000.00"), Decimal("0.00"), 0, "£1,000.00 left to commit"),
    }
    assert [s.source for s in position.sources] == ["ldf", "opfcc", "council", "partner"]
    assert [s.source for s in position.over_committed] == ["ldf", "council"]
    assert position.allocated == Decimal("26000.00")
    assert position.committed == Decimal("26250.50")


def test_allocations_are_set_changed_and_removed_with_history(plan, coordinator):
    funding_allocations_save(plan=plan, user=coordinator, amounts={"ldf": Decimal("100")})
    funding_allocations_save(
        plan=plan, user=coordinator, amounts={"ldf": Decimal("250"), "opfcc": Decimal("5")}
    )
    funding_allocations_save(plan=plan, user=coordinator, amounts={"opfcc": None})
    assert dict(FundingAllocation.objects.values_list("source", "amount")) == {
        "ldf": Decimal("250.00")
    }
    assert FundingAllocation.history.filter(history_type="-").get().history_user == coordinator


def test_the_funding_page_flags_over_commitment(client, funded, supporting_officer):
    client.force_login(supporting_officer)
    html = client.get(reverse("plan_funding", args=["lichfield", "2021-22"])).content.decode()
    assert "Over-committed:" in html and "over-committed by £1,500.00" in html
    assert "Set the allocations" not in html  # only the coordinator sets them


def test_the_coordinator_sets_the_allocations_on_the_page(client, plan, coordinator):
    client.force_login(coordinator)
    url = reverse("plan_funding", args=["lichfield", "2021-22"])
    response = client.post(url, {"source_ldf": "20000", "source_opfcc": "-5"})
    assert response.status_code == 200
    assert "cannot be less than £0" in response.content.decode()
    assert not FundingAllocation.objects.exists()
    response = client.post(url, {"source_ldf": "20000", "source_opfcc": ""})
    assert response.status_code == 302
    assert dict(FundingAllocation.objects.values_list("source", "amount")) == {
        "ldf": Decimal("20000.00")
    }
