"""Another name of an agency, in a real browser, with axe-core on every page visited: a plan file
writes "Staffs Police"; the import's preview says it knows no such agency; the members page leads
the coordinator to the agencies' other names, where they give Staffordshire Police that name; a
name that breaks the rules is refused in words; then the same file imports, and the name is
removed again. (Choosing "same as" in the preview itself: test_import_same_as_browser.py.)"""

import re

from playwright.sync_api import expect

from tests.planfiles.conftest import csv_bytes, plan_row

ROW = plan_row(
    partnership="Lichfield District Community Safety Partnership",
    plan_title="Community Safety Delivery Plan Outline 2021 – 2022",
    theme="",
    lead_agency="Staffs Police",
    supporting_agencies="",
)


def upload(page, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([ROW]))
    page.goto("/plans/lichfield/2021-22/import/")
    page.get_by_label("Plan file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def test_a_name_the_file_uses_is_given_to_an_agency_and_the_file_imports(
    page, demo, sign_in, assert_accessible, tmp_path
):
    sign_in(page, "coordinator")
    upload(page, tmp_path)
    expect(page.get_by_role("heading", name=re.compile("^Problems in"))).to_be_visible()
    expect(
        page.get_by_text("The file names 1 agency we do not know: “Staffs Police”")
    ).to_be_visible()
    assert_accessible(page)
    page.goto("/partnerships/lichfield/members/")
    assert_accessible(page)
    page.get_by_role("link", name="See and change the other names of the agencies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Other names of the agencies")
    assert_accessible(page)

    page.get_by_role("combobox", name=re.compile("^Agency")).select_option(
        label="Lichfield District Council"
    )
    page.get_by_role("textbox", name=re.compile("^Other name")).fill("SFRS")
    page.get_by_role("button", name="Add the name").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "“SFRS” is already the short name of Staffordshire Fire and Rescue Service"
    )
    assert_accessible(page)

    page.get_by_role("combobox", name=re.compile("^Agency")).select_option(
        label="Staffordshire Police"
    )
    page.get_by_role("textbox", name=re.compile("^Other name")).fill("Staffs Police")
    page.get_by_role("button", name="Add the name").click()
    expect(
        page.get_by_text("Files and forms now find Staffordshire Police by “Staffs Police” too.")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Staffordshire Police"))).to_contain_text(
        "Staffs Police"
    )
    assert_accessible(page)

    upload(page, tmp_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    page.get_by_role("button", name="Import 1 row").click()
    expect(page.get_by_text("Imported plan.csv: 1 action added")).to_be_visible()

    page.goto("/partnerships/lichfield/members/")
    page.get_by_role("link", name="See and change the other names of the agencies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Other names of the agencies")
    page.get_by_role(
        "button", name="Remove “Staffs Police” from the names of Staffordshire Police"
    ).click()
    expect(
        page.get_by_text("Files and forms no longer find Staffordshire Police by “Staffs Police”.")
    ).to_be_visible()
    assert_accessible(page)
