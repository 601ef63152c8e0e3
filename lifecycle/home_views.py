"""The home page: for a signed-in person, what they owe first (their to-do list, plan by plan)
and, for a county analyst, their area's county view; for everyone, the partnerships and the
plans they may read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifecycle.todo import todo_for
from partners.models import Area
from priorities.selectors import partnerships_with_plans


def home(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    context = {
        "todo": todo_for(request.user) if request.user.is_authenticated else None,
        "partnerships": partnerships_with_plans(
            request.user, search=search, page=request.GET.get("page", 1)
        ),
        "search": search,
        # A county analyst's areas: the county view of each (reports/county.py).
        "areas": list(Area.objects.read_by(request.user)),
    }
    return render(request, "lifecycle/home.html", context)
