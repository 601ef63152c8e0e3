"""Agreement as partnerships give it: the coordinator records, in one form, the answers core
agencies gave at a board meeting; the readiness page says who can answer online for each agency.

The stage × role matrix of the meeting record is in test_lifecycle.py ("meeting"); here are its
page's ladder, what it records and shows, and how it validates.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from lifecycle.models import Agreement
from lifecycle.readiness import plan_readiness
from lifecycle.services import (
    MeetingAnswer,
    plan_mark_agreed,
    plan_record_meeting,
    plan_send_for_agreement,
)
from partners.models import Partnership
from priorities.models import Plan
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.snapshots import database_snapshot

PLAN_URL = "/plans/lichfield/2021-22/"
READINESS_URL = PLAN_URL + "readiness/"
MEETING_URL = PLAN_URL + "agreement/meeting/"
MINUTES = "Board minutes, 22 April 2021, item 5"
NO_ONE_ONLINE = "No one can answer online for this agency: record its answer at a meeting"
CHANGES = "Name the tenancy sustainment team among the supporting agencies."


def text_of(response: HttpResponse) -> str:
    """The words of a page, without its markup."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def row_of(response: HttpResponse, agency: str) -> str:
    """The words of an agency's row in the readiness page's table of answers."""
    page = response.content.decode()
    match = re.search(rf'<th scope="row">{re.escape(agency)}</th>(.*?)</tr>', page, re.S)
    assert match, f"no row for {agency}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("partnership").get(pk=plan.pk)


@pytest.fixture
def consultation(plan: Plan, action, coordinator, representative) -> Plan:
    """The conftest plan, sent for agreement by the coordinator (round 1)."""
    plan_send_for_agreement(plan=fresh(plan), user=coordinator)
    return fresh(plan)


def form_data(**answers: str | tuple[str, str]) -> dict:
    """The meeting form as the browser sends it: agency pk → decision, or (decision, comment)."""
    data = {"date": "2021-04-22", "minutes_reference": MINUTES}
    for pk, answer in answers.items():
        decision, comment = answer if isinstance(answer, tuple) else (answer, "")
        data[f"decision_{pk.removeprefix('a')}"] = decision
        data[f"comment_{pk.removeprefix('a')}"] = comment
    return data


def answers_of(plan: Plan) -> dict[str, Agreement]:
    return {
        a.agency.name: a
        for a in Agreement.objects.filter(plan=plan, round=plan.consultation_round).select_related(
            "agency", "decided_by"
        )
    }


# -- The page's ladder: anonymous → login, outsider → 404, member → 403 saying why, coordinator.


