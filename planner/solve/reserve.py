"""The N-1 reserve (备用设备): how much of the congress a plan keeps a spare unit for.

A session at a level in ``rules.reserve_levels`` is *protected* for a unit type it
needs when, at the latest moment a unit could leave for it from some venue within
reach (road time, loading and setup counted, as for any move), a usable unit of that
type stands idle there: not serving, not on its way, and not waiting in a room for
that room's next session. Should one of its units fail at the check before setup,
that unit can replace it in time.

Counted from the plan's rows (assignments and moves) and the scenario alone, so the
figure in ``summary.json`` is what the files show; the equipment model keeps the
reserve as a stage after coverage and before moves (:mod:`planner.solve.equipment`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict

from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.place import Place
from planner.model.plan import Plan
from planner.model.scenario import Scenario


def _busy(plan: Plan) -> dict[str, list[tuple[dt.datetime, dt.datetime, Place]]]:
    """Per unit: the spans it is taken (serving, moving, or held in a room for the room's
    next session) and, for each, the place it is at the span's end."""
    spans: dict[str, list[tuple[dt.datetime, dt.datetime, Place]]] = defaultdict(list)
    for a in plan.assignments:
        spans[a.item_id].append((a.start, a.end, Place.room(a.room_id)))
    for m in plan.moves:
        spans[m.item_id].append((m.depart, m.arrive, m.to_room_id))
    out = {}
    for unit, items in spans.items():
        items.sort()
        held = []
        for (_a1, b1, r1), (a2, _b2, r2) in itertools.pairwise(items):
            if r1 == r2 and a2 > b1:
                held.append((b1, a2, r1))  # stays in the room for its next session
        out[unit] = sorted(items + held)
    return out


def protection(scenario: Scenario, plan: Plan, requirements: dict) -> dict:
    """How many (session, unit type) pairs that need units are protected, over all
    sessions and over those at ``reserve_levels``: ``{"protected", "of", "share",
    "at_reserve_levels": {"protected", "of"}}``."""
    levels = set(scenario.rules.reserve_levels)
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    radius = scenario.rules.move_radius_minutes
    net = scenario.network
    busy = _busy(plan)
    starts = {unit: [a for a, _b, _w in spans] for unit, spans in busy.items()}
    # where each unit ever stands: only units that stand within reach of a venue at some
    # time can serve there, nearest first (the answer is the same, found sooner)
    standing: dict[tuple[str, str], set] = defaultdict(set)  # (kind, venue) -> units
    for i in scenario.items.values():
        if i.status == "ok":
            for v in {i.venue_id} | {scenario.venue_at(w) for _a, _b, w in
                                     busy.get(i.item_id, [])}:
                standing[i.item_type, v].add(i)
    candidates: dict[tuple[str, str], list] = {}

    def near(kind: str, venue: str) -> list:
        if (kind, venue) not in candidates:
            units = set().union(*(standing[kind, v] for v in scenario.venues
                                  if net.travel_minutes(v, venue) <= radius))
            candidates[kind, venue] = sorted(
                units, key=lambda i: (net.travel_minutes(i.venue_id, venue), i.item_id))
        return candidates[kind, venue]

    counts = {True: [0, 0], False: [0, 0]}  # at a reserve level? -> [protected, of]
    for sid, req in requirements.items():
        s = scenario.sessions[sid]
        venue = scenario.venue_of(s.room_id)
        for kind in STOCK_KINDS:
            if getattr(req, REQUIREMENT_FIELD[kind]) <= 0:
                continue
            mine = counts[s.level in levels]
            mine[1] += 1
            mine[0] += any(_idle_in_reach(scenario, busy.get(i.item_id, []),
                                          starts.get(i.item_id, []), i, venue,
                                          s.start - setup, radius, s.start)
                           for i in near(kind, venue))
    protected, of = counts[True][0] + counts[False][0], counts[True][1] + counts[False][1]
    return {"protected": protected, "of": of, "share": round(protected / of, 4) if of else 1.0,
            "at_reserve_levels": {"protected": counts[True][0], "of": counts[True][1]}}


def _idle_in_reach(scenario: Scenario, spans, starts, item, venue: str, due: dt.datetime,
                   radius: float, start: dt.datetime) -> bool:
    """Could the unit leave from where it stands, idle, and be in the room by ``due``?
    ``spans`` are its taken spans in order, ``starts`` their starts."""
    failed = scenario.failed_since.get(item.item_id)
    if failed is not None and failed <= start:
        return False
    place, free = Place.depot_of(item.venue_id), dt.datetime.min
    last = bisect.bisect_right(starts, due)  # the spans begun by ``due``
    if last:
        _a, free, place = spans[last - 1]
    here = scenario.venue_at(place)
    if scenario.network.travel_minutes(here, venue) > radius:
        return False
    return free <= due - dt.timedelta(minutes=scenario.move_minutes(here, venue))
