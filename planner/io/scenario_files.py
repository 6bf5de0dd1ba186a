"""Reading a scenario: the congress as the user's files describe it.

:func:`load_scenario` reads a folder (CSV files + ``scenario.yaml``) or one
``.xlsx`` workbook, checks every row, and either returns an immutable
:class:`Scenario` or raises :class:`~planner.errors.ScenarioError` listing
every problem with its file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner import limits
from planner.errors import Problems
from planner.io.paths import safe_name
from planner.io.tables import Table, read_folder, read_workbook
from planner.limits import shown
from planner.model import vocabulary as vocab
from planner.model.network import VenueNetwork
from planner.model.rules import finite_number, parse_rules, parse_section
from planner.model.scenario import Disruptions, Group, Item, Room, Scenario, Session, Staff, Venue
from planner.model.times import parse_clock, parse_time, stamp

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


# -- the rehearsal's rates (scenario.yaml's disruptions:) --------------------------------------


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
