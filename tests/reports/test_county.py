"""The county view: an area's partnerships side by side. Its numbers per commissioner's theme
equal the database's across two partnerships (one naming a theme its own way); funding by source;
one measure on one chart; the analyst sees no restricted text; the demo has its area."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from partners.models import Area, Partnership
from priorities.models import Theme
from reports.county import area_overview
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    PartnershipFactory,
    PlanFactory,
    PriorityFactory,
)
from tracking.models import CommissionedService, Figure, FundingAllocation, Measure

HIDDEN = "Undercover operation against the county line"


@pytest.fixture
def second(area):
    """A second partnership of the area, which calls "Managing Offenders" its own way."""
    agency = AgencyFactory(name="Cannock Chase Council", slug="cannock")
    partnership = PartnershipFactory(
        name="Cannock Chase CSP", slug="cannock-chase", core_agencies=[agency]
    )
    partnership.area = area
    partnership.save()
    Theme.objects.filter(partnership=partnership, name="Managing Perpetrators").update(
        name="Tackling Offending"
    )
    plan = PlanFactory(partnership=partnership, title="Cannock Chase plan")
    priority = PriorityFactory(plan=plan, title="County Lines")
    themes = list(partnership.themes.order_by("order"))
    for number, theme in enumerate([themes[0], themes[1], themes[1], None]):
        ActionFactory(
            priority=priority,
            theme=theme,
            lead_agency=agency,
            description=HIDDEN if number == 1 else f"Cannock action {number}",
            restricted=number == 1,
        )
    return plan


@pytest.fixture
def county(plan, priority, police, partnership, second, analyst):
    themes = list(partnership.themes.order_by("order"))
    for number, theme in enumerate([themes[0], themes[1], themes[2], themes[3], themes[3]]):
        ActionFactory(priority=priority, theme=theme, lead_agency=police, order=number)
    return plan


def test_actions_per_theme_equal_the_database_across_two_partnerships(county, second, area):
    overview = area_overview(area, period="2021-22")
    assert [p.slug for p in overview.partnerships] == ["cannock-chase", "lichfield"]
    counted = Counter()
    for action in Action.objects.filter(priority__plan__in=[county, second]).select_related(
        "theme", "priority__plan__partnership"
    ):
        key = action.theme.opfcc_name if action.theme else "No theme chosen yet"
        counted[(key, action.priority.plan.partnership.slug)] += 1
    shown = {
        (row.opfcc, partnership.slug): count
        for row in overview.themes
        for partnership, count in zip(overview.partnerships, row.counts, strict=True)
        if count
    }
    assert shown == dict(counted)
    rows = {row.opfcc: row for row in overview.themes}
    # The commissioner's wording adds up; each partnership's own name is kept beside it.
    assert rows["Managing Offenders"].counts == [2, 1]
    assert rows["Managing Offenders"].own_names == [
        ["Tackling Offending"],
        ["Managing Perpetrators"],
    ]
    assert [row.opfcc for row in overview.themes][:4] == [
        "Early Intervention and Prevention",
        "Managing Offenders",
        "Supporting Victims and Witnesses",
        "Public Confidence",
    ]
    assert overview.theme_totals == [4, 5]
    assert (
        overview.action_total == Action.objects.filter(priority__plan__in=[county, second]).count()
    )


def test_plans_stage_and_deadline(county, second, area, publish):
    publish(second)
    overview = area_overview(area, period="2021-22")
    rows = {row.partnership.slug: row for row in overview.plans}
    assert rows["lichfield"].stage == "Draft"
    assert rows["cannock-chase"].stage == "Published"
    assert rows["lichfield"].deadline.startswith("1 May 2021: passed")
    assert rows["cannock-chase"].deadline.startswith("1 May 2021: missed (published")


def test_funding_by_source_equals_the_database(county, second, area):
    lead = Action.objects.filter(priority__plan=county).first()
    other = Action.objects.filter(priority__plan=second).first()
    CommissionedService.objects.create(action=lead, provider="A", amount=Decimal("1200"))
    CommissionedService.objects.create(action=other, provider="B", amount=Decimal("800"))
    CommissionedService.objects.create(
        action=other, provider="C", amount=Decimal("300"), funding_source="opfcc"
    )
    FundingAllocation.objects.create(plan=second, source="ldf", amount=Decimal("500"))
    overview = area_overview(area, period="2021-22")
    rows = {row.label: row for row in overview.funding}
    ldf = rows["Locality Delivery Funding"]
    assert [p.committed for p in ldf.positions] == [Decimal("800.00"), Decimal("1200.00")]
    assert ldf.positions[0].allocated == Decimal("500.00")
    assert ldf.positions[0].over_committed
    assert ldf.committed == Decimal("2000.00") and ldf.allocated == Decimal("500.00")
    opfcc = rows["Police, Fire and Crime Commissioner grant"]
    assert opfcc.positions[1] is None


def test_one_measure_compared_across_partnerships_on_one_chart(
    county, second, area, police, housing
):
    cannock = second.partnership.core_agencies.get()
    quarters = [datetime.date(2021, 4, 1), datetime.date(2021, 7, 1)]
    mine = Measure.objects.create(plan=county, name="ASB incidents")
    theirs = Measure.objects.create(plan=second, name="asb incidents")
    for start, (p, h, c) in zip(quarters, [(400, 90, 150), (410, None, 160)], strict=True):
        Figure.objects.create(measure=mine, agency=police, period_start=start, value=p)
        if h is not None:
            Figure.objects.create(measure=mine, agency=housing, period_start=start, value=h)
        Figure.objects.create(measure=theirs, agency=cannock, period_start=start, value=c)
    overview = area_overview(area, period="2021-22", measure="ASB INCIDENTS")
    assert overview.measure == "ASB incidents"
    series = {s.name: s for s in overview.comparison.series}
    lichfield = series["Lichfield District Community Safety Partnership"]
    assert lichfield.values == {quarters[0]: 490, quarters[1]: 410}
    assert lichfield.partial_note(quarters[1]) == "1 of 2 agencies"
    assert series["Cannock Chase CSP"].values == {quarters[0]: 150, quarters[1]: 160}
    assert overview.chart.count('class="series"') == 4  # two lines, in each of two drawings
    assert 'data-partial="1 of 2 agencies"' in overview.chart


def test_the_analyst_sees_the_county_view_and_no_restricted_text(client, county, second, analyst):
    client.force_login(analyst)
    page = client.get(reverse("area_overview", args=["staffordshire"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cannock Chase CSP" in html and "Tackling Offending" in html
    assert HIDDEN not in html
    for url in (
        second.get_absolute_url(),
        reverse("report_index", args=["cannock-chase", "2021-22"]),
    ):
        assert HIDDEN not in client.get(url).content.decode()
    report = client.get(reverse("report_annual", args=["cannock-chase", "2021-22"]))
    assert HIDDEN not in report.content.decode()
    # The home page leads to the county view.
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("area_overview", args=["staffordshire"])}"' in home


def test_the_county_view_is_the_areas_analysts_and_admins_only(
    client, county, analyst, coordinator, admin_user
):
    url = reverse("area_overview", args=["staffordshire"])
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_demo_has_staffordshire_a_second_invented_partnership_and_the_analyst(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    area = Area.objects.get(slug="staffordshire")
    assert set(area.partnerships.values_list("slug", flat=True)) == {"lichfield", "kingsmoor-demo"}
    demo = Partnership.objects.get(slug="kingsmoor-demo")
    assert "demo" in demo.name and "invented" in demo.name
    plan = demo.plans.get()
    assert plan.is_published and plan.priorities.count() == 2
    assert [u.username for u in area.analysts.all()] == ["opfcc.analyst"]
    analyst = area.analysts.get()
    assert analyst.check_password("demo-password-2021")
    assert not analyst.memberships.exists() and not analyst.coordinated_partnerships.exists()
    # Its latest ASB quarter is partial: the housing provider's figure is missing.
    overview = area_overview(area)
    assert overview.period == "2021-22"
    kingsmoor = next(s for s in overview.comparison.series if s.name == demo.name)
    assert kingsmoor.partial_note(datetime.date(2021, 4, 1)) == "1 of 2 agencies"
    # Loading again changes nothing.
    before = (Action.objects.count(), Figure.objects.count(), CommissionedService.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    after = (Action.objects.count(), Figure.objects.count(), CommissionedService.objects.count())
    assert before == after
