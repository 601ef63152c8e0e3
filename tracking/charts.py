"""Line charts of a measure over time, drawn on the server as SVG.

The geometry is worked out here (`chart_geometry`: where each tick, label, line and point goes);
the markup is a template (templates/tracking/includes/_line_chart.svg), which escapes every text.
No script and no inline style: colours and lines are SVG presentation attributes, so the chart
works under a strict Content Security Policy and on a closed network. Each chart has a table of
the same numbers beside it (see templates/tracking/includes/_measure.html).

Each chart is drawn twice, in two frames: a wide one for screens of 768 px and more (and for
print and PDF), and a narrow one for phones, whose CSS (static/css/site.css) shows one of them.
Neither is ever shown smaller than its labels allow: at least 12 px (`Frame.font` × the scale the
page shows it at; see the frames' `min_width`).

A partial total (not every agency has a figure for the period, tracking/figures.py) is a hollow
marker on its own: no line runs into it or out of it, and the legend says what it means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from tracking.figures import MeasureData, Series

# Colour-blind-safe palette (Okabe–Ito), dark enough against white; the total is black.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"]
TOTAL_COLOUR = "#0b0c0c"
# What one of a total's parts is called, for the legend.
PART_NAMES = {"agencies": "agency", "partnerships": "partnership"}
# A character's width, as a share of the font size, to guess how long a label is.
CHAR_WIDTH = 0.62


@dataclass(frozen=True)
class Frame:
    """The chart's size and type in its own units (the SVG's viewBox)."""

    name: str  # "wide" or "narrow": the CSS class that says when it shows
    width: int
    left: int
    right: int
    top: int
    plot_height: int
    font: int  # every label's size
    legend_columns: int
    min_width: int  # the narrowest the page shows it (CSS), so labels stay ≥ 12 px
    labels_right: bool  # the baseline and target named beside their lines (else in the legend)


# Shown at 640 px (40rem) from 768 px up: labels at 12 px.
WIDE = Frame("wide", 640, 56, 96, 16, 220, 12, 2, 640, True)
# Shown from 340 px (the width of a 390 px phone's page) to 416 px: labels at 12.3 px or more.
NARROW = Frame("narrow", 360, 48, 10, 16, 200, 13, 1, 340, False)
FRAMES = (WIDE, NARROW)


class Label(NamedTuple):
    """A text at a point of the chart (a legend's may run over several lines: "\n")."""

    x: float
    y: float
    text: str
    anchor: str = "middle"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


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
    partial: str = ""  # "1 of 2 agencies" for a partial total
    slot: int = 0  # the period's place on the time axis


@dataclass(frozen=True)
class Line:
    """One series: its runs of whole points joined, its partial points apart, its colour and
    dash, and its key in the legend."""

    name: str
    colour: str
    dash: str  # a stroke-dasharray; "" for a solid line
    width: int  # the stroke's
    points: list[Point]
    legend: Rule

    @property
    def polylines(self) -> list[str]:
        """Each run of whole points in neighbouring periods, as a polyline's points (a run of
        one is its dot alone): no line crosses a gap or runs into a partial total."""
        runs: list[list[Point]] = []
        previous: int | None = None
        for point in self.points:
            if point.partial:
                previous = None
                continue
            if previous is None or point.slot != previous + 1:
                runs.append([])
            runs[-1].append(point)
            previous = point.slot
        return [" ".join(f"{p.x:.1f},{p.y:.1f}" for p in run) for run in runs if len(run) > 1]

    @property
    def whole_points(self) -> list[Point]:
        return [p for p in self.points if not p.partial]

    @property
    def partial_points(self) -> list[Point]:
        return [p for p in self.points if p.partial]


@dataclass(frozen=True)
class Reference:
    """The baseline or the target: a dashed line across the plot, named beside it or in the
    legend (`key`)."""

    rule: Rule
    dash: str
    key: Rule | None


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    frame: str  # the frame's name
    width: int
    height: int
    font: int
    ticks: list[Rule]  # the value axis: a gridline per tick, its value at the left
    periods: list[Label]  # the time axis: a line per period, and the years below
    references: list[Reference]  # the baseline and target
    lines: list[Line]
    partial_key: Rule | None  # the legend's entry for a partial total, when there is one


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


def _text_width(text: str, font: int) -> float:
    return len(text) * font * CHAR_WIDTH


@dataclass(frozen=True)
class _Scale:
    """Where a period (by its index) and a value fall in the plot."""

    frame: Frame
    left: int
    top: Decimal  # the value at the top of the axis
    periods: int
    legend_columns: int = 1

    @property
    def step(self) -> float:
        return (self.frame.width - self.left - self.frame.right) / max(self.periods, 1)

    def x(self, index: int) -> float:
        return self.left + self.step * (index + 0.5)

    def y(self, value: Decimal) -> float:
        plot_h = self.frame.plot_height
        return self.frame.top + plot_h - float(value / self.top) * plot_h


def _scale(data: MeasureData, frame: Frame, baseline: bool) -> _Scale:
    """A value axis from 0 to a round number above every figure, the baseline and the target;
    the left margin wide enough for its labels."""
    measure = data.measure
    values = [v for s in data.series for v in s.values.values()]
    if baseline:
        values += [v for v in (measure.baseline, measure.target) if v is not None]
    top = _nice_max(max(values, default=Decimal(0)))
    left = max(frame.left, math.ceil(_text_width(_number(top), frame.font)) + 10)
    # As many legend columns as the frame has, unless a name would run into the next one.
    room = (frame.width - left - 8) / frame.legend_columns
    widest = max((_text_width(s.name, frame.font) + 36 for s in data.series), default=0)
    columns = frame.legend_columns if widest <= room else 1
    return _Scale(frame, left, top, len(data.periods), columns)


def _split(label: str) -> tuple[str, str]:
    """A period's label on two lines: "2021-22 Q1" → ("Q1", "2021-22"); "April 2021" → ("Apr",
    "2021"); a year stays whole."""
    head, _, tail = label.rpartition(" ")
    if not head:
        return label, ""
    if tail.startswith("Q"):
        return tail, head
    return head[:3], tail


def _period_labels(data: MeasureData, scale: _Scale) -> list[Label]:
    """The time axis: each period's short label (every other one, or fewer, when they would
    overlap), and below them each year where it starts."""
    frame = scale.frame
    parts = [_split(label) for label in data.labels]
    widest = max((_text_width(first, frame.font) for first, _ in parts), default=0)
    every = max(1, math.ceil((widest + 6) / scale.step)) if parts else 1
    first_y = frame.top + frame.plot_height + frame.font + 6
    labels = [
        Label(_at(scale.x(i)), first_y, first)
        for i, (first, _) in enumerate(parts)
        if i % every == 0
    ]
    previous = None
    for i, (_, year) in enumerate(parts):
        if year and year != previous:
            # From the left edge of the year's first slot, kept inside the chart.
            x = min(scale.x(i) - scale.step / 2 + 2, frame.width - _text_width(year, frame.font))
            labels.append(Label(_at(x), first_y + frame.font + 4, year, "start"))
        previous = year
    return labels


def _rule(scale: _Scale, y: float, label: Label) -> Rule:
    return Rule(scale.left, scale.frame.width - scale.frame.right, _at(y), label)


def _references(data: MeasureData, scale: _Scale, legend: _Legend) -> list[Reference]:
    """The baseline and the target as dashed lines (each its own dash). In a frame with room at
    the right (`Frame.labels_right`) each is named there, beside its line, nudged apart when the
    two would touch; otherwise each is named in the legend."""
    measure, frame = data.measure, scale.frame
    found = [
        (name, value, dash)
        for name, value, dash in (
            ("Baseline", measure.baseline, "3 3"),
            ("Target", measure.target, "8 4"),
        )
        if value is not None
    ]
    x1, x2 = scale.left, frame.width - frame.right
    references = []
    label_ys = [scale.y(value) + frame.font / 3 for _, value, _ in found]
    if len(label_ys) == 2 and abs(label_ys[0] - label_ys[1]) < frame.font + 2:
        middle, half = sum(label_ys) / 2, (frame.font + 2) / 2
        low, high = (0, 1) if label_ys[0] >= label_ys[1] else (1, 0)
        label_ys[low], label_ys[high] = middle + half, middle - half
    for (name, value, dash), label_y in zip(found, label_ys, strict=True):
        text = f"{name} {_number(value)}"
        y = _at(scale.y(value))
        if frame.labels_right:
            rule = Rule(x1, x2, y, Label(x2 + 6, _at(label_y), text, "start"))
            references.append(Reference(rule, dash, None))
        else:
            key = legend.add(text, whole_row=True)
            references.append(Reference(Rule(x1, x2, y, Label(x2, y, "")), dash, key))
    return references


def _wrap(text: str, width: float, font: int) -> str:
    """The text in lines no wider than `width` (by words; a word too long stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


class _Legend:
    """The legend below the time axis, entry by entry: the series in the chart's columns, then
    the entries that take a whole row (the baseline and target on a phone, the partial total's
    marker). A name too long for its column runs over more lines."""

    def __init__(self, scale: _Scale) -> None:
        self.scale, self.frame = scale, scale.frame
        self.y = self.frame.top + self.frame.plot_height + 2 * self.frame.font + 26
        self.column, self.row_lines = 0, 1

    def add(self, text: str, *, whole_row: bool) -> Rule:
        columns = 1 if whole_row else self.scale.legend_columns
        if whole_row and self.column:
            self._next_row()
        width = (self.frame.width - self.scale.left - 8) / columns  # it may use the margin
        x = self.scale.left + self.column * width
        text = _wrap(text, width - 36, self.frame.font)
        baseline = self.y + self.frame.font
        rule = Rule(
            _at(x),
            _at(x + 24),
            _at(baseline - self.frame.font / 3),
            Label(_at(x + 30), _at(baseline), text, "start"),
        )
        self.row_lines = max(self.row_lines, text.count("\n") + 1)
        self.column += 1
        if self.column >= columns:
            self._next_row()
        return rule

    def _next_row(self) -> None:
        self.y += self.row_lines * (self.frame.font + 4) + 4
        self.column, self.row_lines = 0, 1

    @property
    def bottom(self) -> float:
        return self.y + (self.row_lines * (self.frame.font + 4) + 4 if self.column else 0)


def _line(number: int, series: Series, data: MeasureData, scale: _Scale, legend: _Legend) -> Line:
    """The `number`th series: its points, its colour and dash (the total's are its own), and
    its entry in the legend."""
    points = []
    for i, (period, label) in enumerate(zip(data.periods, data.labels, strict=True)):
        if period in series.values:
            value = series.values[period]
            text = _number(value)
            partial = series.partial_note(period)
            title = f"{series.name}, {label}: {text}"
            if partial:
                title += f" (partial: {partial}; left out of the trend)"
            points.append(Point(_at(scale.x(i)), _at(scale.y(value)), text, title, partial, i))
    key = legend.add(series.name, whole_row=False)
    if series.is_total:
        return Line(series.name, TOTAL_COLOUR, "", 3, points, key)
    colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
    return Line(series.name, colour, dash, 2, points, key)


def chart_geometry(
    data: MeasureData,
    chart_id: str,
    frame: Frame = WIDE,
    *,
    title: str = "",
    references: bool = True,
) -> Chart:
    """Where everything in a measure's chart goes, in a frame: the axes, the baseline and target
    lines (unless `references` is off), and a line per series (each agency's, and their total)."""
    measure = data.measure
    scale = _scale(data, frame, references)
    ticks = [
        _rule(
            scale,
            scale.y(value),
            Label(scale.left - 6, _at(scale.y(value) + frame.font / 3), _number(value), "end"),
        )
        for value in (scale.top * step / 4 for step in range(5))
    ]
    legend = _Legend(scale)
    lines = [
        _line(number, series, data, scale, legend) for number, series in enumerate(data.series)
    ]
    found = _references(data, scale, legend) if references else []
    partial_key = None
    partial = [s for s in data.series if any(s.is_partial(p) for p in data.periods)]
    if partial:
        one = PART_NAMES.get(partial[0].parts, "one")
        partial_key = legend.add(
            f"Partial total: not every {one} has a figure (left out of the trend)",
            whole_row=True,
        )
    return Chart(
        id=f"{chart_id}-{frame.name}",
        title=title or f"{measure.name} ({measure.unit}) by period and agency",
        frame=frame.name,
        width=frame.width,
        height=math.ceil(legend.bottom + 4),
        font=frame.font,
        ticks=ticks,
        periods=_period_labels(data, scale),
        references=found,
        lines=lines,
        partial_key=partial_key,
    )


def line_chart(
    data: MeasureData,
    chart_id: str,
    *,
    frames: Sequence[Frame] = FRAMES,
    title: str = "",
    references: bool = True,
) -> SafeString:
    """A measure's chart as SVG markup, ready to place in a page: one SVG per frame (the page's
    CSS shows the one that fits; a PDF asks for the wide one only)."""
    return mark_safe(
        "".join(
            render_to_string(
                "tracking/includes/_line_chart.svg",
                {
                    "chart": chart_geometry(
                        data, chart_id, frame, title=title, references=references
                    )
                },
            )
            for frame in frames
        )
    )
