"""The 403 page: what the person lacks (the refusal's sentence) and who can help (the coordinators
of the partnership the page belongs to).

Set as the project's `handler403` (csp_plan/urls.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.models import Partnership
from partners.permissions import member_partnership_ids

DEFAULT_MESSAGE = "Your account cannot do this."


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    partnership = _partnership(request, exception)
    coordinators: list[Any] = []
    if partnership is not None and _may_know(request.user, partnership):
        coordinators = list(
            partnership.coordinators.filter(is_active=True).order_by(
                "first_name", "last_name", "username"
            )
        )
    else:
        partnership = None
    context = {
        "exception": (str(exception) if exception else "") or DEFAULT_MESSAGE,
        "partnership": partnership,
        "coordinators": coordinators,
    }
    return render(request, "403.html", context, status=403)


def _partnership(request: HttpRequest, exception: Exception | None) -> Partnership | None:
    """The partnership the refusal names, or else the one in the page's address."""
    pk = getattr(exception, "partnership_id", None)
    if pk is not None:
        return Partnership.objects.filter(pk=pk).first()
    match = request.resolver_match
    slug = match.kwargs.get("partnership") if match else None
    if isinstance(slug, str):
        return Partnership.objects.filter(slug=slug).first()
    return None


def _may_know(user: Any, partnership: Partnership) -> bool:
    """Members (and admins) learn who coordinates the partnership; others learn nothing of it."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or partnership.pk in member_partnership_ids(user)
