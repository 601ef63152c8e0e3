"""A partner officer drafts their agency's part of the plan in a real browser."""

import re

from playwright.sync_api import expect


def test_police_officer_edits_their_action_and_cannot_edit_anothers(
    page, demo, sign_in, assert_accessible
):
    page.goto("/")
    assert_accessible(page)
    sign_in(page, "police.officer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
    assert_accessible(page)

    # Open the Lichfield plan's workspace, from My plan work.
    page.get_by_role("link", name="My plan work").click()
    page.get_by_role(
        "link", name=re.compile(r"Community Safety Delivery Plan Outline.*2021-22")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Community Safety Delivery Plan Outline 2021 – 2022"
    )
    assert_accessible(page)

    # An action of Staffordshire Police.
    page.get_by_role("link", name=re.compile(r"^Triaging of ASB reports")).click()
    expect(page.get_by_text("Staffordshire Police").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Edit action and outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit action")
    assert_accessible(page)

    new_outcome = page.get_by_role("group", name="New outcome")
    new_outcome.get_by_role("textbox", name=re.compile("^Outcome")).fill(
        "Fewer duplicated visits to the same household"
    )
    new_outcome.get_by_role("textbox", name=re.compile("^Measure")).fill(
        "Joint visits logged by partners"
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    expect(page.get_by_text("Fewer duplicated visits to the same household").first).to_be_visible()
    assert_accessible(page)

    # The outcome is on the plan, in the workspace and in the plan document.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=re.compile("2021-22")
    ).click()
    expect(
        page.get_by_text("Outcome: Fewer duplicated visits to the same household")
    ).to_be_visible()
    page.get_by_role("link", name="Read the plan as a document").click()
    expect(page.get_by_text("Fewer duplicated visits to the same household")).to_be_visible()
    assert_accessible(page)

    # An action led by Pathway, which the police neither lead nor support: no way to edit it.
    page.get_by_role("link", name="Open the plan workspace").click()
    page.get_by_role("link", name=re.compile(r"^Commissioned and voluntary services")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commissioned and voluntary")
    expect(page.get_by_text("Pathway").first).to_be_visible()
    assert page.get_by_role("link", name="Edit action and outcomes").count() == 0
    assert page.get_by_role("link", name="Delete action").count() == 0
    assert page.get_by_role("button", name=re.compile("Move")).count() == 0
    assert_accessible(page)

    # Typing the edit address straight in is refused too.
    response = page.goto(page.url + "edit/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    assert_accessible(page)


def test_drafting_pages_are_usable_at_320_pixels_and_by_keyboard(
    page, demo, sign_in, assert_accessible
):
    sign_in(page, "coordinator")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/plans/lichfield/2021-22/workspace/")
    triaging = page.get_by_role("link", name=re.compile(r"^Triaging of ASB reports"))
    action_url = triaging.get_attribute("href")
    for url in [
        "/my-work/",
        "/plans/lichfield/2021-22/workspace/",
        "/plans/lichfield/2021-22/priorities/",
        "/plans/lichfield/2021-22/priorities/add/",
        action_url,
        action_url + "edit/",
        action_url + "delete/",
    ]:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} scrolls sideways at 320 px ({width} px wide)"
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)

    # The skip link is the first thing the keyboard reaches, and it is visible when focused.
    page.goto("/my-work/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
