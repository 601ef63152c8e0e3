"""Signing in with the organisation's account, end to end against a real OpenID Connect provider
(tests/oidc/provider.mjs under node, on 127.0.0.1): the button, the provider's sign-in, the code
exchanged, the ID token checked, and who comes in. An invited person signs in; a member is found
by their address; someone uninvited at an allowed domain waits for a coordinator; another domain,
a leaver and a forged state are refused. Off unless configured."""

from __future__ import annotations

import datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django.utils import timezone

from partners.models import Membership
from people import services
from people.models import AccessRequest, Invitation
from people.oidc import OrganisationAccountBackend
from tests.factories import PASSWORD
from tests.people.conftest import link_in, outbox_to, run_worker
from tests.sso import BACKEND, CLIENT_ID, Person, path_of

User = get_user_model()
NEW = "new.officer@bromford.co.uk"
CALLBACK = "http://testserver/oidc/callback/"


def press_the_button(client, next_url: str = "") -> str:
    """The sign-in page's button: returns where it sends the browser (the provider)."""
    url = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    return response.url


def sign_in(client, email: str, next_url: str = ""):
    """The whole journey: the button, the provider's sign-in page, back to us."""
    back = Person(email).sign_in(press_the_button(client, next_url), back_to=CALLBACK)
    return client.get(path_of(back))


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def invited(coordinator, housing, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            by=coordinator,
            agency=housing,
            email=NEW,
            first_name="Nia",
            last_name="Officer",
            partnership=partnership,
        )
    run_worker()  # the e-mail is sent, the link starts working
    invitation.refresh_from_db()
    assert invitation.is_usable()
    return invitation


@pytest.fixture
def allowing(partnership, coordinator):
    partnership.allowed_email_domains = "bromford.co.uk"
    partnership.save()
    return partnership


# -- The button.


def test_the_sign_in_page_shows_the_button_with_its_configured_label(client, sso):
    html = client.get(reverse("login") + "?next=/my-work/").content.decode()
    assert (
        '<a class="btn btn-primary" href="/oidc/authenticate/?next=%2Fmy-work%2F">'
        "Sign in with Lichfield District Council</a>" in html
    )
    assert "Or with a username and password" in html


def test_single_sign_on_is_off_unless_configured(db, client):
    html = client.get(reverse("login")).content.decode()
    assert "/oidc/authenticate/" not in html
    assert "Or with a username and password" not in html
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_the_invitation_page_offers_the_organisations_account(client, sso, invited):
    page = client.get(link_in(outbox_to(NEW)[-1], "/invitation/"), follow=True)
    html = page.content.decode()
    assert '<h2 class="h4 mt-4">Sign in with your organisation\'s account</h2>' in html
    assert f"If your organisation's account is <strong>{NEW}</strong>, use it" in html
    assert 'href="/oidc/authenticate/">Sign in with Lichfield District Council</a>' in html
    assert "Or choose a password" in html


def test_the_invitation_page_offers_only_a_password_while_single_sign_on_is_off(client, invited):
    page = client.get(link_in(outbox_to(NEW)[-1], "/invitation/"), follow=True)
    html = page.content.decode()
    assert "/oidc/authenticate/" not in html and "Or choose a password" not in html
    assert "Create my account" in html


# -- Who comes in.


def test_an_invited_person_signs_in_and_becomes_a_member(client, sso, invited, housing):
    response = sign_in(client, NEW, next_url="/my-work/")

    assert response.status_code == 302
    assert response.url == "/my-work/"
    person = signed_in_user(client)
    assert person.email == NEW and person.username == NEW
    assert (person.first_name, person.last_name) == ("New", "Officer")  # from the provider
    assert not person.has_usable_password()  # their organisation's account is their way in
    assert Membership.objects.filter(user=person, agency=housing).exists()
    invited.refresh_from_db()
    assert invited.accepted_by == person and invited.accepted_at is not None
    assert client.session["_auth_user_backend"] == BACKEND
    assert client.get("/my-work/").status_code == 200


def test_a_member_is_found_by_their_address(client, sso, lead_officer):
    response = sign_in(client, lead_officer.email.upper())
    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in_user(client) == lead_officer
    assert User.objects.count() == 1


