import datetime

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def isodate(value: str | None) -> str:
    """An ISO date from a plan snapshot, written as people write dates here: 1 May 2021."""
    if not value:
        return ""
    try:
        return formats.date_format(datetime.date.fromisoformat(value))
    except ValueError:
        return value
