"""`{% can "actions.change_action" action as can_edit %}`: templates ask the same rules as views.

Not rules' own `has_perm` tag: that asks `user.has_perm`, which says yes to a superuser before any
rule runs (see partners/permissions.py).
"""

from django import template

from partners import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, permission: str, obj) -> bool:
    return permissions.can(context["user"], permission, obj)