def test_someone_uninvited_at_an_allowed_domain_waits_for_a_coordinator(
    client, sso, allowing, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, "joe.bloggs@bromford.co.uk")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your request to join is waiting for a coordinator" in html
    assert f"{allowing.name}: asked on" in html
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="joe.bloggs@bromford.co.uk").exists()
    request = AccessRequest.objects.get()
    assert (request.email, request.partnership, request.outcome) == (
        "joe.bloggs@bromford.co.uk",
        allowing,
        AccessRequest.Outcome.PENDING,
    )
    assert (request.first_name, request.last_name) == ("Joe", "Bloggs")
    run_worker()
    assert (
        "Joe Bloggs (joe.bloggs@bromford.co.uk) asks to join"
        in outbox_to(coordinator.email)[0].subject
    )

    # Coming back before a decision changes nothing, and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = sign_in(client, "joe.bloggs@bromford.co.uk")
    assert again.status_code == 200 and signed_in_user(client) is None
    assert AccessRequest.objects.count() == 1
    run_worker()
    assert len(outbox_to(coordinator.email)) == 1


def test_once_approved_they_sign_in(client, sso, allowing, coordinator, housing):
    sign_in(client, "joe.bloggs@bromford.co.uk")
    services.access_request_approve(
        access_request=AccessRequest.objects.get(), by=coordinator, agency=housing
    )
    response = sign_in(client, "joe.bloggs@bromford.co.uk")
    assert response.status_code == 302
    assert signed_in_user(client).memberships.get().agency == housing


def test_another_domain_is_refused(client, sso, allowing):
    response = sign_in(client, "someone@elsewhere.example")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot sign in with this account" in html
    assert "no partnership here accepts people from elsewhere.example" in html
    assert signed_in_user(client) is None
    assert not AccessRequest.objects.exists()
    assert not User.objects.filter(email="someone@elsewhere.example").exists()


def test_a_leaver_never_gets_in(client, sso, allowing, lead_officer):
    lead_officer.email = "alice@bromford.co.uk"  # at an allowed domain, too
    lead_officer.is_active = False
    lead_officer.save()

    response = sign_in(client, "alice@bromford.co.uk")

    assert response.status_code == 403
    assert "has been closed" in response.content.decode()
    assert signed_in_user(client) is None
    assert not AccessRequest.objects.exists()


