"""The public published plan pages, rendered once and served from the cache.

A published version is frozen (`PublishedVersion`), so its page and PDF can be kept. The page is
not quite frozen: beside the snapshot it shows the actions' latest progress and the measures'
figures to date, and whether a newer version exists. So the cache key is built from everything
the page shows, read in ONE query (the version row, the latest version's number, and counts and
high-water marks of the plan's progress updates, measures and figures): a new publication, a new
progress update or a corrected figure makes a new key, and the next visitor gets a fresh page.
Nothing is ever invalidated, which is why a cache per app server is correct. What the key does
not follow (an agency renamed, a template changed by a deployment) lasts at most
PUBLIC_CACHE_SECONDS; set CACHE_KEY_PREFIX per release with a shared (Redis) cache.

What is cached:
- the HTML page for visitors who are not signed in and have no message waiting (a signed-in
  person's page carries their name and their links; it is rendered as before);
- the PDF for everyone (it is drawn from the snapshot alone).
Never a draft: before the first publication there is no version row, and the view runs as before.

Browsers and proxies get an ETag (answered with 304 Not Modified) and `Cache-Control: public`:
a numbered version may be kept a while; the latest-version addresses (`…/`, `…/plan.pdf`) must
be revalidated every time, so a new publication shows at once.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from types import SimpleNamespace

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from actions.models import Action
from lifecycle.models import PublishedVersion
from partners.models import Partnership
from priorities.models import Plan, Priority, period_label
from tracking.models import Figure, Measure, ProgressUpdate

PAGE = "page"
PDF = "pdf"

# Bumped when what a key stands for changes shape.
KEY_FORMAT = 1
# How long browsers and proxies may keep a numbered version without asking again, in seconds.
VERSION_PAGE_MAX_AGE = 300  # the page still shows live progress and figures
VERSION_PDF_MAX_AGE = 24 * 60 * 60  # the PDF is the snapshot alone

View = Callable[..., HttpResponse]


def cache_public_page(kind: str) -> Callable[[View], View]:
    """Serve a public plan view (`plan_detail`, `plan_version`: kind PAGE; `plan_pdf`: kind PDF)
    from the cache when it shows a published version."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, partnership: str, period: str, number: int | None = None
        ) -> HttpResponse:
            def render() -> HttpResponse:
                extra = {} if number is None else {"number": number}
                return view(request, partnership, period, **extra)

            if not _may_use_cache(request, kind):
                return render()
            key = version_key(kind, partnership, period, number)
            if key is None:  # nothing published (a draft), or no such version: never cached
                return render()
            return _serve(request, key, render, latest=number is None, kind=kind)

        return wrapper

    return decorator


def _may_use_cache(request: HttpRequest, kind: str) -> bool:
    if settings.PUBLIC_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "_public_cache_rendering", False):
        return False  # plan_detail renders through plan_version: one cache entry, looked up once
    if connection.in_atomic_block:
        # Inside a transaction the page could show rows that are then rolled back (and ids
        # reused): only committed data is cached. Requests are not atomic (no ATOMIC_REQUESTS).
        return False
    if kind == PDF:
        return True
    return not request.user.is_authenticated and not len(get_messages(request))


def version_key(kind: str, partnership: str, period: str, number: int | None) -> str | None:
    """The cache key of a published version's page or PDF: one query, None when there is no
    such published version.

    The query is written out once (see `_key_sql`): built by the ORM at every request, its
    subqueries took longer to compile than the rest of a cached request. It returns a row per
    plan of the partnership (a handful: one a year); the plan of `period` is picked here, with
    the same label and order as the views use.
    """
    sql = _key_sql(kind, number is not None)
    params = [partnership] if number is None else [number, partnership]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    plans = [row for row in rows if period_label(_date(row[1]), _date(row[2])) == period]
    if not plans:
        return None
    row = max(plans, key=lambda row: _date(row[1]))  # the views take the latest start
    if row[3] is None:  # no (such) published version
        return None
    text = "|".join(str(value) for value in (KEY_FORMAT, kind, *row))
    return f"public-plan:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


