"""The admin's lists in an installation of many partnerships: their query counts do not grow with
the number of partnerships and plans, and their filters find a partnership by a box rather than
listing them all (partners/admin_filters.py, priorities/admin_filters.py)."""

from __future__ import annotations

import datetime
import html
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Outcome
from lifecycle.models import PublishedVersion
from partners.admin_paging import ROWS_PER_PAGE
from partners.models import Agency, Area, Membership, Partnership
from priorities.models import DEFAULT_THEMES, Plan, Priority, Theme
from priorities.selectors import PARTNERSHIPS_PER_PAGE as PER_PAGE
from tests.factories import ActionFactory, UserFactory


def grow(count: int, *, start: int = 0) -> list[Partnership]:
    """`count` partnerships in county areas, each with a core agency and its officer, the four
    themes, three yearly plans (one published) with a priority, an action and an outcome each:
    in a few queries."""
    # Each group of ten partnerships in a county area of its own.
    areas = {
        n // 10: Area.objects.get_or_create(name=f"County {n // 10}", slug=f"county-{n // 10}")[0]
        for n in range(start, start + count)
    }
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                name=f"District {n:03d} Community Safety Partnership",
                slug=f"d-{n:03d}",
                area=areas[n // 10],
            )
            for n in range(start, start + count)
        ]
    )
    agencies = Agency.objects.bulk_create(
        [Agency(name=f"District {p.slug} Council", slug=f"{p.slug}-council") for p in partnerships]
    )
    Core = Partnership.core_agencies.through
    Core.objects.bulk_create(
        [Core(partnership=p, agency=a) for p, a in zip(partnerships, agencies, strict=True)]
    )
    users = UserFactory._meta.model.objects.bulk_create(
        [UserFactory._meta.model(username=f"officer-{a.slug}") for a in agencies]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, agency=a) for u, a in zip(users, agencies, strict=True)]
    )
    Theme.objects.bulk_create(
        [
            Theme(partnership=p, name=name, short_name=short, order=k)
            for p in partnerships
            for k, (name, short, _) in enumerate(DEFAULT_THEMES)
        ]
    )
    plans = Plan.objects.bulk_create(
        [
            Plan(
                partnership=p,
                title=f"Plan {year}",
                period_start=datetime.date(year, 4, 1),
                period_end=datetime.date(year + 1, 3, 31),
            )
            for p in partnerships
            for year in (2021, 2022, 2023)
        ]
    )
    PublishedVersion.objects.bulk_create(
        [
            PublishedVersion(
                plan=plan, number=1, snapshot="{}", checksum="0" * 64, published_at=plan_date(plan)
            )
            for plan in plans[::3]
        ]
    )
    priorities = Priority.objects.bulk_create([Priority(plan=p, title="ASB") for p in plans])
    actions = Action.objects.bulk_create(
        [Action(priority=p, description=f"Action of {p.plan_id}") for p in priorities]
    )
    Outcome.objects.bulk_create([Outcome(action=a, description="Fewer reports") for a in actions])
    return partnerships


def plan_date(plan: Plan) -> datetime.datetime:
    return datetime.datetime(plan.period_start.year, 5, 1, tzinfo=datetime.UTC)


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content.decode()


# Each list, unfiltered and with the partnership box (matching one partnership, or all) and the
# filters that narrow within it.
LISTS = [
    ("actions/action", ""),
    ("actions/action", "?partnership=d-001"),
    ("actions/action", "?partnership=District"),
    ("actions/action", "?partnership=District&status=proposed&theme=Public+Confidence"),
    ("actions/outcome", ""),
    ("actions/outcome", "?partnership=District"),
    ("priorities/plan", ""),
    ("priorities/plan", "?partnership=District"),
    ("priorities/priority", "?partnership=District"),
    ("priorities/theme", "?partnership=District"),
    ("partners/agency", ""),
    ("partners/agency", "?partnership=District"),
    ("partners/partnership", ""),
    ("partners/membership", "?partnership=District"),
    ("lifecycle/publishedversion", "?partnership=District"),
    ("lifecycle/agreement", "?partnership=District"),
    ("auth/user", "?partnership=District"),
]


@pytest.mark.parametrize(("model", "query"), LISTS)
def test_an_admin_list_runs_as_many_queries_for_60_partnerships_as_for_2(
    client, admin_user, django_assert_max_num_queries, model, query
):
    client.force_login(admin_user)
    url = f"/admin/{model}/{query}"
    grow(2)
    few, _ = queries(client, url)
    grow(58, start=2)
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_action_lists_plan_filter_lists_the_found_partnerships_plans_only(
    client, admin_user, django_assert_max_num_queries
):
    grow(40)
    client.force_login(admin_user)
    _, page = queries(client, "/admin/actions/action/")
    filters = filter_panel(page)
    # Without a partnership, no plan, agency or partnership is listed: a box finds one.
    assert "District 001" not in filters
    assert 'name="partnership"' in filters
    assert "By plan" not in filters and "By agency" not in filters
    assert "By theme" in filters and "Public Confidence" in filters
    assert "By year the plan starts" in filters and "2023" in filters

    _, page = queries(client, "/admin/actions/action/?partnership=d-007")
    filters = filter_panel(page)
    plans = re.findall(r"District 0\d\d Community Safety Partnership, (\d{4}-\d\d)", filters)
    assert plans == ["2023-24", "2022-23", "2021-22"]
    assert "District 008" not in filters
    assert "District d-007 Council" in filters  # its agency
    listed = re.findall(r"Action of (\d+)", page)
    ids = set(Plan.objects.filter(partnership__slug="d-007").values_list("pk", flat=True))
    assert {int(pk) for pk in listed} == ids

    plan = Plan.objects.get(partnership__slug="d-007", period_start__year=2022)
    url = f"/admin/actions/action/?partnership=d-007&priority__plan__id__exact={plan.pk}"
    _, page = queries(client, url)
    assert set(re.findall(r"Action of (\d+)", page)) == {str(plan.pk)}


