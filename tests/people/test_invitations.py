"""Invitations: queued, never sent in the request; the worker makes the link and e-mails it; only
the token's hash is stored; the link sets a password once, within 7 days; people with an account
are added at once; leavers come back with their account; the API the sign-in by an
organisation's account uses."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partners.models import Membership
from people import services
from people.models import Invitation
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.people.conftest import link_in, outbox_to, run_worker

User = get_user_model()
NEW = "new.officer@example.org"
GOOD_PASSWORD = "a long enough passphrase 2021"


@pytest.fixture
def invite(coordinator, housing, partnership, django_capture_on_commit_callbacks):
    """Invite the new officer to Bromford as the coordinator's page does; returns the invitation."""

    def do(email=NEW, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(
                by=coordinator,
                agency=kwargs.pop("agency", housing),
                email=email,
                first_name="Nia",
                last_name="Officer",
                partnership=partnership,
                **kwargs,
            )

    return do


def sent_link(email=NEW) -> str:
    run_worker()
    (message,) = outbox_to(email)[-1:]
    return link_in(message, "/invitation/")


def accept(client, link, password=GOOD_PASSWORD, **names):
    client.get(link)
    data = {"first_name": "Nia", "last_name": "Officer", "password1": password}
    return client.post(reverse("invitation_accept"), data | {"password2": password} | names)


def test_the_invitation_is_queued_for_the_worker_never_sent_in_the_request(
    client, coordinator, housing, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member_invite", args=["lichfield"]),
            {"first_name": "Nia", "last_name": "Officer", "email": NEW, "agency": housing.pk},
        )
    assert response.status_code == 302
    assert mail.outbox == []
    (task,) = DBTaskResult.objects.filter(task_path="people.tasks.send_invitation")
    invitation = Invitation.objects.get(email=NEW)
    assert task.args_kwargs["args"] == [invitation.pk]
    assert invitation.status == "waiting to be sent"

    run_worker()
    (message,) = mail.outbox
    assert message.to == [NEW]
    assert "Bromford Housing Group" in message.subject
    assert "Lichfield District Community Safety Partnership" in message.body
    assert message.alternatives  # an HTML part beside the text


def test_only_the_hash_of_the_token_is_stored(client, invite):
    invitation = invite()
    link = sent_link()
    client.get(link)  # the visitor's session keeps the hash too
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.status == "sent"
    assert invitation.expires_at == invitation.sent_at + datetime.timedelta(days=7)
    # Nowhere in the database: not in the invitation, not in the task queue.
    assert not Invitation.objects.filter(token_hash__contains=token).exists()
    assert all(token not in str(task.args_kwargs) for task in DBTaskResult.objects.all())
    (session,) = Session.objects.all()
    assert token not in str(session.get_decoded())
    assert invitation.token_hash in str(session.get_decoded())


def test_the_link_lets_the_person_choose_a_password_and_makes_them_a_member(
    client, invite, housing
):
    invite()
    link = sent_link()
    response = client.get(link)
    # The token leaves the address bar at once (browser history, Referer).
    assert response.status_code == 302
    assert response.url == reverse("invitation_accept")
    page = client.get(response.url)
    assert page.status_code == 200
    assert NEW in page.content.decode()

    response = accept(client, link, last_name="Officer-Jones")

    assert response.status_code == 302
    assert response.url == reverse("login")
    person = User.objects.get(username=NEW)
    assert (person.email, person.first_name, person.last_name) == (NEW, "Nia", "Officer-Jones")
    assert person.check_password(GOOD_PASSWORD)
    assert Membership.objects.filter(user=person, agency=housing).exists()
    record = Membership.history.get(user_id=person.pk)
    assert record.history_user == person
    assert record.history_change_reason.startswith("accepted the invitation from")
    signed_in = client.post(reverse("login"), {"username": NEW, "password": GOOD_PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.url == reverse("home")  # home: their to-do list


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "too short"),
        ("password123456", "too common"),
        ("84736251904837", "entirely numeric"),
        ("new.officer@example", "too similar"),
    ],
)
def test_the_password_rules_apply(client, invite, password, problem):
    invite()
    response = accept(client, sent_link(), password=password)
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not User.objects.filter(email=NEW).exists()
    assert Invitation.objects.get(email=NEW).accepted_at is None


def test_the_link_works_once(client, invite):
    invite()
    link = sent_link()
    accept(client, link)

    client.logout()
    response = accept(client, link, password="another long passphrase 99")

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.get(username=NEW).check_password(GOOD_PASSWORD)