@functools.cache
def _key_sql(kind: str, numbered: bool) -> str:
    """One row per plan of a partnership: its period, the version asked for (by number, or the
    latest), and for a page what else it shows that can change: the latest version's number,
    the plan's progress updates, measures and figures (counts and high-water marks, so that an
    update, a correction or a removal all change the key)."""
    t = _tables()
    latest = f"(SELECT MAX(l.{t.number}) FROM {t.version} l WHERE l.{t.version_plan} = p.{t.pk})"
    which = "%s" if numbered else latest
    marks = "NULL"
    if kind == PAGE:
        # Few subqueries, each folding its marks into one text with `||` (NULL when there are no
        # rows): planning the statement costs PostgreSQL more than running it.
        progress = (
            f"FROM {t.progress} u JOIN {t.action} a ON a.{t.pk} = u.{t.progress_action} "
            f"JOIN {t.priority} r ON r.{t.pk} = a.{t.action_priority} "
            f"WHERE r.{t.priority_plan} = p.{t.pk}"
        )
        figures = (
            f"FROM {t.figure} f JOIN {t.measure} m ON m.{t.pk} = f.{t.figure_measure} "
            f"WHERE m.{t.measure_plan} = p.{t.pk}"
        )
        marks = ", ".join(
            [
                latest if numbered else f"v.{t.number}",  # the same key as by its number
                f"(SELECT COUNT(*) || '/' || MAX(u.{t.pk}) {progress})",
                # Every change to a measure, removals included, is a new history row.
                f"(SELECT MAX(h.history_id) FROM {t.measure_history} h "
                f"WHERE h.{t.history_plan} = p.{t.pk})",
                f"(SELECT COUNT(*) || '/' || MAX(f.{t.figure_entered_at}) || '/' || "
                f"SUM(f.{t.figure_value}) {figures})",
            ]
        )
    return (
        f"SELECT p.{t.pk}, p.{t.period_start}, p.{t.period_end}, "
        f"v.{t.pk}, v.{t.number}, v.{t.checksum}, v.{t.published_at}, {marks} "
        f"FROM {t.plan} p JOIN {t.partnership} s ON s.{t.pk} = p.{t.plan_partnership} "
        f"LEFT JOIN {t.version} v ON v.{t.version_plan} = p.{t.pk} AND v.{t.number} = {which} "
        f"WHERE s.{t.slug} = %s"
    )


def _tables() -> SimpleNamespace:
    """The tables and columns `_key_sql` reads, named by the models, quoted for the database."""
    q = connection.ops.quote_name

    def column(model, field: str) -> str:
        return q(model._meta.get_field(field).column)

    return SimpleNamespace(
        pk=q("id"),
        plan=q(Plan._meta.db_table),
        plan_partnership=column(Plan, "partnership"),
        period_start=column(Plan, "period_start"),
        period_end=column(Plan, "period_end"),
        partnership=q(Partnership._meta.db_table),
        slug=column(Partnership, "slug"),
        version=q(PublishedVersion._meta.db_table),
        version_plan=column(PublishedVersion, "plan"),
        number=column(PublishedVersion, "number"),
        checksum=column(PublishedVersion, "checksum"),
        published_at=column(PublishedVersion, "published_at"),
        progress=q(ProgressUpdate._meta.db_table),
        progress_action=column(ProgressUpdate, "action"),
        action=q(Action._meta.db_table),
        action_priority=column(Action, "priority"),
        priority=q(Priority._meta.db_table),
        priority_plan=column(Priority, "plan"),
        measure=q(Measure._meta.db_table),
        measure_plan=column(Measure, "plan"),
        measure_history=q(Measure.history.model._meta.db_table),
        history_plan=column(Measure.history.model, "plan"),
        figure=q(Figure._meta.db_table),
        figure_measure=column(Figure, "measure"),
        figure_entered_at=column(Figure, "entered_at"),
        figure_value=column(Figure, "value"),
    )


def _serve(request: HttpRequest, key: str, render, *, latest: bool, kind: str) -> HttpResponse:
    etag = quote_etag(key.rsplit(":", 1)[1][:40])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        entry = cache.get(key)
        if entry is None:
            request._public_cache_rendering = True
            try:
                response = render()
            finally:
                request._public_cache_rendering = False
            if not _shareable(request, response):
                return response
            entry = {"content": response.content, "headers": _kept_headers(response)}
            cache.set(key, entry, settings.PUBLIC_CACHE_SECONDS)
        else:
            response = HttpResponse(entry["content"], headers=entry["headers"])
    response["ETag"] = etag
    if latest:
        patch_cache_control(response, public=True, no_cache=True)
    else:
        max_age = VERSION_PDF_MAX_AGE if kind == PDF else VERSION_PAGE_MAX_AGE
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page that sets a cookie or carries a CSRF token belongs to one visitor."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _kept_headers(response: HttpResponse) -> dict[str, str]:
    names = ("Content-Type", "Content-Disposition")
    return {name: response[name] for name in names if name in response}
