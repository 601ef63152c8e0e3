"""{% load notifications %}{% unread_count as n %}: the person's unread notifications, for the
header. Counted once per request however often it is asked."""

from __future__ import annotations

from typing import Any

from django import template

from notifications.services import unread_count as count_unread

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is None:
        return count_unread(user=user)
    cached: Any = getattr(request, "_notifications_unread", None)
    if cached is None:
        cached = count_unread(user=user)
        request._notifications_unread = cached
    return int(cached)
