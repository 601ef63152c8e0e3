"""Security: CSRF on every POST, another partnership's ids give 404, user text is inert, login
throttling, session expiry, password rules, and a strict Content Security Policy."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Action
from notifications.models import Notification
from partners.models import AgencyAlias
from people.models import AccessRequest, Invitation
from priorities.models import Plan
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    OutcomeFactory,
    PlanFactory,
    PriorityFactory,
    UserFactory,
)
from tracking.models import Measure, ProgressUpdate


def product_routes() -> list[tuple[str, URLPattern]]:
    """Every named URL of the product (the Django admin apart), with its full route."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver().url_patterns))


ROUTES = product_routes()


@pytest.fixture
def world(plan, priority, action, other_partnership, other_agency, publish):
    """Lichfield's plan, and a Tamworth plan with one of everything, still a draft."""
    measure = Measure.objects.create(plan=plan, name="ASB incidents")
    other_plan = PlanFactory(partnership=other_partnership, title="Tamworth plan")
    other_priority = PriorityFactory(plan=other_plan, title="Tamworth priority")
    other_action = ActionFactory(priority=other_priority, lead_agency=other_agency)
    OutcomeFactory(action=other_action)
    other_measure = Measure.objects.create(plan=other_plan, name="Tamworth measure")
    service = other_action.services.create(provider="Tamworth provider", amount=100)
    # Notifications belong to a person, not a partnership: someone else's is "other".
    someone = UserFactory(username="someone-else")
    notification = Notification.objects.create(
        recipient=someone, kind="plan_published", key="k", subject="s", body="b", url="/", why="w"
    )
    # The members pages' objects (people/urls.py), in each partnership.
    people = {}
    for prefix, partnership, agency in (
        ("", plan.partnership, action.lead_agency),
        ("other_", other_partnership, other_agency),
    ):
        member = MembershipFactory(agency=agency)
        partnership.coordinators.add(member.user)
        people |= {
            f"{prefix}membership": member,
            f"{prefix}coordinator": member.user,
            f"{prefix}invitation": Invitation.objects.create(email="x@example.org", agency=agency),
            f"{prefix}request": AccessRequest.objects.create(
                email="y@example.org", partnership=partnership
            ),
            f"{prefix}alias": AgencyAlias.objects.create(agency=agency, name=f"{prefix}alias"),
        }
    return people | {
        "plan": plan,
        "action": action,
        "priority": priority,
        "measure": measure,
        "other_plan": other_plan,
        "other_action": other_action,
        "other_priority": other_priority,
        "other_measure": other_measure,
        "other_service": service,
        "notification": notification,
        "other_notification": notification,
    }


