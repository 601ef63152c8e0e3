"""Signing in with the organisation's account: OpenID Connect through mozilla-django-oidc.

The library makes the authorisation request (with a state, a nonce and PKCE, all kept in the
session), refuses a callback whose state this browser was not given, exchanges the code, checks
the ID token's signature against the provider's published keys and its nonce. What this module
adds to it:

- the provider's endpoints from its discovery document, read when first needed (never at start-up:
  password users must not depend on the provider being up), and checked to be the configured
  issuer's;
- the ID token's issuer and audience, which the library leaves unchecked
  (mozilla/mozilla-django-oidc#340): PyJWT checks them with the signature;
- who may come in, which is `people.services.organisation_sign_in` (the address the provider
  vouches for, invitations, allowed domains), and the pages that say so when they may not.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from people import services

logger = logging.getLogger(__name__)

BACKEND = "people.oidc.OrganisationAccountBackend"
CONFIGURATION_SECONDS = 3600
CALLBACK = "oidc_authentication_callback"


class ProviderUnavailable(Exception):
    """The provider did not answer, or not as an OpenID Connect provider should."""


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def signed_in_with_organisation(request: HttpRequest) -> bool:
    """Whether this session was opened by single sign-on (not by a password)."""
    session = getattr(request, "session", None)
    return session is not None and session.get(BACKEND_SESSION_KEY) == BACKEND


def is_organisation_sign_in(request: HttpRequest, credentials: dict | None = None) -> bool:
    """For django-axes (AXES_WHITELIST_CALLABLE): the provider's callback is no password guess."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == CALLBACK


def provider_configuration() -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0), cached for an hour."""
    issuer = settings.OIDC_ISSUER
    key = "oidc-configuration:" + hashlib.sha256(issuer.encode()).hexdigest()
    configuration = cache.get(key)
    if configuration is not None:
        return configuration
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        configuration = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    # The document must be the configured issuer's own (Discovery 1.0, section 4.3).
    if configuration.get("issuer") != issuer:
        raise ProviderUnavailable(
            f"{url} names the issuer {configuration.get('issuer')!r}, not {issuer!r}"
        )
    needed = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    if missing := [name for name in needed if not configuration.get(name)]:
        raise ProviderUnavailable(f"{url} lacks {', '.join(missing)}")
    cache.set(key, configuration, CONFIGURATION_SECONDS)
    return configuration


class OrganisationAccountBackend(OIDCAuthenticationBackend):
    """Django's authentication backend for the provider's callback, and only for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every sign-in, a password one too: no network here (the
        # library's own __init__ reads the endpoints from settings; ours are discovered).
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the library's names)
        return provider_configuration()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration()["jwks_uri"]

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view passes a nonce: a password sign-in never reaches the provider.
        if request is None or "nonce" not in kwargs or not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # The library's get_user forgets is_active: a leaver's open session must end as soon as
        # their account is closed, as it does for password users (ModelBackend).
        return ModelBackend.get_user(self, user_id)

    def _verify_jws(self, payload: bytes | str, key: Any) -> dict[str, Any]:
        """The signature, by the provider's key and the expected algorithm only, with the issuer,
        the audience (this application) and the expiry: all by PyJWT."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {algorithm!r}, not the expected one.")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                options={"require": ["iss", "aud", "exp", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences, not authorised for us.")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The provider's user information is about someone else.")
        claims = {**payload, **userinfo}
        outcome = services.organisation_sign_in(
            email=claims.get("email") or "",
            email_verified=claims.get("email_verified") is not False,
            first_name=claims.get("given_name") or "",
            last_name=claims.get("family_name") or "",
        )
        self.request.organisation_sign_in = outcome
        return outcome.user


class SignInRequestView(OIDCAuthenticationRequestView):
    """The button's link: off to the provider's sign-in page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # As for the backend: the authorisation endpoint is discovered when the button is used.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration()["authorization_endpoint"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is off.")
        try:
            return super().get(request)
        except ProviderUnavailable as exc:
            return _unavailable(request, exc)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: in, waiting for a coordinator, or refused, each with its page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is off.")
        try:
            return super().get(request)
        except requests.HTTPError as exc:
            if exc.response is not None and exc.response.status_code < 500:
                # The provider refused the code: used already, or too old.
                logger.warning("Single sign-on refused by the provider: %s", exc)
                return render(request, "people/sso_failed.html", status=400)
            return _unavailable(request, exc)
        except (ProviderUnavailable, requests.RequestException) as exc:
            return _unavailable(request, exc)
        except SuspiciousOperation as exc:
            # A state this browser was not given (a forged or replayed link), or an ID token
            # refused: nobody is signed in.
            logger.warning("Single sign-on refused: %s", exc)
            return render(request, "people/sso_failed.html", status=400)

    def login_failure(self) -> HttpResponse:
        outcome = getattr(self.request, "organisation_sign_in", None)
        if outcome is not None and outcome.waiting:
            return render(self.request, "people/sso_pending.html", {"outcome": outcome})
        if outcome is not None and outcome.refusal:
            return render(self.request, "people/sso_refused.html", {"outcome": outcome}, status=403)
        return render(self.request, "people/sso_failed.html", status=400)


def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("The single sign-on provider did not answer as expected: %s", exc)
    return render(request, "people/sso_unavailable.html", status=503)
