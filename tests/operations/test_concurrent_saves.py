"""Many people saving at once, against a real app server: gunicorn with several worker processes
(each with its own database connection), on the database the suite runs on: SQLite (the embedded
default) or PostgreSQL (DATABASE_URL=postgres://…; CI runs the suite on both).

Twenty people who opened the same action save it at the same moment: exactly one save is
accepted (302) and every other is told someone saved first (409). None gets a server error,
which on SQLite used to be "database is locked" (the settings now begin every transaction with
the write lock, and wait for it).
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from django.conf import settings

PEOPLE = 20
PASSWORD = "demo-password-2021"
PROJECT = Path(settings.BASE_DIR)


class Person:
    """A signed-in browser without the browser: cookies, the CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def sign_in(self, username: str) -> None:
        _, page = self.request("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page)},
        )
        assert status == 302, f"{username} could not sign in ({status})"


def _form_fields(page: str) -> dict[str, list[str]]:
    """The edit form's fields as the browser would send them (inputs, textareas, selects)."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind[1] in ("checkbox", "radio") and "checked" not in tag:
            continue
        fields.setdefault(name[1], []).append(value[1] if value else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[name] = [text.strip()]
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = chosen or [""]
    return {
        name: [value.replace("&amp;", "&") for value in values] for name, values in fields.items()
    }


def test_twenty_people_saving_one_action_at_once_one_wins_and_none_fails(server):
    coordinator = Person(server)
    coordinator.sign_in("coordinator")
    _, workspace = coordinator.request("/plans/lichfield/2021-22/workspace/")
    action_id = re.search(r'href="/actions/(\d+)/"', workspace)[1]
    edit = f"/actions/{action_id}/edit/"
    people = []
    forms = []
    for number in range(PEOPLE):
        person = Person(server)
        person.sign_in("coordinator")
        _, page = person.request(edit)
        fields = _form_fields(page)
        fields["description"] = [f"Saved by person {number}"]
        people.append(person)
        forms.append(fields)
    statuses: list[int] = [0] * PEOPLE
    start = threading.Barrier(PEOPLE)

    def save(number: int) -> None:
        start.wait()
        statuses[number] = people[number].request(edit, forms[number])[0]

    threads = [threading.Thread(target=save, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses).count(302) == 1, statuses
    assert statuses.count(409) == PEOPLE - 1, statuses
    _, page = coordinator.request(f"/actions/{action_id}/")
    winner = statuses.index(302)
    assert f"Saved by person {winner}" in page
