"""Published versions, as the public reaches them by their address."""

from __future__ import annotations

from django.http import Http404

from lifecycle.models import PublishedVersion
from priorities.access import plan_or_404
from priorities.models import Plan


def public_version(
    partnership: str, period: str, number: int | None = None
) -> tuple[Plan, PublishedVersion]:
    """A published version, for anyone: 404 while nothing has been published."""
    plan = plan_or_404(partnership, period)
    versions = plan.versions.order_by("-number")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404("No published version.")
    return plan, version
