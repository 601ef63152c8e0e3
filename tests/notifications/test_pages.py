"""The inbox, opening a notification, marking read, and preferences: who may, what changes,
and query counts that do not grow with the number of notifications."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Kind, Mode, Notification, NotificationPreference
from notifications.services import notify

INBOX = reverse("notification_list")
PREFERENCES = reverse("notification_preferences")
READ_ALL = reverse("notification_read_all")


def tell_many(user, count, start=0):
    for number in range(start, start + count):
        notify(
            kind=Kind.PLAN_PUBLISHED,
            recipients=[user],
            key=f"plan-1-v{number}",
            subject=f"Version {number} is published",
            body=f"Version {number} of the plan is published.",
            url=f"/plans/lichfield/2021-22/versions/{number}/",
            why="you are a member of the partnership",
        )
    return list(Notification.objects.filter(recipient=user))


@pytest.fixture
def mine(alice):
    (notification,) = tell_many(alice, 1)
    return notification


# -- Who may.


@pytest.mark.parametrize(
    "name", ["notification_list", "notification_preferences", "notification_open"]
)
def test_anonymous_is_asked_to_sign_in(client, mine, name):
    url = reverse(name, args=[mine.pk] if name == "notification_open" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["notification_read", "notification_read_all"])
def test_anonymous_cannot_mark_anything_read(client, mine, name):
    url = reverse(name, args=[mine.pk] if name == "notification_read" else [])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize("name", ["notification_open", "notification_read"])
def test_another_persons_notification_is_not_found(client, bob, mine, name):
    client.force_login(bob)
    url = reverse(name, args=[mine.pk])
    response = client.post(url) if name == "notification_read" else client.get(url)
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_inbox_lists_only_my_own(client, alice, bob, mine):
    tell_many(bob, 1, start=7)
    client.force_login(alice)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [mine]


def test_opening_marks_read_and_goes_to_the_page(client, alice, mine):
    client.force_login(alice)
    response = client.get(reverse("notification_open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/plans/lichfield/2021-22/versions/0/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_a_stored_address_elsewhere_is_never_followed(client, alice, mine):
    # notify() refuses such an address; this is the view's own guard should one get in.
    Notification.objects.filter(pk=mine.pk).update(url="/\\evil.example/")
    client.force_login(alice)
    response = client.get(reverse("notification_open", args=[mine.pk]))
    assert response["Location"] == INBOX


# -- The inbox.


def test_the_inbox_is_newest_first_with_the_unread_marked(client, alice):
    older, newer = tell_many(alice, 2)[::-1]
    Notification.objects.filter(pk=older.pk).update(read_at=newer.created_at)
    client.force_login(alice)
    response = client.get(INBOX)
    assert list(response.context["page_obj"]) == [newer, older]
    page = response.content.decode()
    assert page.count(">Unread</span>") == 1
    assert "You have 1 unread notification." in page
    assert reverse("notification_open", args=[newer.pk]) in page


def test_the_inbox_is_paginated(client, alice):
    tell_many(alice, 25)
    client.force_login(alice)
    first = client.get(INBOX)
    second = client.get(INBOX, {"page": 2})
    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_an_empty_inbox_says_so(client, alice):
    client.force_login(alice)
    page = client.get(INBOX).content.decode()
    assert "You have no unread notifications." in page
    assert "Nothing yet." in page


# -- Marking read: POST only, with the CSRF token.


def test_mark_as_read(client, alice, mine):
    client.force_login(alice)
    response = client.post(reverse("notification_read", args=[mine.pk]), {"page": "1"})
    assert response.status_code == 302
    assert response["Location"] == INBOX
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_all_as_read(client, alice):
    tell_many(alice, 3)
    client.force_login(alice)
    response = client.post(READ_ALL, follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_mark_all_leaves_other_peoples_unread(client, alice, bob):
    tell_many(bob, 2)
    client.force_login(alice)
    client.post(READ_ALL)
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 2


@pytest.mark.parametrize("name", ["notification_read", "notification_read_all"])
def test_marking_read_is_post_only(client, alice, mine, name):
    client.force_login(alice)
    url = reverse(name, args=[mine.pk] if name == "notification_read" else [])
    assert client.get(url).status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize("name", ["notification_read", "notification_read_all"])
def test_marking_read_needs_the_csrf_token(alice, mine, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = reverse(name, args=[mine.pk] if name == "notification_read" else [])
    assert client.post(url).status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


# -- The header's count.


def test_the_header_says_how_many_are_unread(client, alice):
    tell_many(alice, 3)
    client.force_login(alice)
    page = client.get(reverse("my_work")).content.decode()
    assert "Notifications (3 unread)" in page


def test_the_header_says_notifications_alone_when_all_are_read(client, alice, mine):
    client.force_login(alice)
    client.post(READ_ALL)
    page = client.get(reverse("my_work")).content.decode()
    assert ">Notifications</a>" in page


# -- Query counts.


def count_queries(client, url, django_assert_max_num_queries, limit=50):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_inbox_queries_do_not_grow_with_the_number_of_notifications(
    client, alice, plan, django_assert_max_num_queries
):
    tell_many(alice, 2)
    Notification.objects.update(plan=plan)
    client.force_login(alice)
    client.get(INBOX)  # the session's first request
    few = count_queries(client, INBOX, django_assert_max_num_queries)
    tell_many(alice, 40, start=2)
    Notification.objects.update(plan=plan)
    with django_assert_max_num_queries(few):
        response = client.get(INBOX)
    assert len(response.context["page_obj"]) == 20


def test_the_header_count_is_one_query_however_many_unread(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(PREFERENCES)
    none = count_queries(client, PREFERENCES, django_assert_max_num_queries)
    tell_many(alice, 30)
    with django_assert_max_num_queries(none):
        page = client.get(PREFERENCES).content.decode()
    assert "Notifications (30 unread)" in page


# -- Preferences.


def test_preferences_show_each_kind_with_its_default(client, alice):
    client.force_login(alice)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    page = response.content.decode()
    for kind in Kind:
        assert f'<legend class="h6 mb-1 fw-semibold">{kind.label}</legend>' in page.replace(
            "&#x27;", "'"
        )
    form = response.context["form"]
    assert form[Kind.SENT_FOR_AGREEMENT].value() == Mode.IMMEDIATE
    assert form[Kind.PLAN_PUBLISHED].value() == Mode.DIGEST


def test_preferences_are_saved_with_a_message(client, alice):
    client.force_login(alice)
    choices = dict.fromkeys(Kind.values, Mode.DIGEST) | {Kind.PLAN_PUBLISHED: Mode.SITE}
    response = client.post(PREFERENCES, choices, follow=True)
    assert "Your notification preferences are saved." in response.content.decode()
    saved = dict(NotificationPreference.objects.filter(user=alice).values_list("kind", "mode"))
    assert saved == choices
    assert response.context["form"][Kind.PLAN_PUBLISHED].value() == Mode.SITE


def test_a_missing_choice_is_explained_and_nothing_is_saved(client, alice):
    client.force_login(alice)
    choices = dict.fromkeys(Kind.values, Mode.DIGEST)
    del choices[Kind.PLAN_AGREED]
    response = client.post(PREFERENCES, choices)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose how to hear that a plan is agreed" in page
    assert not NotificationPreference.objects.filter(user=alice).exists()