def test_anonymous_is_sent_to_log_in(client, consultation) -> None:
    response = client.get(MEETING_URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={MEETING_URL}"


@pytest.mark.parametrize("role", ["other_coordinator", "outsider"])
def test_people_of_another_partnership_get_404(client, request, consultation, role) -> None:
    client.force_login(request.getfixturevalue(role))
    before = database_snapshot()
    assert client.get(MEETING_URL).status_code == 404
    assert client.post(MEETING_URL, form_data()).status_code == 404
    assert database_snapshot() == before


def test_an_officer_gets_403_saying_who_records_meetings_and_who_can_help(
    client, consultation, lead_officer, coordinator, housing, police
) -> None:
    client.force_login(lead_officer)
    before = database_snapshot()
    for response in (
        client.get(MEETING_URL),
        client.post(MEETING_URL, form_data(**{f"a{police.pk}": "agreed"})),
    ):
        assert response.status_code == 403
        page = text_of(response)
        assert (
            "Only the partnership's coordinator can record the answers given at a meeting." in page
        )
        assert "Who can help" in page
        assert coordinator.get_full_name() in page
        assert f'href="mailto:{coordinator.email}"' in response.content.decode()
    assert database_snapshot() == before


def test_someone_who_speaks_for_an_agency_is_told_to_answer_online(
    client, consultation, representative
) -> None:
    client.force_login(representative)
    response = client.get(MEETING_URL)
    assert response.status_code == 403
    assert (
        "Only the partnership's coordinator can record the answers given at a meeting. To give "
        "Bromford Housing Group's answer yourself, choose “Give your agency's answer” on the "
        "plan's Readiness and agreement page." in text_of(response)
    )


@pytest.mark.parametrize("role", ["coordinator", "admin_user"])
def test_the_coordinator_and_admin_open_the_page(client, request, consultation, role) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(MEETING_URL)
    assert response.status_code == 200
    page = text_of(response)
    assert "Record answers given at a meeting" in page
    # One group per core agency, each defaulting to "absent".
    for agency in consultation.partnership.core_agencies.all():
        assert f"{agency.name}'s answer" in page
        assert re.search(
            rf'name="decision_{agency.pk}" value="" [^>]*checked', response.content.decode()
        )


# -- What it records, and how the readiness page shows it.


def test_the_coordinator_records_several_agencies_at_once(
    client, consultation, coordinator, police, council, housing, unrelated_agency
) -> None:
    client.force_login(coordinator)
    data = form_data(
        **{
            f"a{police.pk}": "agreed",
            f"a{housing.pk}": ("changes_requested", CHANGES),
            f"a{council.pk}": "agreed",
            f"a{unrelated_agency.pk}": "",  # absent
        }
    )

    response = client.post(MEETING_URL, data, follow=True)

    assert response.redirect_chain == [(READINESS_URL, 302)]
    assert (
        "The answers given at the meeting of 22 April 2021 were recorded: Bromford Housing "
        "Group, Lichfield District Council, Staffordshire Police." in text_of(response)
    )
    plan = fresh(consultation)
    answers = answers_of(plan)
    assert set(answers) == {
        "Staffordshire Police",
        "Lichfield District Council",
        "Bromford Housing Group",
    }
    for answer in answers.values():
        assert answer.decided_by == coordinator
        assert answer.meeting_date == datetime.date(2021, 4, 22)
        assert answer.minutes_reference == MINUTES
        assert answer.round == plan.consultation_round
    assert answers["Bromford Housing Group"].decision == Agreement.Decision.CHANGES_REQUESTED
    assert answers["Bromford Housing Group"].comment == CHANGES
    assert answers["Staffordshire Police"].decision == Agreement.Decision.AGREED
    assert answers["Staffordshire Police"].comment == ""

    recorded = f"Recorded by {coordinator.get_full_name()} at the meeting of 22 April 2021"
    police_row = row_of(response, "Staffordshire Police")
    assert police_row.startswith(f"Agreed {recorded} (minutes: {MINUTES})")
    assert row_of(response, "Bromford Housing Group").startswith(f"Asked for changes {recorded}")
    assert CHANGES in row_of(response, "Bromford Housing Group")
    assert row_of(response, "Humankind").startswith("Not yet answered")
    assert [a.agency.name for a in plan_readiness(plan).pending] == [
        "Bromford Housing Group",
        "Humankind",
    ]


def test_answers_given_at_a_meeting_count_as_agreement(
    consultation, coordinator, police, council, housing, unrelated_agency
) -> None:
    answers = {
        agency: MeetingAnswer("agreed") for agency in (police, council, housing, unrelated_agency)
    }
    plan_record_meeting(
        plan=consultation,
        user=coordinator,
        date=datetime.date(2021, 4, 22),
        minutes_reference=MINUTES,
        answers=answers,
    )
    assert not plan_readiness(fresh(consultation)).pending
    # No reason is needed for any agency: each agreed at the meeting.
    plan_mark_agreed(plan=fresh(consultation), user=coordinator, reasons={})
    assert fresh(consultation).status == Plan.Status.AGREED
    assert not Agreement.objects.filter(decision=Agreement.Decision.WAIVED).exists()


def test_a_meeting_answer_replaces_the_online_answer_of_the_round(
    consultation, coordinator, representative, housing
) -> None:
    from lifecycle.services import plan_answer

    plan_answer(plan=consultation, user=representative, agency=housing, decision="agreed")
    plan_record_meeting(
        plan=fresh(consultation),
        user=coordinator,
        date=datetime.date(2021, 4, 22),
        minutes_reference=MINUTES,
        answers={housing: MeetingAnswer("changes_requested", CHANGES)},
    )
    answer = Agreement.objects.get(plan=consultation, agency=housing)
    assert answer.decision == Agreement.Decision.CHANGES_REQUESTED
    assert answer.decided_by == coordinator
    assert answer.meeting_date == datetime.date(2021, 4, 22)


def test_marking_agreed_without_an_agency_forgets_the_meeting_it_asked_for_changes_at(
    consultation, coordinator, police, council, housing, unrelated_agency
) -> None:
    plan_record_meeting(
        plan=consultation,
        user=coordinator,
        date=datetime.date(2021, 4, 22),
        minutes_reference=MINUTES,
        answers={housing: MeetingAnswer("changes_requested", CHANGES)},
    )
    reasons = {a.pk: "Agreed by e-mail." for a in (police, council, housing, unrelated_agency)}
    plan_mark_agreed(plan=fresh(consultation), user=coordinator, reasons=reasons)
    waived = Agreement.objects.get(plan=consultation, agency=housing)
    assert waived.decision == Agreement.Decision.WAIVED
    assert (waived.meeting_date, waived.minutes_reference) == (None, "")


# -- Refusals: outside consultation, by anyone but the coordinator, and bad answers.


@pytest.mark.parametrize("stage", [Plan.Status.DRAFT, Plan.Status.AGREED, Plan.Status.PUBLISHED])
def test_outside_consultation_nothing_is_recorded(
    client, plan, action, coordinator, police, stage
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=stage)
    client.force_login(coordinator)
    before = database_snapshot()
    response = client.post(MEETING_URL, form_data(**{f"a{police.pk}": "agreed"}))
    assert response.status_code == 200
    label = Plan.Status(stage).label.lower()
    page = text_of(response)
    assert (
        f"The plan is at the {label} stage: answers given at a meeting are recorded only while "
        "it is out for agreement." in page
    )
    assert f"The plan cannot be agreed or questioned while it is at the {label} stage" in page
    assert 'name="decision_' not in response.content.decode()
    assert database_snapshot() == before


def test_the_service_refuses_anyone_but_the_coordinator(
    consultation, representative, lead_officer, housing
) -> None:
    before = database_snapshot()
    for user in (representative, lead_officer):
        with pytest.raises(PermissionDenied) as caught:
            plan_record_meeting(
                plan=consultation,
                user=user,
                date=datetime.date(2021, 4, 22),
                minutes_reference=MINUTES,
                answers={housing: MeetingAnswer("agreed")},
            )
        assert str(caught.value) == (
            "Only the partnership's coordinator can record the answers given at a meeting."
        )
    assert database_snapshot() == before


@time_machine.travel("2021-04-23 09:00 +0100", tick=False)
@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "Enter the date of the meeting"),
        ("31/02/2021", "Enter the date of the meeting as a real date, for example 22/04/2021"),
        ("next Tuesday", "Enter the date of the meeting as a real date, for example 22/04/2021"),
        ("2021-04-24", "The date of the meeting must be today or in the past"),
    ],
)
def test_the_date_of_the_meeting_is_checked(
    client, consultation, coordinator, police, date, message
) -> None:
    client.force_login(coordinator)
    before = database_snapshot()
    data = form_data(**{f"a{police.pk}": "agreed"}) | {"date": date}
    response = client.post(MEETING_URL, data)
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    assert f"Date of the meeting: {message}" in page
    assert 'href="#id_date"' in response.content.decode()
    assert database_snapshot() == before


