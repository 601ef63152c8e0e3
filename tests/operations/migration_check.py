"""Tools for tests/operations/test_migrations.py: build a database at an earlier set of
migrations, photograph every table of it, and say what a later migration lost.

The comparison is on raw rows, read with SQL, so that it knows nothing of the models of either
side: a model that moved to another app but kept its table is found by its table.
"""

from __future__ import annotations

import datetime
import decimal
import io
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState, StateApps

# Not data: which migrations ran. Compared in the test by the migration state instead.
NOT_COMPARED = {"django_migrations"}
# Tables that `migrate` itself adds to after the migrations ran (post_migrate: a content type and
# its permissions for each new model). Rows there may be added, never lost nor changed.
MAY_GAIN_ROWS = {"django_content_type", "auth_permission"}

Target = tuple[str, str | None]
Row = tuple[str | None, ...]


def our_app_labels() -> list[str]:
    """The project's own apps among INSTALLED_APPS: packages at the top of the project folder,
    whatever they are called (partners, priorities, actions, and any app added later)."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config.label
        for config in global_apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    ]


def targets_at(old_leaves: dict[str, str]) -> list[Target]:
    """Migration targets for a database as an earlier main left it: our apps at `old_leaves`
    (an app of ours not named there did not exist then, so it is at zero), every other app
    (contrib and third-party) at its latest migration."""
    graph = MigrationExecutor(connection).loader.graph
    ours = set(our_app_labels())
    migrated = {app for app, _ in graph.nodes}
    unknown = set(old_leaves) - ours
    assert not unknown, f"Not apps of this project: {sorted(unknown)}"
    missing = [(app, name) for app, name in old_leaves.items() if (app, name) not in graph.nodes]
    assert not missing, (
        f"Migrations of the previous main are gone from the migration graph: {missing}. Keep "
        "their files (a squash must keep `replaces`), or update the test's PREVIOUS_MAIN."
    )
    targets: list[Target] = []
    for app in sorted(migrated):
        if app in ours:
            targets.append((app, old_leaves.get(app)))
        else:
            targets.extend(sorted(graph.leaf_nodes(app)))
    return targets


def drop_every_table() -> None:
    """Empty the test database of every table, django_migrations included."""
    with connection.constraint_checks_disabled():
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        drop = connection.SchemaEditorClass.sql_delete_table  # CASCADE on PostgreSQL
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(drop % {"table": connection.ops.quote_name(table)})


def build_database_at(targets: list[Target]) -> ProjectState:
    """A database as `manage.py migrate` of that time built it: from nothing, forwards only, to
    `targets`, then the post_migrate step (content types and permissions of the models of that
    state). Returns the migration state, whose `apps` are the models of that time."""
    drop_every_table()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    executor.migrate(targets, plan=plan)

    executor.loader.build_graph()
    graph = executor.loader.graph
    ours = set(our_app_labels())
    nodes = [target for target in targets if target[1] is not None]
    expected = {
        node for target in nodes if target[0] in ours for node in graph.forwards_plan(target)
    }
    applied = {node for node in executor.loader.applied_migrations if node[0] in ours}
    assert applied == {node for node in expected if node[0] in ours}, (
        "The old state pulled in newer migrations of our apps (a dependency on them?): "
        f"{sorted(applied - expected)}"
    )

    state = executor.loader.project_state(nodes, at_end=True)
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    return state


def migrate_to_latest() -> None:
    """What a deployment runs: `manage.py migrate`, every app to its latest migration, with the
    pre_migrate and post_migrate steps."""
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())


def leave_database_at_latest() -> None:
    """For the tests that run after: the database at the latest migrations, whatever happened.
    A migration that failed half-way can leave a state `migrate` cannot go on from: rebuild."""
    from django.contrib.contenttypes.models import ContentType

    try:
        migrate_to_latest()
    except Exception:
        drop_every_table()
        migrate_to_latest()
    finally:
        # Content type ids changed under the live registry's cache.
        ContentType.objects.clear_cache()


# Photographs of the tables.


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]  # sorted

    def project(self, columns: tuple[str, ...]) -> Counter[Row]:
        index = [self.columns.index(column) for column in columns]
        return Counter(tuple(row[i] for i in index) for row in self.rows)

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def normalise(value: object) -> str | None:
    """One text for one value, whatever the database driver made of it: SQLite and PostgreSQL
    give booleans, decimals and datetimes in different Python types."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | decimal.Decimal):
        return format(decimal.Decimal(str(value)).normalize(), "f")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value.total_seconds())
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _sort_key(row: Row) -> tuple:
    return tuple((value is None, value or "") for value in row)


def snapshot() -> dict[str, Table]:
    """Every row of every table in the database (not only those of today's models)."""
    quote = connection.ops.quote_name
    tables = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            if name in NOT_COMPARED:
                continue
            description = connection.introspection.get_table_description(cursor, name)
            columns = tuple(column.name for column in description)
            cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(name)}")
            rows = [tuple(normalise(value) for value in row) for row in cursor.fetchall()]
            tables[name] = Table(columns, tuple(sorted(rows, key=_sort_key)))
    return tables


