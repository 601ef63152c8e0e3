"""The public published plan pages come from the cache (priorities/public_cache.py).

A published version is rendered once, then served for one cheap query; a new publication, a new
progress update or a corrected figure shows at once; a draft, and a signed-in person's page, are
never cached; the cache never holds a restricted action's text.

These tests run outside a transaction (transaction=True): the cache serves committed data only.
"""

from __future__ import annotations

import datetime
import gzip
import html
import io
from decimal import Decimal

import brotli
import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.middleware.csrf import get_token

from actions.models import Action
from lifecycle import public_cache, views
from lifecycle.services import plan_amend
from priorities.models import Plan
from tracking.models import Figure, ProgressUpdate

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/plans/lichfield/2021-22/"
TRIAGE = "Triaging of ASB reports to key agencies"
SECRET = "Operation Nightjar: plain-clothes patrols of the canal towpath"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_plan(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return Plan.objects.select_related("partnership").get(partnership__slug="lichfield")


@pytest.fixture
def coordinator(demo_plan, django_user_model):
    return django_user_model.objects.get(username="coordinator")


@pytest.fixture
def published(demo_plan, publish):
    """The demo plan as published, with one restricted action. Its PDF and Word document are not
    drawn (the page links to them all the same): `published_and_drawn` draws them."""
    Action.objects.filter(description__startswith=TRIAGE).update(
        restricted=True, description=SECRET
    )
    publish(demo_plan)
    return demo_plan


@pytest.fixture
def published_and_drawn(published):
    """The same, with its documents drawn as the task worker draws them."""
    from lifecycle.published_files import draw_missing

    draw_missing(published.versions.get())
    return published


class CacheSpy:
    """The cache, with a record of what was stored."""

    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.sets = 0

    def get(self, key):
        return cache.get(key)

    def set(self, key, value, timeout):
        self.stored[key] = value
        self.sets += 1
        cache.set(key, value, timeout)


@pytest.fixture
def spy(monkeypatch):
    spy = CacheSpy()
    monkeypatch.setattr(public_cache, "cache", spy)
    return spy


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(html.unescape(response.content.decode()).split())


def bodies(spy: CacheSpy) -> list[bytes]:
    """Every page the cache holds, as it is sent plain and (decompressed) gzip- or Brotli-coded."""
    found = []
    for entry in spy.stored.values():
        found.append(entry["identity"])
        if "gzip" in entry:
            found.append(gzip.decompress(entry["gzip"]))
        if "br" in entry:
            found.append(brotli.decompress(entry["br"]))
    assert found
    return found


def republish(plan: Plan, coordinator, publish, description: str, *, draw: bool = False) -> None:
    """Amend the plan, change an action, publish the next version."""
    plan_amend(plan=Plan.objects.get(pk=plan.pk), user=coordinator)
    Action.objects.filter(description__startswith="Publicity").update(description=description)
    publish(Plan.objects.get(pk=plan.pk), coordinator, draw=draw)


# -- Served from the cache.


@pytest.mark.parametrize("path", ["", "versions/1/"])
def test_the_second_visit_is_served_from_the_cache_for_one_query(
    client, published, path, django_assert_max_num_queries
):
    first = client.get(URL + path)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):
        second = client.get(URL + path)
    assert second.status_code == 200
    assert second.content == first.content


def test_the_latest_version_and_its_numbered_page_are_kept_once_each(client, published, spy):
    latest = client.get(URL)
    numbered = client.get(URL + "versions/1/")
    assert latest.content == numbered.content
    client.get(URL)
    client.get(URL + "versions/1/")
    # One entry per address, each stored once: the second visits were served from them.
    assert sorted(spy.stored) == [
        public_cache.page_key(URL),
        public_cache.page_key(URL + "versions/1/"),
    ]
    assert spy.sets == 2


def test_finding_the_version_is_one_query(published, django_assert_num_queries):
    with django_assert_num_queries(1):
        key = public_cache.version_key(public_cache.PAGE, "lichfield", "2021-22", None)
    assert key is not None


