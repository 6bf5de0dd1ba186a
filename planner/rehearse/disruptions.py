"""What can go wrong at a congress, how often, and how much paper and lost documents come
back from each session: the rates the rehearsal draws from.

The rates are :class:`planner.model.scenario.Disruptions` (still importable from here): a
scenario's ``scenario.yaml`` may set any of them under ``disruptions:``; unknown keys
are an error (with the closest key suggested). ``python -m planner rules`` lists them with
their defaults and sources, after the planning rules.

:func:`draw` turns the rates into one run's events, in the contract's event format, so a
drawn disruption is logged and re-planned exactly as a real one would be.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

# the rates are a section of the scenario's settings: defined and read there, named here too
from planner.model.scenario import Disruptions, Scenario, Session
from planner.model.times import stamp

if TYPE_CHECKING:
    from planner.model.plan import Plan


# -- drawing one run's disruptions -------------------------------------------------------------
def _between(rng: np.random.Generator, bounds: list, step: int = 1) -> int:
    lo, hi = bounds
    return int(rng.integers(lo // step, hi // step + 1)) * step


def _day_time(rng: np.random.Generator, day: dt.date, first: int, last: int) -> dt.datetime:
    """A time on ``day`` between hours ``first`` and ``last``, to the 5 minutes."""
    minute = int(rng.integers(first * 12, last * 12)) * 5
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)


def draw(scenario: Scenario, plan: Plan, d: Disruptions,
         rng: np.random.Generator) -> list[dict]:
    """One run's disruptions as events (``at`` = when they are logged), in time order.

    Overruns first (never into the room's next session), then ad-hoc sessions in rooms
    free then (with the setup time before and the clean-up window after), unit failures
    (a unit the plan has idle at that time: found at the check before its next setup),
    people off duty, and boosters next to rooms that still have sessions ahead.
    """
    events: list[dict] = []
    sessions = sorted(scenario.sessions.values(), key=lambda s: (s.start, s.session_id))
    days = sorted({s.start.date() for s in sessions})
    busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for s in sessions:
        busy.setdefault(s.room_id, []).append((s.start, s.end))
    _draw_overruns(sessions, busy, d, rng, events)
    _draw_adhoc_sessions(scenario, days, busy, d, rng, events)
    _draw_unit_failures(scenario, plan, days, d, rng, events)
    _draw_absences(scenario, days, d, rng, events)
    _draw_boosters(scenario, sessions, days, d, rng, events)
    return sorted(events, key=lambda e: (e["at"], e["type"], str(e.get("session_id", ""))))


def _draw_overruns(sessions: list[Session], busy: dict[str, list[tuple[dt.datetime, dt.datetime]]],
                   d: Disruptions, rng: np.random.Generator, events: list[dict]) -> None:
    """Sessions that run over, never into the room's next session (``busy`` updated)."""
    for s in sessions:
        if rng.random() >= d.overrun_probability:
            continue
        extra = _between(rng, d.overrun_minutes, 5)
        later = [a for a, _b in busy[s.room_id] if a >= s.end]
        new_end = s.end + dt.timedelta(minutes=extra)
        if later:
            new_end = min(new_end, min(later))
        if new_end <= s.end:
            continue
        busy[s.room_id] = [(a, new_end if (a, b) == (s.start, s.end) else b)
                           for a, b in busy[s.room_id]]
        at = max(s.start, s.end - dt.timedelta(minutes=d.overrun_notice_minutes))
        events.append({"at": stamp(at), "type": "extend_session", "session_id": s.session_id,
                       "new_end": stamp(new_end)})


def _draw_adhoc_sessions(scenario: Scenario, days: list[dt.date],
                         busy: dict[str, list[tuple[dt.datetime, dt.datetime]]],
                         d: Disruptions, rng: np.random.Generator, events: list[dict]) -> None:
    """Ad-hoc sessions in rooms free then, with the setup time before and the clean-up
    window after (``busy`` updated)."""
    rules = scenario.rules
    margin_before = dt.timedelta(minutes=rules.setup_minutes)
    margin_after = dt.timedelta(minutes=rules.cleanup_window_minutes)
    levels = sorted(d.adhoc_levels)
    shares = np.array([d.adhoc_levels[k] for k in levels], dtype=float)
    n = 0
    for day in days:
        for venue in sorted(scenario.venues):
            rooms = sorted(r.room_id for r in scenario.rooms.values() if r.venue_id == venue)
            for _ in range(int(rng.poisson(d.adhoc_per_day_venue))):
                start = _day_time(rng, day, 8, 18)
                end = start + dt.timedelta(minutes=_between(rng, d.adhoc_minutes, 15))
                free = [r for r in rooms if all(
                    end + margin_after <= a or b + margin_after <= start - margin_before
                    for a, b in busy.get(r, []))]
                if not free:
                    continue
                room = free[int(rng.integers(len(free)))]
                n += 1
                attendees = min(_between(rng, d.adhoc_attendees), scenario.rooms[room].capacity)
                busy.setdefault(room, []).append((start, end))
                notice = dt.timedelta(minutes=_between(rng, d.adhoc_notice_minutes, 5))
                events.append({
                    "at": stamp(start - notice), "type": "adhoc_session",
                    "session_id": f"RH{day:%m%d}{n:03d}", "room_id": room,
                    "start": stamp(start), "end": stamp(end), "kind": "adhoc",
                    "attendees": max(1, attendees),
                    "level": levels[int(rng.choice(len(levels), p=shares / shares.sum()))],
                    "name": "推演临时会议"})


def _draw_unit_failures(scenario: Scenario, plan: Plan, days: list[dt.date], d: Disruptions,
                        rng: np.random.Generator, events: list[dict]) -> None:
    """Unit failures: found at the check before the unit's next setup, so while it is idle."""
    units = sorted(i.item_id for i in scenario.items.values()
                   if i.item_type in ("jammer", "cabinet_unit") and i.status == "ok")
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    serving: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for a in plan.assignments:
        serving.setdefault(a.item_id, []).append((a.start - setup, a.end))
    failed: set[str] = set()
    for day in days:
        for _ in range(int(rng.poisson(d.unit_failures_per_day))):
            at = _day_time(rng, day, 7, 19)
            idle = [u for u in units if u not in failed
                    and not any(a <= at < b for a, b in serving.get(u, []))]
            if not idle:
                continue
            unit = idle[int(rng.integers(len(idle)))]
            failed.add(unit)
            events.append({"at": stamp(at), "type": "unit_failed", "item_id": unit})


def _draw_absences(scenario: Scenario, days: list[dt.date], d: Disruptions,
                   rng: np.random.Generator, events: list[dict]) -> None:
    """People off duty for a while during their shift."""
    staff = sorted(scenario.staff)
    for day in days:
        for _ in range(int(rng.poisson(d.staff_absences_per_day))):
            p = staff[int(rng.integers(len(staff)))]
            shift = scenario.staff[p]
            begin = dt.datetime.combine(day, shift.shift_start)
            length = int((dt.datetime.combine(day, shift.shift_end) - begin).total_seconds()
                         // 60) % (24 * 60) or 24 * 60
            at = begin + dt.timedelta(minutes=int(rng.integers(0, max(1, length // 5))) * 5)
            until = at + dt.timedelta(minutes=_between(rng, d.absence_minutes, 5))
            events.append({"at": stamp(at), "type": "staff_unavailable", "staff_id": p,
                           "until": stamp(until)})


def _draw_boosters(scenario: Scenario, sessions: list[Session], days: list[dt.date],
                   d: Disruptions, rng: np.random.Generator, events: list[dict]) -> None:
    """Boosters found next to rooms that still have sessions ahead."""
    for day in days:
        for _ in range(int(rng.poisson(d.boosters_per_day))):
            at = _day_time(rng, day, 7, 19)
            rooms = sorted({s.room_id for s in sessions if s.start > at
                            and scenario.rooms[s.room_id].signal != "booster"})
            if rooms:
                events.append({"at": stamp(at), "type": "booster_found",
                               "room_id": rooms[int(rng.integers(len(rooms)))]})
