"""The main journeys by keyboard alone: signing in, editing an action, agreeing the plan."""

from playwright.sync_api import expect

from actions.models import Action
from lifecycle.models import Agreement
from priorities.models import Plan


def tab_to(page, describe: str, matches, limit: int = 250) -> None:
    """Press Tab until the focused element is the one wanted, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(matches):
            return
    raise AssertionError(f"Tabbing never reached {describe}")


def focused_is(selector: str) -> str:
    return f"() => document.activeElement && document.activeElement.matches({selector!r})"


def focused_text_starts(text: str) -> str:
    return (
        "() => document.activeElement && "
        f"(document.activeElement.textContent || '').trim().startsWith({text!r})"
    )


def test_sign_in_edit_an_action_and_agree_the_plan_by_keyboard(page, demo, assert_accessible):
    page.goto("/accounts/login/")
    assert_accessible(page)
    tab_to(page, "the username field", focused_is("#id_username"))
    page.keyboard.type("police.officer")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password-2021")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan work")
    assert_accessible(page)

    # Home is the to-do list; My plan work lists the agency's actions.
    tab_to(page, "the My plan work link", focused_text_starts("My plan work"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan work")
    assert_accessible(page)

    # From My plan work to the action, and into its edit form.
    tab_to(page, "the Triaging action", focused_text_starts("Triaging of ASB reports"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triaging of ASB reports")
    assert_accessible(page)
    tab_to(page, "the edit link", focused_text_starts("Edit action and outcomes"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit action")
    tab_to(page, "the action's text", focused_is("#id_description"))
    page.keyboard.press("Control+End")
    page.keyboard.type(", within one working day")
    tab_to(page, "the Save button", focused_text_starts("Save changes"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    assert_accessible(page)
    action = Action.objects.get(description__startswith="Triaging of ASB reports")
    assert action.description.endswith("at the earliest opportunity, within one working day")

    # The plan goes out for agreement; the police, who speak for their agency, agree it.
    plan = Plan.objects.get(partnership__slug="lichfield")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONSULTATION, consultation_round=1)
    page.goto("/plans/lichfield/2021-22/agreement/")
    assert_accessible(page)
    tab_to(page, "the agree option", focused_is("#id_decision_0"))
    page.keyboard.press("Space")
    tab_to(page, "the comment", focused_is("#id_comment"))
    page.keyboard.type("Agreed by Staffordshire Police.")
    tab_to(page, "the Record button", focused_text_starts("Record the answer"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Staffordshire Police's answer was recorded.")).to_be_visible()
    assert_accessible(page)
    answer = Agreement.objects.get(plan=plan, agency__name="Staffordshire Police")
    assert (answer.decision, answer.comment) == ("agreed", "Agreed by Staffordshire Police.")
