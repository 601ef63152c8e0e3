"""`{% page_address "led_page" 3 %}`: the address of a page of a list, for the site's lists shown a
page at a time (templates/includes/_pages.html)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_address(context: dict[str, Any], parameter: str, number: int) -> str:
    """Page `number` of the list the address's `parameter` pages, its other parameters kept (a
    search, another list's page)."""
    query = context["request"].GET.copy()
    query[parameter] = str(number)
    return f"?{query.urlencode()}"
