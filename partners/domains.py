"""E-mail domains: which addresses a partnership recognises as its member agencies' own.

A partnership lists its agencies' domains (`Partnership.allowed_email_domains`); someone who signs
in with their organisation's account at one of them, uninvited, may ask to join (a coordinator
decides). Exact domains only: `lichfielddc.gov.uk` does not admit `mail.lichfielddc.gov.uk`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# A domain name as written after the @ of an address: labels of letters, digits and hyphens,
# at least two of them.
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Addresses anyone can open: never a sign that someone works for a member agency.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        *("gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk"),
        *("live.com", "live.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com"),
        *("aol.com", "btinternet.com", "proton.me", "protonmail.com", "gmx.com", "mail.com"),
    }
)


def email_domains(text: str) -> list[str]:
    """The domains written in `text` (commas, spaces or lines between them), lower case, without
    a leading "@", in order, each once."""
    found = [part.strip().lstrip("@").lower() for part in re.split(r"[\s,;]+", text)]
    return list(dict.fromkeys(part for part in found if part))


def domain_of(email: str) -> str:
    """The part of an address after its last @, lower case ('' when there is none)."""
    name, at, domain = email.strip().rpartition("@")
    return domain.lower() if at and name else ""


def validate_email_domains(text: str) -> None:
    for domain in email_domains(text):
        if not _DOMAIN.match(domain):
            raise ValidationError(
                f"“{domain}” is not an e-mail domain, such as lichfielddc.gov.uk."
            )
        if domain in PUBLIC_EMAIL_DOMAINS:
            raise ValidationError(
                f"{domain} is open to anyone: it cannot show that someone works for an agency."
            )
