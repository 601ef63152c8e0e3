"""`python manage.py backup [FILE]`: the whole database in one gzip'd JSON file.

Every row of every table, with its primary key: partnerships, plans, published versions,
agreements, actions, progress, measures and figures, the full history (django-simple-history),
users, groups and their permissions, the admin's log and the login-throttling records. Not the
sessions (everyone signs in again after a restore). The file is a Django fixture: `restore`
reads it back into an empty database (see docs/deployment.md), and `loaddata` can read it too.

Works on SQLite and PostgreSQL alike, so a backup also moves a site from one to the other.
Uploaded files (MEDIA_ROOT) are not in it: copy that folder beside it.
"""

from __future__ import annotations

import datetime
import gzip
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers import json as json_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Model
from django.utils import timezone

# Rows that are not worth keeping: sessions expire and hold nothing a person made.
NOT_BACKED_UP = {"sessions.session"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(json_serializer.Serializer):
    """Django's JSON fixtures, with two differences a backup needs. Times keep every microsecond.
    Many-to-many links are rows of their own tables, with their own ids, as stored; not lists
    inside the rows that own them (a load would number the links afresh)."""

    def handle_m2m_field(self, obj, field):
        pass


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[Model]]:
    """Every model whose rows go in a backup, in an order a load can follow (a model after the
    models its natural keys refer to), the way `dumpdata` orders them."""
    app_list = {}
    for app_config in apps.get_app_configs():
        models = [
            model
            for model in app_config.get_models(include_auto_created=True)
            if model._meta.label_lower not in NOT_BACKED_UP
            and not model._meta.proxy
            and model._meta.managed
            and router.allow_migrate_model(using, model)
        ]
        if models:
            app_list[app_config] = models
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def _rows(models: list[type[Model]], using: str) -> Iterator[Model]:
    for model in models:
        yield from model._base_manager.using(using).order_by(model._meta.pk.name).iterator()


def write_backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Write the backup to `path` (replaced whole, or not at all); return the number of rows."""
    models = backed_up_models(using)
    connection = connections[using]
    directory = path.parent if str(path.parent) else Path(".")
    # Password hashes and people's names: readable by the owner only.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".backup-", suffix=".tmp")
    os.close(handle)
    count = 0
    try:
        consistent = not connection.in_atomic_block
        with transaction.atomic(using=using):
            if consistent and connection.vendor == "postgresql":
                # One snapshot for every table, while the site goes on writing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

            def counted() -> Iterator[Model]:
                nonlocal count
                for row in _rows(models, using):
                    count += 1
                    yield row

            with gzip.open(temporary, "wt", encoding="utf-8") as stream:
                Serializer().serialize(counted(), stream=stream, cls=ExactJSONEncoder)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


class Command(BaseCommand):
    help = (
        "Write every row of the database to one gzip'd JSON file (default "
        "csp-plan-backup-<date>-<time>.json.gz in the current folder). Read it back with "
        "`manage.py restore FILE` into an empty, migrated database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write the backup (.json.gz).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file: str | None = None, database: str, **options):
        if file is None:
            file = f"csp-plan-backup-{timezone.localtime():%Y%m%d-%H%M%S}.json.gz"
        path = Path(file)
        if not path.name.endswith(".json.gz"):
            raise CommandError(f"The backup file's name must end in .json.gz (got {file}).")
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}.")
        count = write_backup(path, using=database)
        self.stdout.write(f"Backed up {count} rows to {path}.")
