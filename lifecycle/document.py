"""The plan as a document people read: a snapshot (the live draft, or a published version) laid
out as the seed lays it out, with how each action is going (and each priority's actions by RAG
status, as a bar: restricted actions are not counted) and the measures' figures to date."""

from __future__ import annotations

from typing import Any

from actions.models import Action
from lifecycle.snapshot import Snapshot
from lifecycle.snapshot import sections as snapshot_sections
from priorities.models import Plan
from tracking.charts import line_chart
from tracking.dashboard import NO_UPDATE, rag_bar
from tracking.figures import measures_data
from tracking.models import ProgressUpdate
from tracking.progress import with_latest_update


def document_context(plan: Plan, data: Snapshot, **extra: Any) -> dict[str, Any]:
    """The plan document, with how its actions are going and its measures' figures to date."""
    rag = dict(ProgressUpdate.Rag.choices)
    updated = with_latest_update(Action.objects.filter(priority__plan=plan)).exclude(
        latest_rag=None
    )
    latest = {
        pk: (latest_rag, date, percent)
        for pk, latest_rag, date, percent in updated.values_list(
            "pk", "latest_rag", "latest_update_date", "latest_percent"
        )
    }
    for action in data["actions"]:
        current = latest.get(action["id"])
        if current and not action["restricted"]:
            latest_rag, date, percent = current
            action["progress"] = {
                "rag": latest_rag,
                "label": rag[latest_rag],
                "date": date,
                "percent": percent,
            }
    measures = [(d, line_chart(d, f"measure-{d.measure.pk}")) for d in measures_data(plan)]
    sections = snapshot_sections(data)
    if latest:  # once progress is recorded: each priority's actions by RAG status, as a bar
        for section in sections:
            section.progress = rag_bar(
                action["progress"]["rag"] if "progress" in action else NO_UPDATE
                for row in section.rows
                for action in row.actions
                if not action["restricted"]
            )
    return {
        "plan": plan,
        "data": data,
        "sections": sections,
        "measures": measures,
        **extra,
    }
