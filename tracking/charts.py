"""Line charts of a measure over time, drawn on the server as SVG.

No script and no inline style: colours and lines are SVG presentation attributes, so the chart
works under a strict Content Security Policy and on a closed network. Each chart has a table of the
same numbers beside it (see templates/actions/includes/_measure.html).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tracking.figures import MeasureData

# Colour-blind-safe palette (Okabe–Ito), dark enough against white; the total is black.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"]
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72


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


def line_chart(data: MeasureData, chart_id: str) -> SafeString:
    measure = data.measure
    values = [v for s in data.series for v in s.values.values()]
    values += [v for v in (measure.baseline, measure.target) if v is not None]
    top = _nice_max(max(values, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(data.periods), 1)

    def x(index: int) -> float:
        return LEFT + (plot_w * (index + 0.5) / count)

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    title = f"{measure.name} ({measure.unit}) by period and agency"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title" class="measure-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for step in range(5):
        value = top * step / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#0b0c0c">{_number(value)}</text>'
        )
    for index, label in enumerate(data.labels):
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#0b0c0c">{escape(label)}</text>'
        )
    for name, value in (("Baseline", measure.baseline), ("Target", measure.target)):
        if value is not None:
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="#505a5f" stroke-width="1.5" stroke-dasharray="3 3"/>'
                f'<text x="{WIDTH - RIGHT}" y="{y(value) - 4:.1f}" text-anchor="end" '
                f'font-size="11" fill="#505a5f">{name} {_number(value)}</text>'
            )
    for number, series in enumerate(data.series):
        colour = "#0b0c0c" if series.is_total else PALETTE[number % len(PALETTE)]
        dash = DASHES[number % len(DASHES)] if not series.is_total else ""
        points = [
            (x(i), y(series.values[p])) for i, p in enumerate(data.periods) if p in series.values
        ]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(
            f'<g class="series" data-series="{escape(series.name)}">'
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{3 if series.is_total else 2}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        for i, period in enumerate(data.periods):
            if period in series.values:
                value = series.values[period]
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}" '
                    f'data-value="{_number(value)}"><title>{escape(series.name)}, '
                    f"{escape(data.labels[i])}: {_number(value)}</title></circle>"
                )
        parts.append("</g>")
        legend_y = HEIGHT - BOTTOM + 34 + 14 * (number // 3)
        legend_x = LEFT + (number % 3) * 190
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f'/><text x="{legend_x + 30}" y="{legend_y}" font-size="11" fill="#0b0c0c">'
            f"{escape(series.name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
