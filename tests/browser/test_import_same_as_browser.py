"""The import preview's choice per unknown agency name, in a real browser, with axe-core on every
page visited: the coordinator's file writes "Lichfield DC" and "Boley Park Residents"; the
preview asks what each means; "Lichfield DC" is the same as Lichfield District Council (recorded
as its other name), the residents' group a new agency; the preview then matches every row, and
the import gives the actions those lead agencies."""

from playwright.sync_api import expect

from actions.models import Action
from partners.models import AgencyAlias
from tests.planfiles.conftest import csv_bytes, plan_row

COUNCIL_LED = "Weekend youth outreach in Boley Park"
RESIDENTS_LED = "Street watch in Boley Park"
ROWS = [
    plan_row(
        partnership="Lichfield District Community Safety Partnership",
        plan_title="Community Safety Delivery Plan Outline 2021 – 2022",
        theme="",
        action=action,
        lead_agency=lead,
        supporting_agencies="",
    )
    for action, lead in ((COUNCIL_LED, "Lichfield DC"), (RESIDENTS_LED, "Boley Park Residents"))
]


def upload_the_file(page, tmp_path, assert_accessible):
    page.goto("/plans/lichfield/2021-22/workspace/")
    page.get_by_role("link", name="Import actions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import actions")
    assert_accessible(page)
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(ROWS))
    page.get_by_label("Plan file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_role("heading", name="Agency names we do not know")).to_be_visible()
    expect(page.get_by_role("group", name="“Lichfield DC”")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 rows")).to_have_count(0)
    assert_accessible(page)


def choose_what_each_name_means(page, assert_accessible):
    page.get_by_label("What the file means by “Lichfield DC”").select_option(
        label="Same as Lichfield District Council"
    )
    page.get_by_label("What the file means by “Boley Park Residents”").select_option(
        label="A new agency: create “Boley Park Residents”"
    )
    page.get_by_role("button", name="Check the file again with these agencies").click()
    expect(
        page.get_by_text(
            "Files and forms now find Lichfield District Council by “Lichfield DC” too."
        )
    ).to_be_visible()
    expect(page.get_by_text("2 new actions, 0 changed, 0 unchanged")).to_be_visible()
    expect(page.get_by_text("New agency: Boley Park Residents")).to_be_visible()
    # The residents' group may still be decided otherwise; "Lichfield DC" is settled.
    expect(page.get_by_label("What the file means by “Boley Park Residents”")).to_have_value(
        "create"
    )
    expect(page.get_by_label("What the file means by “Lichfield DC”")).to_have_count(0)
    assert_accessible(page)


def test_coordinator_says_a_name_is_an_agency_we_know_and_imports(
    page, demo, sign_in, assert_accessible, tmp_path
):
    sign_in(page, "coordinator")
    upload_the_file(page, tmp_path, assert_accessible)
    choose_what_each_name_means(page, assert_accessible)

    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported plan.csv: 2 actions added")).to_be_visible()
    assert_accessible(page)

    lichfield = {"priority__plan__partnership__slug": "lichfield"}
    council_led = Action.objects.get(description=COUNCIL_LED, **lichfield)
    assert council_led.lead_agency.name == "Lichfield District Council"
    residents_led = Action.objects.get(description=RESIDENTS_LED, **lichfield)
    assert residents_led.lead_agency.name == "Boley Park Residents"
    alias = AgencyAlias.objects.get(name="Lichfield DC")
    assert alias.agency.name == "Lichfield District Council"
    assert alias.created_by.username == "coordinator"
