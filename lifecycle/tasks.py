"""Background tasks of the plan's life, run by the task worker (notifications/tasks.py says how
tasks are queued and run): drawing a published version's documents once, when it is published
(lifecycle/published_files.py)."""

from __future__ import annotations

from django_tasks import task

from lifecycle.models import PublishedVersion
from lifecycle.published_files import draw_missing


@task()
def draw_published_files(version_id: int) -> str:
    """Draw and store the documents (PDF, Word) a published version does not have yet; a task
    that runs twice draws nothing the second time."""
    version = (
        PublishedVersion.objects.select_related("plan__partnership").filter(pk=version_id).first()
    )
    if version is None:
        return "no such version"
    drawn = draw_missing(version)
    return f"drew {', '.join(drawn)}" if drawn else "nothing to draw"
