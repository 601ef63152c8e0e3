"""The members pages of a partnership (`/partnerships/<slug>/members/`): its agencies' people,
inviting, who speaks for each agency, the coordinators, leavers, the allowed e-mail domains,
requests to join, and the other names files use for its agencies. Each view: fetch with
permission, bind the form, one service, redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from partners.aliases import agency_alias_add, agency_alias_remove
from partners.models import Agency, AgencyAlias, Membership, Partnership
from partners.permissions import AgencyInPartnership, can
from people import services
from people.access import (
    check_agency,
    fetch_access_request,
    fetch_invitation,
    fetch_membership,
    fetch_partnership,
)
from people.forms import AccessDecisionForm, AgencyAliasForm, DomainsForm, InviteForm
from people.selectors import members_page, work_left

MANAGE = "partners.manage_members"
MANAGE_NAMES = "partners.manage_agency_names"


def _person(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _back(partnership: Partnership, anchor: str = "") -> HttpResponse:
    url = reverse("members_list", args=[partnership.slug])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _removed(request: HttpRequest, person: User, what: str, *, closed: bool) -> None:
    """Says what `person` no longer is, and whether that closed their account."""
    account = " Their account is closed; their history stays." if closed else ""
    messages.success(request, f"{services.person_name(person)} {what}.{account}")


@login_required
@require_safe
def members_list(request: HttpRequest, partnership: str) -> HttpResponse:
    found = fetch_partnership(request.user, partnership)
    page = members_page(partnership=found, viewer=request.user)
    return render(request, "people/members_list.html", {"page": page, "partnership": found})


def _manageable_agencies(user: Any, partnership: Partnership) -> Any:
    agencies = partnership.core_agencies.order_by("name")
    if can(user, MANAGE, partnership):
        return agencies
    allowed = [
        agency.pk
        for agency in agencies
        if can(user, "partners.manage_agency_members", AgencyInPartnership(partnership, agency))
    ]
    return agencies.filter(pk__in=allowed)


@login_required
def member_invite(request: HttpRequest, partnership: str) -> HttpResponse:
    found = fetch_partnership(request.user, partnership)
    agencies = _manageable_agencies(request.user, found)
    chosen = agencies.filter(slug=request.GET.get("agency", "")).first()
    form = InviteForm(
        request.POST or None,
        initial={"agency": chosen},
        agencies=agencies,
        may_choose_role=can(request.user, MANAGE, found),
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        check_agency(request.user, found, values["agency"])
        try:
            result = services.invitation_create(
                by=_person(request),
                agency=values["agency"],
                email=values["email"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                partnership=found,
                may_speak_for_agency=values.get("may_speak_for_agency", False),
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _invited_message(result, values["email"]))
            return _back(found, f"agency-{values['agency'].slug}")
    context = {"partnership": found, "form": form}
    return render(request, "people/member_invite.html", context)


def _invited_message(result: Any, email: str) -> str:
    if isinstance(result, Membership):
        return (
            f"{email} already has an account: they are now a member of {result.agency}, "
            "and an e-mail tells them so."
        )
    return (
        f"An invitation to {result.agency} is on its way to {email}. "
        "Its link works once, for 7 days."
    )


@login_required
def member_remove(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership)
    membership = fetch_membership(request.user, found, pk)
    person = membership.user
    if request.method == "POST":
        try:
            closed = services.member_remove(by=_person(request), membership=membership)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            _removed(
                request, person, f"is no longer a member of {membership.agency}", closed=closed
            )
            return _back(found, "work-left")
        return _back(found)
    context = {
        "partnership": found,
        "membership": membership,
        "work": work_left(partnership=found, agencies=[membership.agency], without=person),
        "other_agencies": person.memberships.exclude(pk=membership.pk).select_related("agency"),
        "coordinates": person.coordinated_partnerships.all(),
    }
    return render(request, "people/member_remove.html", context)


@login_required
@require_POST
def member_speaks_for(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE)
    membership = fetch_membership(request.user, found, pk)
    speaks = request.POST.get("speaks") == "yes"
    services.membership_speaks_for_set(by=_person(request), membership=membership, speaks=speaks)
    name = services.person_name(membership.user)
    does = "now speaks" if speaks else "no longer speaks"
    messages.success(request, f"{name} {does} for {membership.agency}.")
    return _back(found, f"agency-{membership.agency.slug}")


@login_required
@require_POST
def coordinator_add(request: HttpRequest, partnership: str) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE)
    person = get_user_model().objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        messages.error(request, "Choose the person to make a coordinator.")
        return _back(found, "coordinators")
    try:
        services.coordinator_add(by=_person(request), partnership=found, person=person)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{services.person_name(person)} now coordinates {found}.")
    return _back(found, "coordinators")


@login_required
@require_POST
def coordinator_remove(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE)
    person = get_object_or_404(found.coordinators.all(), pk=pk)
    try:
        closed = services.coordinator_remove(by=_person(request), partnership=found, person=person)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        _removed(request, person, f"no longer coordinates {found}", closed=closed)
    return _back(found, "coordinators")


@login_required
@require_POST
def invitation_resend(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership)
    invitation = fetch_invitation(request.user, found, pk)
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, f"The invitation is on its way to {invitation.email} again, with a new link."
        )
    return _back(found, f"agency-{invitation.agency.slug}")


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership)
    invitation = fetch_invitation(request.user, found, pk)
    try:
        services.invitation_cancel(by=_person(request), invitation=invitation)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"The invitation of {invitation.email} is cancelled.")
    return _back(found, f"agency-{invitation.agency.slug}")


@login_required
def partnership_domains(request: HttpRequest, partnership: str) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE)
    form = DomainsForm(request.POST or None, initial={"domains": "\n".join(found.email_domains)})
    if request.method == "POST" and form.is_valid():
        domains = services.partnership_domains_set(
            by=_person(request), partnership=found, domains=form.cleaned_data["domains"]
        )
        listed = ", ".join(domains) if domains else "none"
        messages.success(request, f"The allowed e-mail domains are saved: {listed}.")
        return _back(found, "domains")
    return render(request, "people/partnership_domains.html", {"partnership": found, "form": form})


@login_required
def agency_names(request: HttpRequest, partnership: str) -> HttpResponse:
    """The partnership's core agencies with the other names files use for them; add one."""
    found = fetch_partnership(request.user, partnership, perm=MANAGE_NAMES)
    agencies = found.core_agencies.order_by("name")
    chosen = agencies.filter(slug=request.GET.get("agency", "")).first()
    form = AgencyAliasForm(
        request.POST or None,
        initial={"agency": chosen, "name": request.GET.get("name", "")[:200]},
        agencies=agencies,
    )
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            alias = agency_alias_add(
                agency=agency, alias=form.cleaned_data["name"], user=_person(request)
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(
                request, f"Files and forms now find {agency.name} by “{alias.name}” too."
            )
            return redirect(reverse("agency_names", args=[found.slug]) + f"#agency-{agency.slug}")
    rows = [(agency, list(agency.aliases.all())) for agency in agencies.prefetch_related("aliases")]
    context = {"partnership": found, "form": form, "rows": rows}
    return render(request, "people/agency_names.html", context)


@login_required
@require_POST
def agency_name_remove(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE_NAMES)
    alias = get_object_or_404(
        AgencyAlias.objects.select_related("agency").filter(agency__partnerships=found), pk=pk
    )
    agency_alias_remove(alias=alias, user=_person(request))
    messages.success(
        request, f"Files and forms no longer find {alias.agency.name} by “{alias.name}”."
    )
    return redirect(reverse("agency_names", args=[found.slug]) + f"#agency-{alias.agency.slug}")


@login_required
def access_request_decide(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    found = fetch_partnership(request.user, partnership, perm=MANAGE)
    access_request = fetch_access_request(found, pk)
    agencies = found.core_agencies.order_by("name")
    form = AccessDecisionForm(
        request.POST or None, initial={"agency": access_request.agency_guess}, agencies=agencies
    )
    if request.method == "POST" and form.is_valid():
        try:
            _decide(request, access_request, form)
        except ValidationError as exc:
            _refused(request, exc)
        return _back(found, "requests")
    context = {"partnership": found, "access_request": access_request, "form": form}
    return render(request, "people/access_request_decide.html", context)


def _decide(request: HttpRequest, access_request: Any, form: AccessDecisionForm) -> None:
    values = form.cleaned_data
    who = access_request.name or access_request.email
    if values["decision"] == AccessDecisionForm.APPROVE:
        agency: Agency = values["agency"]
        services.access_request_approve(
            access_request=access_request,
            by=_person(request),
            agency=agency,
            may_speak_for_agency=values["may_speak_for_agency"],
        )
        messages.success(request, f"{who} is now a member of {agency}, and an e-mail tells them.")
    else:
        services.access_request_refuse(
            access_request=access_request, by=_person(request), reason=values["reason"]
        )
        messages.success(request, f"{who}'s request to join is refused.")
