"""The health check load balancers ask: `/healthz` answers 200 "ok" when this app server can
query its database, and 503 when it cannot.

No login, no session, no cookie: it reads nothing from the request, so a balancer polling every
few seconds creates no session rows. Never cached by anyone on the way.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# Included from csp_plan/urls.py.
urlpatterns = [path("healthz", healthz, name="healthz")]
