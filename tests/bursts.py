"""Random bursts of operator events at awkward moments, for the re-planning property test.

A burst is one to three events of any type, logged around one moment of the congress
picked to be awkward for the plan in force: a minute after a move left, during a
session's setup, in a session's last minute, just after a session ended, or two events
half an hour apart (re-planned with the default ``now``, the last event's time). Every
event is one the event checker accepts, so it is what an operator could log.
"""

from __future__ import annotations

import datetime as dt
import random

from planner.errors import Problems
from planner.events.log import check_events
from planner.model.plan import Plan
from planner.model.scenario import Scenario
from planner.model.times import stamp

MOMENTS = ("after_move", "setup", "last_minute", "just_ended", "half_hour_apart")
KINDS = ("adhoc_session", "cancel_session", "extend_session", "unit_failed", "unit_restored",
         "staff_unavailable", "booster_found", "patrol_done", "sweep_done", "cleanup_done",
         "unit_deployed", "bag_weighed", "document_found", "destroyed")


def moment(rng: random.Random, scenario: Scenario, plan: Plan, how: str) -> dt.datetime:
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    sessions = list(scenario.sessions.values())
    s = rng.choice(sessions)
    if how == "after_move" and plan.moves:
        return rng.choice(plan.moves).depart + dt.timedelta(minutes=1)
    if how == "setup":
        return s.start - setup / 2
    if how == "last_minute":
        return s.end - dt.timedelta(minutes=1)
    return s.end + dt.timedelta(minutes=rng.choice((0, 1, 5)))


def event(rng: random.Random, scenario: Scenario, plan: Plan, at: dt.datetime,
          kind: str, n: int) -> dict:
    """One event of ``kind`` at ``at``, about something that matters then."""
    near = sorted(scenario.sessions.values(),
                  key=lambda s: abs((s.start - at).total_seconds()))[:12]
    running = [s for s in scenario.sessions.values() if s.start <= at < s.end] or near
    s = rng.choice(running if kind in ("extend_session", "patrol_done") else near)
    e: dict = {"at": stamp(at), "type": kind}
    units = [a.item_id for a in plan.assignments if a.start <= at + dt.timedelta(hours=3)
             and a.end >= at] or [i.item_id for i in scenario.items_of("jammer")]
    staff = sorted(scenario.staff)
    if kind == "adhoc_session":
        room = rng.choice(sorted(scenario.rooms))
        start = at + dt.timedelta(minutes=rng.choice((20, 45, 60, 120)))
        e.update(session_id=f"AD{n:04d}", room_id=room, start=stamp(start),
                 end=stamp(start + dt.timedelta(minutes=rng.choice((30, 60, 90)))),
                 kind="adhoc", attendees=rng.choice((8, 25, 60)),
                 level=rng.choice(("top_secret", "secret", "confidential", "internal")))
    elif kind == "cancel_session":
        e.update(session_id=s.session_id)
    elif kind == "extend_session":
        e.update(session_id=s.session_id,
                 new_end=stamp(s.end + dt.timedelta(minutes=rng.choice((10, 30, 60)))))
    elif kind in ("unit_failed", "unit_restored", "unit_deployed"):
        e.update(item_id=rng.choice(units))
        if kind == "unit_deployed":
            e.update(session_id=s.session_id)
    elif kind == "staff_unavailable":
        e.update(staff_id=rng.choice(staff),
                 until=stamp(at + dt.timedelta(minutes=rng.choice((60, 180, 360)))))
    elif kind == "booster_found":
        e.update(room_id=s.room_id)
    elif kind in ("patrol_done", "sweep_done", "cleanup_done"):
        e.update(session_id=s.session_id, staff_id=rng.choice(staff))
    elif kind == "bag_weighed":
        bag = rng.choice([i.item_id for i in scenario.items_of("shred_bag_set")])
        e.update(bag_set_id=bag, kg=round(rng.uniform(0.5, 12), 1),
                 venue_id=scenario.venue_of(s.room_id))
    elif kind == "document_found":
        e.update(room_id=s.room_id, level="secret", note="left on a table")
    else:  # destroyed
        e.update(kg=20, venue_id=sorted(scenario.venues)[0], witnesses=staff[:2])
    return e


def burst(rng: random.Random, scenario: Scenario, plan: Plan, logged: list[dict],
          start: int = 0) -> list[dict]:
    """One to three events that the checker accepts after ``logged``, all at one awkward
    moment (or half an hour apart); ``start`` numbers the ad-hoc sessions."""
    how = rng.choice(MOMENTS)
    at = moment(rng, scenario, plan, how).replace(second=0, microsecond=0)
    out: list[dict] = []
    for k in range(rng.randint(1, 3)):
        when = at + dt.timedelta(minutes=30 * k) if how == "half_hour_apart" else at
        for _try in range(20):
            e = event(rng, scenario, plan, when, rng.choice(KINDS), start + len(out))
            problems = Problems()
            lines = list(enumerate([*logged, *out, e], start=1))
            if len(check_events(scenario, lines, "burst", problems)) == len(lines):
                out.append(e)
                break
    return out
