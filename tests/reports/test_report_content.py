"""The report's numbers equal the database's, for generated plans: RAG counts, the period's
narratives, the exceptions, the measures' latest whole figures, the funding; the version for the
public leaves restricted actions out; the annual review's completed and carried actions follow
the rule next year's plan follows.

The expected values are worked out here from the rows, by other means than reports/content.py.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum

from actions.models import Action
from reports.content import annual_review, quarterly_report
from tracking.models import CommissionedService, Figure, FundingAllocation, ProgressUpdate
from tracking.reporting import reporting_periods

SEEDS = [1, 2, 3, 4, 5]


def updates_of(action: Action, until: datetime.date) -> list[ProgressUpdate]:
    """The action's updates up to `until`, newest first (latest date, then latest entered)."""
    found = [u for u in ProgressUpdate.objects.filter(action=action) if u.date <= until]
    return sorted(found, key=lambda u: (u.date, u.created_at, u.pk), reverse=True)


def expected_rag(action: Action, latest: ProgressUpdate | None, window_start) -> str:
    if action.status == Action.Status.COMPLETED or (latest and latest.rag == "complete"):
        return "complete"
    if latest and latest.date >= window_start:
        return latest.rag
    if action.status == Action.Status.WITHDRAWN:
        return "withdrawn"
    return "none"


def window(plan, index):
    periods = reporting_periods(plan)
    start = periods[index].start
    if index:
        start = max(start, periods[index - 1].due + datetime.timedelta(days=1))
    return periods[index], start, periods[index].due


@pytest.mark.parametrize("generated", SEEDS, indirect=True)
@pytest.mark.parametrize("index", [0, 1, 3])
@pytest.mark.parametrize("public", [False, True])
def test_quarterly_report_numbers_equal_the_database(generated, index, public):
    plan = generated.plan
    period, start, due = window(plan, index)
    report = quarterly_report(plan, period, public=public)

    actions = [a for a in generated.actions if not (public and a.restricted)]
    expected: dict[int, str] = {}
    narratives: dict[int, str] = {}
    for action in actions:
        action.refresh_from_db()
        found = updates_of(action, due)
        latest = found[0] if found else None
        expected[action.pk] = expected_rag(action, latest, start)
        narratives[action.pk] = latest.narrative if latest and latest.date >= start else ""

    lines = {line.id: line for line in report.actions}
    assert set(lines) == set(expected)
    assert {pk: line.rag for pk, line in lines.items()} == expected
    assert {pk: line.narrative for pk, line in lines.items()} == narratives
    # Per priority: the bar's counts are the actions' statuses.
    for section in report.sections:
        in_priority = [a for a in actions if a.priority_id == section.id]
        assert {k: v for k, v in section.bar.counts.items() if v} == dict(
            Counter(expected[a.pk] for a in in_priority)
        )
        assert [line.id for line in section.actions] == [
            a.pk for a in sorted(in_priority, key=lambda a: (a.order, a.pk))
        ]
    assert report.summary.total == len(actions)
    # The exceptions: every off track, at risk and no update, most pressing first.
    assert sorted(line.id for line in report.exceptions) == sorted(
        pk for pk, rag in expected.items() if rag in ("off_track", "at_risk", "none")
    )
    order = [line.rag for line in report.exceptions]
    assert order == sorted(order, key=["off_track", "at_risk", "none"].index)
    restricted = sum(a.restricted for a in generated.actions)
    assert report.restricted_left_out == (restricted if public else 0)
    if public:
        assert not any(line.restricted for line in report.actions)


def whole_totals(measure, until):
    """Each period's combined figure and whether every reporting agency has one."""
    figures = list(Figure.objects.filter(measure=measure))
    reporting = {f.agency_id for f in figures}
    by_period = defaultdict(dict)
    for figure in figures:
        if figure.period_start <= until:
            by_period[figure.period_start][figure.agency_id] = figure.value
    return {
        period: (sum(values.values()), len(values) == len(reporting))
        for period, values in sorted(by_period.items())
    }