def test_the_partnership_box_keeps_the_lists_other_filters(client, admin_user, action):
    client.force_login(admin_user)
    _, page = queries(client, "/admin/actions/action/?status=proposed&partnership=lich&q=triag")
    box = re.search(r'<form method="get" class="search-filter">(.*?)</form>', page, re.S).group(1)
    assert '<input type="hidden" name="status" value="proposed">' in box
    assert '<input type="hidden" name="q" value="triag">' in box
    assert 'name="partnership" value="lich"' in box
    assert "Triaging of ASB reports" in page


def test_the_partnership_box_finds_by_name_or_address(
    client, admin_user, action, other_partnership, other_agency
):
    foreign = ActionFactory(
        priority__plan__partnership=other_partnership,
        lead_agency=other_agency,
        description="Tamworth patrols",
    )
    client.force_login(admin_user)
    for text in ("Lichfield", "lichfield", "LICHFIELD DISTRICT"):
        _, page = queries(client, f"/admin/actions/action/?partnership={text}")
        assert action.description in page and foreign.description not in page
    _, page = queries(client, "/admin/actions/action/?partnership=tamworth")
    assert foreign.description in page and action.description not in page
    _, page = queries(client, f"/admin/actions/action/?lead_agency__id__exact={other_agency.pk}")
    assert foreign.description in page and action.description not in page


def test_agencies_of_several_partnerships_are_listed_once(client, admin_user, partnership, police):
    other = Partnership.objects.create(name="Lichfield North CSP", slug="lichfield-north")
    other.core_agencies.add(police)
    client.force_login(admin_user)
    _, page = queries(client, "/admin/partners/agency/?partnership=lichfield")
    assert page.count(">Staffordshire Police<") == 1


def filter_panel(page: str) -> str:
    panel = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S)
    assert panel, "the list has no filters"
    return html.unescape(panel.group(0))


@pytest.mark.parametrize("model", ["priorities/plan", "lifecycle/publishedversion", "auth/user"])
def test_an_admin_list_that_grows_shows_a_page_of_rows_each_with_its_checkbox(
    client, admin_user, model
):
    grow(30)
    client.force_login(admin_user)
    _, page = queries(client, f"/admin/{model}/")
    boxes = re.findall(r'<input type="checkbox" name="_selected_action" value="(\d+)" '
                       r'class="action-select" aria-label="Select this object for an action - '
                       r'[^"]+">', page)  # fmt: skip
    assert len(boxes) == ROWS_PER_PAGE
    assert len(set(boxes)) == ROWS_PER_PAGE
    assert 'id="action-toggle"' in page  # the header's box that selects them all


# -- Lists outside the admin that grow with the installation: a page at a time.


def test_my_plan_work_lists_an_admins_partnerships_a_page_at_a_time(client, admin_user):
    grow(30)
    client.force_login(admin_user)
    count, first = queries(client, "/my-work/")
    assert "District 000 Community Safety Partnership" in first
    assert f"District {PER_PAGE - 1:03d} Community Safety Partnership" in first
    assert f"District {PER_PAGE:03d}" not in first
    assert f"Page 1 of {math.ceil(30 / PER_PAGE)}" in first
    _, second = queries(client, "/my-work/?page=2")
    assert f"District {PER_PAGE:03d} Community Safety Partnership" in second
    assert "District 000" not in second
    _, found = queries(client, "/my-work/?q=district+017")
    assert "District 017 Community Safety Partnership" in found and "District 016" not in found
    grow(100, start=30)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/my-work/?page=3").status_code == 200
    assert len(captured) <= count


def test_home_lists_an_admins_partnerships_a_page_at_a_time(client, admin_user):
    grow(30)
    client.force_login(admin_user)
    count, first = queries(client, "/")
    assert f"District {PER_PAGE - 1:03d} Community Safety Partnership" in first
    assert f"District {PER_PAGE:03d}" not in first
    assert f"Page 1 of {math.ceil(30 / PER_PAGE)}" in first
    # Every plan of the page's partnerships, published or not: the admin reads them all.
    assert first.count("Plan 2022") == PER_PAGE
    grow(100, start=30)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/?page=4").status_code == 200
    assert len(captured) <= count


# -- The largest tables' lists are counted by PostgreSQL's estimate when unfiltered.


def test_an_unfiltered_list_of_a_large_table_is_counted_by_the_estimate(
    client, admin_user, action, monkeypatch
):
    from partners import admin_paging

    asked = []

    def estimate(alias, table):
        asked.append(table)
        return 250_000

    monkeypatch.setattr(admin_paging, "table_estimate", estimate)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/admin/actions/action/").content.decode()
    assert asked == ["actions_action"]
    assert "250000 actions" in page or "250,000 actions" in page
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    # Filtered, the list is counted: it is small, and the count exact.
    page = client.get("/admin/actions/action/?partnership=lichfield").content.decode()
    assert asked == ["actions_action"]
    assert re.search(r"1 action\b", page)


def test_below_the_threshold_a_table_is_counted(client, admin_user, action, monkeypatch):
    from partners import admin_paging

    monkeypatch.setattr(admin_paging, "table_estimate", lambda alias, table: 9_000)
    client.force_login(admin_user)
    page = client.get("/admin/actions/action/").content.decode()
    assert re.search(r"\b1 action\b", page)
