"""A coordinator signs in and reads the draft plan, as in the seed's layout."""

from playwright.sync_api import expect


def test_coordinator_signs_in_and_reads_the_draft_plan(page, demo, sign_in, assert_accessible):
    page.goto("/")
    assert_accessible(page)
    sign_in(page, "coordinator")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Plans", exact=True).click()
    page.get_by_role(
        "link", name="Community Safety Delivery Plan Outline 2021 – 2022", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Community Safety Delivery Plan Outline 2021 – 2022"
    )
    expect(page.get_by_role("heading", name="Domestic Abuse")).to_be_visible()
    expect(
        page.get_by_text("Repeat perpetrators of domestic abuse to be identified")
    ).to_be_visible()
    assert_accessible(page)


def test_plan_page_is_usable_at_320_pixels(page, demo, sign_in, assert_accessible):
    sign_in(page, "council.officer")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/plans/lichfield/2021-22/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways at 320 px ({width} px wide)"
    assert_accessible(page)
