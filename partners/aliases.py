"""Agencies' other names ("LDC", "SFRS", "MBC"): adding and removing them, and the agencies by
every name they go by, as every file and form matches them.

An other name belongs to the agency (partners.models.AgencyAlias), so it counts in every
partnership the agency is a core member of. The coordinator edits the other names of the
partnership's core agencies on the members pages (people/views.py, the permission
"partners.manage_agency_names"); an admin also in the Django admin; and an import preview adds one
when a person says that a name the file uses is the same as an agency we know
(`agency_alias_add`). The rules another name keeps are `partners.models.alias_problem`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.models import Agency, AgencyAlias, Partnership
from partners.names import Names


def agency_names(core_ids: Collection[int] = ()) -> Names[Agency]:
    """Every agency by its name, short name and other names; `core_ids` (a partnership's core
    agencies) settle a name several agencies share. Two queries."""
    return Names(
        Agency.objects.order_by("name"),
        core_ids=core_ids,
        aliases=AgencyAlias.objects.order_by("pk").values_list("agency_id", "name"),
    )


def agency_alias_add(*, agency: Agency, alias: str, user: Any) -> AgencyAlias:
    """Record `alias` as another name of the agency, by this person (None: nobody in
    particular); from then on every file and form finds the agency by it.

    Raises ValidationError, whose message says why, if the name is blank, is the agency's own
    name or short name, is another agency's name, or is already the short name or another name
    of another core agency in one of the agency's partnerships. The person's right to do this
    is the caller's to check ("partners.manage_agency_names", or the right to import).
    """
    added_by = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            # Two additions at once in one partnership wait for each other, so that the checks
            # of the second see the first.
            list(Partnership.objects.select_for_update().filter(core_agencies=agency))
            list(Agency.objects.select_for_update().filter(pk=agency.pk))
            other = AgencyAlias(agency=agency, name=alias, created_by=added_by)
            other.full_clean(validate_constraints=False)  # the database keeps its own
            other.save()
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None
    except IntegrityError:
        raise ValidationError(
            f"“{' '.join(alias.split())}” is already another name of {agency.name}."
        ) from None
    return other


def agency_alias_remove(*, alias: AgencyAlias, user: Any) -> None:
    """Forget another name of an agency: files that use it no longer find the agency by it."""
    alias.delete()
