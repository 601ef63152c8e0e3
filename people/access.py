"""The members pages' objects fetched for a person: 404 for a partnership they are not in (or an
object not in it), 403 for what they may not do (the rules are in partners/permissions.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from partners.models import Agency, Membership, Partnership
from partners.permissions import AgencyInPartnership, can, check_access
from people.models import AccessRequest, Invitation


def fetch_partnership(user: Any, slug: str, *, perm: str = "partners.view_members") -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    return check_access(user, partnership, "partners.view_partnership", perm)


def check_agency(user: Any, partnership: Partnership, agency: Agency) -> AgencyInPartnership:
    """The agency as one of the partnership's core agencies whose people the person manages."""
    if not partnership.core_agencies.filter(pk=agency.pk).exists():
        raise Http404("Not a core agency of this partnership.")
    seat = AgencyInPartnership(partnership, agency)
    if not can(user, "partners.manage_agency_members", seat):
        raise PermissionDenied("You cannot change the people of this agency.")
    return seat


def fetch_membership(user: Any, partnership: Partnership, pk: int) -> Membership:
    """A current member of one of the partnership's core agencies, whom the person manages."""
    membership = get_object_or_404(
        Membership.objects.select_related("user", "agency").filter(
            agency__partnerships=partnership, user__is_active=True
        ),
        pk=pk,
    )
    check_agency(user, partnership, membership.agency)
    return membership


def fetch_invitation(user: Any, partnership: Partnership, pk: int) -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.select_related("agency").filter(agency__partnerships=partnership),
        pk=pk,
    )
    check_agency(user, partnership, invitation.agency)
    return invitation


def fetch_access_request(partnership: Partnership, pk: int) -> AccessRequest:
    """One of the partnership's requests to join (fetch the partnership with
    perm="partners.manage_members" first)."""
    return get_object_or_404(
        AccessRequest.objects.select_related("agency_guess").filter(partnership=partnership),
        pk=pk,
    )
