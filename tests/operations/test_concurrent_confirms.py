"""One import confirmed many times at once, against a real app server (gunicorn, several worker
processes, each with its own database connection), on the suite's database (CI runs it on SQLite
and on PostgreSQL): the file is imported exactly once, and every other confirmation is answered
"this import is already done". None gets a server error, and none finds the import lost.

The server and the signed-in person without a browser are tests/operations/
test_concurrent_saves.py's.
"""

from __future__ import annotations

import re
import threading
import urllib.request
import uuid

from tests.operations.test_concurrent_saves import Person

CLICKS = 8
PLAN = "/plans/lichfield/2021-22/"
ACTION = "Street-based outreach for young people at risk of exploitation"
FILE = (
    "partnership,plan_title,plan_start,plan_end,priority,theme,action,outcome,lead_agency,"
    "supporting_agencies,target_date,measure\r\n"
    "Lichfield District Community Safety Partnership,"
    "Community Safety Delivery Plan Outline 2021 – 2022,2021-04-01,2022-03-31,"
    f"Anti-social Behaviour (ASB),,{ACTION},Fewer young people drawn into ASB,"
    "Staffordshire Police,Lichfield District Council,2022-03-31,Referrals made\r\n"
).encode()


def upload(person: Person, data: bytes, filename: str) -> tuple[int, str]:
    """The import form sent as a browser sends it: multipart, with the file and the CSRF token."""
    _, page = person.request(f"{PLAN}import/")
    boundary = uuid.uuid4().hex
    parts = [
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{person.csrf(page)}\r\n"
        ).encode(),
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + data
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    request = urllib.request.Request(f"{person.base}{PLAN}import/", data=b"".join(parts))
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    request.add_header("Referer", f"{person.base}{PLAN}import/")
    with person.opener.open(request, timeout=60) as response:
        return response.status, response.read().decode()


def same_session(person: Person) -> Person:
    """Another tab of the same browser: the same cookies (session, CSRF), its own answers."""
    tab = Person(person.base)
    for cookie in person.cookies:
        tab.cookies.set_cookie(cookie)
    return tab


def test_eight_confirmations_at_once_import_once_and_the_others_are_told_it_is_done(server):
    coordinator = Person(server)
    coordinator.sign_in("coordinator")
    status, preview = upload(coordinator, FILE, "plan.csv")
    assert status == 200, preview[-2000:]
    assert "Check the import" in preview
    token = re.search(r'name="token" value="([^"]+)"', preview)[1]
    data = {"token": token, "csrfmiddlewaretoken": coordinator.csrf(preview)}
    tabs = [same_session(coordinator) for _ in range(CLICKS)]
    answers: list[tuple[int, str]] = [(0, "")] * CLICKS
    start = threading.Barrier(CLICKS)

    def confirm(number: int) -> None:
        start.wait()
        answers[number] = tabs[number].request(f"{PLAN}import/confirm/", data)

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [status for status, _ in answers] == [302] * CLICKS, [
        (status, page[-500:]) for status, page in answers
    ]
    told = []
    for tab in tabs:  # each tab reads the message its own confirmation left it
        _, workspace = tab.request(f"{PLAN}workspace/")
        if "Imported plan.csv: 1 action added, 0 changed, 0 unchanged." in workspace:
            told.append("imported")
        elif "This import is already done" in workspace:
            told.append("already done")
        else:
            told.append(workspace[-1500:])
    assert sorted(told) == ["already done"] * (CLICKS - 1) + ["imported"], told
    _, workspace = coordinator.request(f"{PLAN}workspace/")
    assert workspace.count(ACTION) == 1
    # And later: the same button again is told the same.
    status, _ = coordinator.request(f"{PLAN}import/confirm/", data)
    assert status == 302
    _, workspace = coordinator.request(f"{PLAN}workspace/")
    assert "This import is already done" in workspace
    assert workspace.count(ACTION) == 1
