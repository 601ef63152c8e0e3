"""`{{ charts|chart_for:block }}`: the chart drawn for a measure of a report."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def chart_for(charts: dict[int, Any], block: Any) -> Any:
    """The chart of a report's measure (reports.content.MeasureBlock), from the charts the view
    drew (by measure id); "" when there is none."""
    return charts.get(block.data.measure.pk, "")
