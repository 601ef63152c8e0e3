"""The public published plan pages, rendered once and served from the cache.

A published version is frozen (`PublishedVersion`), so its page can be kept. The page is not quite
frozen: beside the snapshot it shows the actions' latest progress and the measures' figures to
date, and whether a newer version exists. A kept page is served only while it is still what the
page would show, by one of two freshness checks (PUBLIC_CACHE_FRESHNESS):

- "query" (the default with the local-memory cache): a token built from everything the page shows,
  read in ONE query (the version row, the latest version's number, and counts and high-water marks
  of the plan's progress updates, measures and figures): a new publication, a new progress update
  or a corrected figure makes a new token. Correct with a cache per process, since nothing needs to
  be told; each request costs that query.
- "generation" (the default with a shared cache, CACHE_URL=redis://…): a token per partnership
  kept in the cache itself, replaced (once the transaction commits) whenever a version is
  published or a progress update, measure or figure of one of its plans changes (signals, and the
  figures import, which writes in bulk, says so itself). Every app server and worker reads the
  same token, so a publication through one server is public at once through all of them. Each
  worker remembers the tokens it has read, told of every replacement on a Redis channel
  (lifecycle/page_tokens.py): a request costs no query and, once the token is known, no round
  trip to the cache either.

What the tokens do not follow (an agency renamed, a template changed by a deployment) lasts at most
PUBLIC_CACHE_SECONDS; set CACHE_KEY_PREFIX per release with a shared cache.

Who is served from the cache: visitors who are not signed in, have no session and no message
waiting (a signed-in person's page carries their name and their links: it is rendered as before).
`PublicPageMiddleware` (lifecycle/middleware.py), placed right after WhiteNoise, answers them
before the rest of the middleware runs, with the headers the whole stack gave the page when it was
rendered (the Content Security Policy among them, built once per rendering), gzip- or
Brotli-compressed when the browser accepts it. The views (`cache_public_page`) give everyone an
ETag (answered with 304 Not Modified) and `Cache-Control: public`: a numbered version may be kept a
while; the latest version's address (`…/`) must be revalidated every time, so a new publication
shows at once. Never a draft: before the first publication there is no version row, and the page
is never kept. The PDF and Word document of a version are not here: they are drawn once and kept
in storage (lifecycle/published_files.py).
"""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models import Field, Model
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from actions.models import Action
from lifecycle import page_tokens
from lifecycle.models import PublishedVersion
from partners.models import Partnership
from priorities.models import Plan, Priority, period_label
from tracking.models import Figure, Measure, ProgressUpdate

PAGE = "page"

# Bumped when what a key stands for changes shape.
KEY_FORMAT = 2
# How long browsers and proxies may keep a numbered version without asking again, in seconds.
VERSION_PAGE_MAX_AGE = 300  # the page still shows live progress and figures

# The addresses of the public plan pages: the latest version, and a numbered one.
PAGE_PATH = re.compile(
    r"^/plans/(?P<partnership>[-a-zA-Z0-9_]{1,100})/(?P<period>[-a-zA-Z0-9_.]{1,40})/"
    r"(?:versions/(?P<number>[0-9]{1,9})/)?$"
)

View = Callable[..., HttpResponse]


def freshness() -> str:
    """How a kept page is known to be fresh: "query" or "generation" (see above)."""
    chosen = getattr(settings, "PUBLIC_CACHE_FRESHNESS", "") or ""
    if chosen:
        return chosen
    backend = settings.CACHES["default"]["BACKEND"]
    local = backend.endswith(("LocMemCache", "DummyCache"))
    return "query" if local else "generation"


