"""`python manage.py restore FILE`: load a backup (see backup.py) into an empty database.

The database must be migrated (to the release that wrote the backup) and hold no data: restore
never merges into a live site. Every row comes back with its primary key, the history as it was
(loading writes no new history), the content types and permissions as they were numbered; then
sequences are moved past the loaded keys, and permissions for models newer than the backup are
created as `migrate` would.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import override_settings

from operations.management.commands.backup import backed_up_models

# Written by `migrate` into every new database; replaced by the backup's own rows.
RECREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


def check_target(using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not fully migrated: run `python manage.py migrate` first."
        )
    for model in backed_up_models(using):
        if model._meta.label_lower in RECREATED_BY_MIGRATE:
            continue
        if model._base_manager.using(using).exists():
            raise CommandError(
                f"The database is not empty ({model._meta.verbose_name_plural} has rows). "
                "Restore into a new database (createdb, then migrate), or empty this one first "
                "with `python manage.py flush`."
            )


def reset_sequences(using: str) -> None:
    """Move every id sequence past the loaded rows, many-to-many tables included (loaddata
    leaves those)."""
    from django.apps import apps

    connection = connections[using]
    models = apps.get_models(include_auto_created=True)
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class Command(BaseCommand):
    help = "Load a backup written by `manage.py backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup (.json.gz).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file: str, database: str, **options):
        path = Path(file).resolve()
        if not path.is_file():
            raise CommandError(f"No such file: {file}.")
        if not path.name.endswith((".json.gz", ".json")):
            raise CommandError(f"A backup's name ends in .json.gz (got {path.name}).")
        check_target(database)
        # Loading writes rows as they were; history must not record the load as new changes.
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic(using=database):
            Permission.objects.using(database).all().delete()
            ContentType.objects.using(database).all().delete()
            ContentType.objects.clear_cache()
            call_command("loaddata", str(path), database=database, verbosity=0)
            reset_sequences(database)
        ContentType.objects.clear_cache()
        # Content types and permissions of models the backup did not know, as migrate makes.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=database)
        self.stdout.write(f"Restored {path.name} into the {database!r} database.")
