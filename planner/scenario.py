"""A validated scenario: the congress as the user's files describe it.

:func:`load_scenario` reads a folder (CSV files + ``scenario.yaml``) or one
``.xlsx`` workbook, checks every row, and either returns an immutable
:class:`Scenario` or raises :class:`~planner.errors.ScenarioError` listing
every problem with its file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner import limits
from planner import vocabulary as vocab
from planner.errors import Problem, Problems, ScenarioError
from planner.limits import shown
from planner.network import VenueNetwork
from planner.paths import safe_name
from planner.rules import Rules, documented, finite_number, parse_rules, parse_section, rule
from planner.tables import Table, read_folder, read_workbook

REQUIRED_COLUMNS: dict[str, list[str]] = {
    "venues": ["venue_id", "name", "has_destruction"],
    "rooms": ["room_id", "venue_id", "name", "area_m2", "capacity", "signal"],
    "travel": ["from_venue", "to_venue", "minutes"],
    "sessions": ["session_id", "room_id", "start", "end", "kind", "attendees", "level"],
    "inventory": ["item_id", "item_type", "venue_id", "capacity", "status"],
    "staff": ["staff_id", "name", "role", "venue_id", "shift_start", "shift_end"],
    "groups": ["group_id", "name", "venue_id", "members"],
}
SETTINGS_KEYS = ("name", "title", "timezone", "rules", "disruptions", "description", "published")
# Figures a scenario may be calibrated against (``published:`` in scenario.yaml), e.g. from 000.
PUBLISHED_KEYS = ("sessions", "jammer_deployments", "cabinet_unit_deployments", "patrols",
                  "sweeps", "cleanups", "bag_sets_to_groups", "paper_tonnes", "documents_found")
OVERRIDES = ("jammers_required", "cabinet_units_required", "patrols_required")


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


# -- the rehearsal's rates (scenario.yaml's disruptions:; drawn by planner.disruptions) ---------
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
SHARES = {"adhoc_levels": vocab.LEVELS, "paper_kg_per_attendee_hour": vocab.KINDS,
          "documents_per_1000_attendees": vocab.LEVELS}


def parse_disruptions(raw: object, file: str, problems: Problems) -> Disruptions:
    """The ``disruptions:`` mapping, every bad key or value reported to ``problems``."""
    return parse_section(raw, Disruptions, "disruptions", _disruption, file, problems)


def _disruption(key: str, value: object, default: object) -> tuple[str, object]:
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
            name = vocab.lookup(SHARES[key], str(k))
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

    def venue_at(self, place: str) -> str:
        """The venue of a place in a plan: a room, or a depot written ``depot:<venue_id>``."""
        if place.startswith("depot:"):
            return place.removeprefix("depot:")
        return self.venue_of(place)

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


class Row:
    """Field readers for one row; each records a problem and returns None when a value is bad."""

    def __init__(self, table: Table, number: int, record: dict[str, str], problems: Problems):
        self.table, self.line, self.record, self.problems = table, number, record, problems

    def problem(self, column: str, key: str, **params: object) -> None:
        self.problems.add(self.table.file, key, row=self.line, column=column, **params)

    def raw(self, column: str) -> str:
        return self.record.get(column, "")

    def plain(self, column: str) -> str:
        """The value with full-width digits and punctuation (中文输入法) made plain."""
        return unicodedata.normalize("NFKC", self.raw(column)).strip()

    def text(self, column: str, required: bool = True) -> str | None:
        value = self.raw(column)
        if not value and required:
            self.problem(column, "empty")
            return None
        return value

    def number(self, column: str, positive: bool = True, whole: bool = False,
               optional: bool = False) -> float | int | None:
        value = self.plain(column)
        if not value:
            if not optional:
                self.problem(column, "empty")
            return None
        try:
            n = float(value.replace(",", ""))  # Excel writes 1,600
            if not math.isfinite(n):
                raise ValueError(value)
        except ValueError:
            self.problem(column, "not_int" if whole else "not_number", value=value)
            return None
        if whole and not n.is_integer():
            self.problem(column, "not_int", value=value)
            return None
        if positive and n <= 0:
            self.problem(column, "not_positive", value=value)
            return None
        if n < 0:
            self.problem(column, "negative", value=value)
            return None
        high = limits.number_too_large(column, n)
        if high is not None:  # 1e300 m² would be a plan of 1e298 jammers
            self.problem(column, "too_large", value=value, limit=f"{high:,}")
            return None
        return int(n) if whole else n

    def moment(self, column: str) -> dt.datetime | None:
        value = self.plain(column)
        if not value:
            self.problem(column, "empty")
            return None
        parsed = parse_time(value)
        if parsed is None:
            self.problem(column, "bad_time", value=value)
        return parsed

    def clock(self, column: str) -> dt.time | None:
        value = self.plain(column)
        parsed = parse_clock(value)
        if parsed is None:
            self.problem(column, "bad_clock" if value else "empty", value=self.raw(column))
        return parsed

    def choice(self, column: str, vocabulary: dict) -> str | None:
        value = self.plain(column)
        found = vocab.lookup(vocabulary, value)
        if found is None:
            self.problem(column, "unknown_value" if value else "empty", value=value,
                          choices=vocab.choices(vocabulary))
        return found

    def flag(self, column: str) -> bool | None:
        value = self.plain(column).lower()
        if value in vocab.TRUE_WORDS:
            return True
        if value in vocab.FALSE_WORDS:
            return False
        self.problem(column, "not_bool", value=self.raw(column))
        return None

    def ref(self, column: str, known: set[str] | None, what: str, file: str = "") -> str | None:
        """An id that must exist in another table; ``what`` is venue, room or group.
        ``known`` None means that table could not be read: its problems are reported
        already, so references to it are not reported again."""
        value = self.text(column)
        if value is not None and known is not None and value not in known:
            self.problem(column, f"unknown_{what}", value=value, file=file or f"{what}s.csv")
            return None
        return value


def parse_clock(value: str) -> dt.time | None:
    """A time of day: 08:30, 8:30, 08:30:00 (Excel), 24:00 (midnight, the end of a day)."""
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    if (h, m) == (24, 0):
        return dt.time(0, 0)
    if h > 23 or m > 59 or (len(parts) == 3 and int(parts[2]) > 59):
        return None
    return dt.time(h, m)


def parse_time(value: str) -> dt.datetime | None:
    """A local time as users write it: 2021-11-26T08:30, 2021-11-26 08:30, 2021/11/26 8:30.
    A date alone is refused: midnight is rarely what was meant."""
    s = unicodedata.normalize("NFKC", value).strip().replace("/", "-")
    if ":" not in s:
        return None
    try:
        parsed = dt.datetime.fromisoformat(s)
    except ValueError:
        parsed = None
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = dt.datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if parsed is None or parsed.tzinfo is not None:
        return None
    return parsed.replace(second=0, microsecond=0)


def stamp(t: dt.datetime) -> str:
    """A time as the contract writes it (what :func:`parse_time` reads back)."""
    return t.strftime("%Y-%m-%dT%H:%M")


def _unique(table: Table, column: str, problems: Problems):
    """The table's rows whose id is present and not a duplicate, as (id, Row)."""
    first: dict[str, int] = {}
    for number, record in table.rows:
        row = Row(table, number, record, problems)
        key = row.text(column)
        if key is None:
            continue
        if key in first:
            problems.add(table.file, "duplicate_id", row=number, column=column, value=key,
                         first=first[key])
            continue
        first[key] = number
        yield key, row


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario folder or workbook; raise ScenarioError listing every problem."""
    path = Path(path)
    problems = Problems()
    names = list(REQUIRED_COLUMNS)
    if not path.exists():
        problems.add(str(path), "not_found", path=str(path))
        problems.raise_if_any()
    if path.is_dir():
        tables, settings = read_folder(path, names, problems)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        tables, settings = read_workbook(path, names, problems)
    else:
        problems.add(path.name, "not_a_scenario")
        problems.raise_if_any()
    usable: dict[str, Table] = {}
    for name, table in tables.items():
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in table.columns]
        for column in missing:
            problems.add(table.file, "missing_column", row=1, column=column)
        if not missing:
            usable[name] = table
    scenario = _build(path, usable, settings, problems)
    problems.raise_if_any()
    assert scenario is not None
    return scenario


def _settings(settings: dict | None, file: str, problems: Problems) -> dict:
    """name, title, timezone, rules, disruptions and published figures from scenario.yaml."""
    present = settings is not None  # a missing file is reported already
    settings = {str(k): v for k, v in (settings or {}).items()}
    for key in settings:
        if key not in SETTINGS_KEYS:
            problems.unknown_key(file, key, SETTINGS_KEYS)
    name = str(settings.get("name") or "").strip()
    if not name and present:
        problems.add(file, "missing_key", key="name")
    elif name and not safe_name(name):  # it names folders: never a path of its own
        problems.add(file, "unsafe_name", value=shown(name))
    timezone = str(settings.get("timezone") or "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(file, "bad_timezone", value=timezone)
    published = settings.get("published") or {}
    if not isinstance(published, dict):
        problems.add(file, "bad_setting", key="published", value=published, why="must be a mapping")
        published = {}
    for key, value in published.items():
        key = str(key)
        if key not in PUBLISHED_KEYS:
            problems.unknown_key(file, key, PUBLISHED_KEYS, prefix="published.")
        elif (isinstance(value, bool) or not isinstance(value, int | float)
              or not math.isfinite(value) or value <= 0):
            problems.add(file, "bad_setting", key=f"published.{key}", value=value,
                         why="must be a positive number")
    return {"name": name, "title": str(settings.get("title") or name), "timezone": timezone,
            "rules": parse_rules(settings.get("rules"), file, problems),
            "disruptions": parse_disruptions(settings.get("disruptions"), file, problems),
            "published": published}


def _build(path: Path, tables: dict[str, Table], settings: dict | None,
           problems: Problems) -> Scenario | None:
    yaml_file = "scenario.yaml" if path.is_dir() else path.name
    config = _settings(settings, yaml_file, problems)

    def table(name: str) -> Table:
        return tables.get(name) or Table(f"{name}.csv", [], [])

    def ids(name: str) -> set[str] | None:
        """Ids written in a table, or None when the table itself could not be read."""
        return _written_ids(tables[name], REQUIRED_COLUMNS[name][0]) if name in tables else None

    for name in ("venues", "rooms", "sessions", "inventory", "staff"):
        if name in tables and not tables[name].rows:
            problems.add(tables[name].file, "empty_table")

    venues: dict[str, Venue] = {}
    for vid, row in _unique(table("venues"), "venue_id", problems):
        vname, destruction = row.text("name"), row.flag("has_destruction")
        if vname is not None and destruction is not None:
            venues[vid] = Venue(vid, vname, destruction)
    venue_ids = ids("venues")
    vfile = table("venues").file

    rooms: dict[str, Room] = {}
    for rid, row in _unique(table("rooms"), "room_id", problems):
        values = (row.ref("venue_id", venue_ids, "venue", vfile), row.text("name"),
                  row.number("area_m2"), row.number("capacity", whole=True),
                  row.choice("signal", vocab.SIGNALS))
        if None not in values:
            rooms[rid] = Room(rid, *values)
    before = len(problems.items)
    travel = _travel(table("travel"), venue_ids, vfile, problems)
    roads_ok = "travel" in tables and len(problems.items) == before
    groups = _groups(table("groups"), venue_ids, vfile, problems)
    sessions = _sessions(table("sessions"), ids("rooms"), table("rooms").file, ids("groups"),
                         table("groups").file, problems)
    _check_overlaps(table("sessions").file, sessions, problems)
    _check_span(table("sessions").file, sessions, problems)

    items = _items(table("inventory"), venue_ids, vfile, problems)
    staff = _staff(table("staff"), venue_ids, vfile, problems)
    network = _network(venues, travel, roads_ok, venue_ids, table("travel").file, problems)

    if problems:
        return None
    warnings = Problems()
    for s in sessions.values():
        room = rooms[s.room_id]
        if s.attendees > room.capacity:
            warnings.add(table("sessions").file, "over_capacity", row=s.row, column="attendees",
                         session=s.session_id, attendees=s.attendees, room=room.room_id,
                         capacity=room.capacity)
    return Scenario(config["name"], config["title"], config["timezone"], config["rules"], venues,
                    rooms, sessions, items, staff, groups, travel, network,
                    config["disruptions"], config["published"], warnings=warnings.items,
                    source=str(path))


def _items(table: Table, venues: set[str] | None, vfile: str,
           problems: Problems) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for iid, row in _unique(table, "item_id", problems):
        values = (row.choice("item_type", vocab.ITEM_TYPES),
                  row.ref("venue_id", venues, "venue", vfile),
                  row.number("capacity"), row.choice("status", vocab.STATUSES))
        if None not in values:
            items[iid] = Item(iid, *values)
    return items


def _staff(table: Table, venues: set[str] | None, vfile: str,
           problems: Problems) -> dict[str, Staff]:
    staff: dict[str, Staff] = {}
    for sid, row in _unique(table, "staff_id", problems):
        values = (row.text("name"), row.choice("role", vocab.ROLES),
                  row.ref("venue_id", venues, "venue", vfile),
                  row.clock("shift_start"), row.clock("shift_end"))
        if None in values:
            continue
        if values[3] == values[4]:
            row.problem("shift_end", "shift_empty", start=values[3].strftime("%H:%M"))
            continue
        staff[sid] = Staff(sid, *values)
    return staff


def _network(venues: dict[str, Venue], travel: list[tuple[str, str, float]], roads_ok: bool,
             venue_ids: set[str] | None, tfile: str, problems: Problems) -> VenueNetwork:
    """The road network between the good venues; when every venue and road was read,
    a network in more than one piece is a problem."""
    network = VenueNetwork(sorted(venues), [e for e in travel if e[0] in venues and e[1] in venues])
    if venues and roads_ok and venue_ids is not None and len(venues) == len(venue_ids):
        parts = network.components()
        if len(parts) > 1:
            problems.add(tfile, "not_connected",
                         groups=" | ".join("{" + ", ".join(p) + "}" for p in parts))
    return network


def _written_ids(table: Table, column: str) -> set[str]:
    """Every id written in a table, good rows or not, so one bad row is reported once only."""
    return {record[column] for _, record in table.rows if record.get(column)}


def _travel(table: Table, venues: set[str] | None, vfile: str,
            problems: Problems) -> list[tuple[str, str, float]]:
    edges: list[tuple[str, str, float]] = []
    first: dict[frozenset, tuple[int, float]] = {}
    for number, record in table.rows:
        row = Row(table, number, record, problems)
        a = row.ref("from_venue", venues, "venue", vfile)
        b = row.ref("to_venue", venues, "venue", vfile)
        minutes = row.number("minutes")
        if a is None or b is None or minutes is None:
            continue
        if a == b:
            row.problem("to_venue", "self_loop", venue=a)
            continue
        key = frozenset((a, b))
        if key in first:
            if first[key][1] != minutes:  # the same road written both ways is fine
                row.problem("to_venue", "duplicate_edge", a=a, b=b, first=first[key][0])
            continue
        first[key] = (number, minutes)
        edges.append((a, b, minutes))
    return edges


def _groups(table: Table, venues: set[str] | None, vfile: str,
            problems: Problems) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for gid, row in _unique(table, "group_id", problems):
        values = (row.text("name"), row.ref("venue_id", venues, "venue", vfile),
                  row.number("members", whole=True))
        bag_sets = row.number("bag_sets", positive=False, whole=True, optional=True)
        if None not in values:
            groups[gid] = Group(gid, *values, bag_sets=bag_sets)
    return groups


def _sessions(table: Table, rooms: set[str] | None, rfile: str, groups: set[str] | None,
              gfile: str, problems: Problems) -> dict[str, Session]:
    sessions: dict[str, Session] = {}
    for sid, row in _unique(table, "session_id", problems):
        room = row.ref("room_id", rooms, "room", rfile)
        start, end = row.moment("start"), row.moment("end")
        kind, level = row.choice("kind", vocab.KINDS), row.choice("level", vocab.LEVELS)
        attendees = row.number("attendees", whole=True)
        group = row.raw("group_id")
        bad_group = bool(group) and groups is not None and group not in groups
        if bad_group:
            row.ref("group_id", groups, "group", gfile)
        overrides = {c: row.number(c, positive=False, whole=True, optional=True)
                     for c in OVERRIDES}
        bad_override = any(row.raw(c) and overrides[c] is None for c in OVERRIDES)
        if start and end and end <= start:
            row.problem("end", "end_not_after_start", start=stamp(start), end=stamp(end))
            continue
        if start and end and not _plausible_times(row, start, end):
            continue
        if None in (room, start, end, kind, level, attendees) or bad_override:
            continue
        if bad_group:
            continue
        sessions[sid] = Session(sid, room, start, end, kind, attendees, level,
                                name=row.raw("name"), group_id=group, row=row.line,
                                **overrides)
    return dict(sorted(sessions.items(), key=lambda kv: (kv[1].start, kv[0])))


def _plausible_times(row: Row, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a session's times lie in the years a congress can be planned for and it
    lasts at most MAX_SESSION_HOURS (said, if not)."""
    for column, t in (("start", start), ("end", end)):
        if limits.time_outside(t, limits.FIRST_DAY, limits.LAST_DAY):
            row.problem(column, "time_out_of_range", value=stamp(t),
                         low=stamp(limits.FIRST_DAY), high=stamp(limits.LAST_DAY))
            return False
    if end - start > dt.timedelta(hours=limits.MAX_SESSION_HOURS):
        row.problem("end", "session_too_long", limit=limits.MAX_SESSION_HOURS,
                     start=stamp(start), end=stamp(end))
        return False
    return True