@pytest.mark.parametrize("generated", SEEDS, indirect=True)
def test_measures_latest_whole_figure_equals_the_database(generated):
    plan = generated.plan
    period, _, _ = window(plan, 2)
    report = quarterly_report(plan, period, public=False)
    blocks = {b.data.measure.pk: b for s in report.sections for b in s.measures}
    blocks |= {b.data.measure.pk: b for b in report.other_measures}
    assert set(blocks) == {m.pk for m in generated.measures}
    for measure in generated.measures:
        totals = whole_totals(measure, period.end)
        agencies = Figure.objects.filter(measure=measure).values("agency").distinct().count()
        trend = blocks[measure.pk].data.trend
        if agencies == 1:  # one agency: its own figures are the measure's
            whole = [(p, v) for p, (v, _) in totals.items()]
        else:
            whole = [(p, v) for p, (v, complete) in totals.items() if complete]
        assert trend.latest == (whole[-1][1] if whole else None)
        assert trend.previous == (whole[-2][1] if len(whole) > 1 else None)
        if len(whole) > 1:
            change = whole[-1][1] - whole[-2][1]
            assert trend.direction == ("up" if change > 0 else "down" if change < 0 else "same")
    # A measure belongs to its priority's section; one without a priority to "Other measures".
    assert [b.data.measure.pk for b in report.other_measures] == [generated.measures[1].pk]


@pytest.mark.parametrize("generated", SEEDS, indirect=True)
def test_funding_equals_the_database(generated):
    plan = generated.plan
    report = quarterly_report(plan, reporting_periods(plan)[0], public=False)
    committed = dict(
        CommissionedService.objects.filter(action__priority__plan=plan)
        .values_list("funding_source")
        .annotate(total=Sum("amount"))
    )
    allocated = dict(FundingAllocation.objects.filter(plan=plan).values_list("source", "amount"))
    sources = {s.source: s for s in report.funding.sources}
    assert set(sources) == set(committed) | set(allocated)
    for source, position in sources.items():
        assert position.committed == committed.get(source, Decimal(0))
        assert position.allocated == allocated.get(source)
        over = committed.get(source, 0) > allocated.get(source, 0)
        assert position.over_committed == over
    assert report.funding.committed == sum(committed.values(), Decimal(0))
    assert report.funding.allocated == sum(allocated.values(), Decimal(0))


@pytest.mark.parametrize("generated", SEEDS, indirect=True)
def test_annual_review_counts_the_year_and_what_carries_into_next_year(generated):
    plan = generated.plan
    review = annual_review(plan, public=False)
    due = reporting_periods(plan)[-1].due
    done, carried = set(), set()
    for action in generated.actions:
        action.refresh_from_db()
        found = updates_of(action, due)
        latest = found[0] if found else None
        rag = expected_rag(action, latest, plan.period_start)
        if rag == "complete":
            done.add(action.pk)
        finished = action.status in ("completed", "withdrawn") or (
            latest is not None and latest.rag == "complete"
        )
        if not finished:
            carried.add(action.pk)
    assert {line.id for line in review.completed} == done
    assert {line.id for line in review.carried} == carried
    assert review.kind == "annual" and review.period_name == plan.period
    headings = [text for _, text in review.outline()]
    assert "Completed in the year" in headings and "Carried into next year's plan" in headings


def test_an_action_updated_in_an_earlier_period_only_has_no_update_for_this_one(plan, action):
    """Q1's update is Q1's; in Q2's report the action is an exception: no update."""
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 6, 20), rag="on_track", narrative="Started"
    )
    periods = reporting_periods(plan)
    q1 = quarterly_report(plan, periods[0], public=False)
    q2 = quarterly_report(plan, periods[1], public=False)
    assert [(line.rag, line.narrative) for line in q1.actions] == [("on_track", "Started")]
    assert [(line.rag, line.narrative) for line in q2.actions] == [("none", "")]
    assert [line.why for line in q2.exceptions] == [
        "No update for the period (last update: 20 June 2021)"
    ]


def test_an_update_between_a_quarter_and_its_due_date_is_that_quarters(plan, action):
    """Q1 ends on 30 June; its updates are due by 15 July: an update of 10 July is Q1's."""
    ProgressUpdate.objects.create(
        action=action, date=datetime.date(2021, 7, 10), rag="at_risk", narrative="Late but Q1"
    )
    periods = reporting_periods(plan)
    assert [
        line.narrative for line in quarterly_report(plan, periods[0], public=False).actions
    ] == ["Late but Q1"]
    assert [line.rag for line in quarterly_report(plan, periods[1], public=False).actions] == [
        "none"
    ]
