"""`{% todo_count as n %}`: how many things wait for the signed-in person (the home page's
to-do list), for the header. Worked out once per request: taken from the page's own to-do list
where it has one (home)."""

from __future__ import annotations

from typing import Any

from django import template

from lifecycle.todo import Todo, todo_for

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_count(context: dict[str, Any]) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(user, "_csp_todo_total"):
        page_todo = context.get("todo")  # the home page has worked it out already
        if not isinstance(page_todo, Todo):
            page_todo = todo_for(user)
        user._csp_todo_total = page_todo.total
    return int(user._csp_todo_total)
