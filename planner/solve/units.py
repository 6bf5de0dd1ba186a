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

from planner.model.demand import STOCK_KINDS
from planner.model.place import Place
from planner.model.plan import Assignment, Move
from planner.model.scenario import Scenario
from planner.model.tasks import to_minute, to_time
from planner.solve.equipment_plan import EquipmentPlan, move_minutes


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

    pools: dict[str, dict[str, dict[str, tuple[Place, int]]]]
    arrived: dict[str, dict[str, list[str]]]


def name_units(scenario: Scenario, origin: dt.datetime, equipment: EquipmentPlan,
               trips: list[Trip], staffed: dict[str, tuple[str, int]],
               prefer: dict[tuple[str, str], list[str]] | None = None,
               state: UnitStart | None = None) -> tuple[list[Assignment], list[Move]]:
    """Assignments and moves per unit. ``prefer`` lists, per (type, session), the units
    a previous plan used there, so a re-plan keeps them where it can; ``state`` is where
    the units stand when re-planning (default: all in their depots)."""
    prefer = prefer or {}
    # when a previous plan next wants each unit: a unit taken instead of a liked one is
    # the one wanted latest (or never), so one change does not ripple through the day
    wanted: dict[str, list[int]] = defaultdict(list)
    for (_kind, sid), units in prefer.items():
        if sid in scenario.sessions:
            for unit in units:
                wanted[unit].append(to_minute(scenario.sessions[sid].start, origin))
    assignments: list[Assignment] = []
    moves: list[Move] = []
    for kind in STOCK_KINDS:
        replay = _Replay(scenario, origin, equipment, kind, prefer, wanted, assignments, moves)
        replay.start(state)
        replay.run(trips, staffed)
    return assignments, moves


class _Replay:
    """One type's units through the congress in time order (:func:`name_units`): each
    venue's pool of free units, the units in each session, those kept for a room's next
    session; the assignments and moves go to the lists given."""

    def __init__(self, scenario: Scenario, origin: dt.datetime, equipment: EquipmentPlan,
                 kind: str, prefer: dict[tuple[str, str], list[str]],
                 wanted: dict[str, list[int]], assignments: list[Assignment],
                 moves: list[Move]) -> None:
        self.scenario, self.origin, self.equipment, self.kind = scenario, origin, equipment, kind
        self.prefer, self.wanted = prefer, wanted
        self.assignments, self.moves = assignments, moves
        self.setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
        # per venue: unit -> (where, free from minute)
        self.pools: dict[str, dict[str, tuple[Place, int]]] = defaultdict(dict)
        self.arrived: dict[str, list[str]] = defaultdict(list)
        self.following = _next_in_room(scenario, equipment, kind)
        self.before = {b: a for a, b in self.following.items()}
        self.present: dict[str, list[str]] = {}
        self.reserved: dict[str, list[str]] = {}  # next session -> units kept in its room for it

    def start(self, state: UnitStart | None) -> None:
        """Where the units stand at first: ``state``, or all in their depots."""
        kind = self.kind
        if state is not None:
            for v, units in state.pools.get(kind, {}).items():
                self.pools[v].update(units)
            for sid, sent in state.arrived.get(kind, {}).items():
                self.arrived[sid] += sent
        else:
            for item in self.scenario.items_of(kind):
                if item.status == "ok":
                    self.pools[item.venue_id][item.item_id] = (Place.depot_of(item.venue_id),
                                                                -(10**9))

    def run(self, trips: list[Trip], staffed: dict[str, tuple[str, int]]) -> None:
        scenario, origin, kind, setup = self.scenario, self.origin, self.kind, self.setup
        events: list[tuple[int, int, str, str | Trip]] = []  # (minute, order, action, payload)
        for s in scenario.sessions.values():
            if (kind, s.session_id) in self.equipment.serve:
                events.append((to_minute(s.start - setup, origin), 2, "serve", s.session_id))
                events.append((to_minute(s.end, origin), 0, "release", s.session_id))
        for trip in trips:
            if trip.task_id in staffed and kind in trip.kinds:
                events.append((staffed[trip.task_id][1], 1, "depart", trip))
        for _minute, _order, action, payload in sorted(events, key=lambda e: (*e[:2], str(e[3]))):
            if action == "depart":
                assert isinstance(payload, Trip)  # a departure's payload is its trip
                self.depart(payload, *staffed[payload.task_id])
            else:
                assert isinstance(payload, str)  # serve and release carry a session id
                if action == "serve":
                    self.serve(payload)
                else:
                    self.release(payload)

    def soon(self, unit: str, after: int) -> int:
        return -min((m for m in self.wanted.get(unit, ()) if m > after), default=10**9)

    def stayers(self, units: list[str], sid: str | None) -> list:
        """The units of ``sid`` that stay for the room's next session, liked ones first."""
        keep = 0 if sid is None else self.equipment.stay.get((self.kind, sid), 0)
        if not keep:
            return []
        assert sid is not None  # keep is 0 without a session
        liked = set(self.prefer.get((self.kind, self.following.get(sid, "")), ()))
        return sorted(units, key=lambda x: (x not in liked, x))[:keep]

    def depart(self, trip: Trip, staff_id: str, start: int) -> None:
        """A staffed trip takes its units of this type from its pool: free ones, liked
        first, then those a previous plan wants latest."""
        scenario, origin = self.scenario, self.origin
        s = scenario.sessions[trip.session_id]
        want = trip.kinds.count(self.kind)
        pool = self.pools[trip.from_venue]
        liked = set(self.prefer.get((self.kind, trip.session_id), ()))
        free = sorted((u for u, (_w, t) in pool.items() if t <= start),
                      key=lambda u: (u not in liked, self.soon(u, start), pool[u][1], u))
        travel = move_minutes(scenario, trip.from_venue, scenario.venue_of(s.room_id))
        for unit in free[:want]:
            where, _ = pool.pop(unit)
            self.moves.append(Move(unit, where, Place.room(s.room_id), to_time(start, origin),
                                   to_time(start + travel, origin), staff_id, s.session_id))
            self.arrived[trip.session_id].append(unit)

    def serve(self, sid: str) -> None:
        s = self.scenario.sessions[sid]
        setup = self.setup
        # units staying from the room's previous session: kept aside when it ended,
        # or, if it has not ended yet (a gap shorter than the setup), chosen now
        stay = self.reserved.pop(sid, None)
        if stay is None:
            prev = self.before.get(sid)
            stay = self.stayers([] if prev is None else self.present.get(prev, []), prev)
        units = stay + self.arrived.pop(sid, [])
        self.present[sid] = units
        for unit in units:
            self.assignments.append(Assignment(unit, self.kind, sid, s.room_id, s.start - setup,
                                               s.end))

    def release(self, sid: str) -> None:
        """A session's units go back to its venue's pool, but those staying in the room."""
        s = self.scenario.sessions[sid]
        present = self.present
        nxt = self.following.get(sid)
        if nxt is None:
            keep = []
        elif nxt in present:  # already served: its stayers are known
            keep = [u for u in present[sid] if u in present[nxt]]
        else:
            keep = self.reserved[nxt] = self.stayers(present.get(sid, []), sid)
        venue = self.scenario.venue_of(s.room_id)
        for unit in present.get(sid, []):
            if unit not in keep:
                self.pools[venue][unit] = (Place.room(s.room_id), to_minute(s.end, self.origin))


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
