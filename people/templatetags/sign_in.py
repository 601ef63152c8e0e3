"""`{% organisation_sign_in next as sso %}`: single sign-on's button, its address (going on to
`next` afterwards) and the label the installation gives it (OIDC_BUTTON_LABEL); None while single
sign-on is off."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from people.oidc import sso_enabled

register = template.Library()


@register.simple_tag
def organisation_sign_in(next_url: str = "") -> dict[str, str] | None:
    if not sso_enabled():
        return None
    url = reverse("oidc_authentication_init")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"url": url, "label": settings.SSO_BUTTON_LABEL}