def test_the_link_works_for_7_days(client, invite):
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        invite()
        link = sent_link()
    with time_machine.travel(sent + datetime.timedelta(days=7, minutes=-1), tick=False):
        assert client.get(client.get(link).url).status_code == 200
    with time_machine.travel(sent + datetime.timedelta(days=7, minutes=1), tick=False):
        response = accept(client, link)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert not User.objects.filter(email=NEW).exists()


def test_an_unknown_link_does_not_work(db, client):
    response = client.get(client.get("/invitation/made-up-token/").url)
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(
    client, invite, django_capture_on_commit_callbacks
):
    invitation = invite()
    old = sent_link()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    new = sent_link()
    assert new != old
    assert accept(client, old).status_code == 404
    assert accept(client, new).status_code == 302


def test_a_cancelled_invitation_does_not_work(client, invite, coordinator):
    invitation = invite()
    link = sent_link()
    services.invitation_cancel(by=coordinator, invitation=invitation)
    response = accept(client, link)
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()


def test_inviting_the_same_person_to_the_same_agency_again_sends_the_same_invitation(invite):
    first = invite()
    second = invite(email=NEW.upper())
    assert first.pk == second.pk
    assert Invitation.objects.count() == 1


def test_someone_with_an_account_is_added_at_once_and_told(
    invite, lead_officer, housing, django_capture_on_commit_callbacks
):
    result = invite(email=lead_officer.email.upper())

    assert isinstance(result, Membership)
    assert result.user == lead_officer
    assert result.agency == housing
    assert not Invitation.objects.exists()
    run_worker()
    (message,) = mail.outbox
    assert message.to == [lead_officer.email]
    assert "You are now a member of Bromford Housing Group" in message.subject


def test_a_member_cannot_be_invited_to_their_own_agency_again(invite, representative):
    with pytest.raises(ValidationError, match="already a member of Bromford"):
        invite(email=representative.email)


def test_a_leaver_invited_again_gets_their_account_back_with_its_history(
    client, invite, coordinator, housing
):
    leaver = MembershipFactory(
        user=UserFactory(username="old.hand", email=NEW), agency=housing
    ).user
    services.member_remove(by=coordinator, membership=leaver.memberships.get())
    leaver.refresh_from_db()
    assert not leaver.is_active

    invite()
    accept(client, sent_link())

    leaver.refresh_from_db()
    assert leaver.is_active
    assert leaver.check_password(GOOD_PASSWORD)
    assert leaver.username == "old.hand"
    assert leaver.memberships.get().agency == housing
    assert User.objects.filter(email=NEW).count() == 1
    assert [r.history_type for r in Membership.history.filter(user_id=leaver.pk)] == [
        "+",
        "-",
        "+",
    ]


# -- What the sign-in by an organisation's account calls.


def test_invitation_for_email_finds_the_invitation_whose_link_works(invite, coordinator):
    assert services.invitation_for_email(NEW) is None  # not sent yet: no link
    invitation = invite()
    sent_link()
    assert services.invitation_for_email("New.Officer@Example.org") == invitation
    services.invitation_cancel(by=coordinator, invitation=invitation)
    assert services.invitation_for_email(NEW) is None


def test_an_invitation_is_accepted_with_the_account_of_the_invited_address(invite, housing):
    invitation = invite(may_speak_for_agency=True)
    sent_link()
    stranger = UserFactory(username="stranger", email="someone.else@example.org")
    with pytest.raises(ValidationError, match="another e-mail address"):
        services.invitation_accept(invitation, user=stranger)

    person = UserFactory(username="sso-person", email=NEW, is_active=False)
    person.set_unusable_password()
    person.save()
    assert services.invitation_accept(invitation, user=person) == person

    person.refresh_from_db()
    assert person.is_active
    membership = Membership.objects.get(user=person)
    assert (membership.agency, membership.may_speak_for_agency) == (housing, True)
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(invitation, user=person)


def test_accepting_needs_an_account_or_a_password_not_both(invite):
    invitation = invite()
    with pytest.raises(ValueError):
        services.invitation_accept(invitation)
    with pytest.raises(ValueError):
        services.invitation_accept(invitation, user=UserFactory(), password=PASSWORD)


def test_a_link_used_elsewhere_while_the_form_was_open_is_refused_kindly(
    client, invite, monkeypatch
):
    invitation = invite()
    link = sent_link()

    def used_a_moment_ago(*args, **kwargs):
        raise services.InvitationUnusable(services.unusable_reason(invitation))

    monkeypatch.setattr(services, "invitation_accept", used_a_moment_ago)
    response = accept(client, link)
    assert response.status_code == 410
    assert "This invitation link does not work" in response.content.decode()
