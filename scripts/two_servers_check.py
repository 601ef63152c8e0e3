#!/usr/bin/env python
"""Two app servers, one database, one shared cache: is a plan published through the first server
public at once through the second? (scripts/two_servers.sh runs this between load scenarios.)

    DATABASE_URL=… CACHE_URL=redis://… .venv/bin/python scripts/two_servers_check.py \\
        --first http://127.0.0.1:8791 --second http://127.0.0.1:8792 \\
        --fixture /tmp/csp-load/fixture.json

With the load test's data (scripts/load_setup.py: the plan published as version N, then amended):
reads the public plan through the second server until it is kept in its cache; marks the draft
revision agreed (directly in the database, as load_setup.py does: the agreement round is not what
is checked) and changes one action; signs in as `load.coordinator` through the FIRST server and
publishes; then reads the plan through the SECOND server at once: it must show version N+1 and the
change. Then draws the new version's PDF and Word document (the task worker's job; the load test
runs no worker) and amends the plan again, so the officers of a later scenario can edit it. Exits 1
if the second server showed the old version.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Browser:
    def __init__(self, address: str):
        self.address = address
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.address + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, form_page: str, **fields: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(form_page))
        if not token:
            sys.exit(f"No form on {self.address}{form_page}.")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
        with self.opener.open(self.address + path, data=data, timeout=120) as response:
            return response.read().decode()


def words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def version_shown(page: str) -> int | None:
    found = re.search(r"Version (\d+), published", words(page))
    return int(found[1]) if found else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", required=True)
    parser.add_argument("--second", required=True)
    parser.add_argument("--fixture", type=Path, required=True)
    args = parser.parse_args()
    fixture = json.loads(args.fixture.read_text())
    plan_url = fixture["plan_url"]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_plan.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from actions.models import Action
    from lifecycle.services import plan_amend
    from priorities.access import plan_or_404
    from priorities.models import Plan

    _, _, partnership, period, _ = plan_url.split("/")
    plan = plan_or_404(partnership, period)
    before = plan.versions.count()
    visitor = Browser(args.second)
    for _ in range(3):
        shown = version_shown(visitor.get(plan_url))
    print(f"The second server shows version {shown} (kept in its cache after the first read).")

    marker = f"Published through the first server at {time.strftime('%H:%M:%S')}"
    action = Action.objects.filter(priority__plan=plan, restricted=False).order_by("pk").first()
    Action.objects.filter(pk=action.pk).update(description=marker)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)

    coordinator = Browser(args.first)
    coordinator.post(
        "/accounts/login/",
        "/accounts/login/",
        username="load.coordinator",
        password=fixture["password"],
    )
    started = time.perf_counter()
    done = coordinator.post(f"{plan_url}stage/publish/", f"{plan_url}readiness/")
    if "The plan was published" not in words(done):
        print("The first server did not publish the plan.")
        return 1
    page = visitor.get(plan_url)
    elapsed = time.perf_counter() - started
    shown = version_shown(page)
    ok = shown == before + 1 and marker in words(page)
    print(
        f"Published version {before + 1} through the first server; the second server showed "
        f"version {shown} {'with' if marker in words(page) else 'WITHOUT'} the change, "
        f"{elapsed:.2f} s after the publish request was sent."
    )
    # The task worker draws the new version's PDF and Word document; the load test runs none, so
    # this script does it in its place, before the readers of a later scenario ask for them.
    from lifecycle.published_files import draw_missing

    drawn = draw_missing(plan.versions.order_by("-number").first())
    print(f"Drew the new version's {', '.join(drawn)} (as the task worker does).")
    user = get_user_model().objects.get(username="load.coordinator")
    plan_amend(plan=Plan.objects.get(pk=plan.pk), user=user)  # the officers edit it again
    print("PASS" if ok else "FAIL: the second server showed the old version.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
