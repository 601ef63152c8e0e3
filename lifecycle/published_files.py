"""A published version's documents (its PDF, its Word file): drawn once, in the background, when
the version is published; stored; served from storage. No request ever draws one.

- `plan_publish` queues the task `draw_published_files` (lifecycle/tasks.py) once the publication
  is committed; the task worker draws every kind registered here (the PDF, registered by this app;
  the Word document, registered by planfiles) and stores each as a `PublishedFile`: the file under
  the version's id and SHA-256 in the default storage (MEDIA_ROOT, shared by every app server), the
  row written only once the file is complete.
- `serve` sends the stored file, after checking the version against its checksum and the file
  against its own SHA-256. Until the file is drawn (a worker that is behind, or a version published
  before this existed) it answers "being prepared, try again shortly" (503 with Retry-After) and
  asks the worker to draw it, at most once every few minutes per version. A damaged or missing file
  is treated the same way: its row is removed and the file drawn again.
- `manage.py draw_published_files` draws whatever is missing (run it on each deployment) and,
  with `--redraw`, draws every file again (after a change to the documents' layout).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from lifecycle.models import PublishedFile, PublishedVersion, VersionAltered
from lifecycle.public_cache import version_cache_headers
from priorities.models import Plan

logger = logging.getLogger("lifecycle.published_files")

# How long a visitor is asked to wait before trying again, in seconds.
RETRY_AFTER = 10
# A request asks the worker to draw a missing file at most this often per version, in seconds.
REQUEST_EVERY = 300
# How long browsers and proxies may keep a numbered version's file without asking again.
VERSION_FILE_MAX_AGE = 24 * 60 * 60


@dataclass(frozen=True)
class Drawer:
    """How one kind of document is drawn from a published version, and how it is sent."""

    kind: str  # "pdf", "docx"
    content_type: str
    disposition: str  # "inline" (read in the browser) or "attachment" (saved)
    filename: Callable[[Plan, PublishedVersion], str]
    draw: Callable[[Plan, PublishedVersion], bytes]
    description: str  # "PDF", "Word document": for the "being prepared" page


# Filled by the apps' ready(): lifecycle's PDF, planfiles' Word document.
DRAWERS: dict[str, Drawer] = {}


def register(drawer: Drawer) -> None:
    DRAWERS[drawer.kind] = drawer


# -- Drawing (the task worker, and the management command).


def draw(version: PublishedVersion, kind: str, *, redraw: bool = False) -> PublishedFile:
    """Draw one of a version's documents and store it; with redraw=False an existing file is kept
    (and returned) as it is."""
    if not redraw:
        existing = PublishedFile.objects.filter(version=version, kind=kind).first()
        if existing is not None:
            return existing
    drawer = DRAWERS[kind]
    plan = version.plan
    started = time.perf_counter()
    content = drawer.draw(plan, version)  # VersionAltered for an altered version: nothing stored
    seconds = time.perf_counter() - started
    drawn = PublishedFile(
        version=version,
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        drawn_at=timezone.now(),
        seconds=round(seconds, 3),
    )
    # The file first, then the row that makes it visible: a request never finds half a file.
    drawn.file.save(drawer.filename(plan, version), ContentFile(content), save=False)
    with transaction.atomic():
        existing = (
            PublishedFile.objects.select_for_update().filter(version=version, kind=kind).first()
        )
        if existing is not None and not redraw:
            # Another worker (or the deployment's command) drew it meanwhile: keep theirs.
            transaction.on_commit(lambda: drawn.file.storage.delete(drawn.file.name))
            return existing
        if existing is not None:
            old = existing.file.name
            drawn.pk = existing.pk
            drawn.save(force_update=True)
            transaction.on_commit(lambda: drawn.file.storage.delete(old))
        else:
            drawn.save()
    logger.info("Drew the %s of %s in %.1f s (%s bytes).", kind, version, seconds, len(content))
    return drawn


def draw_missing(version: PublishedVersion, *, redraw: bool = False) -> list[str]:
    """Draw every registered kind the version does not have yet (every kind, with redraw); the
    kinds drawn."""
    have = set() if redraw else set(version.files.values_list("kind", flat=True))
    drawn = []
    for kind in sorted(DRAWERS):
        if kind not in have:
            draw(version, kind, redraw=redraw)
            drawn.append(kind)
    return drawn


def queue_drawing(version_id: int) -> None:
    """Ask the task worker to draw a version's missing documents."""
    from lifecycle.tasks import draw_published_files

    draw_published_files.enqueue(version_id)


def request_drawing(version: PublishedVersion) -> None:
    """From a request that found no file: ask the worker, at most once every REQUEST_EVERY
    seconds per version (the cache remembers that it asked)."""
    if cache.add(f"published-files:asked:{version.pk}", True, REQUEST_EVERY):
        try:
            queue_drawing(version.pk)
        except Exception:  # the queue is down: the visitor still gets the page, the log says why
            logger.exception("Could not queue the drawing of %s's documents.", version)


# -- Serving (requests).


def serve(
    request: HttpRequest, plan: Plan, version: PublishedVersion, kind: str, *, latest: bool
) -> HttpResponse:
    """A published version's stored document, or "being prepared" until it is drawn.

    `latest`: asked for by the latest version's address (`…/plan.pdf`), which must be revalidated
    each time; a numbered version's file may be kept a day."""
    if not version.is_intact:
        raise VersionAltered(version)  # lifecycle.middleware turns it into the page saying so
    drawer = DRAWERS[kind]
    stored = PublishedFile.objects.filter(version=version, kind=kind).first()
    if stored is None:
        request_drawing(version)
        return _preparing(request, plan, version, drawer)
    etag = quote_etag(stored.sha256[:40])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        content = _read(stored)
        if content is None:
            PublishedFile.objects.filter(pk=stored.pk, sha256=stored.sha256).delete()
            request_drawing(version)
            return _preparing(request, plan, version, drawer)
        response = HttpResponse(content, content_type=drawer.content_type)
        filename = drawer.filename(plan, version)
        response["Content-Disposition"] = f'{drawer.disposition}; filename="{filename}"'
    return version_cache_headers(response, etag, latest=latest, max_age=VERSION_FILE_MAX_AGE)


def _read(stored: PublishedFile) -> bytes | None:
    """The stored file's bytes, if it is there and still what was drawn."""
    try:
        with stored.file.open("rb") as stream:
            content = stream.read()
    except (FileNotFoundError, OSError):
        logger.error("The %s of %s is missing from storage; it will be drawn again.",
                     stored.kind, stored.version)  # fmt: skip
        return None
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        logger.error("The %s of %s no longer matches its SHA-256; it will be drawn again.",
                     stored.kind, stored.version)  # fmt: skip
        return None
    return content


def _preparing(
    request: HttpRequest, plan: Plan, version: PublishedVersion, drawer: Drawer
) -> HttpResponse:
    response = render(
        request,
        "lifecycle/file_preparing.html",
        {"plan": plan, "version": version, "what": drawer.description,
         "retry_after": RETRY_AFTER},
        status=503,
    )  # fmt: skip
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response
