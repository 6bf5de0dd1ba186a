"""Events as operators log them (JSON Lines), checked against the scenario before storing.

One event per line with ``at`` (time) and ``type``; the fields each type needs are
in :data:`FIELDS` (from the contract; each type is a class of :mod:`planner.events.types`,
which also holds its own checks). A bad event (unknown session, room, unit or
staff, a malformed time, negative kg, an unknown type) is refused with its line and
the problem; a file with any bad line stores nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

from planner import limits
from planner.errors import Problem, Problems
from planner.events.types import EVENT_TYPES, EventType, Fields, lines_in_force, of, voided
from planner.io.tables import decode
from planner.model.scenario import Scenario
from planner.model.times import parse_time

FIELDS: Mapping[str, tuple[str, ...]] = Fields()  # type -> its required fields (the registry's)


def read_lines(path: str | Path, problems: Problems) -> list[tuple[int, dict]]:
    """(line number, event) for every non-blank line of a JSON Lines file."""
    path = Path(path)
    if not path.exists():
        problems.add(path.name, "missing_file", file=path.name)
        return []
    data = limits.read_bytes(path, problems)
    text = decode(data) if data is not None else None
    if data is not None and text is None:
        problems.add(path.name, "bad_encoding")
    if text is None:
        return []
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if limits.too_many_rows(path.name, number, problems):
            break
        if len(line) > limits.MAX_EVENT_BYTES:
            problems.add(path.name, "event_too_long", row=number, limit=limits.MAX_EVENT_BYTES)
            continue
        try:
            value = json.loads(line, parse_constant=_no_constant)
        except (json.JSONDecodeError, ValueError, RecursionError) as error:
            problems.add(path.name, "bad_event_json", row=number,
                         error=getattr(error, "msg", str(error)))
            continue
        if not isinstance(value, dict):
            problems.add(path.name, "bad_event_json", row=number, error="not an object")
            continue
        out.append((number, value))
    return out


RESERVED = ("seq", "hash", "prev_hash", "recorded_at")  # the log's own fields
IDS = ("type", "session_id", "room_id", "staff_id", "venue_id", "item_id", "bag_set_id")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")


class EventChecker:
    """Checks events in order; an ad-hoc session logged earlier is known to later events."""

    def __init__(self, scenario: Scenario, logged: list[dict] | None = None) -> None:
        self.s = scenario
        self.sessions = {sid: (s.room_id, s.start, s.end) for sid, s in scenario.sessions.items()}
        self.cancelled: set[str] = set()
        self.failed = self._failed_at_start()
        # an event's times lie within the congress's days, give or take EVENT_MARGIN_DAYS
        days, margin = scenario.days(), dt.timedelta(days=limits.EVENT_MARGIN_DAYS)
        self.earliest = dt.datetime.combine(days[0], dt.time()) - margin if days else None
        self.latest = (dt.datetime.combine(days[-1], dt.time()) + dt.timedelta(days=1) + margin
                       if days else None)
        self.history: list[dict] = []  # every event so far, in log order (entry n at n - 1)
        for e in logged or []:
            self._remember(e)

    def _remember(self, e: dict) -> None:
        self.history.append(e)
        if e.get("type") != "void":
            self._learn(e)
            return
        # what the checker knows is the log without what is voided: learnt again
        self.sessions = {sid: (s.room_id, s.start, s.end) for sid, s in self.s.sessions.items()}
        self.cancelled = set()
        self.failed = self._failed_at_start()
        for x in lines_in_force(self.history):
            self._learn(x)

    def _failed_at_start(self) -> set[str]:
        return {i for i, item in self.s.items.items() if item.status != "ok"}

    def _learn(self, e: dict) -> None:
        of(e).learn(self, e)

    def check(self, e: dict, file: str, line: int, problems: Problems) -> bool:
        bad = _Said(problems, file, line)
        kind = self._kind(e, bad)
        if kind is None:
            return False
        at = parse_time(str(e.get("at", "")))
        if at is None:  # said, and the rest of the line is checked too
            bad("at", "bad_time", value=e.get("at", ""))
        missing = [name for name in kind.fields if e.get(name) in (None, "", [])]
        for name in missing:
            bad(name, "event_missing_field", field=name, type=kind.name)
        if missing:
            return False
        if not kind.new_ids:
            self._check_known(kind, e, bad)
        kind.check_fields(self, e, bad)
        self._check_times(kind, e, bad)
        kind.check(self, e, bad, clean=not bad.said)
        if bad.said:
            return False
        self._remember(e)
        return True

    def _kind(self, e: dict, bad: _Said) -> type[EventType] | None:
        """The event's type, once its ids are text and the log's own fields left out."""
        for name in IDS:
            if name in e and not isinstance(e[name], str):
                bad(name, "event_not_text", field=name, value=e[name])
        for name in RESERVED:
            if name in e:
                bad(name, "event_reserved", field=name)
        if bad.said:
            return None
        given = e.get("type")  # text when given: said above
        kind = EVENT_TYPES.get(given) if isinstance(given, str) else None
        if kind is None:
            bad("type", "unknown_value", value=e.get("type"), choices=", ".join(EVENT_TYPES))
        return kind

    def _check_known(self, kind: type[EventType], e: dict, bad: _Said) -> None:
        """The scenario's (and the log's) sessions, rooms, staff and venues it names."""
        known: dict[str, tuple[Mapping[str, object], str]] = {
            "session_id": (self.sessions, "unknown_session"),
            "room_id": (self.s.rooms, "unknown_room"),
            "staff_id": (self.s.staff, "unknown_staff"),
            "venue_id": (self.s.venues, "unknown_venue")}
        for name, (table, key) in known.items():  # optional ids too, when given
            if name in e and e[name] not in table:
                bad(name, key, value=e[name], file="the scenario")
        if "session_id" in kind.fields and e["session_id"] in self.cancelled:
            bad("session_id", "event_cancelled", value=e["session_id"])

    def _check_times(self, kind: type[EventType], e: dict, bad: _Said) -> None:
        """Its times are times, within the congress's days give or take the margin."""
        times = [name for name in kind.times() if name in e]  # optional ones when given
        for name in times:
            if parse_time(str(e[name])) is None:
                bad(name, "bad_time", value=e[name])
        for name in ("at", *times):
            t = parse_time(str(e.get(name, "")))
            if (t and self.earliest and self.latest
                    and limits.time_outside(t, self.earliest, self.latest)):
                bad(name, "time_out_of_range", value=e[name], low=f"{self.earliest:%Y-%m-%d}",
                    high=f"{self.latest:%Y-%m-%d}")

    def no_longer_fits(self, n: int) -> tuple[int, Problem] | None:
        """The first entry in force that would no longer pass were entry ``n`` voided (a
        revived session whose room and time a later session or extension took), and why.

        The entries in force without entry ``n`` are checked again in order by a fresh
        checker, so what the log says after the void is what a log checked that way holds.
        """
        fresh, gone = EventChecker(self.s), {**voided(self.history), n: {}}
        for m, x in enumerate(self.history, start=1):
            if x.get("type") == "void" or x.get("seq", m) in gone:
                continue
            problems = Problems()
            if not fresh.check({k: v for k, v in x.items() if k not in RESERVED}, "", m,
                               problems):
                return x.get("seq", m), problems.items[0]
        return None

    def taken(self, room: str, a, b, but: str = "") -> str | None:
        """The session already in ``room`` at some time in [a, b), if any."""
        for sid, (r, start, end) in self.sessions.items():
            if r == room and sid != but and sid not in self.cancelled and start < b and a < end:
                return sid
        return None


class _Said:
    """``bad(column, key, **params)``: a problem with the event on ``line``; ``said``:
    whether any was said of it yet."""

    def __init__(self, problems: Problems, file: str, line: int) -> None:
        self.problems, self.file, self.line = problems, file, line
        self.before = len(problems.items)

    def __call__(self, column: str | None, key: str, **params) -> None:
        self.problems.add(self.file, key, row=self.line, column=column, **params)

    @property
    def said(self) -> bool:
        return len(self.problems.items) > self.before


def check_events(scenario: Scenario, events: list[tuple[int, dict]], file: str,
                 problems: Problems, logged: list[dict] | None = None) -> list[dict]:
    """The events that pass, in order; every problem goes to ``problems``."""
    checker = EventChecker(scenario, logged)
    return [e for line, e in events if checker.check(e, file, line, problems)]
