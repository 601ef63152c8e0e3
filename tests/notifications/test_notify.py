"""notify(): each person is told once per (kind, key); e-mails to send at once are queued after
the transaction commits; digest and site-only notifications queue nothing."""

import pytest
from django.core import mail
from django.db import IntegrityError

from notifications.models import EmailStatus, Kind, Mode, Notification, NotificationPreference
from notifications.services import modes_for, notify, preferences_for, preferences_save
from tests.factories import UserFactory


def test_it_records_once_per_recipient_kind_and_key_even_when_called_twice(
    alice, bob, tell, queued
):
    first = tell([alice, bob])
    second = tell([alice, bob])

    assert len(first) == 2
    assert second == []
    assert Notification.objects.count() == 2
    assert sorted(queued()) == sorted(n.pk for n in first)


def test_a_second_call_tells_only_the_people_not_yet_told(alice, bob, tell, queued):
    tell([alice])
    added = tell([alice, bob])

    assert [n.recipient for n in added] == [bob]
    assert len(queued()) == 2


def test_the_same_event_of_another_kind_or_key_is_a_new_notification(alice, tell):
    tell([alice])
    tell([alice], key="plan-1-round-2")
    tell([alice], kind=Kind.CHANGES_REQUESTED)

    assert Notification.objects.filter(recipient=alice).count() == 3


def test_the_database_refuses_a_second_row_for_the_same_notice(alice, tell):
    (notification,) = tell([alice])
    notification.pk = None
    with pytest.raises(IntegrityError):
        notification.save()


def test_one_email_is_queued_per_notification_to_send_at_once(alice, bob, tell, queued):
    notifications = tell([alice, bob])

    assert all(n.delivery == Mode.IMMEDIATE for n in notifications)
    assert all(n.email_status == EmailStatus.PENDING for n in notifications)
    assert sorted(queued()) == sorted(n.pk for n in notifications)
    assert mail.outbox == []  # queued, not sent: a worker sends it


def test_nothing_is_queued_before_the_transaction_commits(alice, queued):
    notify(
        kind=Kind.SENT_FOR_AGREEMENT,
        recipients=[alice],
        key="k",
        subject="s",
        body="b",
        url="/",
        why="w",
    )
    assert queued() == []  # the test's transaction never commits


@pytest.mark.parametrize("mode", [Mode.DIGEST, Mode.SITE])
def test_digest_and_site_only_notifications_queue_no_email(alice, tell, queued, mode):
    preferences_save(user=alice, modes={Kind.SENT_FOR_AGREEMENT: mode})
    (notification,) = tell([alice])

    assert notification.delivery == mode
    assert queued() == []
    assert notification.email_status == (
        EmailStatus.PENDING if mode == Mode.DIGEST else EmailStatus.NOT_SENT
    )


def test_news_goes_to_the_digest_by_default(alice, tell, queued):
    (notification,) = tell([alice], kind=Kind.PLAN_PUBLISHED, key="plan-1-v1")

    assert notification.delivery == Mode.DIGEST
    assert queued() == []


def test_what_people_must_do_is_emailed_at_once_by_default(alice):
    modes = preferences_for(user=alice)
    for kind in (
        Kind.SENT_FOR_AGREEMENT,
        Kind.ROUND_CLEARED,
        Kind.CHANGES_REQUESTED,
        Kind.ALL_ANSWERED,
        Kind.UPDATE_DUE_SOON,
        Kind.UPDATE_OVERDUE,
        Kind.DEADLINE_REMINDER,
    ):
        assert modes[kind] == Mode.IMMEDIATE
    for kind in (Kind.PLAN_AGREED, Kind.PLAN_PUBLISHED, Kind.PLAN_AMENDED):
        assert modes[kind] == Mode.DIGEST


def test_the_mode_is_decided_when_recorded_and_a_later_change_keeps_it(alice, tell):
    (notification,) = tell([alice])
    preferences_save(user=alice, modes={Kind.SENT_FOR_AGREEMENT: Mode.SITE})
    notification.refresh_from_db()

    assert notification.delivery == Mode.IMMEDIATE
    assert modes_for(user_ids=[alice.pk], kind=Kind.SENT_FOR_AGREEMENT) == {alice.pk: Mode.SITE}


def test_saving_preferences_twice_keeps_one_row_per_kind(alice):
    preferences_save(user=alice, modes={Kind.PLAN_PUBLISHED: Mode.IMMEDIATE})
    preferences_save(user=alice, modes={Kind.PLAN_PUBLISHED: Mode.SITE})

    assert NotificationPreference.objects.get(user=alice).mode == Mode.SITE


def test_someone_without_an_email_address_is_told_in_the_site_only(db, tell, queued):
    nobody = UserFactory(username="no-address", email="")
    (notification,) = tell([nobody])

    assert notification.email_status == EmailStatus.NOT_SENT
    assert queued() == []


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "plans/"]
)
def test_a_notification_links_only_to_a_page_of_this_site(alice, url):
    with pytest.raises(ValueError, match="path on this site"):
        notify(
            kind=Kind.SENT_FOR_AGREEMENT,
            recipients=[alice],
            key="k",
            subject="s",
            body="b",
            url=url,
            why="w",
        )


def test_notify_is_a_few_queries_however_many_recipients(db, tell, django_assert_max_num_queries):
    people = [UserFactory(username=f"person{n}") for n in range(30)]
    # Savepoints, the told and preference reads, one insert, one read back, and one queue insert
    # per e-mail (the database task backend's own row).
    with django_assert_max_num_queries(6 + len(people)):
        notified = tell(people)
    assert len(notified) == 30
