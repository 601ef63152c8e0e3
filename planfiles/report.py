"""What an import says it did, or would do: row by row, with every error by row and column.

Errors, the unknown names and the summary repeat text from the file: they show its control
characters escaped (planfiles.tabular.visible), wherever they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Model

from planfiles.tabular import visible
from priorities.models import Plan

if TYPE_CHECKING:
    from planfiles.columns import TableInfo

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole
    column: str | None
    message: str
    place: str = ""  # where the row is, when a row number is not enough: "Table 2, row 5"
    # The agency name we do not know that this error is about: the preview's choice for the
    # name ("create", or "same as" an agency we know) puts it right.
    unknown_agency: str = field(default="", compare=False)

    @property
    def where(self) -> str:
        """The row as a person finds it: "Table 2, row 5", or the row's number."""
        return self.place or (str(self.row) if self.row is not None else "")

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", visible(self.message))

    def __str__(self) -> str:
        where = []
        if self.place:
            where.append(self.place)
        elif self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(self.column)
        return f"{', '.join(where)}: {self.message}" if where else self.message


# Records an error of one row: add(column, message); column None for the row as a whole.
Add = Callable[[str | None, str], None]


def adder(errors: list[RowError], row: int | None) -> Add:
    def add(column: str | None, message: str) -> None:
        errors.append(RowError(row, column, message))

    return add


@dataclass
class RowPlan:
    """What the import does with one row."""

    number: int
    kind: str  # CREATE, UPDATE or UNCHANGED
    priority: str
    theme: str
    action: str  # blank for a row that names a priority only
    changes: list[str] = field(default_factory=list)
    place: str = ""  # "Table 2, row 5", for a file whose rows are not numbered as one sheet
    # The action (or, for a row naming a priority only, the priority) once written.
    instance: object = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        if not self.action:
            return "New priority" if self.kind == CREATE else "No change"
        return {CREATE: "New action", UPDATE: "Changed", UNCHANGED: "No change"}[self.kind]


@dataclass
class UnknownNames:
    kind: str  # "agency", "theme" or "partnership"
    names: list[str]
    known: list[str]

    def __post_init__(self) -> None:
        self.names = [visible(name) for name in self.names]  # shown as they are, wherever

    @property
    def message(self) -> str:
        plural = {"agency": "agencies", "theme": "themes", "partnership": "partnerships"}
        noun = self.kind if len(self.names) == 1 else plural[self.kind]
        names = ", ".join(f"“{name}”" for name in self.names)
        known = ", ".join(self.known) if self.known else "none yet"
        return (
            f"The file names {len(self.names)} {noun} we do not know: {names}. "
            f"Known {plural[self.kind]}: {known}."
        )


@dataclass
class FileReport:
    """What the import of a file did, or would do; with any error, it did nothing."""

    rows_read: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self, noun: str, created: int, updated: int, unchanged: int) -> list[str]:
        """The summary's first lines: the rows read, then the errors or what changes."""
        lines = [f"Rows read: {self.rows_read}."]
        if self.errors:
            lines.append(f"Errors: {len(self.errors)}. Nothing was imported.")
        elif self.dry_run:
            lines.append(
                f"{noun}: {created} to create, {updated} to update, {unchanged} unchanged."
            )
        else:
            lines.append(f"{noun}: {created} created, {updated} updated, {unchanged} unchanged.")
        return lines


@dataclass
class ImportReport(FileReport):
    """What the import of a plan file did, or would do, row by row."""

    filename: str = ""
    create_missing: bool = False
    unknown: list[UnknownNames] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Row by row, what was read otherwise than written (a lead cell naming several agencies,
    # "All", a target date that is no date); never errors.
    notices: list[RowError] = field(default_factory=list)
    # A file laid out its own way: how its tables and columns were understood.
    canonical: bool = True
    tables: list[TableInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    partnership_name: str = ""
    plan_name: str = ""
    plan: Plan | None = None
    partnership_created: bool = False
    plan_created: bool = False
    priorities_created: list[str] = field(default_factory=list)
    themes_created: list[str] = field(default_factory=list)
    agencies_created: list[str] = field(default_factory=list)
    agencies_joining: list[str] = field(default_factory=list)

    def _count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.action and row.kind == kind)

    @property
    def created(self) -> int:
        return self._count(CREATE)

    @property
    def updated(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def only_unknown_agencies(self) -> bool:
        """Every error is about an agency name we do not know: choosing what each name is, in
        the preview, is all the file needs."""
        return bool(self.errors) and all(error.unknown_agency for error in self.errors)

    @property
    def changes_anything(self) -> bool:
        return any(row.kind != UNCHANGED for row in self.rows) or bool(
            self.plan_created
            or self.themes_created
            or self.agencies_created
            or self.agencies_joining
        )

    def summary(self) -> list[str]:
        """The report in a few sentences, for messages and the command line."""
        lines = self.counts("Actions", self.created, self.updated, self.unchanged)
        if self.errors:
            return lines
        verb = "to create" if self.dry_run else "created"
        for label, names in (
            (f"Partnership {verb}", [self.partnership_name] if self.partnership_created else []),
            (f"Plan {verb} (a draft)", [self.plan_name] if self.plan_created else []),
            (f"Priorities {verb}", self.priorities_created),
            (f"Themes {verb}", self.themes_created),
            (f"Agencies {verb}", self.agencies_created),
            ("Agencies joining the partnership", self.agencies_joining),
        ):
            if names:
                lines.append(f"{label}: {', '.join(names)}.")
        for warning in [*self.warnings, *self.notes, *map(str, self.notices)]:
            lines.append(f"Note: {warning}")
        lines.append("Errors: 0.")
        if self.dry_run:
            lines.append("Dry run: nothing was saved.")
        return [visible(line) for line in lines]


def char_limit(model: type[Model], field: str) -> int:
    """The most characters a CharField of `model` holds: what a file's cell for it may hold."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if not isinstance(limit, int):
        raise TypeError(f"{model.__name__}.{field} has no length limit")
    return limit