def cache_public_page(kind: str) -> Callable[[View], View]:
    """A public plan view (`plan_detail`, `plan_version`): ETag and Cache-Control for a published
    version, and its page marked for PublicPageMiddleware to keep when it may be shared."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, partnership: str, period: str, number: int | None = None
        ) -> HttpResponse:
            def render() -> HttpResponse:
                extra = {} if number is None else {"number": number}
                return view(request, partnership, period, **extra)

            if not _may_use_cache(request):
                return render()
            key = version_key(kind, partnership, period, number)
            if key is None:  # nothing published (a draft), or no such version: never kept
                return render()
            return _respond(request, key, render, latest=number is None)

        return wrapper

    return decorator


def _may_use_cache(request: HttpRequest) -> bool:
    if settings.PUBLIC_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "_public_cache_rendering", False):
        return False  # plan_detail renders through plan_version: one token, looked up once
    # Inside a transaction the page could show rows that are then rolled back (and ids reused):
    # only committed data is kept. Requests are not atomic (no ATOMIC_REQUESTS).
    return not connection.in_atomic_block


def _shared_with_everyone(request: HttpRequest) -> bool:
    """The page a visitor gets is the one everyone gets: not signed in, no message waiting."""
    return not request.user.is_authenticated and not len(get_messages(request))


def _respond(
    request: HttpRequest, key: str, render: Callable[[], HttpResponse], *, latest: bool
) -> HttpResponse:
    etag = quote_etag(key.rsplit(":", 1)[1][:40])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        request._public_cache_rendering = True  # type: ignore[attr-defined]
        try:
            response = render()
        finally:
            request._public_cache_rendering = False  # type: ignore[attr-defined]
        if _shared_with_everyone(request) and _shareable(request, response):
            response._public_page_shareable = True  # type: ignore[attr-defined]
    return version_cache_headers(response, etag, latest=latest, max_age=VERSION_PAGE_MAX_AGE)


def version_cache_headers(
    response: HttpResponse, etag: str, *, latest: bool, max_age: int
) -> HttpResponse:
    """How long a published version's page or file may be kept: one asked for by the latest
    version's address is revalidated each time (publishing changes it); one asked for by a
    numbered version's address is kept `max_age` seconds. Both are tagged with `etag`."""
    response["ETag"] = etag
    if latest:
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def version_key(kind: str, partnership: str, period: str, number: int | None) -> str | None:
    """The cache key of a published version's page or PDF: one query, None when there is no
    such published version.

    The query is written out once (see `_key_sql`): built by the ORM at every request, its
    subqueries took longer to compile than the rest of a cached request. It returns a row per
    plan of the partnership (a handful: one a year); the plan of `period` is picked here, with
    the same label and order as the views use.
    """
    sql = _key_sql(kind, number is not None)
    params: list[str | int] = [partnership] if number is None else [number, partnership]
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


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page that sets a cookie or carries a CSRF token belongs to one visitor."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


# -- The kept pages, as PublicPageMiddleware reads and writes them.


def page_key(path: str) -> str:
    return f"public-plan:{KEY_FORMAT}:page:{path}"


def generation_key(partnership: str) -> str:
    return f"public-plan:{KEY_FORMAT}:generation:{partnership}"


# The kept pages this process served last, so that a request reads only the freshness token from
# the shared cache (a few bytes), not the page itself. Each is served only while its token is the
# current one and it has not outlived PUBLIC_CACHE_SECONDS.
_LOCAL: OrderedDict[str, dict[str, Any]] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
LOCAL_ENTRIES = 256


def lookup(path: str, partnership: str, period: str, number: int | None) -> tuple[str | None, Any]:
    """The freshness token the page at `path` must have now, and the entry kept for it with that
    token (None when there is none; a token of None when there is no published version)."""
    if freshness() == "generation":
        token = page_tokens.FEED.known(partnership)  # no round trip (lifecycle/page_tokens.py)
        if token is None:
            gen_key = generation_key(partnership)
            token = _read_token(gen_key)  # one round trip to the shared cache
            if token is None:  # the first visit since the cache started: no page kept yet
                cache.add(gen_key, uuid.uuid4().hex, None)
                token = cache.get(gen_key)
                page_tokens.FEED.remember(partnership, token)
                return token, None
            page_tokens.FEED.remember(partnership, token)
    else:
        token = version_key(PAGE, partnership, period, number)
        if token is None:
            return None, None
    entry = _LOCAL.get(path)
    if entry is not None and entry["token"] == token and entry["expires"] > time.time():
        return token, entry
    entry = cache.get(page_key(path))
    if entry is None or entry["token"] != token:
        return token, None
    with _LOCAL_LOCK:
        _LOCAL[path] = entry
        _LOCAL.move_to_end(path)
        while len(_LOCAL) > LOCAL_ENTRIES:
            _LOCAL.popitem(last=False)
    return token, entry


