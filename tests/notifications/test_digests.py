"""The daily digest: one e-mail a person a day listing what waits for it; none when nothing waits;
site-only notifications are never e-mailed."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from notifications.models import Digest, EmailStatus, Kind, Mode
from notifications.services import preferences_save, send_digests

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime.datetime(2021, 6, 7, 7, 15, tzinfo=LONDON)


def news(tell, people, number):
    return tell(
        people,
        kind=Kind.PLAN_PUBLISHED,
        key=f"plan-1-v{number}",
        subject=f"Lichfield 2021-22: version {number} is published",
        body=f"Version {number} of the plan is published.",
        url="/plans/lichfield/2021-22/",
        why="you are a member of Staffordshire Police, a core agency of the partnership",
    )


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def test_a_digest_run_sends_one_email_a_day_listing_the_items(alice, tell, clock):
    news(tell, [alice], 1)
    news(tell, [alice], 2)

    sent = send_digests()

    assert sent == ["alice: 2 notification(s)"]
    assert len(mail.outbox) == 1
    (email,) = mail.outbox
    assert email.to == [alice.email]
    assert "2 notifications" in email.subject
    assert "version 1 is published" in email.body
    assert "version 2 is published" in email.body
    assert "https://csp.example.gov.uk/plans/lichfield/2021-22/" in email.body
    assert "You get this because you are a member of Staffordshire Police" in email.body
    assert "https://csp.example.gov.uk/notifications/preferences/" in email.body
    assert set(alice.notifications.values_list("email_status", flat=True)) == {EmailStatus.SENT}


def test_a_second_run_the_same_day_sends_nothing(alice, tell, clock):
    news(tell, [alice], 1)
    send_digests()
    clock.shift(datetime.timedelta(hours=6))
    news(tell, [alice], 2)  # arrives after today's digest went

    assert send_digests() == []
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(user=alice).count() == 1


def test_the_next_day_brings_what_arrived_since(alice, tell, clock):
    news(tell, [alice], 1)
    send_digests()
    news(tell, [alice], 2)
    clock.shift(datetime.timedelta(days=1))

    assert send_digests() == ["alice: 1 notification(s)"]
    assert len(mail.outbox) == 2
    assert "version 2" in mail.outbox[1].body
    assert "version 1" not in mail.outbox[1].body


def test_no_digest_when_nothing_waits(alice, tell, clock):
    tell([alice])  # e-mailed at once, not in the digest

    assert send_digests() == []
    assert mail.outbox == []
    assert not Digest.objects.exists()


def test_site_only_sends_no_email_at_all(alice, tell, clock, queued):
    preferences_save(user=alice, modes={Kind.PLAN_PUBLISHED: Mode.SITE})
    news(tell, [alice], 1)

    assert send_digests() == []
    clock.shift(datetime.timedelta(days=1))
    assert send_digests() == []
    assert mail.outbox == []
    assert queued() == []
    assert alice.notifications.get().email_status == EmailStatus.NOT_SENT


def test_each_person_gets_their_own_digest(alice, bob, tell, clock):
    news(tell, [alice, bob], 1)

    assert sorted(send_digests()) == ["alice: 1 notification(s)", "bob: 1 notification(s)"]
    assert sorted(email.to[0] for email in mail.outbox) == [alice.email, bob.email]


def test_a_failed_digest_puts_its_items_back_for_the_next_day(alice, tell, clock, settings):
    news(tell, [alice], 1)
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.EmailBackend"

    assert send_digests() == []
    digest = Digest.objects.get(user=alice)
    assert digest.status == Digest.Status.FAILED
    assert "SMTPServerDisconnected" in digest.last_error
    assert alice.notifications.get().email_status == EmailStatus.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.shift(datetime.timedelta(days=1))
    assert send_digests() == ["alice: 1 notification(s)"]


def test_the_command_sends_the_digests(alice, tell, clock):
    news(tell, [alice], 1)
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=out)

    assert len(mail.outbox) == 1
    assert "1 digest(s) sent." in out.getvalue()
    assert "0 digest(s) sent." in out.getvalue()
