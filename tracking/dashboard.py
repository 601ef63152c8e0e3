"""The dashboard's counts: actions by their latest RAG status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
