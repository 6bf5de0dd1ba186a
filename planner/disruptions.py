"""What can go wrong at a congress, how often, and how much paper and lost documents come
back from each session: the rates the rehearsal draws from.

A scenario's ``scenario.yaml`` may set any of these under ``disruptions:``; unknown keys
are an error (with the closest key suggested). ``python -m planner rules`` lists them with
their defaults and sources, after the planning rules.

:func:`draw` turns the rates into one run's events, in the contract's event format, so a
drawn disruption is logged and re-planned exactly as a real one would be.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.errors import Problems
from planner.rules import documented, finite_number, parse_section, rule
from planner.vocabulary import KINDS, LEVELS, lookup

if TYPE_CHECKING:
    from planner.plan import Plan
    from planner.scenario import Scenario, Session


@dataclass(frozen=True)
class Disruptions:
    """Rates per congress day unless said otherwise; minutes; kg."""

    adhoc_per_day_venue: float = rule(
        0.5, "每个驻地每天新增的临时会议数（平均）",
        "ad-hoc sessions added per venue and day (mean, Poisson)",
        "000: 'agenda tight, many ad-hoc meetings'; 75 of 256 sessions were ad-hoc")
    adhoc_notice_minutes: list = rule(
        [60, 240], "临时会议提前多少分钟通知（区间）",
        "how long before its start an ad-hoc session is announced (range)",
        "field estimate: called in the morning for the afternoon, or an hour ahead")
    adhoc_minutes: list = rule(
        [60, 120], "临时会议时长（区间）", "length of an ad-hoc session (range)",
        "the reference congress's ad-hoc meetings last 60-120 min")
    adhoc_attendees: list = rule(
        [10, 40], "临时会议人数（区间，不超过会场容量）",
        "attendees of an ad-hoc session (range, at most the room's capacity)",
        "the reference congress's ad-hoc meetings: delegation leaders, working groups")
    adhoc_levels: dict = rule(
        {"secret": 0.4, "confidential": 0.4, "internal": 0.2}, "临时会议密级的比例",
        "share of ad-hoc sessions by level", "planning assumption: mostly secret or confidential")
    overrun_probability: float = rule(
        0.1, "一场会议超时的概率", "chance that a session runs over",
        "000: 'agenda tight'; group discussions often run over")
    overrun_minutes: list = rule(
        [10, 40], "超时时长（区间，5 分钟为单位）",
        "how long an overrun lasts (range, 5-minute steps)",
        "field estimate")
    overrun_notice_minutes: int = rule(
        10, "超时在原定结束前多少分钟得知", "minutes before the planned end an overrun is known",
        "field estimate: the chair announces it near the end")
    unit_failures_per_day: float = rule(
        1.0, "每天故障的干扰器和屏蔽柜数（平均，在布设前检测时发现）",
        "jammers and cabinet units failing per day (mean; found at the check before setup)",
        "000: 93 cabinet units and 53 jammers tested and maintained; one was in maintenance")
    staff_absences_per_day: float = rule(
        0.3, "每天临时不能到岗的人数（平均）", "people unexpectedly off duty per day (mean)",
        "field estimate: illness, called away")
    absence_minutes: list = rule(
        [120, 360], "临时不能到岗的时长（区间）", "how long someone is off duty (range)",
        "field estimate")
    boosters_per_day: float = rule(
        0.1, "每天新发现会场旁信号放大器的次数（平均）",
        "boosters found next to a room per day (mean)",
        "000 (Guizhou): poor shielding traced to carriers' amplifiers installed nearby")
    paper_kg_per_attendee_hour: dict = rule(
        {"plenary": 0.25, "presidium": 0.6, "delegation": 0.35, "group": 0.28,
         "election": 0.2, "briefing": 0.4, "adhoc": 0.3},
        "每人每小时会议产生的待销毁文件（千克），按会议类型",
        "paper for destruction per attendee-hour (kg), by session kind",
        "calibrated so the reference congress gives nearly 5 t (000: '近5吨')")
    paper_spread: float = rule(
        0.3, "每场文件量的离散程度（对数正态 σ）",
        "spread of one session's paper (lognormal sigma)", "planning assumption")
    documents_per_1000_attendees: dict = rule(
        {"top_secret": 2.0, "secret": 3.5, "confidential": 3.0, "internal": 2.5},
        "每千人次清理时发现的遗失文件数，按密级",
        "lost documents found at clean-ups per 1,000 attendees, by level",
        "calibrated so the reference congress finds about 32 (000: 遗失涉密及内部文件32件)")
    replan_batch_minutes: int = rule(
        15, "推演时同一批重新规划的事件间隔（分钟）",
        "rehearsal: events logged within this many minutes of the first are re-planned "
        "together, at the first one's time",
        "planning choice: the duty officer re-plans once for a burst of reports")

    @classmethod
    def documented(cls) -> list[tuple[str, object, str, str, str]]:
        return documented(cls)

    def paper_kg(self, s: Session) -> float:
        """The paper a session leaves, on average: attendees × hours × its kind's rate."""
        return s.attendees * s.minutes / 60 * self.paper_kg_per_attendee_hour.get(s.kind, 0.0)


RANGES = ("adhoc_notice_minutes", "adhoc_minutes", "adhoc_attendees", "overrun_minutes",
          "absence_minutes")
SHARES = {"adhoc_levels": LEVELS, "paper_kg_per_attendee_hour": KINDS,
          "documents_per_1000_attendees": LEVELS}


def parse_disruptions(raw: object, file: str, problems: Problems) -> Disruptions:
    """The ``disruptions:`` mapping, every bad key or value reported to ``problems``."""
    return parse_section(raw, Disruptions, "disruptions", _parse, file, problems)


def _parse(key: str, value: object, default: object) -> tuple[str, object]:
    """(why it is wrong, or "", the parsed value)."""
    if key in RANGES:
        if (not isinstance(value, list) or len(value) != 2 or not all(map(finite_number, value))
                or value[0] < 0 or value[0] > value[1]):
            return "must be a range [low, high] of numbers, 0 <= low <= high", None
        return "", [int(value[0]), int(value[1])]
    if key in SHARES:
        if not isinstance(value, dict):
            return "must be a mapping", None
        assert isinstance(default, dict)  # every SHARES field of Disruptions is a dict
        merged = {} if key == "adhoc_levels" else dict(default)
        for k, v in value.items():
            name = lookup(SHARES[key], str(k))
            if name is None:
                return f"unknown key {k}; use {', '.join(SHARES[key])}", None
            if not finite_number(v) or v < 0:
                return f"{k} must be a number, not below 0", None
            merged[name] = float(v)
        if key == "adhoc_levels" and not sum(merged.values()) > 0:
            return "the shares must not all be 0", None
        return "", merged
    if not finite_number(value) or value < 0:
        return "must be a number, not below 0", None
    if key == "overrun_probability" and value > 1:
        return "must be a probability between 0 and 1", None
    if isinstance(default, int) and not float(value).is_integer():
        return "must be a whole number", None
    assert isinstance(default, int | float)  # the other Disruptions fields are numbers
    return "", type(default)(value)


# -- drawing one run's disruptions -------------------------------------------------------------
def stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


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
