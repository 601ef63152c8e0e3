#!/usr/bin/env python
"""A whole country in one installation: a PostgreSQL database of generated partnerships, for
scripts/bench_national.py (a measurement aid, not a test).

    .venv/bin/python scripts/generate_national.py                         # 300 × 5 years × 60
    .venv/bin/python scripts/generate_national.py --partnerships 30 \\
        --database-url postgres://postgres@127.0.0.1:5432/csp_plan_national_small
    .venv/bin/python scripts/generate_national.py --demo-only \\
        --database-url postgres://postgres@127.0.0.1:5432/csp_plan_demo

The database named in --database-url is dropped and created anew (only on 127.0.0.1 or
localhost, and only a name ending in _national…, _demo… or _bench…: it is a throwaway). It then
holds, in every case, the demo (Lichfield 2021-22 and the demo users) with its plan published as
version 1, and a Lichfield 2022-23 draft of --actions generated actions (the same in every
database: a fixed seed), so that the demo's pages can be compared between databases. Unless
--demo-only, it also holds --partnerships generated partnerships, each with 9 core agencies (its
own district council; a police force, fire service, county council, probation region, housing
provider and three voluntary organisations shared with its neighbours as in England), four
themes, a coordinator and an officer for each agency, and one plan a year for --years years of
--actions actions, 7 priorities, outcomes and supporting agencies. Every plan but the last of
each partnership is published (one version, its snapshot frozen as plan_publish freezes it), has
its reporting periods, one progress update per action and two quarterly measures with three
agencies' figures; the last is a draft. Everything is written with `bulk_create`: no history
rows, no notifications. At full scale: 90,060 actions, 72,000 progress updates, 1,201 published
versions.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csp_plan_national"
SAFE_SUFFIXES = ("_national", "_demo", "_bench")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--partnerships", type=int, default=300)
    parser.add_argument("--years", type=int, default=5, help="plans per partnership")
    parser.add_argument("--actions", type=int, default=60, help="actions per plan")
    parser.add_argument("--demo-only", action="store_true", help="the demo and its draft only")
    parser.add_argument("--seed", type=int, default=2021)
    return parser.parse_args(argv)


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)


def recreate_database(url: str) -> None:
    """Drop and create the throwaway database, refusing anything but a local one so named."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in (
        "127.0.0.1",
        "localhost",
    ):
        sys.exit(f"Refusing {url}: only a PostgreSQL database on 127.0.0.1 or localhost.")
    if not any(suffix in name for suffix in SAFE_SUFFIXES):
        sys.exit(f"Refusing to drop {name!r}: its name must contain one of {SAFE_SUFFIXES}.")
    connection = psycopg2.connect(urlunparse(parts._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "csp_plan.settings"
    import django

    django.setup()


# -- The demo, as every database of the benchmark has it.


def load_demo(actions: int, seed: int) -> None:
    """The demo with its plan published as version 1, and a Lichfield draft for the next year."""
    from django.contrib.auth import get_user_model
    from plan_data import build_plan

    from lifecycle.services import plan_publish
    from operations.demo import demo_load_plan, demo_load_users
    from priorities.models import Plan

    plan = demo_load_plan()
    demo_load_users()
    admin = get_user_model().objects.get(username="admin")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
    plan.refresh_from_db()
    plan_publish(plan=plan, user=admin)
    build_plan(
        partnership=plan.partnership, start_year=2022, actions=actions, rng=random.Random(seed)
    )


# -- The country.

# Shared agencies: how many partnerships share one (England's 43 police forces for about 300
# community safety partnerships, and so on).
SHARED = [
    ("police", "Police", "Constabulary", 7),
    ("fire_and_rescue", "SFRS", "Fire and Rescue Service", 7),
    ("county_council", "CC", "County Council", 12),
    ("probation", "Probation", "Probation Region", 25),
    ("housing_provider", "Housing", "Housing Group", 3),
]
VOLUNTARY_POOL = 3  # each voluntary organisation serves this many partnerships
VOLUNTARY_PER_PARTNERSHIP = 3


def build_agencies(count: int) -> list[list]:
    """The 9 core agencies of each of `count` partnerships (shared ones created once)."""
    from partners.models import Agency

    rows: list[Agency] = []
    cores: list[list[Agency]] = []

    def agency(name: str, short: str, slug: str, kind: str) -> Agency:
        item = Agency(name=name, short_name=short, slug=slug, kind=kind)
        rows.append(item)
        return item

    shared: dict[tuple[str, int], Agency] = {}
    voluntary: dict[int, Agency] = {}
    for n in range(count):
        core = [
            agency(f"District {n:03d} Council", f"D{n:03d}", f"district-{n:03d}-council",
                   "district_council")
        ]  # fmt: skip
        for kind, short, suffix, per in SHARED:
            key = (kind, n // per)
            if key not in shared:
                area = n // per
                shared[key] = agency(
                    f"Area {area:03d} {suffix}", f"{short} {area:03d}",
                    f"area-{area:03d}-{kind.replace('_', '-')}", kind,
                )  # fmt: skip
            core.append(shared[key])
        for k in range(VOLUNTARY_PER_PARTNERSHIP):
            number = (n * VOLUNTARY_PER_PARTNERSHIP + k) // VOLUNTARY_POOL
            if number not in voluntary:
                voluntary[number] = agency(
                    f"Community Trust {number:04d}", f"Trust {number:04d}",
                    f"community-trust-{number:04d}", "voluntary_sector",
                )  # fmt: skip
            if voluntary[number] not in core:
                core.append(voluntary[number])
        cores.append(core)
    Agency.objects.bulk_create(rows, batch_size=1000)
    return cores


def build_country(args: argparse.Namespace, started: float) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from partners.models import Membership, Partnership
    from priorities.models import DEFAULT_THEMES, Theme

    User = get_user_model()
    rng = random.Random(args.seed)
    with transaction.atomic():
        cores = build_agencies(args.partnerships)
        partnerships = Partnership.objects.bulk_create(
            [
                Partnership(
                    name=f"District {n:03d} Community Safety Partnership", slug=f"district-{n:03d}"
                )
                for n in range(args.partnerships)
            ]
        )
        Core = Partnership.core_agencies.through
        Core.objects.bulk_create(
            [
                Core(partnership_id=p.pk, agency_id=a.pk)
                for p, core in zip(partnerships, cores, strict=True)
                for a in core
            ],
            batch_size=5000,
        )
        Theme.objects.bulk_create(
            [
                Theme(partnership=p, name=name, short_name=short, opfcc_name=opfcc, order=k)
                for p in partnerships
                for k, (name, short, opfcc) in enumerate(DEFAULT_THEMES, start=1)
            ],
            batch_size=5000,
        )
        coordinators = User.objects.bulk_create(
            [User(username=f"coordinator.{n:03d}", password="!") for n in range(args.partnerships)]
        )
        Coordinators = Partnership.coordinators.through
        Coordinators.objects.bulk_create(
            [
                Coordinators(partnership_id=p.pk, user_id=u.pk)
                for p, u in zip(partnerships, coordinators, strict=True)
            ]
        )
        agencies = {a.pk: a for core in cores for a in core}
        officers = User.objects.bulk_create(
            [User(username=f"officer.{a.slug}", password="!") for a in agencies.values()],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, agency=a, may_speak_for_agency=True)
                for u, a in zip(officers, agencies.values(), strict=True)
            ],
            batch_size=2000,
        )
    log(f"{len(partnerships)} partnerships, {len(agencies)} agencies, "
        f"{len(coordinators) + len(officers)} people", started)  # fmt: skip

    themes: dict[int, list] = {}
    for theme in Theme.objects.filter(partnership__in=partnerships).order_by("order"):
        themes.setdefault(theme.partnership_id, []).append(theme)
    first_year = datetime.date.today().year - args.years + 1
    published = []
    for n, (partnership, core) in enumerate(zip(partnerships, cores, strict=True)):
        with transaction.atomic():
            for year in range(first_year, first_year + args.years):
                last = year == first_year + args.years - 1
                plan = _plan(partnership, year, args.actions, rng, themes, core, last)
                if not last:
                    published.append(plan)
        if (n + 1) % 25 == 0 or n + 1 == len(partnerships):
            log(f"plans of {n + 1} partnerships", started)
    publish_all(published, rng, started)


def _plan(partnership, year, actions, rng, themes, core, last):
    from plan_data import build_plan

    return build_plan(
        partnership=partnership,
        start_year=year,
        actions=actions,
        rng=rng,
        status="draft" if last else "published",
        themes=themes[partnership.pk],
        agencies=core,
    )


def publish_all(plans: list, rng: random.Random, started: float) -> None:
    """Each plan's version 1 (frozen as plan_publish freezes it), reporting periods, a progress
    update for each action and two measures with figures."""
    from django.db import transaction
    from django.utils import timezone

    from actions.models import Action
    from lifecycle.models import PublishedVersion
    from lifecycle.snapshot import plan_snapshot, serialise
    from partners.models import Partnership
    from priorities.models import Plan
    from tracking.models import Figure, Measure, ProgressUpdate
    from tracking.reporting import ensure_reporting_periods

    agencies_of: dict[int, list[int]] = {}
    Core = Partnership.core_agencies.through
    for partnership_id, agency_id in Core.objects.values_list("partnership_id", "agency_id"):
        agencies_of.setdefault(partnership_id, []).append(agency_id)
    for start in range(0, len(plans), 100):
        batch = plans[start : start + 100]
        with transaction.atomic():
            versions = []
            for plan in batch:
                text, checksum = serialise(plan_snapshot(plan))
                at = timezone.make_aware(datetime.datetime(plan.period_start.year, 5, 1, 12))
                versions.append(
                    PublishedVersion(plan=plan, number=1, snapshot=text, checksum=checksum,
                                     published_at=at)
                )  # fmt: skip
                Plan.objects.filter(pk=plan.pk).update(last_published_at=at)
            PublishedVersion.objects.bulk_create(versions)
            ensure_reporting_periods(batch)
            updates = []
            for plan in batch:
                end = plan.period_end
                for action_id in Action.objects.filter(priority__plan=plan).values_list(
                    "pk", flat=True
                ):
                    rag = rng.choice(ProgressUpdate.Rag.values)
                    updates.append(
                        ProgressUpdate(
                            action_id=action_id,
                            date=end - datetime.timedelta(days=rng.randint(0, 300)),
                            rag=rag,
                            percent_complete=100 if rag == "complete" else rng.randint(0, 95),
                            narrative="Delivered as planned with partners this quarter.",
                        )
                    )
            ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
            measures = Measure.objects.bulk_create(
                [
                    Measure(plan=plan, name=name, baseline_period="Previous year")
                    for plan in batch
                    for name in ("Anti-social behaviour incidents", "Repeat victims")
                ]
            )
            figures = []
            for measure in measures:
                start_date = measure.plan.period_start
                agencies = agencies_of[measure.plan.partnership_id][:3]
                for quarter in range(4):
                    period = (
                        start_date.replace(month=4 + 3 * quarter)
                        if quarter < 3
                        else (start_date.replace(year=start_date.year + 1, month=1))
                    )
                    figures += [
                        Figure(measure=measure, agency_id=agency, period_start=period,
                               value=Decimal(rng.randint(20, 500)))
                        for agency in agencies
                    ]  # fmt: skip
            Figure.objects.bulk_create(figures, batch_size=5000)
        log(f"published {start + len(batch)} of {len(plans)} plans", started)


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    log("migrated", started)
    load_demo(args.actions, args.seed)
    log("demo loaded, its plan published; Lichfield 2022-23 draft generated", started)
    if not args.demo_only:
        build_country(args, started)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # statistics, and the visibility map for index-only scans
    log("analysed", started)
    from actions.models import Action
    from lifecycle.models import PublishedVersion
    from partners.models import Partnership
    from priorities.models import Plan
    from tracking.models import Figure, ProgressUpdate

    counts = {
        "partnerships": Partnership.objects.count(),
        "plans": Plan.objects.count(),
        "actions": Action.objects.count(),
        "progress updates": ProgressUpdate.objects.count(),
        "figures": Figure.objects.count(),
        "published versions": PublishedVersion.objects.count(),
    }
    print(", ".join(f"{value:,} {name}" for name, value in counts.items()))
    log("done", started)


if __name__ == "__main__":
    main()
