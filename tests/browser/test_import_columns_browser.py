"""The coordinator imports the partnership's own Word plan: the preview says how each column was
read, one column is read otherwise, and the import takes the choice. axe-core on every page."""

from playwright.sync_api import expect

from actions.models import Action
from tests.planfiles.documents import Heading, Table, word

ACTION = "Weekend youth outreach in Boley Park"


def plan_document() -> bytes:
    return word(
        [
            Heading("Lichfield CSP delivery plan", 1),
            Heading("Anti-social Behaviour (ASB)", 2),
            Table(
                [
                    ["Theme", "What we will do", "Expected outcome", "Notes", "Owner", "By when"],
                    [
                        "Prevention",
                        ACTION,
                        "Fewer calls about youth ASB\nSafer parks",
                        "Calls logged by the police\nVisits by park wardens",
                        "Police / LDC",
                        "Q3 2021-22",
                    ],
                ]
            ),
        ]
    )


def test_coordinator_changes_how_a_column_is_read_then_imports(
    page, demo, sign_in, assert_accessible
):
    sign_in(page, "coordinator")
    page.goto("/plans/lichfield/2021-22/workspace/")
    assert_accessible(page)
    page.get_by_role("link", name="Import actions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import actions")
    assert_accessible(page)

    page.get_by_label("Plan file").set_input_files(
        files=[
            {
                "name": "our-plan.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document",
                "buffer": plan_document(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_text("Table 1: 1 action")).to_be_visible()
    notes = page.get_by_label("Read “Notes” as")
    expect(notes).to_have_value("ignore")
    expect(page.get_by_label("Read “What we will do” as")).to_have_value("action")
    expect(page.get_by_text("“Police / LDC” names several agencies")).to_be_visible()
    assert_accessible(page)

    # The Notes column holds the measures: say so, and check the file again.
    notes.select_option(label="Measure")
    page.get_by_role("button", name="Check the file again with these columns").click()
    expect(page.get_by_label("Read “Notes” as")).to_have_value("measure")
    assert_accessible(page)

    page.get_by_role("button", name="Import 1 row").click()
    expect(page.get_by_text("Imported our-plan.docx: 1 action added")).to_be_visible()
    assert_accessible(page)

    action = Action.objects.get(description=ACTION)
    assert [(o.description, o.measure) for o in action.outcomes.order_by("order")] == [
        ("Fewer calls about youth ASB", "Calls logged by the police"),
        ("Safer parks", "Visits by park wardens"),
    ]
    assert action.lead_agency.name == "Staffordshire Police"
    assert str(action.target_date) == "2021-12-31"
