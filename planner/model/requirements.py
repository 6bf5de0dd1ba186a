"""What each session needs, derived from the rules (or taken from its override columns).

- jammers (信号干扰器): ``ceil(area × signal factor / jammer_area_m2)`` for levels in
  ``jammer_levels``, plus ``top_secret_extra_jammers`` at a top-secret session;
- cabinet units (手机屏蔽柜, 节): ``ceil(attendees × phones_per_attendee /
  cabinet_slots_per_unit)`` for levels in ``cabinet_levels``;
- patrols (巡查): one soon after the start and one more every full
  ``patrol_interval_minutes[level]``, i.e. ``1 + minutes // interval``, at least ``min_patrols``;
- a sweep (安全检测) before each room's first session of a day and before every
  session whose level is in ``sweep_levels``;
- a recess clean-up (休会清理) after every session.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from planner.model.rules import Rules
from planner.model.scenario import Group, Room, Scenario, Session


@dataclass(frozen=True)
class Requirement:
    session_id: str
    jammers: int
    cabinet_units: int
    patrols: int
    sweep: bool
    cleanup: bool
    overridden: tuple[str, ...] = ()


def jammers_for(room: Room, level: str, rules: Rules) -> int:
    if level not in rules.jammer_levels:
        return 0
    n = math.ceil(room.area_m2 * rules.signal_factor[room.signal] / rules.jammer_area_m2 - 1e-9)
    return n + (rules.top_secret_extra_jammers if level == "top_secret" else 0)


def cabinet_units_for(attendees: int, level: str, rules: Rules) -> int:
    if level not in rules.cabinet_levels:
        return 0
    phones = attendees * rules.phones_per_attendee
    return math.ceil(phones / rules.cabinet_slots_per_unit - 1e-9)


def patrols_for(minutes: float, level: str, rules: Rules) -> int:
    return max(rules.min_patrols, 1 + math.floor(minutes / rules.patrol_interval_minutes[level]))


def patrol_spans(s: Session, patrols: int, rules: Rules
                 ) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """Where a session's patrols go: (from, to, how many) spread over each stretch. A
    session that ran over keeps the patrols of its planned span there (those may be done
    already), and the patrols its overrun adds go in the overrun."""
    if s.planned_end is None or s.planned_end >= s.end:
        return [(s.start, s.end, patrols)]
    planned = (s.planned_end - s.start).total_seconds() / 60
    first = (patrols if s.patrols_required is not None
             else min(patrols, patrols_for(planned, s.level, rules)))
    return [(s.start, s.planned_end, first), (s.planned_end, s.end, patrols - first)]


def bag_sets_for(group: Group, rules: Rules) -> int:
    """Shred-bag sets (文件销毁袋, 套) a group holds; the groups.csv ``bag_sets`` column wins."""
    if group.bag_sets is not None:
        return group.bag_sets
    return max(rules.min_bag_sets_per_group, math.ceil(group.members / rules.members_per_bag_set))


def sweeps_due(scenario: Scenario) -> set[str]:
    """Sessions that need a sweep: each room's first of a day, and every listed level."""
    due: set[str] = set()
    seen: set[tuple[str, object]] = set()
    for s in scenario.sessions.values():  # in start order
        key = (s.room_id, s.start.date())
        if key not in seen:
            seen.add(key)
            due.add(s.session_id)
        if s.level in scenario.rules.sweep_levels:
            due.add(s.session_id)
    return due


def derive(scenario: Scenario) -> dict[str, Requirement]:
    """The requirement of every session, in start order."""
    rules = scenario.rules
    sweeps = sweeps_due(scenario)
    out: dict[str, Requirement] = {}
    for s in scenario.sessions.values():
        out[s.session_id] = requirement(s, scenario.rooms[s.room_id], rules,
                                        sweep=s.session_id in sweeps)
    return out


def requirement(s: Session, room: Room, rules: Rules, sweep: bool) -> Requirement:
    derived = {
        "jammers_required": jammers_for(room, s.level, rules),
        "cabinet_units_required": cabinet_units_for(s.attendees, s.level, rules),
        "patrols_required": patrols_for(s.minutes, s.level, rules),
    }
    overridden = tuple(k for k in derived if getattr(s, k) is not None)
    for k in overridden:
        derived[k] = getattr(s, k)
    return Requirement(s.session_id, derived["jammers_required"],
                       derived["cabinet_units_required"], derived["patrols_required"],
                       sweep=sweep, cleanup=True, overridden=overridden)
