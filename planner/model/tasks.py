"""The staff work each session calls for, as tasks with time windows (in minutes).

- sweep (安全检测): ends before the start, no earlier than ``sweep_lead_minutes`` before
  it; a crew of ``ceil(area / sweep_m2_per_person)`` people;
- patrol (巡查): ``patrol_minutes`` in the room while the session runs, patrol *i* of
  *n* inside the *i*-th of *n* equal stretches of the session, so patrols are spread;
- cleanup (休会清理检查): starts within ``cleanup_window_minutes`` of the end; a crew of
  ``ceil(attendees / cleanup_attendees_per_person)``;
- collect (收取销毁袋): a group's shred bags collected after its last session of each
  day, within ``collect_window_minutes``, at the room of that session.

Moves are tasks too, but they come from the equipment plan (:mod:`planner.solve.orchestrate`).
Times are whole minutes since :func:`epoch`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from planner.model.requirements import Requirement, patrol_spans
from planner.model.scenario import Scenario

TASK_KINDS = ("sweep", "patrol", "cleanup", "move", "collect")


def epoch(scenario: Scenario) -> dt.datetime:
    """Midnight of the day before the first session: minute 0 of the plan."""
    first = min(s.start for s in scenario.sessions.values()).date() if scenario.sessions else (
        dt.date(2000, 1, 2))
    return dt.datetime.combine(first - dt.timedelta(days=1), dt.time())


MINUTE = dt.timedelta(minutes=1)


def to_minute(t: dt.datetime, origin: dt.datetime) -> int:
    return (t - origin) // MINUTE


def to_time(m: int, origin: dt.datetime) -> dt.datetime:
    return origin + int(m) * MINUTE


@dataclass(frozen=True)
class Task:
    """One person's piece of work: start somewhere in [earliest, latest], for ``duration``."""

    task_id: str
    kind: str
    session_id: str
    room_id: str
    venue_id: str
    earliest: int
    latest: int
    duration: int
    index: int = 0          # patrol number, or crew member number
    busy_after: int = 0     # minutes the person is still away after the task (return trip)
    from_venue: str = ""    # where a move starts


def session_tasks(scenario: Scenario, requirements: dict[str, Requirement],
                  origin: dt.datetime) -> list[Task]:
    """Sweeps, patrols, clean-ups and bag collections for every session."""
    rules = scenario.rules
    tasks: list[Task] = []
    room_free: dict[str, int] = {}  # session -> when its room's previous session ends
    ends: dict[str, int] = {}
    for s in scenario.sessions.values():  # in start order
        if s.room_id in ends:
            room_free[s.session_id] = ends[s.room_id]
        ends[s.room_id] = max(ends.get(s.room_id, 0), to_minute(s.end, origin))
    last_of_day = {}
    for s in sorted(scenario.sessions.values(), key=lambda s: s.end):
        if s.group_id:
            last_of_day[s.group_id, s.start.date()] = s.session_id
    rules_key = repr(rules)  # the rules by what they say (Rules, with dicts, has no hash)
    for s in scenario.sessions.values():
        sid = s.session_id
        key = (rules_key, origin, s, requirements[sid], scenario.rooms[s.room_id],
               room_free.get(sid, 0), last_of_day.get((s.group_id, s.start.date())) == sid)
        known = _CACHE.get(key)
        if known is None:
            known = _CACHE[key] = _tasks_of(*key[2:], rules, origin)
        tasks += known
    if len(_CACHE) > 100_000:  # a long-running process re-plans many congresses
        _CACHE.clear()
    return tasks


# a session's tasks, by everything they depend on (the rules by their text): a re-plan or a
# rehearsal asks for the same sessions' tasks again and again
_CACHE: dict[tuple, list[Task]] = {}


def _tasks_of(s, req: Requirement, room, room_free: int, last: bool, rules,
              origin: dt.datetime) -> list[Task]:
    tasks = []
    v = room.venue_id
    start, end = to_minute(s.start, origin), to_minute(s.end, origin)
    sid = s.session_id
    if req.sweep:
        # not while the room's previous session still runs: that sweep would be worthless
        earliest = max(start - rules.sweep_lead_minutes, room_free)
        for k in range(sweep_crew(room.area_m2, rules)):
            tasks.append(Task(f"{sid}:sweep:{k}", "sweep", sid, s.room_id, v, earliest,
                              start - rules.sweep_minutes, rules.sweep_minutes, k))
    windows = []
    for span_start, span_end, n in patrol_spans(s, req.patrols, rules):
        a, b = to_minute(span_start, origin), to_minute(span_end, origin)
        patrol = min(rules.patrol_minutes, b - a)  # a very short session: short visits
        windows += [(lo, hi, patrol) for lo, hi in patrol_windows(a, b, n, patrol)]
    for i, (lo, hi, patrol) in enumerate(windows):
        tasks.append(Task(f"{sid}:patrol:{i}", "patrol", sid, s.room_id, v, lo, hi, patrol, i))
    if req.cleanup:
        for k in range(cleanup_crew(s.attendees, rules)):
            tasks.append(Task(f"{sid}:cleanup:{k}", "cleanup", sid, s.room_id, v, end,
                              end + rules.cleanup_window_minutes, rules.cleanup_minutes, k))
    if last:
        tasks.append(Task(f"{sid}:collect:0", "collect", sid, s.room_id, v, end,
                          end + rules.collect_window_minutes, rules.collect_minutes))
    return tasks


def patrol_windows(start: int, end: int, n: int, minutes: int) -> list[tuple[int, int]]:
    """Earliest and latest start of each of ``n`` patrols spread over [start, end]."""
    if n <= 0:
        return []
    span = (end - start) / n
    out = []
    for i in range(n):
        lo = min(start + math.ceil(i * span), end - minutes)
        hi = max(lo, min(start + math.floor((i + 1) * span) - minutes, end - minutes))
        out.append((lo, hi))
    return out


def sweep_crew(area_m2: float, rules) -> int:
    return max(1, math.ceil(area_m2 / rules.sweep_m2_per_person - 1e-9))


def cleanup_crew(attendees: int, rules) -> int:
    return max(1, math.ceil(attendees / rules.cleanup_attendees_per_person - 1e-9))