def kwargs_for(route: str, pattern: URLPattern, world: dict, *, other: bool) -> dict:
    """Arguments that name objects of Lichfield's plan, or of Tamworth's when `other`."""
    prefix = "other_" if other else ""
    names = set(pattern.pattern.converters)
    values: dict = {}
    if "partnership" in names:
        values["partnership"] = "tamworth" if other else "lichfield"
    if "period" in names:
        values["period"] = "2021-22"
    if "pk" in names:
        # The segment before <int:pk> says what the id is of: actions/<pk>, measures/<pk>, …
        owner = route.split("<int:pk>")[0].rstrip("/").split("/")[-1]
        model = {
            "actions": "action",
            "priorities": "priority",
            "measures": "measure",
            "notifications": "notification",
            "members": "membership",
            "coordinators": "coordinator",
            "invitations": "invitation",
            "requests": "request",
            "agency-names": "alias",
        }[owner]
        values["pk"] = world[prefix + model].pk
    if "service_pk" in names:
        values["service_pk"] = world["other_service"].pk
    if "area" in names:  # the county view: the refusal comes before the area is looked up
        values["area"] = "staffordshire"
    if "number" in names:
        values["number"] = 1
    if "stage" in names:
        values["stage"] = "send"
    if "fmt" in names:
        values["fmt"] = "csv"
    if "uidb64" in names:  # Django's password reset link
        values |= {"uidb64": "MQ", "token": "set-password"}
    elif "token" in names:  # an invitation's link
        values["token"] = "not-a-token"
    unknown = names - set(values)
    assert not unknown, f"{route}: teach this test which objects {unknown} name"
    return values


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[p.name for _, p in ROUTES])
def test_every_post_is_refused_without_a_csrf_token(route, pattern, world, admin_user, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    url = reverse(pattern.name, kwargs=kwargs_for(route, pattern, world, other=False))
    before = (Action.objects.count(), Plan.objects.get(pk=world["plan"].pk).status)
    response = strict.post(url, {"direction": "up", "title": "x", "description": "x"})
    assert response.status_code == 403, url
    assert b"CSRF" in response.content
    assert (Action.objects.count(), Plan.objects.get(pk=world["plan"].pk).status) == before


OBJECT_ROUTES = [
    (route, pattern)
    for route, pattern in ROUTES
    if set(pattern.pattern.converters) & {"pk", "partnership"}
]


@pytest.mark.parametrize(
    ("route", "pattern"), OBJECT_ROUTES, ids=[p.name for _, p in OBJECT_ROUTES]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partnerships_objects_are_not_found(
    route, pattern, method, world, client, coordinator
):
    """Lichfield's coordinator probing Tamworth's ids learns nothing: 404, never 403 or 200."""
    client.force_login(coordinator)
    url = reverse(pattern.name, kwargs=kwargs_for(route, pattern, world, other=True))
    before = Action.objects.filter(pk=world["other_action"].pk).values().get()
    response = getattr(client, method)(url, {"direction": "up", "description": "probe"})
    if response.status_code == 405:  # the page takes only the other method
        return
    assert response.status_code == 404, url
    assert Action.objects.filter(pk=world["other_action"].pk).values().get() == before


# -- User text is inert everywhere.

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
LINK = "javascript:alert(document.cookie)"


@pytest.fixture
def hostile(plan, priority, action, coordinator, police, publish):
    priority.title = f"ASB {SCRIPT}"
    priority.save()
    action.description = f"Triage {IMG} {LINK}"
    action.save()
    action.outcomes.update(description=f"Outcome {SCRIPT}", measure=IMG)
    ProgressUpdate.objects.create(action=action, date="2021-06-01", rag="on_track", narrative=IMG)
    plan.introduction = f"Intro {SCRIPT} [click]({LINK})"
    plan.save()
    publish(plan)
    return action


def _assert_inert(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x onerror" not in html, where
    assert 'href="javascript:' not in html.lower(), where


def test_hostile_text_is_inert_on_every_page(client, hostile, coordinator):
    plan_url = "/plans/lichfield/2021-22/"
    pages = [
        "/",
        plan_url,
        f"{plan_url}versions/",
        f"{plan_url}versions/1/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.content.decode(), url)
    client.force_login(coordinator)
    member_pages = pages + [
        "/my-work/",
        f"{plan_url}workspace/",
        f"{plan_url}readiness/",
        f"{plan_url}dashboard/",
        f"{plan_url}priorities/",
        f"{plan_url}measures/",
        hostile.get_absolute_url(),
        reverse("action_edit", args=[hostile.pk]),
        reverse("my_updates_due"),
    ]
    for url in member_pages:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        _assert_inert(response.content.decode(), url)
    assert (
        "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;"
        in client.get(plan_url).content.decode()
    )


def test_hostile_text_is_inert_in_the_pdf(client, hostile):
    from lifecycle.models import PublishedVersion
    from lifecycle.published_files import draw_missing

    draw_missing(PublishedVersion.objects.get())  # as the task worker does once it is published
    response = client.get("/plans/lichfield/2021-22/plan.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # The PDF is drawn from escaped HTML: no script or link survives to it.
    assert b"/JavaScript" not in response.content and b"/JS" not in response.content
    assert b"javascript:" not in response.content.lower()


def test_every_page_has_a_strict_content_security_policy(client, hostile):
    response = client.get("/plans/lichfield/2021-22/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=\"", html), "inline style attribute"
    assert "<style" not in html


# -- Signing in.


def _login(client, username, password, ip):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_failures_lock_that_username_from_that_address_only(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="priya", password="the-right-password-1")
    for _ in range(2):
        assert _login(client, "priya", "wrong", "203.0.113.9").status_code == 200
    assert _login(client, "priya", "wrong", "203.0.113.9").status_code == 429  # the third
    locked = _login(client, "priya", "the-right-password-1", "203.0.113.9")
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # The officer signs in from their own office all the same.
    ok = _login(client, "priya", "the-right-password-1", "198.51.100.4")
    assert ok.status_code == 302
    assert ok.url == "/"  # signed in: home, their to-do list


def test_failures_for_one_username_do_not_lock_another(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="sam", password="sams-password-123")
    for _ in range(3):
        _login(client, "someone-else", "wrong", "203.0.113.9")
    assert _login(client, "sam", "sams-password-123", "203.0.113.9").status_code == 302


def test_a_session_ends_after_inactivity(client, lead_officer, plan, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    start = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(lead_officer)
        assert client.get("/my-work/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=25))
        assert client.get("/my-work/").status_code == 200  # activity renews the session
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/my-work/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short-pass1", "at least 12 characters"), ("password1234", "too common")],
)
def test_weak_passwords_are_refused(db, password, problem):
    with pytest.raises(ValidationError, match=problem):
        validate_password(password)
    validate_password("correct horse battery staple")


def test_the_accessibility_statement_is_linked_from_every_page(client, plan):
    for url in ["/", "/accounts/login/", "/accessibility/"]:
        assert 'href="/accessibility/"' in client.get(url).content.decode()
    page = client.get("/accessibility/").content.decode()
    for part in ["How we tested", "Known issues", "Feedback and contact", "WCAG"]:
        assert part in page
