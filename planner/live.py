"""The congress as the event log says it now is: the scenario with the logged events applied.

Re-planning and the rehearsal read the world through :func:`apply_events`, so an
event means one thing everywhere. Events that record work done (patrols, sweeps,
clean-ups, bags weighed, documents found, destruction) change nothing here: they
are what the report counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from planner import vocabulary as vocab
from planner.scenario import Scenario, Session, parse_time


def voided(events: list[dict]) -> dict[int, dict]:
    """The entries that ``void`` entries void: {entry number: the void entry}. An entry's
    number is its ``seq``, or its place in ``events`` (1, 2, …) when the log's own fields
    were left off (a JSON Lines file)."""
    return {e["voids"]: e for e in events if e.get("type") == "void"}


def in_force(events: list[dict]) -> list[dict]:
    """The events that count: without the ``void`` entries and the entries they void.
    Every reader that applies the log (re-planning, the report, the dashboard) goes
    through this, so a voided entry counts for nothing anywhere."""
    gone = voided(events)
    if not gone:
        return events
    return [e for n, e in enumerate(events, start=1)
            if e.get("type") != "void" and e.get("seq", n) not in gone]


def apply_events(scenario: Scenario, events: list[dict],
                 until: dt.datetime | None = None) -> Scenario:
    """A new scenario with ``events`` (checked ones, in log order) applied.

    Only events logged at or before ``until`` count, when it is given; voided entries
    (and the voids) never do.
    """
    events = in_force(events)
    sessions = dict(scenario.sessions)
    items = dict(scenario.items)
    rooms = dict(scenario.rooms)
    unavailable = {k: list(v) for k, v in scenario.unavailable.items()}
    failed_since = dict(scenario.failed_since)
    cancelled = dict(scenario.cancelled)
    for e in events:
        at = parse_time(str(e["at"]))
        if until is not None and at is not None and at > until:
            continue
        kind = e["type"]
        if kind == "adhoc_session":
            sessions[e["session_id"]] = Session(
                e["session_id"], e["room_id"], parse_time(e["start"]), parse_time(e["end"]),
                vocab.lookup(vocab.KINDS, str(e["kind"])), int(e["attendees"]),
                vocab.lookup(vocab.LEVELS, str(e["level"])), name=str(e.get("name", "")),
                group_id=str(e.get("group_id", "") or ""))
        elif kind == "cancel_session":
            if sessions.pop(e["session_id"], None) is not None:
                cancelled[e["session_id"]] = at
        elif kind == "extend_session" and e["session_id"] in sessions:
            s = sessions[e["session_id"]]
            sessions[s.session_id] = dataclasses.replace(s, end=parse_time(e["new_end"]),
                                                         planned_end=s.planned_end or s.end)
        elif kind in ("unit_failed", "unit_restored"):
            status = "maintenance" if kind == "unit_failed" else "ok"
            items[e["item_id"]] = dataclasses.replace(items[e["item_id"]], status=status)
            if kind == "unit_failed":
                failed_since.setdefault(e["item_id"], at)
            else:
                failed_since.pop(e["item_id"], None)
        elif kind == "staff_unavailable":
            unavailable.setdefault(e["staff_id"], []).append((at, parse_time(e["until"])))
        elif kind == "booster_found":
            rooms[e["room_id"]] = dataclasses.replace(rooms[e["room_id"]], signal="booster")
    ordered = dict(sorted(sessions.items(), key=lambda kv: (kv[1].start, kv[0])))
    return dataclasses.replace(scenario, sessions=ordered, items=items, rooms=rooms,
                               unavailable=unavailable, failed_since=failed_since,
                               cancelled=cancelled)
