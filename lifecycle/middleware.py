"""A published version that fails its integrity check is refused with a page that says so."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifecycle.models import VersionAltered

logger = logging.getLogger("lifecycle.versions")


class RefuseAlteredVersionsMiddleware:
    """Turns VersionAltered, raised wherever a published version's text is read, into a 500
    page that says what happened, and logs it for the administrators."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, VersionAltered):
            return None
        logger.error("Refused to serve an altered published version: %s", exception)
        return render(
            request, "lifecycle/version_altered.html", {"version": exception.version}, status=500
        )
