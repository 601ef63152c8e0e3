"""Agencies and themes found by the names people write in files: one rule for every file.

A name matches an agency (or a theme) by its full name, its short name or one of its other names
(an agency's aliases: "LDC", "SFRS", partners.models.AgencyAlias), whatever the case and however
many spaces separate its words (`fold_name`). `Names` is the one place where an agency is matched
by name: every file (the plan file, the figures file, whatever the plan comes in) asks it,
through partners/aliases.py's `agency_names`, and each words its own message from what it
answers.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


def fold_name(text: str) -> str:
    """A name as names are compared: words separated by one space, case folded."""
    return " ".join(text.split()).casefold()


class Named(Protocol):
    """Anything with a name and a short name: an Agency, a Theme. (Read here, never written.
    Typed Any: mypy checks a type argument against this before django-stubs has made a model's
    CharField a str.)"""

    @property
    def pk(self) -> Any: ...

    @property
    def name(self) -> Any: ...

    @property
    def short_name(self) -> Any: ...


N = TypeVar("N", bound=Named)


@dataclass(frozen=True)
class Found(Generic[N]):
    """What a name finds: the one item it names; or, if it names several, the ones it could be
    (all of them core members, if any is); or neither if it names nothing we know."""

    item: N | None = None
    could_be: tuple[N, ...] = ()


class Names(Generic[N]):
    """Items found by name, short name or other name, each name looked up once.

    A full name wins over a short name or other name: "Police" is the agency called Police, if
    there is one. Short names and other names (`aliases`: pairs of an item's pk and another name
    of it) rank alike. A name several items share is settled by its exact text (case and all),
    then by membership of the core (`core_ids`: the partnership's core agencies), and is
    otherwise ambiguous.
    """

    def __init__(
        self,
        items: Iterable[N],
        *,
        core_ids: Collection[Any] = (),
        aliases: Iterable[tuple[Any, str]] = (),
    ) -> None:
        self.items: list[N] = list(items)
        self.core_ids: set[Any] = set(core_ids)
        self.by_pk: dict[Any, N] = {item.pk: item for item in self.items}
        self._by_name: dict[str, list[N]] = defaultdict(list)
        self._by_short: dict[str, list[N]] = defaultdict(list)
        # Each item's short name and other names, as written: the exact text settles a tie.
        self._written: dict[Any, set[str]] = defaultdict(set)
        for item in self.items:
            self._by_name[fold_name(item.name)].append(item)
            if item.short_name:
                self._by_short[fold_name(item.short_name)].append(item)
                self._written[item.pk].add(item.short_name)
        for pk, alias in aliases:
            aliased = self.by_pk.get(pk)
            if aliased is None or not alias.strip():
                continue
            self._written[pk].add(alias)
            matches = self._by_short[fold_name(alias)]
            if aliased not in matches:
                matches.append(aliased)
        self._cache: dict[str, Found[N]] = {}

    def among(self, core_ids: Collection[Any]) -> Names[N]:
        """The same items, with another core: for a file whose rows name several partnerships."""
        other = copy.copy(self)
        other.core_ids = set(core_ids)
        other._cache = {}
        return other

    def find(self, name: str) -> Found[N]:
        key = fold_name(name)
        if key not in self._cache:
            self._cache[key] = self._find(name.strip(), key)
        return self._cache[key]

    def _find(self, name: str, key: str) -> Found[N]:
        for index in (self._by_name, self._by_short):
            matches = index.get(key, [])
            if len(matches) > 1:
                exact = [
                    item for item in matches if name == item.name or name in self._written[item.pk]
                ]
                core = [item for item in matches if item.pk in self.core_ids]
                matches = exact if len(exact) == 1 else core or matches
            if len(matches) == 1:
                return Found(item=matches[0])
            if matches:
                return Found(could_be=tuple(matches))
        return Found()

    def known(self) -> list[str]:
        """Every item as a person would recognise it, "Name (Short)", in alphabetical order."""
        return [
            f"{item.name} ({item.short_name})" if item.short_name else item.name
            for item in sorted(self.items, key=lambda item: item.name.casefold())
        ]
