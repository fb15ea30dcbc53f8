"""A view's records as pages read them: what a page reads is written down (its dependencies),
and a record is made only when a page reads more of it than its facts.

The site writes each record and list page once and then only when what it read has changed
(site/incremental.py). So pages never see the records themselves but an `Entry` per record,
which answers like the record and notes what was read, at these grains:

- its facts (`CHEAP`: id, title, name, district, dates, kind …, what titles, links, lists and
  sorting read): dependency `C|id`, and no need to make the record;
- any other field: `A|id`, the record as aggregates read it (all but `facts.PAGE_ONLY`), or
  for a field only the record's own page shows (and a method), `R|id`, the whole record as the
  view shows it (either way the record is made on first need);
- the day it last changed by its own dates as of the data date (`own_date`): `U|id`;
- a problem's status as of the data date: `S|id` (a page that shows a light also depends on the
  date: it is "dated" and carries the as-of date in its footer).

The `Book` is the catalog the pages get (`Catalog`'s interface: `records`, `of_type`, `get`,
`referring`, `status`, `campaign`, `thresholds`, `cadence`, `as_of`, `files`), noting `T|type`, `ALL`,
`F|target|type|field` for what those return. Dependency keys are strings; `facts.py` says how
each is valued, so that the next build can tell which pages changed without making records.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Callable, Iterator

from ..model import RECORD_TYPES, Record
from ..model.lifecycle import Status, light
from ..model.org import Cadence, Thresholds
from .facts import CHEAP_SLOTS, PAGE_ONLY, Facts
from .view import latest_before

SEP = "\x1f"


class Tracker:
    """What one page read: dependency keys, and whether it showed something dated."""
    __slots__ = ("keys", "dated")

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.dated = False


class Entry:
    """A record as a page sees it (see the module's description). Its class is the record's,
    so type checks and field declarations answer as for the record."""
    __slots__ = ("_book", "_at")

    def __init__(self, book: "Book", at: int):
        self._book = book
        self._at = at

    @property
    def __class__(self):            # noqa: F811 — isinstance() and field declarations see the model
        return self._book.classes[self._at]

    def __getattr__(self, name: str):
        return self._book.read(self._at, name)

    def __getitem__(self, name: str):
        try:
            return self._book.read(self._at, name)
        except AttributeError:
            raise KeyError(name) from None

    def __repr__(self) -> str:
        return f"<entry {self._book.ids[self._at]}>"


class _Records(Mapping):
    """id → entry; a page that looks through all of them depends on the whole set."""

    def __init__(self, book: "Book"):
        self._book = book

    def __getitem__(self, record_id: str) -> Entry:
        found = self._book.get(record_id)
        if found is None:
            raise KeyError(record_id)
        return found

    def __contains__(self, record_id) -> bool:
        return self._book.get(record_id) is not None

    def __iter__(self) -> Iterator[str]:
        self._book.track("ALL")
        return iter(self._book.ids)

    def __len__(self) -> int:
        self._book.track("ALL")
        return len(self._book.ids)


class _Statuses(Mapping):
    """problem id → status as of the data date."""

    def __init__(self, book: "Book"):
        self._book = book

    def __getitem__(self, record_id: str) -> Status:
        book = self._book
        book.track(f"S{SEP}{record_id}")
        found = book.status_of(record_id)
        if found.light != "done" and book.tracker is not None:
            book.tracker.dated = True
            book.tracker.keys.add(f"G{SEP}as_of")
        return found

    def __iter__(self):
        self._book.track("ALL")
        return iter(self._book.statuses)

    def __len__(self) -> int:
        return len(self._book.statuses)


class Book:
    """The records of one view, in file order (see the module's description). What a page may
    ask of it is made when first asked (an entry, the records of a type, a problem's status, who
    refers to whom): a build that writes a few pages makes little of it."""

    def __init__(self, as_of: dt.date, audience: str, facts: list[Facts], models: list[Record | None],
                 make: Callable[[Facts], Record], yellow_days: int):
        self._as_of, self.audience = as_of, audience
        self.facts = facts
        self.ids = [f.id for f in facts]
        self.at = {record_id: i for i, record_id in enumerate(self.ids)}
        self.classes = [RECORD_TYPES[f.type_name] for f in facts]
        self.files = {f.id: f.file for f in facts}
        self.models = models
        self._make = make                     # a record from its facts (the warm path reads its file)
        self._yellow = yellow_days
        self.tracker: Tracker | None = None
        self._entries: list[Entry | None] = [None] * len(facts)
        self._of_type: dict[str, list[int]] | None = None      # type → indexes, when first asked
        self._typed: dict[str, tuple[Entry, ...]] = {}
        self._statuses: dict[str, Status] = {}
        self._all_statuses = False
        self._referrers: dict | None = None
        self._keys: dict[str, list[str | None]] = {}            # kind → per record, its key of that kind
        self.records = _Records(self)
        self.status = _Statuses(self)

    def _entry(self, at: int) -> Entry:
        found = self._entries[at]
        if found is None:
            found = self._entries[at] = Entry(self, at)
        return found

    def _type(self, type_name: str) -> tuple[Entry, ...]:
        found = self._typed.get(type_name)
        if found is None:
            if self._of_type is None:
                self._of_type = {}
                for i, f in enumerate(self.facts):
                    self._of_type.setdefault(f.type_name, []).append(i)
            found = self._typed[type_name] = tuple(map(self._entry, self._of_type.get(type_name, ())))
        return found

    def status_of(self, record_id: str) -> Status:
        """A problem's status as of the data date (nothing noted)."""
        found = self._statuses.get(record_id)
        if found is None:
            state = self.facts[self.at[record_id]].status
            if state is None:
                raise KeyError(record_id)
            found = self._statuses[record_id] = light(state[0], state[1], self._as_of, self._yellow)
        return found

    @property
    def statuses(self) -> dict[str, Status]:
        """Every problem's status (nothing noted)."""
        if not self._all_statuses:
            for f in self.facts:
                if f.status is not None:
                    self.status_of(f.id)
            self._all_statuses = True
        return self._statuses

    @property
    def referrers(self) -> dict[tuple[str, str, str], tuple[str, ...]]:
        if self._referrers is None:
            self._referrers = referrers(self.facts)
        return self._referrers

    def _key(self, kind: str, at: int) -> str:
        keys = self._keys.get(kind)
        if keys is None:
            keys = self._keys[kind] = [None] * len(self.ids)
        found = keys[at]
        if found is None:
            found = keys[at] = f"{kind}{SEP}{self.ids[at]}"
        return found

    # --- what pages read ------------------------------------------------------------------
    def track(self, key: str) -> None:
        if self.tracker is not None:
            self.tracker.keys.add(key)

    def model(self, at: int) -> Record:
        found = self.models[at]
        if found is None:
            found = self.models[at] = self._make(self.facts[at])
        return found

    def read(self, at: int, name: str):
        cls = self.classes[at]
        slot = CHEAP_SLOTS[cls.type_name].get(name)
        tracker = self.tracker
        if slot is not None:
            if tracker is not None:
                tracker.keys.add(self._key("C", at))
            return self.facts[at].cheap[slot]
        if name in cls.model_fields:
            if tracker is not None:
                page_only = PAGE_ONLY.get(cls.type_name)
                tracker.keys.add(self._key("R" if page_only is not None and name in page_only else "A", at))
            return getattr(self.model(at), name)
        try:
            value = getattr(cls, name)        # a class variable (type_name, label …) or a method
        except AttributeError:
            raise AttributeError(f"{cls.__name__} has no {name!r}") from None
        if isinstance(value, (str, bool, int)) or value is None:
            return value
        if tracker is not None:
            tracker.keys.add(self._key("R", at))
        return getattr(self.model(at), name)

    def own_date(self, record_id: str) -> dt.date | None:
        """The latest day on or before the data date on which something happened to the record
        (view.own_date), from its facts: `U|id`, valued by that day."""
        self.track(f"U{SEP}{record_id}")
        return latest_before(self.facts[self.at[record_id]].dates, self._as_of)

    def entry(self, record_id: str) -> Entry:
        """The entry of a record in the view (nothing noted: for building page contexts)."""
        return self._entry(self.at[record_id])

    def get(self, record_id: str | None) -> Entry | None:
        if not record_id:
            return None
        at = self.at.get(record_id)
        if at is None:
            self.track(f"C{SEP}{record_id}")      # valued "absent" when it is not in the view
            return None
        if self.tracker is not None:
            self.tracker.keys.add(self._key("C", at))
        return self._entry(at)

    def of_type(self, type_name: str) -> tuple[Entry, ...]:
        self.track(f"T{SEP}{type_name}")
        return self._type(type_name)

    @property
    def by_type(self) -> dict[str, tuple[Entry, ...]]:
        self.track("ALL")
        self._type("")                            # every type's indexes
        return {t: self._type(t) for t in self._of_type}

    def referring(self, target_id: str, type_name: str, field_name: str) -> list[Entry]:
        self.track(f"F{SEP}{target_id}{SEP}{type_name}{SEP}{field_name}")
        return [self._entry(self.at[i]) for i in self.referrers.get((target_id, type_name, field_name), ())]

    @property
    def campaign(self) -> Entry | None:
        found = self._type("campaign")
        return found[0] if found else None

    @property
    def thresholds(self) -> Thresholds:
        campaign = self.campaign
        return campaign.thresholds if campaign is not None else Thresholds()

    @property
    def cadence(self) -> Cadence:
        campaign = self.campaign
        return campaign.cadence if campaign is not None else Cadence()

    @property
    def as_of(self) -> dt.date:
        """The data date; a page that reads it is dated."""
        if self.tracker is not None:
            self.tracker.dated = True
            self.tracker.keys.add(f"G{SEP}as_of")
        return self._as_of


def referrers(facts: list[Facts]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(target id, referring type, top-level field) → ids of the records that refer to it, in
    file order, as `catalog.build_catalog` has them."""
    present = {f.id for f in facts}
    found: dict[tuple[str, str, str], list[str]] = {}
    for f in facts:
        for target, field_name in f.refs:
            if target in present:
                found.setdefault((target, f.type_name, field_name), []).append(f.id)
    return {k: tuple(v) for k, v in found.items()}
