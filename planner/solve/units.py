"""Naming the units: turn the model's counts into which jammer or cabinet unit goes where.

Replays the congress in time order. Each venue keeps a pool of units that are
free (in its depot or left in a room after a session). A session is served by
the units that stay in its room from the room's previous session, plus the
units carried in by the moves that were staffed; a move takes units from its
source pool. Where a move found no one to carry it, its units never arrive, and
the plan says so rather than pretending.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from planner.demand import STOCK_KINDS
from planner.plan import Assignment, Move
from planner.scenario import Scenario
from planner.solve.equipment import EquipmentPlan, move_minutes
from planner.tasks import to_minute, to_time


@dataclass(frozen=True)
class Trip:
    """One person's load on one trip from a venue's pool to a session's room."""

    task_id: str
    from_venue: str
    session_id: str
    kinds: tuple[str, ...]   # one entry per unit carried, e.g. ("jammer", "cabinet_unit")


@dataclass
class UnitStart:
    """The units as they stand when re-planning: per type, each venue's free units
    (unit -> (where, free from minute)), and the units already in or sent to a session."""

    pools: dict[str, dict[str, dict[str, tuple[str, int]]]]
    arrived: dict[str, dict[str, list[str]]]


def name_units(scenario: Scenario, origin: dt.datetime, equipment: EquipmentPlan,
               trips: list[Trip], staffed: dict[str, tuple[str, int]],
               prefer: dict[tuple[str, str], list[str]] | None = None,
               state: UnitStart | None = None) -> tuple[list[Assignment], list[Move]]:
    """Assignments and moves per unit. ``prefer`` lists, per (type, session), the units
    a previous plan used there, so a re-plan keeps them where it can; ``state`` is where
    the units stand when re-planning (default: all in their depots)."""
    prefer = prefer or {}
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    # when a previous plan next wants each unit: a unit taken instead of a liked one is
    # the one wanted latest (or never), so one change does not ripple through the day
    wanted: dict[str, list[int]] = defaultdict(list)
    for (_kind, sid), units in prefer.items():
        if sid in scenario.sessions:
            for unit in units:
                wanted[unit].append(to_minute(scenario.sessions[sid].start, origin))

    def soon(unit: str, after: int) -> int:
        return -min((m for m in wanted.get(unit, ()) if m > after), default=10**9)

    assignments: list[Assignment] = []
    moves: list[Move] = []
    for kind in STOCK_KINDS:
        pools: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)  # unit -> (where, free)
        arrived: dict[str, list[str]] = defaultdict(list)
        if state is not None:
            for v, units in state.pools.get(kind, {}).items():
                pools[v].update(units)
            for sid, units in state.arrived.get(kind, {}).items():
                arrived[sid] += units
        else:
            for item in scenario.items_of(kind):
                if item.status == "ok":
                    pools[item.venue_id][item.item_id] = (f"depot:{item.venue_id}", -(10**9))
        events = []  # (minute, order, action, payload)
        for s in scenario.sessions.values():
            if (kind, s.session_id) in equipment.serve:
                events.append((to_minute(s.start - setup, origin), 2, "serve", s.session_id))
                events.append((to_minute(s.end, origin), 0, "release", s.session_id))
        for trip in trips:
            if trip.task_id in staffed and kind in trip.kinds:
                events.append((staffed[trip.task_id][1], 1, "depart", trip))
        following = _next_in_room(scenario, equipment, kind)
        before = {b: a for a, b in following.items()}
        present: dict[str, list[str]] = {}
        reserved: dict[str, list[str]] = {}  # next session -> units kept in its room for it

        def stayers(units: list[str], sid: str | None, kind=kind, following=following) -> list:
            """The units of ``sid`` that stay for the room's next session, liked ones first."""
            keep = 0 if sid is None else equipment.stay.get((kind, sid), 0)
            if not keep:
                return []
            liked = set(prefer.get((kind, following.get(sid, "")), ()))
            return sorted(units, key=lambda x: (x not in liked, x))[:keep]

        for _minute, _order, action, payload in sorted(events, key=lambda e: (*e[:2], str(e[3]))):
            if action == "depart":
                trip = payload
                staff_id, start = staffed[trip.task_id]
                s = scenario.sessions[trip.session_id]
                want = trip.kinds.count(kind)
                pool = pools[trip.from_venue]
                liked = set(prefer.get((kind, trip.session_id), ()))
                free = sorted((u for u, (_w, t) in pool.items() if t <= start),
                              key=lambda u: (u not in liked, soon(u, start), pool[u][1], u))
                travel = move_minutes(scenario, trip.from_venue, scenario.venue_of(s.room_id))
                for unit in free[:want]:
                    where, _ = pool.pop(unit)
                    moves.append(Move(unit, where, s.room_id, to_time(start, origin),
                                      to_time(start + travel, origin), staff_id, s.session_id))
                    arrived[trip.session_id].append(unit)
            elif action == "serve":
                sid = payload
                s = scenario.sessions[sid]
                # units staying from the room's previous session: kept aside when it ended,
                # or, if it has not ended yet (a gap shorter than the setup), chosen now
                stay = reserved.pop(sid, None)
                if stay is None:
                    stay = stayers(present.get(before.get(sid), []), before.get(sid))
                units = stay + arrived.pop(sid, [])
                present[sid] = units
                for unit in units:
                    assignments.append(Assignment(unit, kind, sid, s.room_id, s.start - setup,
                                                  s.end))
            else:  # release
                sid = payload
                s = scenario.sessions[sid]
                nxt = following.get(sid)
                if nxt is None:
                    keep = []
                elif nxt in present:  # already served: its stayers are known
                    keep = [u for u in present[sid] if u in present[nxt]]
                else:
                    keep = reserved[nxt] = stayers(present.get(sid, []), sid)
                venue = scenario.venue_of(s.room_id)
                for unit in present.get(sid, []):
                    if unit not in keep:
                        pools[venue][unit] = (s.room_id, to_minute(s.end, origin))
    return assignments, moves


def _next_in_room(scenario: Scenario, equipment: EquipmentPlan, kind: str) -> dict[str, str]:
    """For each session served with ``kind``, the room's next session served with it."""
    out: dict[str, str] = {}
    last: dict[str, str] = {}
    for s in scenario.sessions.values():
        if (kind, s.session_id) in equipment.serve:
            if s.room_id in last:
                out[last[s.room_id]] = s.session_id
            last[s.room_id] = s.session_id
    return out
