"""Line charts of a measure over time, drawn on the server as SVG.

The geometry is worked out here (`chart_geometry`: where each tick, label, line and point goes);
the markup is a template (templates/tracking/includes/_line_chart.svg), which escapes every text.
No script and no inline style: colours and lines are SVG presentation attributes, so the chart
works under a strict Content Security Policy and on a closed network. Each chart has a table of
the same numbers beside it (see templates/tracking/includes/_measure.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tracking.figures import MeasureData, Series

# Colour-blind-safe palette (Okabe–Ito), dark enough against white; the total is black.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"]
TOTAL_COLOUR = "#0b0c0c"
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72
LEGEND_COLUMNS, LEGEND_COLUMN_WIDTH, LEGEND_ROW_HEIGHT = 3, 190, 14


class Label(NamedTuple):
    """A text at a point of the chart."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Rule:
    """A horizontal line from x1 to x2 at height y, with the label beside it."""

    x1: float
    x2: float
    y: float
    label: Label


class Point(NamedTuple):
    """A figure's dot on its series' line."""

    x: float
    y: float
    value: str  # the figure as the table beside the chart shows it
    title: str  # what a screen reader or a hover says: "Police, 2021-22 Q1: 412"


@dataclass(frozen=True)
class Line:
    """One series: its points joined, its colour and dash, and its key in the legend."""

    name: str
    colour: str
    dash: str  # a stroke-dasharray; "" for a solid line
    width: int  # the stroke's
    points: list[Point]
    legend: Rule

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    width: int
    height: int
    ticks: list[Rule]  # the value axis: a gridline per tick, its value at the left
    periods: list[Label]  # the time axis
    references: list[Rule]  # the baseline and target, named at the right
    lines: list[Line]


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return value


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def _at(value: float) -> float:
    """A coordinate to a tenth of a unit: enough for the eye, and short markup."""
    return round(value, 1)


@dataclass(frozen=True)
class _Scale:
    """Where a period (by its index) and a value fall in the plot."""

    top: Decimal  # the value at the top of the axis
    periods: int

    def x(self, index: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (index + 0.5) / max(self.periods, 1)

    def y(self, value: Decimal) -> float:
        plot_h = HEIGHT - TOP - BOTTOM
        return TOP + plot_h - float(value / self.top) * plot_h


def _scale(data: MeasureData) -> _Scale:
    """A value axis from 0 to a round number above every figure, the baseline and the target."""
    measure = data.measure
    values = [v for s in data.series for v in s.values.values()]
    values += [v for v in (measure.baseline, measure.target) if v is not None]
    return _Scale(_nice_max(max(values, default=Decimal(0))), len(data.periods))


def _rule(y: float, label: str, *, label_x: float, label_dy: float) -> Rule:
    return Rule(LEFT, WIDTH - RIGHT, _at(y), Label(label_x, _at(y + label_dy), label))


def _line(number: int, series: Series, data: MeasureData, scale: _Scale) -> Line:
    """The `number`th series: its points, its colour and dash (the total's are its own), and
    its place in the legend, three to a row below the time axis."""
    points = []
    for i, (period, label) in enumerate(zip(data.periods, data.labels, strict=True)):
        if period in series.values:
            value = series.values[period]
            text = _number(value)
            title = f"{series.name}, {label}: {text}"
            points.append(Point(_at(scale.x(i)), _at(scale.y(value)), text, title))
    legend_x = LEFT + (number % LEGEND_COLUMNS) * LEGEND_COLUMN_WIDTH
    legend_y = HEIGHT - BOTTOM + 34 + LEGEND_ROW_HEIGHT * (number // LEGEND_COLUMNS)
    legend = Rule(
        legend_x, legend_x + 24, legend_y - 4, Label(legend_x + 30, legend_y, series.name)
    )
    if series.is_total:
        return Line(series.name, TOTAL_COLOUR, "", 3, points, legend)
    colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
    return Line(series.name, colour, dash, 2, points, legend)


def chart_geometry(data: MeasureData, chart_id: str) -> Chart:
    """Where everything in a measure's chart goes: the axes, the baseline and target lines, and
    a line per series (each agency's, and their total)."""
    measure = data.measure
    scale = _scale(data)
    ticks = [
        _rule(scale.y(value), _number(value), label_x=LEFT - 6, label_dy=4)
        for value in (scale.top * step / 4 for step in range(5))
    ]
    references = [
        _rule(scale.y(value), f"{name} {_number(value)}", label_x=WIDTH - RIGHT, label_dy=-4)
        for name, value in (("Baseline", measure.baseline), ("Target", measure.target))
        if value is not None
    ]
    return Chart(
        id=chart_id,
        title=f"{measure.name} ({measure.unit}) by period and agency",
        width=WIDTH,
        height=HEIGHT,
        ticks=ticks,
        periods=[
            Label(_at(scale.x(i)), HEIGHT - BOTTOM + 16, text) for i, text in enumerate(data.labels)
        ],
        references=references,
        lines=[_line(number, series, data, scale) for number, series in enumerate(data.series)],
    )


def line_chart(data: MeasureData, chart_id: str) -> SafeString:
    """A measure's chart as SVG markup, ready to place in a page."""
    chart = chart_geometry(data, chart_id)
    return render_to_string("tracking/includes/_line_chart.svg", {"chart": chart})
