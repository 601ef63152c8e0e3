"""Honest totals: when not every agency that reports a measure has a figure for a period, the
combined value is marked partial ("1 of 2 agencies") in tables, drawn as a marker of its own (no
line into it) in charts, and left out of the direction of travel and of the comparison with the
target: on the dashboard, the public plan and the reports."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.content import quarterly_report
from tracking.charts import NARROW, WIDE, chart_geometry, line_chart
from tracking.figures import measures_data
from tracking.models import Figure, Measure
from tracking.reporting import reporting_periods

Q = [datetime.date(2020, 4, 1), datetime.date(2020, 7, 1), datetime.date(2020, 10, 1)]


@pytest.fixture
def asb(plan, priority, police, housing):
    """Police and Bromford report ASB; in 2020-21 Q3 only Bromford has entered its figure."""
    measure = Measure.objects.create(
        plan=plan,
        priority=priority,
        name="ASB incidents",
        baseline=Decimal(509),
        target=Decimal(450),
    )
    for start, police_value, housing_value in zip(Q, [412, 380, None], [97, 90, 104], strict=True):
        if police_value is not None:
            Figure.objects.create(
                measure=measure, agency=police, period_start=start, value=police_value
            )
        Figure.objects.create(
            measure=measure, agency=housing, period_start=start, value=housing_value
        )
    return measure


def test_the_combined_value_of_a_period_with_1_of_2_agencies_is_partial(plan, asb):
    data = measures_data(plan)[0]
    total = data.headline
    assert total.name == "All agencies combined"
    assert [total.partial_note(p) for p in Q] == ["", "", "1 of 2 agencies"]
    assert data.rows[2][0] == "2020-21 Q3"
    cells = data.rows[2][1]
    assert (cells[-1].value, cells[-1].partial) == (Decimal(104), "1 of 2 agencies")
    assert cells[1].value is None  # the police's missing figure


def test_the_direction_of_travel_and_the_target_ignore_the_partial_period(plan, asb):
    trend = measures_data(plan)[0].trend
    assert (trend.latest, trend.latest_label) == (Decimal(470), "2020-21 Q2")
    assert (trend.previous, trend.previous_label) == (Decimal(509), "2020-21 Q1")
    assert trend.direction == "down"
    assert trend.direction_text == "Down 39 (8%): 470 in 2020-21 Q2, from 509 in 2020-21 Q1"
    # 104 would be "far below the target of 450": it is not compared.
    assert trend.meets_target is False
    assert measures_data(plan)[0].target_text == "20 above the target of 450 (not met)"
    assert trend.left_out == ("2020-21 Q3 (1 of 2 agencies)",)


@pytest.mark.parametrize("frame", [WIDE, NARROW])
def test_the_chart_draws_a_partial_total_apart_with_no_line_into_it(plan, asb, frame):
    data = measures_data(plan)[0]
    chart = chart_geometry(data, "asb", frame)
    total = next(line for line in chart.lines if line.name == "All agencies combined")
    partial = total.partial_points
    assert [p.value for p in partial] == ["104"] and partial[0].partial == "1 of 2 agencies"
    at = f"{partial[0].x:.1f},{partial[0].y:.1f}"
    assert all(at not in points for points in total.polylines)
    assert total.polylines == [" ".join(f"{p.x:.1f},{p.y:.1f}" for p in total.whole_points)]
    assert chart.partial_key is not None
    svg = str(line_chart(data, "asb", frames=[frame]))
    assert 'data-partial="1 of 2 agencies"' in svg
    assert "left out of the trend" in svg


def test_no_line_crosses_a_gap_in_an_agencys_figures(plan, asb, police):
    Figure.objects.filter(measure=asb, agency=police, period_start=Q[1]).delete()
    Figure.objects.create(
        measure=asb, agency=police, period_start=datetime.date(2021, 1, 1), value=400
    )
    data = measures_data(plan)[0]
    police_line = next(
        line for line in chart_geometry(data, "asb").lines if line.name == police.name
    )
    assert len(police_line.whole_points) == 2
    assert police_line.polylines == []  # Q1 and Q4 are not neighbours: dots, no line


def test_chart_labels_stay_at_least_12_px_at_the_width_the_page_shows_them():
    for frame in (WIDE, NARROW):
        assert frame.font * frame.min_width / frame.width >= 12, frame.name


@pytest.mark.parametrize("page", ["dashboard", "public plan", "report"])
def test_partial_is_marked_everywhere_it_shows(client, plan, asb, coordinator, publish, page):
    client.force_login(coordinator)
    if page == "dashboard":
        url = reverse("plan_dashboard", args=["lichfield", "2021-22"])
    elif page == "public plan":
        publish(plan)
        client.logout()
        url = plan.get_absolute_url()
    else:
        url = reverse("report_annual", args=["lichfield", "2021-22"])
    html = client.get(url).content.decode()
    assert re.search(r'104 (<span class="partial-note">)?\(partial: 1 of 2 agencies\)', html)
    assert 'data-partial="1 of 2 agencies"' in html
    assert "Down 39 (8%): 470 in 2020-21 Q2, from 509 in 2020-21 Q1" in html
    assert re.search(r"2020-21 Q3 \(1 of 2 agencies\)", html)


def test_the_report_table_marks_the_partial_total(plan, asb):
    report = quarterly_report(plan, reporting_periods(plan)[0], public=False)
    block = report.sections[0].measures[0]
    cells = [cell.text for cell in block.figures.rows[2]]
    assert cells == ["2020-21 Q3", "104", "—", "104 (partial: 1 of 2 agencies)"]
    summary = {row[0].text: row[1].text for row in block.summary.rows}
    assert summary["Latest"] == "470 in 2020-21 Q2"
    assert summary["Left out (partial totals)"] == "2020-21 Q3 (1 of 2 agencies)"


def test_one_agency_alone_has_no_total_and_nothing_partial(plan, asb, police):
    Figure.objects.filter(measure=asb, agency=police).delete()
    data = measures_data(plan)[0]
    assert [s.name for s in data.series] == ["Bromford Housing Group"]
    assert not data.has_partial
    assert data.trend.latest == Decimal(104)