def test_the_pdf_is_drawn_once_and_served_to_everyone(
    client, published_and_drawn, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    first = client.get(URL + "plan.pdf")
    assert first["Content-Type"] == "application/pdf"
    client.logout()
    # Drawn by the worker, once: served from storage, for the version, its file and nothing more.
    with django_assert_max_num_queries(3):
        second = client.get(URL + "versions/1/plan.pdf")
    assert second.content == first.content
    assert second["Content-Type"] == "application/pdf"
    assert second["Content-Disposition"] == 'inline; filename="lichfield-2021-22-v1.pdf"'


# -- What browsers and proxies are told.


def test_a_numbered_version_may_be_kept_and_is_revalidated_by_its_etag(
    client, published, django_assert_max_num_queries
):
    response = client.get(URL + "versions/1/")
    assert response["Cache-Control"] == "public, max-age=300"
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    with django_assert_max_num_queries(1):
        again = client.get(URL + "versions/1/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_the_latest_version_is_revalidated_every_time(client, published_and_drawn):
    response = client.get(URL)
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"]
    assert "Cookie" in response["Vary"]  # a signed-in person's page differs
    pdf = client.get(URL + "plan.pdf")
    assert pdf["Cache-Control"] == "public, no-cache"
    assert client.get(URL + "versions/1/plan.pdf")["Cache-Control"] == "public, max-age=86400"


def test_an_old_etag_gets_the_new_page_after_a_publication(client, published, coordinator, publish):
    etag = client.get(URL)["ETag"]
    republish(published, coordinator, publish, "Publicity for the second version")
    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Version 2" in text(response)
    assert response["ETag"] != etag


# -- Never stale.


def test_a_new_publication_shows_at_once(client, published_and_drawn, coordinator, publish):
    published = published_and_drawn
    assert "Version 1" in text(client.get(URL))
    client.get(URL + "plan.pdf")
    republish(published, coordinator, publish, "Publicity for the second version", draw=True)

    page = text(client.get(URL))
    assert "Version 2" in page
    assert "Publicity for the second version" in page
    assert client.get(URL + "plan.pdf")["Content-Disposition"].endswith('-v2.pdf"')
    earlier = text(client.get(URL + "versions/1/"))
    assert "This is not the latest version." in earlier
    assert "Publicity for the second version" not in earlier


def test_a_new_progress_update_shows_at_once(client, published, coordinator):
    assert "Off track" not in text(client.get(URL))
    action = Action.objects.filter(priority__plan=published, restricted=False).first()
    ProgressUpdate.objects.create(
        action=action,
        date=datetime.date(2021, 7, 1),
        rag=ProgressUpdate.Rag.OFF_TRACK,
        narrative="Staff shortages over the summer.",
        created_by=coordinator,
    )
    assert "Off track" in text(client.get(URL))


def test_a_corrected_figure_shows_at_once(client, published):
    figure = Figure.objects.filter(measure__plan=published).order_by("period_start").last()
    assert "4321" not in text(client.get(URL))
    figure.value = Decimal("4321")
    figure.save()
    assert "4321" in text(client.get(URL))


def test_a_changed_measure_shows_at_once(client, published):
    measure = published.measures.get()
    assert "Target 777" not in text(client.get(URL))
    measure.target = Decimal("777")
    measure.save()
    assert "Target 777" in text(client.get(URL))


# -- Never cached: drafts, signed-in pages, restricted text, pages with a message.


def test_a_draft_is_never_cached(client, demo_plan, coordinator, spy):
    client.force_login(coordinator)
    assert "not yet published" in text(client.get(URL))
    client.logout()
    assert client.get(URL).status_code == 302  # sign in to read a draft
    assert client.get(URL + "plan.pdf").status_code == 404
    assert public_cache.version_key(public_cache.PAGE, "lichfield", "2021-22", None) is None
    assert spy.stored == {}


def test_the_draft_revision_after_an_amendment_never_reaches_the_cache(
    client, published, coordinator, spy
):
    client.get(URL)
    plan_amend(plan=Plan.objects.get(pk=published.pk), user=coordinator)
    Action.objects.filter(description__startswith="Publicity").update(
        description="Draft wording nobody agreed"
    )
    assert "Draft wording nobody agreed" not in text(client.get(URL))
    assert all(b"Draft wording nobody agreed" not in body for body in bodies(spy))


def test_a_signed_in_persons_page_is_never_served_to_others(client, published, coordinator, spy):
    client.force_login(coordinator)
    own = text(client.get(URL))
    assert "Signed in as" in own
    assert spy.stored == {}
    client.logout()
    public = text(client.get(URL))
    assert "Signed in as" not in public
    assert "Open the plan workspace" not in public
    assert len(spy.stored) == 1


def test_the_cache_never_holds_restricted_text(client, published, spy):
    for path in ("", "versions/1/", "plan.pdf", "versions/1/plan.pdf"):
        client.get(URL + path)
        client.get(URL + path)
    page = text(client.get(URL))
    assert "Restricted action led by Staffordshire Police" in page
    assert SECRET not in page
    assert spy.stored
    for body in bodies(spy):
        assert SECRET.encode() not in body
        assert b"Nightjar" not in body


def test_a_visitor_with_a_message_waiting_gets_it_and_it_is_not_cached(rf, published, spy):
    request = rf.get(URL)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.info(request, "You have been signed out.")
    response = views.plan_detail(request, partnership="lichfield", period="2021-22")
    assert "You have been signed out." in response.content.decode()
    assert spy.stored == {}


def test_a_page_with_a_csrf_token_or_a_cookie_is_not_shared(rf, published, spy):
    @public_cache.cache_public_page(public_cache.PAGE)
    def with_a_form(request, partnership, period, number=None):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @public_cache.cache_public_page(public_cache.PAGE)
    def with_a_cookie(request, partnership, period, number=None):
        response = HttpResponse("hello")
        response.set_cookie("seen", "yes")
        return response

    for view in (with_a_form, with_a_cookie):
        request = rf.get(URL)
        request.user = AnonymousUser()
        assert view(request, "lichfield", "2021-22").status_code == 200
    assert spy.stored == {}


def test_nothing_is_cached_when_the_cache_is_turned_off(client, published, settings, spy):
    settings.PUBLIC_CACHE_SECONDS = 0
    client.get(URL)
    client.get(URL + "plan.pdf")
    assert spy.stored == {}
    assert "ETag" not in client.get(URL)


def test_an_unknown_version_is_not_found(client, published):
    assert client.get(URL + "versions/7/").status_code == 404
    assert client.get(URL + "versions/7/plan.pdf").status_code == 404
    assert client.get("/plans/lichfield/2031-32/").status_code == 404
