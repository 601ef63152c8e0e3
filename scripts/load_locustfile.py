"""Locust users for `make load` (scripts/load_run.sh): a measurement, not a test.

    .venv/bin/locust -f scripts/load_locustfile.py --headless -u 50 -r 50 -t 60s \\
        --host http://127.0.0.1:8791 PublicReader Officer

Classes (pick them on the command line):
- StaticReader: a static file served by WhiteNoise (LOAD_STATIC_PATH), the yardstick;
- PageReader: the latest public plan page alone, the figure compared with the static file's;
- PublicReader: a visitor reading the public plan, its first version and, now and then, the PDF;
- Officer: a police officer signed in (one fixture account each, LOAD_FIXTURE), who opens the
  workspace, edits the description of their own action (a unique token each time), records
  progress on it (another token), and reads the public plan signed in (not cached for them).

With LOAD_HOSTS (several addresses, comma-separated: scripts/two_servers.sh) the users are dealt
out over the servers in turn, and the requests each server answered are counted.

No think time: every user sends its next request as soon as the last one is answered, so the
figures are the server's capacity with 50 requests in flight. Every saved token is written to
LOAD_TOKENS when the run stops; scripts/load_verify.py checks they are all in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

FIXTURE = json.loads(Path(os.environ.get("LOAD_FIXTURE", "/tmp/csp-load/fixture.json")).read_text())
TOKENS_FILE = os.environ.get("LOAD_TOKENS", "/tmp/csp-load/tokens.json")
STATIC_PATH = os.environ.get("LOAD_STATIC_PATH", "/static/css/site.css")
PLAN_URL = FIXTURE["plan_url"]
WORKSPACE_URL = FIXTURE["workspace_url"]

HOSTS = [host for host in os.environ.get("LOAD_HOSTS", "").split(",") if host]
_hosts = itertools.cycle(HOSTS) if HOSTS else None

_accounts = itertools.cycle(FIXTURE["officers"])
SAVED: dict[str, dict[str, list[str]]] = {"edits": {}, "progress": {}}
PER_SERVER: Counter[str] = Counter()


class SpreadUser(FastHttpUser):
    """A user of one of LOAD_HOSTS, dealt out in turn (of --host when there are none)."""

    abstract = True

    def __init__(self, environment):
        if _hosts is not None:
            self.host = next(_hosts)
        super().__init__(environment)


@events.request.add_listener
def count_per_server(url=None, exception=None, **kwargs):
    if url and exception is None:
        PER_SERVER[urlsplit(url).netloc] += 1


class FormReader(HTMLParser):
    """The fields of every POST form of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = []
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""
        elif tag == "select" and a.get("name"):
            self._select, self._options = (a["name"], "multiple" in a), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._form.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def form_with(page: str, field: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page)
    for form in reader.forms:
        if any(name == field for name, _ in form):
            return form
    raise ValueError(f"no form with a {field!r} field")


def replace(form: list[tuple[str, str]], **values: str) -> str:
    fields = [(name, value) for name, value in form if name not in values]
    return urlencode(fields + list(values.items()))


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class StaticReader(SpreadUser):
    wait_time = constant(0)

    @task
    def static_file(self):
        self.client.get(STATIC_PATH, name="static file")


class PageReader(SpreadUser):
    """The latest public plan page alone, as a visitor who is not signed in: the cached page
    measured against the static file."""

    wait_time = constant(0)

    @task
    def public_plan(self):
        self.client.get(PLAN_URL, name="public plan")


class PublicReader(SpreadUser):
    wait_time = constant(0)
    weight = 1

    @task(18)
    def public_plan(self):
        self.client.get(PLAN_URL, name="public plan")

    @task(1)
    def first_version(self):
        self.client.get(f"{PLAN_URL}versions/1/", name="public plan, version 1")

    @task(1)
    def pdf(self):
        self.client.get(f"{PLAN_URL}plan.pdf", name="public plan PDF")


class Officer(SpreadUser):
    wait_time = constant(0)
    fixed_count = len(FIXTURE["officers"])

    def on_start(self):
        account = next(_accounts)
        self.username, self.action = account["username"], account["action"]
        self.sequence = 0
        page = self.client.get("/accounts/login/", name="login (form)").text
        form = form_with(page, "csrfmiddlewaretoken")
        with self.client.post(
            "/accounts/login/",
            data=replace(form, username=self.username, password=FIXTURE["password"]),
            headers=FORM,
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused for {self.username}: {response.status_code}")

    def token(self, kind: str) -> str:
        self.sequence += 1
        return f"LT-{kind}-{self.username}-{self.sequence:05d}-{uuid.uuid4().hex[:8]}"

    def save(self, url: str, body: str, *, name: str, kind: str, token: str, what: str) -> None:
        """Posts a form; once saved (a redirect), its token is kept under SAVED[kind] for
        load_verify.py to find in the database."""
        with self.client.post(
            url, data=body, headers=FORM, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                SAVED[kind].setdefault(self.username, []).append(token)
            else:
                response.failure(f"{what} not saved: {response.status_code}")

    @task(4)
    def workspace(self):
        with self.client.get(WORKSPACE_URL, name="workspace", catch_response=True) as response:
            if "Load-test action" not in response.text:
                response.failure("the workspace does not list the actions")

    @task(2)
    def public_plan_signed_in(self):
        self.client.get(PLAN_URL, name="public plan, signed in")

    @task(3)
    def edit_action(self):
        url = f"/actions/{self.action}/edit/"
        page = self.client.get(url, name="action edit (form)").text
        form = form_with(page, "description")
        base = dict(form)["description"].split(" [LT-")[0]
        token = self.token("edit")
        body = replace(form, description=f"{base} [{token}]")
        self.save(url, body, name="action edit (save)", kind="edits", token=token, what="edit")

    @task(1)
    def record_progress(self):
        url = f"/actions/{self.action}/progress/add/"
        form = form_with(self.client.get(url, name="progress (form)").text, "narrative")
        token = self.token("progress")
        body = replace(form, rag="on_track", percent_complete="50", narrative=token)
        self.save(url, body, name="progress (save)", kind="progress", token=token, what="progress")


@events.test_stop.add_listener
def write_tokens(environment, **kwargs):
    actions = {account["username"]: account["action"] for account in FIXTURE["officers"]}
    with open(TOKENS_FILE, "w") as out:
        json.dump(SAVED | {"actions": actions, "per_server": dict(PER_SERVER)}, out, indent=1)
