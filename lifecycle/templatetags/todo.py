"""`{% todo_count as n %}`: how many things wait for the signed-in person (the home page's
to-do list), for the header. Worked out once per request."""

from __future__ import annotations

from typing import Any

from django import template

from lifecycle.todo import todo_for

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_count(context: dict[str, Any]) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(user, "_csp_todo_total"):
        user._csp_todo_total = todo_for(user).total
    return int(user._csp_todo_total)