@time_machine.travel("2021-04-23 09:00 +0100", tick=False)
def test_dates_today_and_in_the_british_form_are_accepted(
    client, consultation, coordinator, police
) -> None:
    client.force_login(coordinator)
    data = form_data(**{f"a{police.pk}": "agreed"}) | {"date": "23/04/2021"}
    assert client.post(MEETING_URL, data).status_code == 302
    assert Agreement.objects.get(agency=police).meeting_date == datetime.date(2021, 4, 23)


@time_machine.travel("2021-04-23 09:00 +0100", tick=False)
def test_the_service_refuses_a_meeting_still_to_come_and_no_minutes(
    consultation, coordinator, police
) -> None:
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_record_meeting(
            plan=consultation,
            user=coordinator,
            date=datetime.date(2021, 4, 24),
            minutes_reference="  ",
            answers={police: MeetingAnswer("agreed")},
        )
    assert caught.value.message_dict == {
        "date": ["The date of the meeting must be today or in the past."],
        "minutes_reference": ["Enter the minutes reference."],
    }
    assert database_snapshot() == before


def test_the_form_needs_the_minutes_an_answer_and_the_changes_asked_for(
    client, consultation, coordinator, police, housing
) -> None:
    client.force_login(coordinator)
    before = database_snapshot()

    nothing_chosen = client.post(MEETING_URL, form_data())
    assert (
        "Choose the answer of at least one agency: “Agreed the plan” or “Asked for changes”"
        in text_of(nothing_chosen)
    )
    no_minutes = client.post(
        MEETING_URL, form_data(**{f"a{police.pk}": "agreed"}) | {"minutes_reference": ""}
    )
    assert "Minutes reference: Enter where the minutes record the answers" in text_of(no_minutes)
    no_changes = client.post(
        MEETING_URL,
        form_data(**{f"a{police.pk}": "agreed", f"a{housing.pk}": ("changes_requested", " ")}),
    )
    assert (
        "Changes Bromford Housing Group asked for: Enter the changes Bromford Housing Group "
        "asked for" in text_of(no_changes)
    )
    bad_choice = client.post(MEETING_URL, form_data(**{f"a{police.pk}": "waived"}))
    assert (
        "Choose whether Staffordshire Police agreed, asked for changes or did not answer"
        in text_of(bad_choice)
    )
    for response in (nothing_chosen, no_minutes, no_changes, bad_choice):
        assert response.status_code == 200
        assert "This field is required." not in text_of(response)
    # All or nothing: the police's "agreed" was not recorded beside the bad answers.
    assert database_snapshot() == before