def test_a_leavers_open_session_ends_when_their_account_is_closed(client, sso, lead_officer):
    sign_in(client, lead_officer.email)
    assert client.get("/my-work/").status_code == 200
    lead_officer.is_active = False
    lead_officer.save()
    response = client.get("/my-work/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_leaver_invited_again_comes_back(client, sso, invited, housing):
    leaver = User.objects.create_user(username="nia", email=NEW, is_active=False)
    sign_in(client, NEW)
    assert signed_in_user(client) == leaver
    leaver.refresh_from_db()
    assert leaver.is_active and leaver.memberships.get().agency == housing


def test_an_expired_invitation_does_not_let_anyone_in(client, sso, invited):
    Invitation.objects.filter(pk=invited.pk).update(expires_at=timezone.now())
    response = sign_in(client, NEW)
    assert response.status_code == 403  # bromford.co.uk is no allowed domain here
    assert signed_in_user(client) is None


def test_signing_in_is_never_counted_as_a_password_guess(db, client, sso, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        assert sign_in(client, "someone@elsewhere.example").status_code == 403
    assert not AccessAttempt.objects.exists()


# -- What the library checks: state, nonce, the ID token.


def test_a_forged_state_is_refused(client, sso, lead_officer):
    back = Person(lead_officer.email).sign_in(press_the_button(client), back_to=CALLBACK)
    real_state = back.split("state=")[1].split("&")[0]
    forged = back.replace(f"state={real_state}", "state=forged-by-someone-else")

    response = client.get(path_of(forged))

    assert response.status_code == 400
    assert "did not work" in response.content.decode()
    assert signed_in_user(client) is None


def test_anothers_sign_in_cannot_be_finished_in_this_browser(client, sso, lead_officer):
    """A callback this browser did not start (someone else's code and state, sent in a link):
    refused, as is the same callback used twice."""
    from django.test import Client

    back = Person(lead_officer.email).sign_in(press_the_button(client), back_to=CALLBACK)
    victim = Client()
    assert victim.get(path_of(back)).status_code == 400
    assert victim.session.get("_auth_user_id") is None

    assert client.get(path_of(back)).status_code == 302  # the browser that started it
    client.logout()
    assert client.get(path_of(back)).status_code == 400  # not twice


def test_a_code_works_once(client, sso, lead_officer):
    """The provider refuses a code used already, even with another state this browser holds."""
    first = press_the_button(client)
    press_the_button(client)  # a second sign-in started in another tab
    other_state = next(state for state in client.session["oidc_states"] if state not in first)
    back = Person(lead_officer.email).sign_in(first, back_to=CALLBACK)
    assert client.get(path_of(back)).status_code == 302
    real_state = back.split("state=")[1].split("&")[0]

    again = client.get(path_of(back.replace(real_state, other_state)))

    assert again.status_code == 400
    assert "did not work" in again.content.decode()


def test_the_id_tokens_nonce_must_be_this_browsers(client, sso, lead_officer):
    back = Person(lead_officer.email).sign_in(press_the_button(client), back_to=CALLBACK)
    session = client.session
    for state in session["oidc_states"].values():
        state["nonce"] = "another-nonce"
    session.save()

    response = client.get(path_of(back))

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_a_provider_that_is_not_the_configured_issuer_is_refused(client, sso, settings):
    # The same provider under another name: its discovery document names its own issuer.
    settings.OIDC_ISSUER = sso.replace("127.0.0.1", "localhost")
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 503
    assert "did not answer" in response.content.decode()


def test_a_provider_that_does_not_answer(client, sso, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 503


class TestTheIdTokenIsChecked:
    """The backend's own check of an ID token (issuer, audience, algorithm, expiry), on tokens
    signed with a real key."""

    @pytest.fixture
    def key(self):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @pytest.fixture
    def backend(self, settings):
        settings.OIDC_ISSUER = "https://login.example.org/tenant/v2.0"
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = "secret"
        return OrganisationAccountBackend()

    def token(self, key, **changes) -> str:
        now = datetime.datetime.now(tz=datetime.UTC)
        claims = {
            "iss": "https://login.example.org/tenant/v2.0",
            "aud": CLIENT_ID,
            "sub": "someone",
            "iat": now,
            "exp": now + datetime.timedelta(minutes=5),
            "nonce": "n",
        } | changes
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k"})

    def test_a_good_token_is_read(self, backend, key):
        claims = backend._verify_jws(self.token(key), key.public_key())
        assert claims["sub"] == "someone"

    @pytest.mark.parametrize(
        ("changes", "refusal"),
        [
            ({"iss": "https://login.example.org/other-tenant/v2.0"}, "Invalid issuer"),
            ({"iss": None}, "iss"),
            ({"aud": "another-application"}, "Audience doesn't match"),
            ({"aud": None}, "aud"),
            ({"aud": [CLIENT_ID, "another-application"]}, "several audiences"),
            ({"exp": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}, "expired"),
        ],
    )
    def test_a_bad_token_is_refused(self, backend, key, changes, refusal):
        with pytest.raises(SuspiciousOperation, match=refusal):
            backend._verify_jws(self.token(key, **changes), key.public_key())

    def test_another_key_is_refused(self, backend, key):
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with pytest.raises(SuspiciousOperation, match="Signature verification failed"):
            backend._verify_jws(self.token(stranger), key.public_key())

    def test_an_unsigned_token_is_refused(self, backend):
        unsigned = jwt.encode({"sub": "x"}, key=None, algorithm="none")
        with pytest.raises(SuspiciousOperation, match="not the expected one"):
            backend._verify_jws(unsigned, None)


def test_a_password_sign_in_never_reaches_the_provider(client, sso, lead_officer, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # unreachable: a password sign-in must not care
    response = client.post(
        reverse("login") + "?code=x&state=y",
        {"username": lead_officer.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert signed_in_user(client) == lead_officer
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_the_organisations_account_is_never_asked_for_a_two_step_code(
    client, sso, settings, coordinator
):
    settings.REQUIRE_TWO_FACTOR = frozenset({"all"})
    sign_in(client, coordinator.email)
    assert client.get("/my-work/").status_code == 200  # their organisation asked for its own
    client.logout()
    client.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})
    assert client.get("/my-work/").url.startswith(reverse("two_step_setup"))  # a password: asked