def _read_token(key: str) -> Any:
    """cache.get(key), without building a Redis client per call as Django's RedisCache does (a
    third of the time of a kept page)."""
    client = page_tokens.redis_client()
    if client is None:
        return cache.get(key)
    backend = caches["default"]
    raw = client.get(backend.make_and_validate_key(key))
    return None if raw is None else backend._cache._serializer.loads(raw)  # type: ignore[attr-defined]


def forget_local() -> None:
    """Forget the pages and tokens this process kept for itself (the tests, between two)."""
    with _LOCAL_LOCK:
        _LOCAL.clear()
    page_tokens.FEED.forget()


def keep(path: str, token: str, response: HttpResponse) -> None:
    """Keep a rendered page the whole middleware stack answered, with its headers, and compressed
    copies, for the next visitors."""
    content = response.content
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("set-cookie", "content-length", "date")
    }
    entry: dict[str, Any] = {
        "token": token,
        "headers": headers,
        "identity": content,
        "expires": time.time() + settings.PUBLIC_CACHE_SECONDS,
    }
    if len(content) >= 1024:
        entry["gzip"] = gzip.compress(content, compresslevel=6, mtime=0)
        try:
            import brotli  # WeasyPrint's dependency, in requirements.txt

            entry["br"] = brotli.compress(content, quality=5)
        except ImportError:  # pragma: no cover
            pass
    cache.set(page_key(path), entry, settings.PUBLIC_CACHE_SECONDS)


def kept_response(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    """The kept page for this request: 304 when the browser has it, compressed when it accepts
    that."""
    etag = entry["headers"].get("ETag")
    if etag:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            for name in ("ETag", "Cache-Control", "Vary"):
                if name in entry["headers"]:
                    not_modified[name] = entry["headers"][name]
            return not_modified
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    encoding = None
    if "br" in entry and _accepts(accepted, "br"):
        encoding = "br"
    elif "gzip" in entry and _accepts(accepted, "gzip"):
        encoding = "gzip"
    body = entry[encoding or "identity"]
    response = HttpResponse(b"" if request.method == "HEAD" else body, headers=entry["headers"])
    response["Content-Length"] = str(len(body))
    if "gzip" in entry:
        patch_vary_headers(response, ("Accept-Encoding",))
    if encoding:
        response["Content-Encoding"] = encoding
    return response


@functools.lru_cache(maxsize=64)
def _accepts(header: str, coding: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


# -- "generation" freshness: what changes a partnership's public pages says so.


def pages_changed(partnership_slugs: list[str] | set[str]) -> None:
    """Once the current transaction commits (at once outside one), the public pages of these
    partnerships are no longer fresh, on every app server (with "generation" freshness)."""
    if freshness() != "generation" or not partnership_slugs:
        return
    slugs = sorted(set(partnership_slugs))

    def renew() -> None:
        cache.set_many({generation_key(slug): uuid.uuid4().hex for slug in slugs}, None)
        page_tokens.announce(slugs)  # to every worker that remembers the old tokens

    transaction.on_commit(renew, robust=True)


def plan_pages_changed(plan_ids: list[int] | set[int]) -> None:
    """The public pages of these plans are no longer fresh (see pages_changed)."""
    if freshness() != "generation" or not plan_ids:
        return
    slugs = Partnership.objects.filter(plans__pk__in=set(plan_ids)).values_list("slug", flat=True)
    pages_changed(set(slugs))


def _on_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """post_save and post_delete of what a public page shows."""
    if freshness() != "generation" or kwargs.get("raw"):
        return
    plans = Plan.objects.none()
    if isinstance(instance, PublishedVersion | Measure):
        plans = Plan.objects.filter(pk=instance.plan_id)
    elif isinstance(instance, ProgressUpdate):
        plans = Plan.objects.filter(priorities__actions__pk=instance.action_id)
    elif isinstance(instance, Figure):
        plans = Plan.objects.filter(measures__pk=instance.measure_id)
    pages_changed(set(plans.values_list("partnership__slug", flat=True)))


WATCHED: tuple[type[Model], ...] = (PublishedVersion, ProgressUpdate, Measure, Figure)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in WATCHED:
        uid = f"public-cache-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
