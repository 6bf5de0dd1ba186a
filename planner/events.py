"""Events as operators log them (JSON Lines), checked against the scenario before storing.

One event per line with ``at`` (time) and ``type``; the fields each type needs are
in :data:`FIELDS` (from the contract). A bad event (unknown session, room, unit or
staff, a malformed time, negative kg, an unknown type) is refused with its line and
the problem; a file with any bad line stores nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from planner import limits
from planner import vocabulary as vocab
from planner.errors import Problem, Problems
from planner.i18n import t
from planner.live import in_force, voided
from planner.scenario import Scenario, parse_time
from planner.tables import decode

FIELDS: dict[str, tuple[str, ...]] = {
    "adhoc_session": ("session_id", "room_id", "start", "end", "kind", "attendees", "level"),
    "cancel_session": ("session_id",),
    "extend_session": ("session_id", "new_end"),
    "unit_failed": ("item_id",),
    "unit_restored": ("item_id",),
    "staff_unavailable": ("staff_id", "until"),
    "booster_found": ("room_id",),
    "unit_deployed": ("item_id", "session_id"),  # a unit set up in the session's room
    "patrol_done": ("session_id", "staff_id"),
    "sweep_done": ("session_id", "staff_id"),
    "cleanup_done": ("session_id", "staff_id"),
    "bag_weighed": ("bag_set_id", "kg", "venue_id"),
    "document_found": ("room_id", "level", "note"),
    "destroyed": ("kg", "venue_id", "witnesses"),
    "void": ("voids", "reason"),  # entry number `voids` counts for nothing from then on
}


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
        for x in in_force(self.history):
            self._learn(x)

    def _learn(self, e: dict) -> None:
        if e.get("type") == "adhoc_session":
            self.sessions[e["session_id"]] = (e["room_id"], parse_time(e["start"]),
                                              parse_time(e["end"]))
        elif e.get("type") == "cancel_session":
            self.cancelled.add(e["session_id"])
        elif e.get("type") == "extend_session" and e.get("session_id") in self.sessions:
            room, start, _ = self.sessions[e["session_id"]]
            self.sessions[e["session_id"]] = (room, start, parse_time(e["new_end"]))

    def check(self, e: dict, file: str, line: int, problems: Problems) -> bool:
        before = len(problems.items)

        def bad(column: str | None, key: str, **params) -> None:
            problems.add(file, key, row=line, column=column, **params)

        for name in IDS:
            if name in e and not isinstance(e[name], str):
                bad(name, "event_not_text", field=name, value=e[name])
        for name in RESERVED:
            if name in e:
                bad(name, "event_reserved", field=name)
        if len(problems.items) > before:
            return False
        kind = e.get("type")
        if kind not in FIELDS:
            bad("type", "unknown_value", value=kind, choices=", ".join(FIELDS))
            return False
        at = parse_time(str(e.get("at", "")))
        if at is None:  # said, and the rest of the line is checked too
            bad("at", "bad_time", value=e.get("at", ""))
        complete = len(problems.items)
        for name in FIELDS[kind]:
            if e.get(name) in (None, "", []):
                bad(name, "event_missing_field", field=name, type=kind)
        if len(problems.items) > complete:
            return False
        known = {"session_id": (self.sessions, "unknown_session"),
                 "room_id": (self.s.rooms, "unknown_room"),
                 "staff_id": (self.s.staff, "unknown_staff"),
                 "venue_id": (self.s.venues, "unknown_venue")}
        for name, (table, key) in known.items():  # optional ids too, when given
            if name in e and kind != "adhoc_session" and e[name] not in table:
                bad(name, key, value=e[name], file="the scenario")
        if (kind != "adhoc_session" and "session_id" in FIELDS[kind]
                and e["session_id"] in self.cancelled):
            bad("session_id", "event_cancelled", value=e["session_id"])
        if kind in ("unit_failed", "unit_restored", "unit_deployed"):
            item = self.s.items.get(e["item_id"])
            if item is None or item.item_type not in ("jammer", "cabinet_unit"):
                bad("item_id", "unknown_unit", value=e["item_id"])
        if kind == "bag_weighed":
            item = self.s.items.get(e["bag_set_id"])
            if item is None or item.item_type != "shred_bag_set":
                bad("bag_set_id", "unknown_bag_set", value=e["bag_set_id"])
        for name in ("kg",):
            if name in FIELDS[kind]:
                value = e[name]
                if (isinstance(value, bool) or not isinstance(value, int | float)
                        or not math.isfinite(value) or value < 0):
                    bad(name, "event_bad_kg", value=value)
                elif value > limits.MAX_NUMBER["kg"]:
                    bad(name, "too_large", value=value, limit=f"{limits.MAX_NUMBER['kg']:,}")
        for name in ("new_end", "until", "start", "end"):
            if name in FIELDS[kind] and parse_time(str(e[name])) is None:
                bad(name, "bad_time", value=e[name])
        for name in ("at", "new_end", "until", "start", "end"):
            t = parse_time(str(e.get(name, ""))) if name == "at" or name in FIELDS[kind] else None
            if t and self.earliest and limits.time_outside(t, self.earliest, self.latest):
                bad(name, "time_out_of_range", value=e[name], low=f"{self.earliest:%Y-%m-%d}",
                    high=f"{self.latest:%Y-%m-%d}")
        if kind == "document_found" and vocab.lookup(vocab.LEVELS, str(e["level"])) is None:
            bad("level", "unknown_value", value=e["level"], choices=vocab.choices(vocab.LEVELS))
        if kind == "destroyed" and not (isinstance(e["witnesses"], list)
                                        and all(isinstance(w, str) and w
                                                for w in e["witnesses"])):
            bad("witnesses", "event_witnesses")
        if kind == "adhoc_session":
            self._check_adhoc(e, bad)
        if kind == "void":
            self._check_void(e, bad)
        if kind == "extend_session" and len(problems.items) == before:
            room, start, _end = self.sessions[e["session_id"]]
            new_end = parse_time(e["new_end"])
            if new_end <= start:
                bad("new_end", "end_not_after_start", start=start, end=e["new_end"])
            elif new_end - start > dt.timedelta(hours=limits.MAX_SESSION_HOURS):
                bad("new_end", "session_too_long", limit=limits.MAX_SESSION_HOURS, start=start,
                    end=e["new_end"])
            other = self._taken(room, start, new_end, but=e["session_id"])
            if other:
                bad("new_end", "event_room_taken", room=room, other=other)
        if len(problems.items) > before:
            return False
        self._remember(e)
        return True

    def _check_adhoc(self, e: dict, bad) -> None:
        if e["session_id"] in self.sessions:
            bad("session_id", "event_session_exists", value=e["session_id"])
        if e["room_id"] not in self.s.rooms:
            bad("room_id", "unknown_room", value=e["room_id"], file="the scenario")
        if vocab.lookup(vocab.KINDS, str(e["kind"])) is None:
            bad("kind", "unknown_value", value=e["kind"], choices=vocab.choices(vocab.KINDS))
        if vocab.lookup(vocab.LEVELS, str(e["level"])) is None:
            bad("level", "unknown_value", value=e["level"], choices=vocab.choices(vocab.LEVELS))
        a, b = parse_time(str(e["start"])), parse_time(str(e["end"]))
        n = e["attendees"]
        if isinstance(n, str) and n.strip().isdigit() and len(n) <= 15:
            n = e["attendees"] = int(n)  # as sessions.csv would have it
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            bad("attendees", "not_positive", value=n)
        elif n > limits.MAX_NUMBER["attendees"]:
            bad("attendees", "too_large", value=n, limit=f"{limits.MAX_NUMBER['attendees']:,}")
        if a and b and b <= a:
            bad("end", "end_not_after_start", start=e["start"], end=e["end"])
        elif a and b and b - a > dt.timedelta(hours=limits.MAX_SESSION_HOURS):
            bad("end", "session_too_long", limit=limits.MAX_SESSION_HOURS, start=e["start"],
                end=e["end"])
        if a and b and e["room_id"] in self.s.rooms:
            other = self._taken(e["room_id"], a, b)
            if other:
                bad("start", "event_room_taken", room=e["room_id"], other=other)

    def _check_void(self, e: dict, bad) -> None:
        """A void names an earlier entry that is not a void, not voided already, and (for
        an ad-hoc session) not named by a later entry still in force; and without which
        every later entry in force still fits (a cancelled session revived must not
        double-book a room a later ad-hoc session or extension took)."""
        if not isinstance(e["reason"], str):
            bad("reason", "event_not_text", field="reason", value=e["reason"])
        n = e["voids"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(self.history):
            bad("voids", "event_void_missing", value=n)
            return
        target, gone = self.history[n - 1], voided(self.history)
        if target.get("type") == "void":
            bad("voids", "event_void_void", value=n)
        elif n in gone:
            bad("voids", "event_void_twice", value=n)
        elif target.get("type") == "adhoc_session":
            later = [m for m, x in enumerate(self.history[n:], start=n + 1)
                     if m not in gone and x.get("session_id") == target["session_id"]]
            if later:
                bad("voids", "event_void_used", value=n, session=target["session_id"],
                    later=later[0])
                return
        if target.get("type") != "void" and n not in gone:
            later = self._no_longer_fits(n)
            if later:
                m, why = later
                bad("voids", "event_void_conflict", value=n, later=m,
                    why_zh=t(why.key, "zh", column=why.column, **why.params),
                    why_en=t(why.key, "en", column=why.column, **why.params))

    def _no_longer_fits(self, n: int) -> tuple[int, Problem] | None:
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

    def _taken(self, room: str, a, b, but: str = "") -> str | None:
        """The session already in ``room`` at some time in [a, b), if any."""
        for sid, (r, start, end) in self.sessions.items():
            if r == room and sid != but and sid not in self.cancelled and start < b and a < end:
                return sid
        return None


def check_events(scenario: Scenario, events: list[tuple[int, dict]], file: str,
                 problems: Problems, logged: list[dict] | None = None) -> list[dict]:
    """The events that pass, in order; every problem goes to ``problems``."""
    checker = EventChecker(scenario, logged)
    return [e for line, e in events if checker.check(e, file, line, problems)]
