"""A validated scenario: the congress as the user's files describe it, immutable.

:func:`planner.io.scenario_files.load_scenario` makes one from a folder or a workbook,
having checked every row; nothing else builds a :class:`Scenario` from files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.errors import Problem
from planner.model.network import VenueNetwork
from planner.model.place import Place
from planner.model.rules import Rules, documented, rule


@dataclass(frozen=True)
class Venue:
    """驻地: a hotel or hall where delegations stay and meet."""

    venue_id: str
    name: str
    has_destruction: bool


@dataclass(frozen=True)
class Room:
    """会场: a meeting room in a venue."""

    room_id: str
    venue_id: str
    name: str
    area_m2: float
    capacity: int
    signal: str


@dataclass(frozen=True)
class Session:
    """场次: one meeting in one room; ``row`` is its row in sessions.csv."""

    session_id: str
    room_id: str
    start: dt.datetime
    end: dt.datetime
    kind: str
    attendees: int
    level: str
    name: str = ""
    group_id: str = ""
    jammers_required: int | None = None
    cabinet_units_required: int | None = None
    patrols_required: int | None = None
    row: int = 0
    planned_end: dt.datetime | None = None  # set when it runs over: the end it had

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Item:
    """One unit of stock: a jammer, a cabinet unit (节) or a shred-bag set (套)."""

    item_id: str
    item_type: str
    venue_id: str
    capacity: float
    status: str


@dataclass(frozen=True)
class Staff:
    """A member of the team; the shift repeats daily and may run past midnight."""

    staff_id: str
    name: str
    role: str
    venue_id: str
    shift_start: dt.time
    shift_end: dt.time

    def on_shift(self, a: dt.datetime, b: dt.datetime) -> bool:
        """Whether a shift (the day's, or one begun the day before and past midnight)
        overlaps [a, b)."""
        for day in (a.date() - dt.timedelta(days=1), a.date()):
            start = dt.datetime.combine(day, self.shift_start)
            end = dt.datetime.combine(day, self.shift_end)
            if end <= start:
                end += dt.timedelta(days=1)
            if start < b and end > a:
                return True
        return False


@dataclass(frozen=True)
class Group:
    """A delegation or working group that holds shred-bag sets."""

    group_id: str
    name: str
    venue_id: str
    members: int
    bag_sets: int | None = None


# -- the rehearsal's rates (scenario.yaml's disruptions:; drawn by planner.rehearse) ----------
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








# -- the scenario -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    timezone: str
    rules: Rules
    venues: dict[str, Venue]
    rooms: dict[str, Room]
    sessions: dict[str, Session]
    items: dict[str, Item]
    staff: dict[str, Staff]
    groups: dict[str, Group]
    travel: list[tuple[str, str, float]]
    network: VenueNetwork
    disruptions: Disruptions = field(default_factory=Disruptions)
    published: dict = field(default_factory=dict)
    # staff_id -> [(from, until)] when a person cannot work (logged: staff_unavailable)
    unavailable: dict = field(default_factory=dict)
    # item_id -> when a unit logged as failed (and not restored) failed: it served until then
    failed_since: dict = field(default_factory=dict)
    # session_id -> when it was cancelled: work done for it before then is history, not error
    cancelled: dict = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""

    def move_minutes(self, from_venue: str, to_venue: str) -> int:
        """Door-to-door minutes to move a unit: within a venue, or by road plus loading."""
        if from_venue == to_venue:
            return self.rules.move_within_venue_minutes
        return self.network.whole_minutes(from_venue, to_venue) + self.rules.loading_minutes

    def venue_at(self, place: Place) -> str:
        """The venue of a place: a room's, or the depot's own."""
        return place.depot if place.is_depot else self.venue_of(place.room_id)

    def venue_of(self, room_id: str) -> str:
        return self.rooms[room_id].venue_id

    def destruction_site(self, venue_id: str) -> str:
        """The venue able to destroy paper nearest to ``venue_id`` (itself, if it can),
        where paper recovered there is taken; ``venue_id`` itself if none can."""
        sites = sorted(v for v, venue in self.venues.items() if venue.has_destruction)
        if venue_id not in self.venues or not sites:
            return venue_id
        return min(sites, key=lambda s: (self.network.travel_minutes(venue_id, s), s))

    def days(self) -> list[dt.date]:
        return sorted({s.start.date() for s in self.sessions.values()})

    def items_of(self, item_type: str) -> list[Item]:
        return [i for i in self.items.values() if i.item_type == item_type]






