def _check_span(file: str, sessions: dict[str, Session], problems: Problems) -> None:
    """A congress lasts at most MAX_CONGRESS_DAYS: a session a year away is a typo."""
    if not sessions:
        return
    first = min(sessions.values(), key=lambda s: s.start)
    last = max(sessions.values(), key=lambda s: s.end)
    if last.end - first.start > dt.timedelta(days=limits.MAX_CONGRESS_DAYS):
        problems.add(file, "congress_too_long", row=last.row, column="end",
                     first=stamp(first.start), last=stamp(last.end),
                     limit=limits.MAX_CONGRESS_DAYS)


def _check_overlaps(file: str, sessions: dict[str, Session], problems: Problems) -> None:
    by_room: dict[str, list[Session]] = {}
    for s in sessions.values():
        by_room.setdefault(s.room_id, []).append(s)
    for room, items in by_room.items():
        items.sort(key=lambda s: (s.start, s.row))
        latest = items[0]
        for s in items[1:]:
            if s.start < latest.end:
                problems.add(file, "room_overlap", row=s.row, column="start", room=room,
                             session=s.session_id, other=latest.session_id, other_row=latest.row,
                             start=stamp(s.start), end=stamp(s.end),
                             other_start=stamp(latest.start), other_end=stamp(latest.end))
            if s.end > latest.end:
                latest = s


__all__ = ["Group", "Item", "Room", "Scenario", "ScenarioError", "Session", "Staff", "Venue",
           "load_scenario"]
