"""Two-step sign-in before any page, where the installation asks for it (people/two_step.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from people.two_step import authenticator_for, two_step_owed

# What a person who still owes their code may open: the two-step pages, signing out, and what
# every page links to or a load balancer asks for.
OPEN_BEFORE_THE_CODE = {"two_step_verify", "two_step_setup", "logout", "accessibility", "healthz"}


class TwoStepMiddleware:
    """Sends a password user whom the installation asks for a second step to give their code (or
    set up their authenticator app) before any other page, then back where they were going."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not settings.REQUIRE_TWO_FACTOR:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_THE_CODE:
            return None
        if not two_step_owed(request):
            return None
        step = "two_step_verify" if authenticator_for(request.user) else "two_step_setup"  # type: ignore[arg-type]
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
