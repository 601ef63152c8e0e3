"""Each agency's own figures for a measure, and the dashboard that shows them beside progress."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import ActionFactory, OutcomeFactory
from tracking.charts import line_chart
from tracking.figures import measures_data
from tracking.models import Figure, Measure, ProgressUpdate

Q1 = "2020-04-01"


@pytest.fixture
def measure(plan, priority):
    return Measure.objects.create(
        plan=plan,
        priority=priority,
        name="ASB incidents",
        unit="incidents",
        baseline=500,
        target=450,
    )


def enter(client, measure, agency, value, period=Q1, confidence=""):
    return client.post(
        reverse("figure_entry", args=[measure.pk]),
        {"agency": agency.pk, "period": period, "value": value, "confidence": confidence},
    )


def test_an_officer_enters_their_own_agencys_figure(client, measure, lead_officer, police):
    client.force_login(lead_officer)
    response = enter(client, measure, police, "412", confidence="Provisional")
    assert response.status_code == 302
    figure = Figure.objects.get()
    assert (figure.agency, figure.value, figure.period_start) == (
        police,
        412,
        datetime.date(2020, 4, 1),
    )
    assert figure.entered_by == lead_officer and figure.confidence == "Provisional"


@pytest.mark.parametrize("who", ["lead_officer", "supporting_officer", "representative"])
def test_an_agency_cannot_enter_figures_for_another(client, request, measure, housing, police, who):
    user = request.getfixturevalue(who)
    other = police if who != "lead_officer" else housing
    client.force_login(user)
    response = enter(client, measure, other, "97")
    assert response.status_code == 200  # the agency is not one of theirs to choose
    assert "Choose one of your agencies: you enter only their figures" in response.content.decode()
    assert not Figure.objects.exists()


def test_the_form_offers_only_the_persons_agencies(client, measure, representative):
    client.force_login(representative)
    page = client.get(reverse("figure_entry", args=[measure.pk])).content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert options == ["Bromford Housing Group"]


def test_the_coordinator_may_enter_for_any_agency(client, measure, coordinator, housing):
    client.force_login(coordinator)
    assert enter(client, measure, housing, "97").status_code == 302
    assert Figure.objects.get().agency == housing


def test_outsiders_see_nothing_and_anonymous_signs_in(client, measure, outsider, police):
    client.force_login(outsider)
    assert client.get(reverse("figure_entry", args=[measure.pk])).status_code == 404
    assert enter(client, measure, police, "1").status_code == 404
    client.logout()
    assert enter(client, measure, police, "1").status_code == 302
    assert not Figure.objects.exists()


def test_one_figure_per_measure_agency_and_period(measure, police):
    Figure.objects.create(measure=measure, agency=police, period_start=Q1, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(measure=measure, agency=police, period_start=Q1, value=2)


def test_a_correction_replaces_the_figure_and_history_keeps_the_old(
    client, measure, lead_officer, police
):
    client.force_login(lead_officer)
    enter(client, measure, police, "412")
    response = enter(client, measure, police, "415")
    assert response.status_code == 302
    figure = Figure.objects.get()
    assert figure.value == 415
    assert [h.value for h in figure.history.order_by("history_date")] == [412, 415]
    assert figure.history.latest().history_user == lead_officer


def test_a_bad_figure_is_refused_with_the_typed_value_kept(client, measure, lead_officer, police):
    client.force_login(lead_officer)
    response = enter(client, measure, police, "-3")
    assert response.status_code == 200
    assert 'href="#id_value"' in response.content.decode()
    assert 'value="-3"' in response.content.decode()
    assert not Figure.objects.exists()


def test_only_the_coordinator_defines_measures(client, plan, lead_officer, coordinator):
    url = reverse("measure_add", args=["lichfield", "2021-22"])
    data = {"name": "Repeat DA victims", "unit": "people", "frequency": "quarterly"}
    client.force_login(lead_officer)
    assert client.post(url, data).status_code == 403
    client.force_login(coordinator)
    assert client.post(url, data).status_code == 302
    assert Measure.objects.get().name == "Repeat DA victims"


# -- Charts and the table beside them.


@pytest.fixture
def figures(measure, police, housing):
    values = {police: [412, 468, 421], housing: [97, 102, 93]}
    for agency, numbers in values.items():
        for month, value in zip([4, 7, 10], numbers, strict=True):
            Figure.objects.create(
                measure=measure,
                agency=agency,
                period_start=datetime.date(2020, month, 1),
                value=value,
            )
    return values


def test_chart_has_one_series_per_agency_and_the_total_with_the_entered_values(plan, figures):
    data = measures_data(plan)[0]
    svg = str(line_chart(data, "chart"))
    series = re.findall(r'<g class="series" data-series="([^"]+)">(.*?)</g>', svg)
    values = {name: re.findall(r'data-value="([\d.]+)"', body) for name, body in series}
    assert values == {
        "Bromford Housing Group": ["97", "102", "93"],
        "Staffordshire Police": ["412", "468", "421"],
        "All agencies combined": ["509", "570", "514"],
    }
    assert "<script" not in svg and "style=" not in svg


def test_table_beside_the_chart_holds_the_same_numbers(client, plan, figures, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("plan_dashboard", args=["lichfield", "2021-22"])).content.decode()
    table = page[page.index('class="table table-sm measure-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)', table)
    cells = {label: re.findall(r"<td>([^<]*)</td>", body) for label, body in rows}
    assert cells == {
        "2020-21 Q1": ["97", "412", "509"],
        "2020-21 Q2": ["102", "468", "570"],
        "2020-21 Q3": ["93", "421", "514"],
    }
    assert "Baseline 500" in page and "Target 450" in page


# -- The dashboard.


def test_dashboard_counts_actions_by_rag_per_priority_and_theme(
    client, plan, action, coordinator, publish
):
    publish(plan)
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 6, 1), rag="at_risk", narrative="x"
    )
    client.force_login(coordinator)
    page = client.get(reverse("plan_dashboard", args=["lichfield", "2021-22"])).content.decode()
    priority_table = page[page.index("per priority") : page.index("per theme")]
    assert re.search(
        r'<th scope="row">Anti-social Behaviour \(ASB\)</th>'
        r"<td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>",
        priority_table,
    )


def _grow(plan, priority, measure, agencies, n):
    for i in range(n):
        a = ActionFactory(priority=priority, lead_agency=agencies[i % len(agencies)])
        OutcomeFactory(action=a)
        ProgressUpdate.objects.create(
            action=a, date=datetime.date(2021, 6, 1), rag="on_track", narrative="x"
        )
    for j in range(3):
        m = Measure.objects.create(plan=plan, name=f"Measure {n}-{j}")
        for agency in agencies:
            for month in (4, 7, 10, 1):
                Figure.objects.create(
                    measure=m,
                    agency=agency,
                    value=Decimal(5),
                    period_start=datetime.date(2020 + (month == 1), month, 1),
                )


def test_dashboard_queries_do_not_grow_with_actions_measures_or_figures(
    client, plan, priority, measure, coordinator, police, housing, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("plan_dashboard", args=["lichfield", "2021-22"])
    client.force_login(coordinator)
    _grow(plan, priority, measure, [police, housing], 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan, priority, measure, [police, housing], 60)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
