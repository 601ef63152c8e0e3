"""A person's notifications: the inbox, opening one, marking them read, and preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.services import mark_all_read, mark_read, preferences_for, preferences_save

PER_PAGE = 20


def _inbox_url(page: str | None = None) -> str:
    url = reverse("notification_list")
    return f"{url}?page={page}" if page and page.isdigit() and page != "1" else url


def _person(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _fetch(request: HttpRequest, pk: int) -> Notification:
    """One of this person's notifications; anyone else's is not found."""
    return get_object_or_404(Notification.objects.for_user(_person(request)), pk=pk)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(_person(request)).select_related(
        "plan__partnership"
    )
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to the page it is about."""
    notification = _fetch(request, pk)
    mark_read(user=_person(request), notification=notification)
    if url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _fetch(request, pk)
    mark_read(user=_person(request), notification=notification)
    messages.success(request, f"“{notification.subject}” is marked as read.")
    return redirect(_inbox_url(request.POST.get("page")))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(user=_person(request))
    if count:
        messages.success(
            request, f"{count} notification{'s' if count != 1 else ''} marked as read."
        )
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect("notification_list")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, current=preferences_for(user=_person(request)))
    if request.method == "POST" and form.is_valid():
        preferences_save(user=_person(request), modes=form.modes())
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notification_preferences")
    return render(request, "notifications/notification_preferences.html", {"form": form})
