"""The plan's progress updates and figures as CSV downloads for members: exactly the entered
data, with text a spreadsheet would run as a formula escaped."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from tests.factories import ActionFactory, UserFactory
from tracking.models import Figure, ProgressUpdate

UPDATES = "/plans/lichfield/2021-22/updates.csv"
FIGURES = "/plans/lichfield/2021-22/figures.csv"
ENTERED = datetime.datetime(2021, 7, 5, 9, 30, tzinfo=datetime.UTC)  # 10:30 in London


def rows_of(response) -> list[list[str]]:
    content = response.content
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def updates(action, lead_officer):
    lead_officer.first_name, lead_officer.last_name = "Alice", "Archer"
    lead_officer.save()
    with time_machine.travel(ENTERED, tick=False):
        first = ProgressUpdate.objects.create(
            action=action,
            date=datetime.date(2021, 6, 30),
            rag=ProgressUpdate.Rag.ON_TRACK,
            percent_complete=25,
            narrative="Triage meetings weekly since May.",
            created_by=lead_officer,
        )
        second = ProgressUpdate.objects.create(
            action=action,
            date=datetime.date(2021, 9, 30),
            rag=ProgressUpdate.Rag.AT_RISK,
            narrative='=HYPERLINK("http://evil.example","Click")',
            created_by=None,
        )
    return [first, second]


@pytest.fixture
def figures(asb_measure, police, housing, representative):
    with time_machine.travel(ENTERED, tick=False):
        return [
            Figure.objects.create(
                measure=asb_measure,
                agency=police,
                period_start=datetime.date(2021, 4, 1),
                value=Decimal("120"),
                confidence="Validated",
            ),
            Figure.objects.create(
                measure=asb_measure,
                agency=housing,
                period_start=datetime.date(2021, 4, 1),
                value=Decimal("-3.5"),
                confidence="+ provisional",
                entered_by=representative,
            ),
        ]


# -- Who may download.


@pytest.mark.parametrize("url", [UPDATES, FIGURES])
def test_anonymous_visitor_is_asked_to_sign_in(client, plan, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", [UPDATES, FIGURES])
@pytest.mark.parametrize("person", ["outsider", "other_coordinator"])
def test_outsider_gets_not_found(client, request, plan, url, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [UPDATES, FIGURES])
def test_not_found_for_a_plan_that_does_not_exist(client, coordinator, plan, url):
    client.force_login(coordinator)
    assert client.get(url.replace("2021-22", "2030-31")).status_code == 404


@pytest.mark.parametrize("url", [UPDATES, FIGURES])
@pytest.mark.parametrize(
    "person", ["lead_officer", "unrelated_officer", "representative", "coordinator", "admin_user"]
)
def test_every_member_downloads_the_files(client, request, plan, url, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]


# -- What they hold.


def test_updates_file_holds_exactly_the_entered_updates(client, coordinator, updates):
    client.force_login(coordinator)
    response = client.get(UPDATES)
    assert 'filename="lichfield-2021-22-progress-updates.csv"' in response["Content-Disposition"]
    assert rows_of(response) == [
        [
            "action",
            "priority",
            "theme",
            "lead_agency",
            "date",
            "rag",
            "percent_complete",
            "narrative",
            "entered_by",
            "entered_at",
        ],
        [
            "Triaging of ASB reports to key agencies",
            "Anti-social Behaviour (ASB)",
            "Early Intervention and Prevention",
            "Staffordshire Police",
            "2021-06-30",
            "On track",
            "25",
            "Triage meetings weekly since May.",
            "Alice Archer",
            "2021-07-05 10:30:00",
        ],
        [
            "Triaging of ASB reports to key agencies",
            "Anti-social Behaviour (ASB)",
            "Early Intervention and Prevention",
            "Staffordshire Police",
            "2021-09-30",
            "At risk",
            "",
            '\'=HYPERLINK("http://evil.example","Click")',
            "",
            "2021-07-05 10:30:00",
        ],
    ]


def test_figures_file_holds_exactly_the_entered_figures(client, lead_officer, figures):
    client.force_login(lead_officer)
    response = client.get(FIGURES)
    assert 'filename="lichfield-2021-22-figures.csv"' in response["Content-Disposition"]
    assert rows_of(response) == [
        ["measure", "unit", "agency", "period", "value", "confidence", "entered_by", "entered_at"],
        [
            "ASB incidents",
            "incidents",
            "Bromford Housing Group",
            "2021-22 Q1",
            "-3.50",  # a number we wrote: never escaped
            "'+ provisional",
            f"{figures[1].entered_by.get_full_name()}",
            "2021-07-05 10:30:00",
        ],
        [
            "ASB incidents",
            "incidents",
            "Staffordshire Police",
            "2021-22 Q1",
            "120.00",
            "Validated",
            "",
            "2021-07-05 10:30:00",
        ],
    ]


def test_figures_are_labelled_by_their_measures_frequency(
    client, coordinator, monthly_measure, annual_measure, council
):
    Figure.objects.create(
        measure=monthly_measure, agency=council, period_start=datetime.date(2021, 5, 1), value=7
    )
    Figure.objects.create(
        measure=annual_measure, agency=council, period_start=datetime.date(2021, 4, 1), value=81
    )
    client.force_login(coordinator)
    periods = {row[0]: row[3] for row in rows_of(client.get(FIGURES))[1:]}
    assert periods == {"Repeat callers": "May 2021", "Residents feeling safe": "2021-22"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "'="])
def test_every_cell_that_a_spreadsheet_would_run_is_escaped(client, coordinator, action, start):
    narrative = f"{start}cmd|' /C calc'!A0"
    action.description = f"{start}SUM(A1:A9)"
    action.save()
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 6, 30), rag="on_track", narrative=narrative
    )
    client.force_login(coordinator)
    row = rows_of(client.get(UPDATES))[1]
    assert row[0] == f"'{start}SUM(A1:A9)"
    assert row[7] == "'" + narrative


def test_plain_text_is_not_escaped(client, coordinator, action):
    ProgressUpdate.objects.create(
        action=action,
        date=datetime.date(2021, 6, 30),
        rag="complete",
        narrative="Done – 100% of referrals triaged; e-mail sent to partners.",
    )
    client.force_login(coordinator)
    row = rows_of(client.get(UPDATES))[1]
    assert row[5] == "Complete"
    assert row[7] == "Done – 100% of referrals triaged; e-mail sent to partners."


def test_other_plans_updates_are_not_in_the_file(client, coordinator, updates):
    from tests.factories import PlanFactory, PriorityFactory

    elsewhere = ActionFactory(priority=PriorityFactory(plan=PlanFactory()))
    ProgressUpdate.objects.create(
        action=elsewhere, date=datetime.date(2021, 6, 30), rag="on_track", narrative="Elsewhere"
    )
    client.force_login(coordinator)
    assert len(rows_of(client.get(UPDATES))) == 3


def test_query_count_does_not_grow_with_the_number_of_rows(
    client, coordinator, action, asb_measure, police, django_assert_max_num_queries
):
    client.force_login(coordinator)
    client.get(UPDATES)  # warm up the session
    counts = {}
    for url in (UPDATES, FIGURES):
        with django_assert_max_num_queries(10) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    user = UserFactory()
    for number in range(20):
        ProgressUpdate.objects.create(
            action=ActionFactory(priority=action.priority, lead_agency=police),
            date=datetime.date(2021, 6, 30),
            rag="on_track",
            narrative=f"Update {number}",
            created_by=user,
        )
        Figure.objects.create(
            measure=asb_measure,
            agency=police,
            period_start=datetime.date(2000 + number, 4, 1),
            value=number,
            entered_by=user,
        )
    for url in (UPDATES, FIGURES):
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        assert len(rows_of(response)) == 21
