"""The dashboard's counts: actions by their latest RAG status; and the same counts as a bar, in
colour and in words (the dashboard, the public plan and the reports)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracking.models import ProgressUpdate

if TYPE_CHECKING:
    from tracking.progress import ActionWithLatest


@dataclass
class RagCount:
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


RAG_COLUMNS = [*ProgressUpdate.Rag.choices, ("none", "No update yet")]


def rag_by(
    actions: Sequence[ActionWithLatest], key: Callable[[ActionWithLatest], str]
) -> list[RagCount]:
    """Count annotated actions by latest RAG status, grouped by `key(action)`."""
    groups: dict[str, RagCount] = {}
    for action in actions:
        label = key(action)
        group = groups.setdefault(label, RagCount(label, {value: 0 for value, _ in RAG_COLUMNS}))
        group.counts[action.latest_rag or "none"] += 1
    return list(groups.values())


# -- Counts as a bar: every segment with its colour and its words, never colour alone. The keys
# are a progress update's four, "none" (no update: yet, or for a report's period) and "withdrawn".

NO_UPDATE, WITHDRAWN = "none", "withdrawn"
RAG_ORDER: list[tuple[str, str]] = [
    (ProgressUpdate.Rag.COMPLETE, "Complete"),
    (ProgressUpdate.Rag.ON_TRACK, "On track"),
    (ProgressUpdate.Rag.AT_RISK, "At risk"),
    (ProgressUpdate.Rag.OFF_TRACK, "Off track"),
    (NO_UPDATE, "No update"),
    (WITHDRAWN, "Withdrawn"),
]
RAG_LABELS = dict(RAG_ORDER)
# The same colours as the badges (static/css/site.css, plan-pdf.css): white text passes AA on each.
RAG_COLOURS = {
    ProgressUpdate.Rag.COMPLETE: "#1d4f91",
    ProgressUpdate.Rag.ON_TRACK: "#00703c",
    ProgressUpdate.Rag.AT_RISK: "#8a4a00",
    ProgressUpdate.Rag.OFF_TRACK: "#b10e1e",
    NO_UPDATE: "#505a5f",
    WITHDRAWN: "#6f777b",
}


@dataclass(frozen=True)
class Segment:
    key: str  # a RAG key (RAG_ORDER)
    label: str
    count: int
    start: float  # where it starts along the bar, 0 to 100
    share: float  # how much of the bar it takes, 0 to 100

    @property
    def colour(self) -> str:
        return RAG_COLOURS[self.key]


@dataclass(frozen=True)
class RagBar:
    """Counts of actions by RAG status (every key of RAG_ORDER, zeros included)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def segments(self) -> list[Segment]:
        """The statuses that have actions, in order, each placed along the bar."""
        total, start, found = self.total or 1, 0.0, []
        for key, label in RAG_ORDER:
            count = self.counts.get(key, 0)
            if count:
                share = 100 * count / total
                found.append(Segment(key, label, count, round(start, 2), round(share, 2)))
                start += share
        return found

    @property
    def text(self) -> str:
        """The bar in words: "5 actions: 3 on track, 1 at risk, 1 no update." """
        if not self.total:
            return "No actions."
        parts = ", ".join(f"{s.count} {s.label.lower()}" for s in self.segments)
        return f"{self.total} action{'s' if self.total != 1 else ''}: {parts}."


def rag_bar(keys: Iterable[str]) -> RagBar:
    """The bar of these RAG keys, one an action."""
    counts = {key: 0 for key, _ in RAG_ORDER}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return RagBar(counts)
