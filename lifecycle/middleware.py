"""The lifecycle app's middleware: the public plan pages answered from the cache before the rest
of the stack runs, and a published version that fails its integrity check refused with a page
that says so."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifecycle import public_cache
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


class PublicPageMiddleware:
    """Answers visitors of the public plan pages from the cache, right after WhiteNoise, before
    the rest of the middleware runs (lifecycle/public_cache.py).

    Only GET and HEAD, with no query string, from a visitor with no session and no message waiting
    (neither cookie): such a visitor is not signed in, and gets the page everyone gets. Anyone else
    goes through the whole stack as before. A miss goes through it too; the page it gives is kept
    only when the view marked it shareable (a published version, an anonymous visitor, no cookie
    set, no CSRF token) and it answered 200."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        # The session's cookie, and the messages' (django.contrib.messages' cookie storage).
        self.private_cookies = (settings.SESSION_COOKIE_NAME, "messages")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = self._match(request)
        if match is None:
            return self.get_response(request)
        path = request.path_info
        number = match["number"]
        token, entry = public_cache.lookup(
            path, match["partnership"], match["period"], int(number) if number else None
        )
        if token is None:
            return self.get_response(request)
        if entry is not None and entry["token"] == token:
            return public_cache.kept_response(request, entry)
        response = self.get_response(request)
        if (
            getattr(response, "_public_page_shareable", False)
            and response.status_code == 200
            and not response.cookies
            and request.method == "GET"
        ):
            public_cache.keep(path, token, response)
        return response

    def _match(self, request: HttpRequest) -> re.Match[str] | None:
        if request.method not in ("GET", "HEAD") or settings.PUBLIC_CACHE_SECONDS <= 0:
            return None
        if request.META.get("QUERY_STRING"):
            return None
        if any(name in request.COOKIES for name in self.private_cookies):
            return None
        return public_cache.PAGE_PATH.match(request.path_info)
