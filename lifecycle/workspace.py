"""The workspace's grid of actions, made for plans of hundreds of actions.

Each action becomes an `ActionCard` in one pass over plain rows (`values_list`, no model
instances): its texts cut to length and its addresses made here, and whether the person may move
it decided by the rule worked out once for the plan (`action_change_rule`). A fixed number of
queries, however many actions: the actions (with their latest progress), their outcomes, and, for
a person whose right to change an action depends on the agencies supporting it, those of their
agencies' that support one.

Each card's HTML is written here too (every value escaped), as the admin writes its list's rows
in Python: a template loop costs about ten times as much per action, which was most of a
500-action page. The grid's table, cells and forms stay in
templates/lifecycle/plan_workspace.html; a card's markup is `CARD` below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from actions.models import Action, Outcome
from partners.permissions import action_change_rule
from priorities.models import Plan
from tracking.models import ProgressUpdate
from tracking.progress import with_latest_update

TITLE_WORDS = 16  # the action's link
SHORT_WORDS = 6  # the move buttons' hidden label: which action they move
OUTCOME_WORDS = 12

STATUS_LABELS = dict(Action.Status.choices)
RAG_LABELS = dict(ProgressUpdate.Rag.choices)


def first_words(text: str, count: int) -> str:
    """The text's first `count` words, as the `truncatewords` filter cuts them (" …" after)."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    cut = " ".join(words[:count])
    return cut if cut.endswith(" …") else cut + " …"


def address_maker(name: str) -> Callable[[int], str]:
    """A maker of the addresses of one URL pattern by pk: one `reverse` for any number of them."""
    marker = 987654321
    template = reverse(name, kwargs={"pk": marker})
    head, tail = template.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


@dataclass(slots=True)
class ActionCard:
    """An action as the grid shows it."""

    pk: int
    priority_id: int
    theme_id: int | None
    lead_agency_id: int | None
    description: str
    lead: str  # the lead agency's short name; "" while none is chosen
    status: str  # as people read it
    rag: str | None  # the latest progress update's RAG, None before the first
    restricted: bool
    url: str
    title: str = ""
    short: str = ""
    rag_label: str = ""
    outcomes: list[str] = field(default_factory=list)  # each one's first words
    move_url: str = ""  # "": the person may not move it here

    @property
    def outcome_count(self) -> int:
        """What readiness reads (lifecycle/readiness.py): the grid's actions are its too."""
        return len(self.outcomes)

    @property
    def html(self) -> SafeString:
        return _card_html(self)


# A card of the grid. The move buttons post the cell's form (one per cell, with its CSRF token)
# to this action's address. Every value put in is escaped by `escape` (the standard library's, as
# Django's own `escape` is, without the wrapper that costs as much again).
CARD = """<div class="workspace-action border-bottom pb-2 mb-2">
  <a href="{url}">{title}</a>
  <div class="small">
    <span class="fw-semibold">Lead:</span> {lead}
    · {status}{rag}{restricted}
  </div>
{outcomes}{move}</div>
"""
NO_LEAD = '<span class="text-danger-emphasis">none yet</span>'
RAG = ' · <span class="badge rag rag-{}">{}</span>'
RESTRICTED = ' · <span class="badge text-bg-dark">Restricted</span>'
OUTCOME = '  <div class="small text-body-secondary">Outcome: {}</div>\n'
NO_OUTCOME = '  <div class="small text-danger-emphasis">No outcome yet</div>\n'
MOVE = """  <span class="no-print"><button class="btn btn-link btn-sm p-0" formaction="{url}" \
name="direction" value="up">Move up<span class="visually-hidden">: {short}</span></button>
  <button class="btn btn-link btn-sm p-0 ms-2" formaction="{url}" name="direction" \
value="down">Move down<span class="visually-hidden">: {short}</span></button></span>
"""


def _card_html(card: ActionCard) -> SafeString:
    move = ""
    if card.move_url:
        move = MOVE.format(url=escape(card.move_url), short=escape(card.short))
    outcomes = "".join(OUTCOME.format(escape(text)) for text in card.outcomes)
    html = CARD.format(
        url=escape(card.url),
        title=escape(card.title),
        lead=escape(card.lead) if card.lead else NO_LEAD,
        status=escape(card.status),
        rag=RAG.format(escape(card.rag), escape(card.rag_label)) if card.rag else "",
        restricted=RESTRICTED if card.restricted else "",
        outcomes=outcomes or NO_OUTCOME,
        move=move,
    )
    return mark_safe(html)  # every value above is escaped


ROW = (
    "pk",
    "priority_id",
    "theme_id",
    "lead_agency_id",
    "description",
    "lead_agency__short_name",
    "lead_agency__name",
    "status",
    "latest_rag",
    "restricted",
)


def workspace_cards(
    plan: Plan, actions: QuerySet[Action], *, user: Any, movable: bool
) -> list[ActionCard]:
    """The cards of `actions` (the plan's, filtered or not), in their order. `movable`: offer the
    move buttons (not in a filtered view, where "up" would not be the action shown above)."""
    detail_url, move_url = address_maker("action_detail"), address_maker("action_move")
    cards = []
    for (
        pk,
        priority,
        theme,
        lead_id,
        text,
        short,
        name,
        status,
        rag,
        restricted,
    ) in with_latest_update(actions).values_list(*ROW):
        lead = short or name or ""
        label = STATUS_LABELS.get(status, status)
        card = ActionCard(
            pk, priority, theme, lead_id, text, lead, label, rag, restricted, detail_url(pk)
        )
        card.title = first_words(text, TITLE_WORDS)
        if rag:
            card.rag_label = RAG_LABELS.get(rag, rag)
        cards.append(card)
    by_pk = {card.pk: card for card in cards}
    outcomes = Outcome.objects.filter(action__priority__plan=plan)
    outcomes = outcomes.order_by("action_id", "order", "pk")
    # A measure standing alone (no outcome's text) is no outcome: the card says one is lacking.
    outcomes = outcomes.exclude(description="")
    for action_id, text in outcomes.values_list("action_id", "description"):
        owner = by_pk.get(action_id)
        if owner is not None:
            owner.outcomes.append(first_words(text, OUTCOME_WORDS))
    if movable:
        rule = action_change_rule(user, plan)
        supporting = _supporting(plan, rule.agencies) if rule.needs_supporting_agencies else {}
        for card in cards:
            if rule.may_change(card.lead_agency_id, supporting.get(card.pk, frozenset())):
                card.move_url = move_url(card.pk)
                card.short = first_words(card.description, SHORT_WORDS)
    return cards


def _supporting(plan: Plan, agencies: frozenset[int]) -> dict[int, frozenset[int]]:
    """Which of these agencies support each action of the plan (only theirs matter here)."""
    found: dict[int, set[int]] = defaultdict(set)
    through = Action.supporting_agencies.through.objects.filter(
        action__priority__plan=plan, agency_id__in=agencies
    )
    for action_id, agency_id in through.values_list("action_id", "agency_id"):
        found[action_id].add(agency_id)
    return {action_id: frozenset(ids) for action_id, ids in found.items()}
