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
from typing import cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.db.models import Field, Model
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
    params: list[int | str] = [partnership] if number is None else [number, partnership]
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


def _date(value: datetime.date | str) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


class _Table:
    """A model's table as SQL names it, quoted for the database: str() is the table's name, and
    an attribute a field's column (`_Table(Plan).period_start`)."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    def __str__(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def __getattr__(self, field: str) -> str:
        if field.startswith("_"):
            raise AttributeError(field)
        column = cast(Field, self.model._meta.get_field(field)).column
        return connection.ops.quote_name(column)


@functools.cache
def _key_sql(kind: str, numbered: bool) -> str:
    """One row per plan of a partnership: its period, the version asked for (by number, or the
    latest), and for a page what else it shows that can change: the latest version's number,
    the plan's progress updates, measures and figures (counts and high-water marks, so that an
    update, a correction or a removal all change the key)."""
    pk = connection.ops.quote_name("id")
    plan, partnership, version = _Table(Plan), _Table(Partnership), _Table(PublishedVersion)
    latest = f"(SELECT MAX(l.{version.number}) FROM {version} l WHERE l.{version.plan} = p.{pk})"
    marks = "NULL"
    if kind == PAGE:
        marks = ", ".join([latest if numbered else f"v.{version.number}", *_page_marks(pk)])
    return (
        f"SELECT p.{pk}, p.{plan.period_start}, p.{plan.period_end}, "
        f"v.{pk}, v.{version.number}, v.{version.checksum}, v.{version.published_at}, {marks} "
        f"FROM {plan} p JOIN {partnership} s ON s.{pk} = p.{plan.partnership} "
        f"LEFT JOIN {version} v ON v.{version.plan} = p.{pk} "
        f"AND v.{version.number} = {'%s' if numbered else latest} "
        f"WHERE s.{partnership.slug} = %s"
    )


def _page_marks(pk: str) -> list[str]:
    """What else a page shows of plan `p`: its progress updates, measures and figures.

    Few subqueries, each folding its marks into one text with `||` (NULL when there are no
    rows): planning the statement costs PostgreSQL more than running it."""
    update, action, priority = _Table(ProgressUpdate), _Table(Action), _Table(Priority)
    measure, figure = _Table(Measure), _Table(Figure)
    measure_history = _Table(Measure.history.model)
    progress = (
        f"FROM {update} u JOIN {action} a ON a.{pk} = u.{update.action} "
        f"JOIN {priority} r ON r.{pk} = a.{action.priority} "
        f"WHERE r.{priority.plan} = p.{pk}"
    )
    figures = (
        f"FROM {figure} f JOIN {measure} m ON m.{pk} = f.{figure.measure} "
        f"WHERE m.{measure.plan} = p.{pk}"
    )
    return [
        f"(SELECT COUNT(*) || '/' || MAX(u.{pk}) {progress})",
        # Every change to a measure, removals included, is a new history row.
        f"(SELECT MAX(h.history_id) FROM {measure_history} h "
        f"WHERE h.{measure_history.plan} = p.{pk})",
        f"(SELECT COUNT(*) || '/' || MAX(f.{figure.entered_at}) || '/' || "
        f"SUM(f.{figure.value}) {figures})",
    ]


def _serve(
    request: HttpRequest,
    key: str,
    render: Callable[[], HttpResponse],
    *,
    latest: bool,
    kind: str,
) -> HttpResponse:
    etag = quote_etag(key.rsplit(":", 1)[1][:40])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        entry = cache.get(key)
        if entry is None:
            request._public_cache_rendering = True  # type: ignore[attr-defined]
            try:
                response = render()
            finally:
                request._public_cache_rendering = False  # type: ignore[attr-defined]
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
