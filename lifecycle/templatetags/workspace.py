"""`{{ cell.actions|cards }}`: the cards of a cell of the workspace's grid, one after another.

Each card's HTML is written by lifecycle/workspace.py; joining them here spares the template a
loop over hundreds of actions."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from lifecycle.workspace import ActionCard

register = template.Library()


@register.filter
def cards(actions: list[ActionCard]) -> SafeString:
    return mark_safe("".join(card.html for card in actions))  # each card escapes its values
