"""The reports in a real browser, at a desktop's 1280 px and a phone's 390 px, with axe-core on
every page: the county analyst goes from home to the county view of Staffordshire, to Kingsmoor's
(invented) progress reports in their version for the public, and to its annual review; the
coordinator goes from Lichfield's dashboard to its progress report and its funding.

On every page, at both widths: no axe violation; the page is never wider than the screen (a wide
table scrolls in its own box, which the keyboard reaches); every chart's labels are at least
12 px as shown."""

import re

import pytest
from playwright.sync_api import expect

RESTRICTED = "Targeted police operation"

CHART_LABELS = """() => [...document.querySelectorAll('svg.measure-chart text')]
  .filter(t => t.getClientRects().length)
  .map(t => parseFloat(t.getAttribute('font-size')) * t.ownerSVGElement.getScreenCTM().a)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SCROLL_BOXES = """() => [...document.querySelectorAll('[role=region]')]
  .filter(b => b.scrollWidth > b.clientWidth)
  .map(b => ({label: b.getAttribute('aria-label'), tabindex: b.getAttribute('tabindex'),
              overflow: getComputedStyle(b).overflowX}))"""


def check(page, assert_accessible, *, charts: bool = True) -> None:
    assert_accessible(page)
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} is wider than the screen"
    for box in page.evaluate(SCROLL_BOXES):
        assert box["tabindex"] == "0" and box["overflow"] == "auto", box
    sizes = page.evaluate(CHART_LABELS)
    if charts:
        assert sizes, f"no chart on {page.url}"
    assert all(size >= 12 for size in sizes), (page.url, min(sizes))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_analyst_reads_the_county_view_and_the_public_reports(
    session, demo, assert_accessible, width
):
    context, page = session(
        "opfcc.analyst", timeout=20_000, viewport={"width": width, "height": 900}, locale="en-GB"
    )
    check(page, assert_accessible, charts=False)

    page.get_by_role("link", name="Staffordshire: the county view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Staffordshire: the area's partnerships"
    )
    check(page, assert_accessible)
    themes = page.get_by_role("table", name=re.compile("Actions per theme and partnership"))
    row = themes.get_by_role("row", name=re.compile("^Managing Offenders"))
    expect(row).to_contain_text("Tackling Offending")
    expect(page.get_by_text(RESTRICTED)).to_have_count(0)

    page.get_by_role("link", name=re.compile("^Progress reports of Kingsmoor")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")
    check(page, assert_accessible, charts=False)
    page.get_by_role("link", name="For the public: 2021-22 Q2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quarterly progress report 2021-22 Q2"
    )
    check(page, assert_accessible)
    expect(page.get_by_text("Version for the public:", exact=True)).to_be_visible()
    exceptions = page.get_by_role("table", name=re.compile("^Exceptions"))
    expect(
        exceptions.get_by_role("row", name=re.compile("independent domestic violence"))
    ).to_contain_text("Off track")
    expect(page.get_by_text(RESTRICTED)).to_have_count(0)
    expect(page.get_by_text("(partial: 1 of 2 agencies)").first).to_be_visible()

    page.go_back()
    page.get_by_role("link", name="Annual review 2021-22 for the public").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual review 2021-22")
    check(page, assert_accessible)
    expect(page.get_by_role("heading", name="Carried into next year's plan")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_coordinator_produces_the_progress_report_and_sees_the_funding(
    session, demo, assert_accessible, width
):
    context, page = session(
        "coordinator", timeout=20_000, viewport={"width": width, "height": 900}, locale="en-GB"
    )

    page.goto("/plans/lichfield/2021-22/dashboard/")
    check(page, assert_accessible)
    page.get_by_role("link", name="Progress reports").first.click()
    check(page, assert_accessible, charts=False)
    page.get_by_role("link", name="For members: 2021-22 Q1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quarterly progress report 2021-22 Q1"
    )
    check(page, assert_accessible)
    with page.expect_download() as download:
        page.get_by_role("link", name="Word document").click()
    assert download.value.suggested_filename == "lichfield-2021-22-q1.docx"

    page.goto("/plans/lichfield/2021-22/funding/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Funding")
    check(page, assert_accessible, charts=False)
    page.get_by_label("Locality Delivery Funding (£)").fill("10000")
    page.get_by_role("button", name="Save allocations").click()
    expect(page.get_by_text("The funding allocations were saved.")).to_be_visible()
    expect(page.get_by_text("Over-committed by £2,500.00", exact=True)).to_be_visible()
    check(page, assert_accessible, charts=False)
    context.close()
