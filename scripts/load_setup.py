#!/usr/bin/env python
"""The load test's data: the demo plan, published and then amended, with N police officers who
each lead one action of their own (a measurement fixture, never for a real site).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csp_plan_load SECRET_KEY=… \\
        .venv/bin/python scripts/load_setup.py --officers 30 --out /tmp/csp-load/fixture.json

Loads the Lichfield demo plan (`load_demo --no-users`), adds an action led by Staffordshire Police
for each officer `load.officer.NN` (password --password), publishes the plan as version 1 (it is
set to Agreed directly: the agreement round is not what is measured), then amends it, so the
public reads version 1 while the officers edit their actions in the draft revision and record
progress on them. Writes the officers and their actions' ids to --out for the locustfile.

Refuses a database that is not on this machine: the accounts have a known password.
Safe to run again: nothing already there is duplicated.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOPBACK = {"", "127.0.0.1", "localhost", "::1"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=30)
    parser.add_argument("--password", default="load-test-password-2021")
    parser.add_argument("--out", type=Path, required=True)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_plan.settings")
    import django

    django.setup()
    from django.conf import settings

    host = settings.DATABASES["default"].get("HOST") or ""
    if host not in LOOPBACK:
        sys.exit(f"Refusing to create load-test accounts on a database at {host!r}: loopback only.")
    fixture = build(args.officers, args.password)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=2))
    print(f"{len(fixture['officers'])} officers, plan {fixture['plan_url']} -> {args.out}")


def build(officers: int, password: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from actions.models import Action, Outcome
    from lifecycle.services import plan_amend, plan_publish
    from operations.demo import demo_load_plan
    from partners.models import Agency, Membership
    from priorities.models import Plan

    User = get_user_model()
    with transaction.atomic():
        plan = demo_load_plan()
        police = Agency.objects.get(name="Staffordshire Police")
        coordinator = _user(User, "load.coordinator", password)
        plan.partnership.coordinators.add(coordinator)
        priority = plan.priorities.order_by("order").first()
        theme = plan.partnership.themes.order_by("order").first()
        rows = []
        for number in range(1, officers + 1):
            user = _user(User, f"load.officer.{number:02d}", password)
            Membership.objects.get_or_create(user=user, agency=police)
            action, created = Action.objects.get_or_create(
                priority=priority,
                description=f"Load-test action {number:02d}: weekly patrols of hotspot {number}",
                defaults={"theme": theme, "lead_agency": police, "order": 100 + number},
            )
            if created:
                Outcome.objects.create(action=action, description="Fewer incidents", order=1)
            rows.append({"username": user.username, "action": action.pk})
        if not plan.has_published_version:
            Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
            plan_publish(plan=Plan.objects.get(pk=plan.pk), user=coordinator)
            plan_amend(plan=Plan.objects.get(pk=plan.pk), user=coordinator)
    return {
        "password": password,
        "plan_url": plan.get_absolute_url(),
        "workspace_url": plan.get_workspace_url(),
        "officers": rows,
    }


def _user(User, username: str, password: str):
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


if __name__ == "__main__":
    main()
