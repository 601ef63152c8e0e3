"""Upgrading loses nothing: a database built at the previous main's migrations, holding the
published demo plan with its history, agreements, progress and figures, is migrated to today's
migrations and every row of every table is still there, and today's models read them.

This is what lets a model move to another app (SeparateDatabaseAndState, keeping its table with
Meta.db_table, and renaming its content type): if the move loses a table, a column, a row or a
content type, this test says which.

It runs on a transactional database that it empties and rebuilds; it leaves it migrated to the
latest migrations for the tests that follow, pass or fail.
"""

import pytest

from tests.operations.migration_check import (
    build_database_at,
    content_type_problems,
    empty_tables,
    leave_database_at_latest,
    migrate_to_latest,
    orm_problems,
    orphan_problems,
    our_app_labels,
    snapshot,
    table_problems,
    targets_at,
)
from tests.operations.old_plan_data import fill_old_database

# A historical fact: the leaf migrations of our apps on main before models moved between apps.
# Our apps not named here (lifecycle, tracking, … added since) did not exist: they start at zero.
# Move it forward when an upgrade from a later main is the one to protect.
PREVIOUS_MAIN = {
    "partners": "0001_initial",
    "priorities": "0003_tracking",
    "actions": "0004_tracking",
}


@pytest.mark.django_db(transaction=True)
def test_data_of_the_previous_main_survives_migrating_to_the_latest():
    try:
        old_state = build_database_at(targets_at(PREVIOUS_MAIN))
        fill_old_database(old_state.apps, our_app_labels())
        before = snapshot()
        empty = empty_tables(before, old_state.apps)
        assert not empty, (
            "The old database has tables of ours with no rows, so the test checks nothing of "
            f"them: {empty}. Add rows for them in tests/operations/old_plan_data.py."
        )

        migrate_to_latest()
        after = snapshot()

        problems = [
            *table_problems(before, after),
            *content_type_problems(before, after, old_state.apps),
            *orphan_problems(old_state.apps),
            *orm_problems(before),
        ]
        assert not problems, "Migrating to the latest migrations lost data:\n" + "\n".join(problems)
    finally:
        leave_database_at_latest()