def test_the_service_records_all_or_nothing(consultation, coordinator, police, housing) -> None:
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_record_meeting(
            plan=consultation,
            user=coordinator,
            date=datetime.date(2021, 4, 22),
            minutes_reference=MINUTES,
            answers={
                police: MeetingAnswer("agreed"),
                housing: MeetingAnswer("changes_requested", ""),
            },
        )
    assert caught.value.messages == ["Say what changes Bromford Housing Group asked for."]
    with pytest.raises(ValidationError) as caught:
        plan_record_meeting(
            plan=consultation,
            user=coordinator,
            date=datetime.date(2021, 4, 22),
            minutes_reference=MINUTES,
            answers={police: MeetingAnswer("waived", "Not at the meeting")},
        )
    assert caught.value.messages == ["Choose whether the agency agrees or asks for changes."]
    with pytest.raises(ValidationError) as caught:
        plan_record_meeting(
            plan=consultation,
            user=coordinator,
            date=datetime.date(2021, 4, 22),
            minutes_reference=MINUTES,
            answers={},
        )
    assert caught.value.messages == ["Record the answer of at least one agency."]
    assert database_snapshot() == before


def test_only_core_agencies_answer_at_a_meeting(
    consultation, coordinator, police, other_agency
) -> None:
    before = database_snapshot()
    with pytest.raises(ValidationError) as caught:
        plan_record_meeting(
            plan=consultation,
            user=coordinator,
            date=datetime.date(2021, 4, 22),
            minutes_reference=MINUTES,
            answers={police: MeetingAnswer("agreed"), other_agency: MeetingAnswer("agreed")},
        )
    assert caught.value.messages == [
        "Only core agencies answer for the plan: West Mercia Police is not one."
    ]
    assert database_snapshot() == before


