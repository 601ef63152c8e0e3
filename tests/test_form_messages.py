"""Messages that say what to do (GOV.UK style): each field's error names the field's job ("Enter
what partners will do"), never Django's "This field is required." — on the action, outcome,
priority, agreement, meeting and "mark agreed" forms.
"""

from __future__ import annotations

import html
import re

import pytest
from django import forms
from django.http import HttpResponse

from actions.forms import ActionForm, OutcomeForm
from lifecycle.forms import AgreementForm, MarkAgreedForm, MeetingForm
from lifecycle.readiness import plan_readiness
from lifecycle.services import plan_send_for_agreement
from partners.models import Agency
from priorities.forms import PriorityForm
from tests.actions.forms_data import action_post_data

PLAN = "/plans/lichfield/2021-22/"
DJANGO_DEFAULTS = {
    str(forms.Field.default_error_messages["required"]),
    str(forms.ChoiceField.default_error_messages["invalid_choice"]),
    str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
    str(forms.DateField.default_error_messages["invalid"]),
}


def text_of(response: HttpResponse) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def summary_of(response: HttpResponse) -> list[str]:
    """The error summary's lines, as the person reads them."""
    page = response.content.decode()
    box = re.search(r'<div class="alert alert-danger error-summary".*?</ul>', page, re.S)
    assert box, "no error summary"
    items = re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


@pytest.fixture
def every_form(plan, action, representative) -> list[forms.BaseForm]:
    readiness = plan_readiness(plan)
    return [
        ActionForm(plan=plan, can_restrict=True),
        OutcomeForm(),
        PriorityForm(plan=plan),
        AgreementForm(agencies=Agency.objects.all()),
        MeetingForm(answers=readiness.answers),
        MarkAgreedForm(pending=readiness.pending),
    ]


def test_no_field_of_these_forms_speaks_in_djangos_default_words(every_form) -> None:
    for form in every_form:
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            for code in ("required", "invalid_choice", "invalid"):
                if code == "required" and not field.required:
                    continue
                message = str(field.error_messages.get(code, ""))
                assert message not in DJANGO_DEFAULTS, (type(form).__name__, name, code)


def test_an_empty_action_says_what_to_enter(client, plan, priority, lead_officer) -> None:
    client.force_login(lead_officer)
    response = client.post(
        PLAN + "actions/add/",
        {
            "outcomes-TOTAL_FORMS": "1",
            "outcomes-INITIAL_FORMS": "0",
            "outcomes-MIN_NUM_FORMS": "0",
            "outcomes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert summary_of(response) == [
        "Priority: Choose the priority this action belongs to",
        "Action: Enter what partners will do",
        "Status: Choose the action's status",
    ]
    assert "This field is required." not in text_of(response)


def test_a_bad_action_says_what_to_choose_and_how_to_write_a_date(
    client, action, lead_officer, other_agency
) -> None:
    client.force_login(lead_officer)
    data = action_post_data(
        action,
        lead_agency=other_agency.pk,
        target_date="31/02/2022",
        status="finished",
        outcomes=[{"measure": "Referrals"}],
    )
    response = client.post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert summary_of(response) == [
        "Lead agency: Choose the lead agency from the partnership's list",
        "Target date: Enter the target date as a real date, for example 31/03/2022",
        "Status: Choose the action's status from the list",
        "Outcome 1: Outcome: Enter the change the action should bring",
    ]


def test_a_priority_without_a_title_says_to_enter_it(client, plan, coordinator) -> None:
    client.force_login(coordinator)
    empty = client.post(PLAN + "priorities/add/", {"title": "", "description": "No title"})
    assert summary_of(empty) == ["Title: Enter the priority's title"]
    long = client.post(PLAN + "priorities/add/", {"title": "x" * 201})
    assert summary_of(long) == ["Title: The priority's title must be 200 characters or fewer"]


def test_an_agency_answer_says_what_to_choose(
    client, plan, action, coordinator, representative
) -> None:
    plan_send_for_agreement(plan=plan, user=coordinator)
    client.force_login(representative)
    agency = representative.memberships.get().agency
    no_decision = client.post(PLAN + "agreement/", {"agency": agency.pk, "comment": ""})
    assert summary_of(no_decision) == [
        "The agency's answer: Choose whether your agency agrees or asks for changes"
    ]
    no_changes = client.post(
        PLAN + "agreement/", {"agency": agency.pk, "decision": "changes_requested"}
    )
    assert summary_of(no_changes) == ["Comment: Enter the changes your agency is asking for"]


def test_going_ahead_without_an_agency_asks_for_the_reason(
    client, plan, action, coordinator
) -> None:
    plan_send_for_agreement(plan=plan, user=coordinator)
    client.force_login(coordinator)
    response = client.post(PLAN + "stage/agreed/", {})
    assert response.status_code == 400
    lines = summary_of(response)
    assert len(lines) == 4
    assert (
        "Why the plan goes ahead without Humankind's agreement: Enter why the plan goes ahead "
        "without Humankind's agreement" in lines
    )