# What was lost.


def _sample(rows: Counter[Row], columns: tuple[str, ...], limit: int = 3) -> str:
    shown = [dict(zip(columns, row, strict=True)) for row in list(rows.elements())[:limit]]
    more = sum(rows.values()) - len(shown)
    return "; ".join(str(row) for row in shown) + (f" … and {more} more" if more > 0 else "")


def table_problems(before: dict[str, Table], after: dict[str, Table]) -> list[str]:
    """Every table still there, with every row as it was on the columns it had. New columns
    are allowed; new rows only where `migrate` adds them (MAY_GAIN_ROWS)."""
    problems = []
    for name, old in before.items():
        if name == "django_content_type":
            continue  # content_type_problems: its app_label may follow a moved model
        new = after.get(name)
        if new is None:
            problems.append(f"Table {name} is gone, with its {len(old.rows)} rows.")
            continue
        gone = [column for column in old.columns if column not in new.columns]
        if gone:
            problems.append(f"Table {name} lost its column(s) {gone}.")
        kept = tuple(column for column in old.columns if column in new.columns)
        old_rows, new_rows = old.project(kept), new.project(kept)
        lost, gained = old_rows - new_rows, new_rows - old_rows
        if lost:
            problems.append(
                f"Table {name}: {sum(lost.values())} row(s) lost or changed: {_sample(lost, kept)}"
            )
        if gained and name not in MAY_GAIN_ROWS:
            problems.append(
                f"Table {name}: {sum(gained.values())} row(s) appeared: {_sample(gained, kept)}"
            )
    return problems


def _models_of(registry, labels: set[str], *, auto_created: bool) -> dict[tuple[str, str], str]:
    """(app label, model name) → table, for the models of our apps in a registry."""
    return {
        (model._meta.app_label, model._meta.model_name): model._meta.db_table
        for model in registry.get_models(include_auto_created=auto_created)
        if model._meta.app_label in labels
    }


def orphan_problems(old_apps: StateApps) -> list[str]:
    """Every table of an old model of ours is the table of a model of today: data nobody reads
    is data lost (a moved model must keep its table with Meta.db_table)."""
    labels = set(our_app_labels())
    old = _models_of(old_apps, labels, auto_created=True)
    read_today = set(_models_of(global_apps, labels, auto_created=True).values())
    return [
        f"Table {table} of the old model {app}.{model} is the table of no model today."
        for (app, model), table in sorted(old.items())
        if table not in read_today
    ]


def content_type_problems(
    before: dict[str, Table], after: dict[str, Table], old_apps: StateApps
) -> list[str]:
    """Every content type keeps its id (permissions, admin history and generic relations point
    at it) and its model name. Its app_label changes only for a model of ours that moved: then
    it names the model of today that reads the same table."""
    labels = set(our_app_labels())
    old_tables = _models_of(old_apps, labels, auto_created=False)
    today_by_table = {
        table: key for key, table in _models_of(global_apps, labels, auto_created=False).items()
    }
    old_rows = {
        row["id"]: (row["app_label"], row["model"])
        for row in before["django_content_type"].as_dicts()
    }
    new_rows = {
        row["id"]: (row["app_label"], row["model"])
        for row in after["django_content_type"].as_dicts()
    }
    problems = []
    for ct_id, (app, model) in sorted(old_rows.items()):
        expected = (app, model)
        if (app, model) in old_tables:
            expected = today_by_table.get(old_tables[(app, model)], expected)
        found = new_rows.get(ct_id)
        if found is None:
            problems.append(f"Content type {ct_id} ({app}.{model}) is gone.")
        elif found != expected:
            problems.append(
                f"Content type {ct_id} was {app}.{model} and is now {'.'.join(found)}: it should "
                f"be {'.'.join(expected)}, the model that reads its table now (a moved model's "
                "content type is renamed by a data migration, so that its id is kept)."
            )
    return problems


def orm_problems(before: dict[str, Table]) -> list[str]:
    """Today's models of our apps, read through the ORM (every field loaded), find as many rows
    as their table had before: a model that moved is read by its new class."""
    labels = set(our_app_labels())
    problems = []
    for model in global_apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.app_label not in labels or table not in before:
            continue  # a model new since the previous main: nothing to find yet
        try:
            found = len(list(model._base_manager.all()))
        except Exception as exc:  # a missing column or table: say which model, go on
            problems.append(f"{model._meta.label} cannot be read from {table}: {exc}")
            continue
        if found != len(before[table].rows):
            problems.append(
                f"{model._meta.label} finds {found} rows in {table}, "
                f"which had {len(before[table].rows)}."
            )
    return problems


def empty_tables(tables: dict[str, Table], old_apps: StateApps) -> list[str]:
    """Tables of our old models that the test data left empty, so that nothing of them is
    checked."""
    labels = set(our_app_labels())
    return [
        f"{app}.{model} ({table})"
        for (app, model), table in sorted(_models_of(old_apps, labels, auto_created=True).items())
        if not tables[table].rows
    ]