def test_an_edit_after_the_meeting_clears_its_answers_like_online_ones(
    client, consultation, coordinator, police
) -> None:
    plan_record_meeting(
        plan=consultation,
        user=coordinator,
        date=datetime.date(2021, 4, 22),
        minutes_reference=MINUTES,
        answers={police: MeetingAnswer("agreed")},
    )
    fresh(consultation).note_edit()
    client.force_login(coordinator)
    assert row_of(client.get(READINESS_URL), "Staffordshire Police").startswith("Not yet answered")


# -- Who can answer online: named on the readiness page, in one query for every agency.


def test_the_readiness_page_names_who_can_answer_online_for_each_agency(
    client, consultation, coordinator, representative, housing
) -> None:
    second = MembershipFactory(
        user=UserFactory(username="zoe", first_name="Zoe", last_name="Zebedee"),
        agency=housing,
        may_speak_for_agency=True,
    ).user
    gone = MembershipFactory(
        user=UserFactory(username="gone", is_active=False),
        agency=housing,
        may_speak_for_agency=True,
    ).user
    client.force_login(coordinator)
    response = client.get(READINESS_URL)
    assert "Who can answer online" in text_of(response)
    housing_row = row_of(response, "Bromford Housing Group")
    assert housing_row.endswith(f"{representative.get_full_name()}, Zoe Zebedee")
    assert gone.get_full_name() not in housing_row
    assert second.get_full_name() in housing_row
    for agency in ("Staffordshire Police", "Lichfield District Council", "Humankind"):
        assert row_of(response, agency).endswith(f"{NO_ONE_ONLINE} ({agency})")
    # The coordinator, in consultation, is taken to the meeting form.
    page = response.content.decode()
    assert page.count(f'href="{MEETING_URL}"') == 4  # the button and three agencies' rows
    assert "Record answers given at a meeting</a>" in page


@pytest.mark.parametrize("role", ["lead_officer", "representative"])
def test_others_are_not_offered_the_meeting_form(client, request, consultation, role) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(READINESS_URL)
    assert NO_ONE_ONLINE in text_of(response)
    assert MEETING_URL not in response.content.decode()


def test_the_meeting_form_is_offered_only_during_consultation(
    client, plan, action, coordinator
) -> None:
    client.force_login(coordinator)
    response = client.get(READINESS_URL)
    assert NO_ONE_ONLINE in text_of(response)
    assert MEETING_URL not in response.content.decode()


def add_core_agencies(partnership: Partnership, count: int) -> None:
    for number in range(count):
        agency = AgencyFactory(name=f"Extra agency {number}", slug=f"extra-{number}")
        partnership.core_agencies.add(agency)
        for speaker in range(2):
            MembershipFactory(
                user=UserFactory(username=f"extra-{number}-{speaker}"),
                agency=agency,
                may_speak_for_agency=True,
            )


def test_who_can_answer_takes_the_same_queries_however_many_agencies(
    client, consultation, coordinator, django_assert_num_queries
) -> None:
    plan = fresh(consultation)
    with CaptureQueriesContext(connection) as few:
        readiness = plan_readiness(plan)
    assert len(readiness.answers) == 4
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few_page:
        assert client.get(READINESS_URL).status_code == 200

    add_core_agencies(consultation.partnership, 12)

    plan = fresh(consultation)
    with django_assert_num_queries(len(few)):
        readiness = plan_readiness(plan)
    assert len(readiness.answers) == 16
    assert all(len(row.speakers) == 2 for row in readiness.answers if "Extra" in row.agency.name)
    with django_assert_num_queries(len(few_page)):
        response = client.get(READINESS_URL)
    assert "Extra agency 11" in text_of(response)
