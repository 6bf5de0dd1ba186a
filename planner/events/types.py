"""One class per event type: everything the planner knows about a type in one place.

Each class names its type (``name``), its fields (``fields`` required, ``optional``; each
with its kind: ``id``, ``time``, ``number``, ``text`` or ``list``) and says

- how it is checked against the scenario and the log so far (``check_fields``, before the
  times are checked; ``check``, after them) and what the checker learns from it (``learn``);
- how it changes the congress (``apply``, for :func:`planner.events.apply.apply_events`);
- what it touched, in words, for the re-plan's reasons (``causes``);
- how the report counts it (``tally``, ``work``, ``incident``) and describes it in
  Chinese and English (``describe``).

The checks read an event as it arrives (the contract's JSON line, a dict); once checked,
an event is parsed once into an :class:`Event` (its type, its time and its time fields
as datetimes, its entry number and who logged it), which everything after reads. The
classes are stateless. ``@register`` puts a class in :data:`EVENT_TYPES`, which every
reader dispatches through, so a new type is one class here (and, for a field the
live-log form does not know yet, one form field in ``dashboards/views/live_log.py``).
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from planner import limits
from planner.i18n import t
from planner.model import names
from planner.model import vocabulary as vocab
from planner.model.scenario import Session
from planner.model.times import parse_time

if TYPE_CHECKING:
    from planner.errors import Problem
    from planner.model.scenario import Scenario

ID, TIME, NUMBER, TEXT, LIST = "id", "time", "number", "text", "list"  # a field's kind
LOG_FIELDS = ("who", "seq", "hash", "prev_hash", "recorded_at")  # the log's, not the event's
Bad = Callable[..., None]  # bad(column, key, **params): a problem with the event being checked


class Checker(Protocol):
    """What a type's checks read and learn of the checker (:class:`planner.events.log.EventChecker`,
    which dispatches through the types: named by what it offers, not imported back)."""

    s: Scenario
    sessions: dict[str, tuple[str, dt.datetime, dt.datetime]]  # the log's too: room, start, end
    cancelled: set[str]
    failed: set[str]  # units out of use now: in maintenance from the start, or failed since
    history: list[dict]  # every event so far, in log order (entry n at n - 1)

    def taken(self, room: str, a, b, but: str = "") -> str | None: ...

    def no_longer_fits(self, n: int) -> tuple[int, Problem] | None: ...


EVENT_TYPES: dict[str, type[EventType]] = {}  # name -> class, in the order they are registered
_LABELLED: set[str] = set()  # the types whose names register() added to vocab.EVENT_TYPES


def register(cls: type[EventType]) -> type[EventType]:
    """Class decorator: ``cls`` is an event type from now on (its name in both languages
    comes from :data:`planner.model.vocabulary.EVENT_TYPES`, or from its ``label``)."""
    if cls.name not in vocab.EVENT_TYPES:
        if cls.label is None:
            raise ValueError(f"event type {cls.name}: give it a label (zh, en)")
        vocab.EVENT_TYPES[cls.name] = (*cls.label, ())
        _LABELLED.add(cls.name)
    EVENT_TYPES[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """No longer an event type (for tests that register one of their own)."""
    EVENT_TYPES.pop(name, None)
    if name in _LABELLED:
        _LABELLED.discard(name)
        vocab.EVENT_TYPES.pop(name, None)


def of(e: Mapping | Event) -> type[EventType]:
    """The class of an event (or of a line not yet parsed); an unregistered type does
    nothing anywhere."""
    kind = e.type if isinstance(e, Event) else e.get("type")
    return EVENT_TYPES.get(kind, EventType) if isinstance(kind, str) else EventType


@dataclasses.dataclass(frozen=True, eq=False)
class Event:
    """A checked event, parsed once: its type, when it happened, its own fields (those of
    kind ``time`` as datetimes), its entry number in the log (``seq``; in a file without
    one, its line's place) and who logged it. ``line`` is the event as logged (the
    contract's JSON, with the log's own fields), for what must see it as it was: the hash
    chain, the files written back. ``e[name]`` is a field of its own."""

    type: str
    at: dt.datetime
    data: Mapping[str, Any]
    seq: int = 0
    who: str = ""
    line: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.data

    @property
    def kind(self) -> builtins.type[EventType]:
        return EVENT_TYPES.get(self.type, EventType)


OWN = ("at", "type", *LOG_FIELDS)  # a line's keys that are not the event's own fields


def parse(line: Mapping[str, Any] | Event, seq: int = 0) -> Event:
    """A checked line (the contract's JSON) as an :class:`Event`; ``seq``: its entry
    number when the line carries none. Raises ValueError for a time that is no time (a
    line the checker did not pass)."""
    if isinstance(line, Event):
        return line
    at = parse_time(str(line.get("at", "")))
    if at is None:
        raise ValueError(f"event {seq}: at {line.get('at')!r} is no time")
    times = set(of(line).times())
    data = {}
    for key, value in line.items():
        if key in OWN:
            continue
        if key in times and isinstance(value, str):
            value = parse_time(value) or value  # the checker refuses a time that is none
        data[key] = value
    number = line.get("seq", seq)
    return Event(str(line["type"]), at, MappingProxyType(data),
                 number if isinstance(number, int) else seq, str(line.get("who", "") or ""),
                 MappingProxyType(dict(line)))


def parsed(events: Sequence[Mapping[str, Any] | Event]) -> list[Event]:
    """Events, lines parsed (each numbered by its place when it carries no ``seq``)."""
    return [parse(e, seq=n) for n, e in enumerate(events, start=1)]


class Fields(Mapping):
    """Type name -> its required fields, as the registry says now (``events.FIELDS``)."""

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return tuple(EVENT_TYPES[name].fields)

    def __iter__(self):
        return iter(list(EVENT_TYPES))

    def __len__(self) -> int:
        return len(EVENT_TYPES)


class Names(Sequence):
    """The names of the registered types with ``flag`` set, as the registry says now."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def names(self) -> list[str]:
        return [name for name, cls in EVENT_TYPES.items() if getattr(cls, self.flag)]

    def __getitem__(self, i):
        return self.names()[i]

    def __len__(self) -> int:
        return len(self.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and getattr(EVENT_TYPES.get(name), self.flag, False)

    def __repr__(self) -> str:
        return repr(tuple(self.names()))


@dataclasses.dataclass
class World:
    """The congress as the events so far leave it: what :func:`planner.events.apply.apply_events`
    builds, one event at a time."""

    sessions: dict
    items: dict
    rooms: dict
    unavailable: dict
    failed_since: dict
    cancelled: dict


def kinds(**fields: str) -> Mapping[str, str]:
    """Field name -> its kind (``ID``, ``TIME``, ``NUMBER``, ``TEXT``, ``LIST``), in order."""
    return MappingProxyType(fields)


def short(time: dt.datetime) -> str:
    return f"{time:%m-%d %H:%M}"


def _session(scenario: Scenario, live: Scenario, sid: str) -> str:
    """A session by name (开幕大会（S0020）): as the log leaves it, or as it was before
    (a cancelled one)."""
    return names.session(live, sid, before=scenario)


def _checked_time(value: str) -> dt.datetime:
    """A time field of an event that passed the checker (which refuses one that is no time)."""
    time = parse_time(value)
    assert time is not None, value
    return time


class EventType:
    """An event type; the defaults are those of an event that records work and changes
    nothing (and of an event whose type is not registered)."""

    name: ClassVar[str] = ""
    fields: ClassVar[Mapping[str, str]] = kinds()    # required, in the contract's order
    optional: ClassVar[Mapping[str, str]] = kinds()  # read when given
    label: ClassVar[tuple[str, str] | None] = None  # (zh, en), for a type vocabulary lacks
    incident: ClassVar[bool] = False  # changes the congress: the report lists it, and the
    #                                   dashboard says it calls for a re-plan
    work: ClassVar[bool] = False      # support work for a session, as the report counts it
    new_ids: ClassVar[bool] = False   # its ids are new ones (not checked as known ids)

    @classmethod
    def times(cls) -> list[str]:
        """Its time fields (checked as times within the congress's days)."""
        return [n for n, kind in {**cls.fields, **cls.optional}.items() if kind == TIME]

    @classmethod
    def check_fields(cls, checker: Checker, e: dict, bad: Bad) -> None:
        """Its ids and numbers against the scenario (said before the times are checked)."""

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        """The rest (said after the times); ``clean``: nothing was said of it so far."""

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        """What the checker knows for the events after it."""

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        """How it changes the congress."""

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        """What it did, in words (zh, en), keyed by the thing it touched (the re-plan's
        reasons); ``clock``: when it was logged, ``HH:MM``."""
        return {}

    @classmethod
    def tally(cls, log, live: Scenario, e: Event) -> None:
        """What the report's count of the log (``report._Log``) takes from it."""

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        """It in words, Chinese and English (the report's incidents and voided entries)."""
        text = " ".join(f"{k}={v}" for k, v in e.line.items() if k not in OWN)
        return text, text


def _taken(checker: Checker, room: str, a, b, column: str, bad: Bad, but: str = "") -> None:
    other = checker.taken(room, a, b, but=but)
    if other:
        bad(column, "event_room_taken", room=names.room(checker.s, room),
            other=names.session(checker.s, other))


def _check_level(e: dict, bad: Bad) -> None:
    if vocab.lookup(vocab.LEVELS, str(e["level"])) is None:
        bad("level", "unknown_value", value=e["level"], choices=vocab.choices(vocab.LEVELS))


def _check_kg(e: dict, bad: Bad) -> None:
    value = e["kg"]
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or value < 0):
        bad("kg", "event_bad_kg", value=value)
    elif value > limits.MAX_NUMBER["kg"]:
        bad("kg", "too_large", value=value, limit=f"{limits.MAX_NUMBER['kg']:,}")


def _check_unit(checker: Checker, e: dict, bad: Bad) -> None:
    item = checker.s.items.get(e["item_id"])
    if item is None or item.item_type not in ("jammer", "cabinet_unit"):
        bad("item_id", "unknown_unit", value=e["item_id"])


# -- what changes the congress ------------------------------------------------------------------
@register
class AdhocSession(EventType):
    name = "adhoc_session"
    fields = kinds(session_id=ID, room_id=ID, start=TIME, end=TIME, kind=TEXT,
                   attendees=NUMBER, level=TEXT)
    optional = kinds(name=TEXT, group_id=ID)
    incident = new_ids = True

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        if e["session_id"] in checker.sessions:
            bad("session_id", "event_session_exists", value=e["session_id"])
        if e["room_id"] not in checker.s.rooms:
            bad("room_id", "unknown_room", value=e["room_id"], file="the scenario")
        if vocab.lookup(vocab.KINDS, str(e["kind"])) is None:
            bad("kind", "unknown_value", value=e["kind"], choices=vocab.choices(vocab.KINDS))
        _check_level(e, bad)
        cls.check_attendees(e, bad)
        a, b = parse_time(str(e["start"])), parse_time(str(e["end"]))
        if a and b and b <= a:
            bad("end", "end_not_after_start", start=e["start"], end=e["end"])
        elif a and b and b - a > dt.timedelta(hours=limits.MAX_SESSION_HOURS):
            bad("end", "session_too_long", limit=limits.MAX_SESSION_HOURS, start=e["start"],
                end=e["end"])
        if a and b and e["room_id"] in checker.s.rooms:
            _taken(checker, e["room_id"], a, b, "start", bad)

    @staticmethod
    def check_attendees(e: dict, bad: Bad) -> None:
        n = e["attendees"]
        if isinstance(n, str) and n.strip().isdigit() and len(n) <= 15:
            n = e["attendees"] = int(n)  # as sessions.csv would have it
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            bad("attendees", "not_positive", value=n)
        elif n > limits.MAX_NUMBER["attendees"]:
            bad("attendees", "too_large", value=n, limit=f"{limits.MAX_NUMBER['attendees']:,}")

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        checker.sessions[e["session_id"]] = (e["room_id"], _checked_time(e["start"]),
                                             _checked_time(e["end"]))

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        kind = vocab.lookup(vocab.KINDS, str(e["kind"]))
        level = vocab.lookup(vocab.LEVELS, str(e["level"]))
        assert kind is not None and level is not None  # check() refuses any other word
        world.sessions[e["session_id"]] = Session(
            e["session_id"], e["room_id"], e["start"], e["end"],
            kind, int(e["attendees"]), level, name=str(e.get("name", "")),
            group_id=str(e.get("group_id", "") or ""))

    @staticmethod
    def named(e: Event) -> str:
        """临时协调会（AH112701）: its name, or 临时会议, and its id."""
        return f"{e.get('name') or vocab.KINDS['adhoc'][0]}（{e['session_id']}）"

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        return {e["session_id"]: (f"临时增加会议 {cls.named(e)}",
                                  f"ad-hoc session {cls.named(e)} added")}

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        room = names.room(live, e["room_id"])
        start, end = e["start"], e["end"]
        level = vocab.lookup(vocab.LEVELS, str(e["level"]))
        assert level is not None  # check() refuses any other word
        return (f"{cls.named(e)} {room} {short(start)}–{end:%H:%M}，"
                f"{e['attendees']} 人，{vocab.display(vocab.LEVELS, level, 'zh')}",
                f"{cls.named(e)} in {room} {short(start)}–{end:%H:%M}, "
                f"{e['attendees']} attending, {vocab.display(vocab.LEVELS, level, 'en')}")


@register
class CancelSession(EventType):
    name = "cancel_session"
    fields = kinds(session_id=ID)
    incident = True

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        checker.cancelled.add(e["session_id"])

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        if world.sessions.pop(e["session_id"], None) is not None:
            world.cancelled[e["session_id"]] = e.at

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        name = _session(scenario, live, e["session_id"])
        return {e["session_id"]: (f"会议 {name} 已取消", f"session {name} cancelled")}

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        name = _session(scenario, live, e["session_id"])
        return f"{name} 取消", f"{name} cancelled"


@register
class ExtendSession(EventType):
    name = "extend_session"
    fields = kinds(session_id=ID, new_end=TIME)
    incident = True

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        if not clean:
            return
        room, start, end = checker.sessions[e["session_id"]]
        new_end = parse_time(e["new_end"])
        assert new_end is not None  # clean: the times were found to be times
        s = checker.s.sessions.get(e["session_id"])
        name = s.name if s else ""
        if new_end <= end:
            bad("new_end", "event_extend_shorter", session=e["session_id"], name=name,
                end=short(end), new_end=short(new_end))
        elif new_end - start > dt.timedelta(hours=limits.MAX_SESSION_HOURS):
            bad("new_end", "session_too_long", limit=limits.MAX_SESSION_HOURS, start=start,
                end=e["new_end"])
        _taken(checker, room, start, new_end, "new_end", bad, but=e["session_id"])

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        if e.get("session_id") in checker.sessions:
            room, start, _ = checker.sessions[e["session_id"]]
            checker.sessions[e["session_id"]] = (room, start, _checked_time(e["new_end"]))

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        if e["session_id"] in world.sessions:
            s = world.sessions[e["session_id"]]
            world.sessions[s.session_id] = dataclasses.replace(
                s, end=e["new_end"], planned_end=s.planned_end or s.end)

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        end, name = e["new_end"], _session(scenario, live, e["session_id"])
        return {e["session_id"]: (f"会议 {name} 延长至 {end:%H:%M}",
                                  f"session {name} runs over to {end:%H:%M}")}

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        end, name = e["new_end"], _session(scenario, live, e["session_id"])
        return f"{name} 延长至 {end:%H:%M}", f"{name} runs to {end:%H:%M}"


class _UnitStatus(EventType):
    """A unit reported failed or restored."""

    fields = kinds(item_id=ID)
    incident = True
    status: ClassVar[str] = ""
    words: ClassVar[tuple[str, str]] = ("", "")

    @classmethod
    def check_fields(cls, checker: Checker, e: dict, bad: Bad) -> None:
        _check_unit(checker, e, bad)

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        world.items[e["item_id"]] = dataclasses.replace(world.items[e["item_id"]],
                                                        status=cls.status)

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        item = scenario.items[e["item_id"]]
        name = vocab.ITEM_TYPES[item.item_type]
        return (f"{name[0]} {e['item_id']} {cls.words[0]}",
                f"{name[1]} {e['item_id']} {cls.words[1]}")


@register
class UnitFailed(_UnitStatus):
    name = "unit_failed"
    status = "maintenance"
    words = ("故障", "failed")

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        checker.failed.add(e["item_id"])

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        super().apply(world, e)
        world.failed_since.setdefault(e["item_id"], e.at)

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        unit = e["item_id"]
        return {unit: (f"{unit} {clock} 故障", f"{unit} failed at {clock}")}

    @classmethod
    def tally(cls, log, live: Scenario, e: Event) -> None:
        spans = log.failures[e["item_id"]]
        if not (spans and spans[-1][1] is None):
            spans.append([e.at, None])  # a second report of an open failure is the same


@register
class UnitRestored(_UnitStatus):
    name = "unit_restored"
    status = "ok"
    words = ("恢复可用", "restored")

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        if clean and e["item_id"] not in checker.failed:  # nothing to restore
            bad("item_id", "event_not_failed", unit=e["item_id"])

    @classmethod
    def learn(cls, checker: Checker, e: dict) -> None:
        checker.failed.discard(e["item_id"])

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        super().apply(world, e)
        world.failed_since.pop(e["item_id"], None)

    @classmethod
    def tally(cls, log, live: Scenario, e: Event) -> None:
        spans = log.failures[e["item_id"]]
        if spans and spans[-1][1] is None:
            spans[-1][1] = e.at


@register
class StaffUnavailable(EventType):
    name = "staff_unavailable"
    fields = kinds(staff_id=ID, until=TIME)
    incident = True

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        at, until = parse_time(str(e["at"])), parse_time(str(e["until"]))
        if clean and at and until and until <= at:
            person = checker.s.staff.get(e["staff_id"])
            bad("until", "event_until_past", staff=e["staff_id"],
                name=person.name if person else "", until=short(until), at=short(at))

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        world.unavailable.setdefault(e["staff_id"], []).append((e.at, e["until"]))

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        until, who = e["until"], names.person(scenario, e["staff_id"])
        return {e["staff_id"]: (f"{who} {clock}–{until:%H:%M} 不能到岗",
                                f"{who} unavailable {clock}–{until:%H:%M}")}

    @classmethod
    def tally(cls, log, live: Scenario, e: Event) -> None:
        log.absent[e["staff_id"]].append((e.at, e["until"]))

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        until, who = e["until"], names.person(scenario, e["staff_id"])
        return f"{who}不在岗至 {short(until)}", f"{who} off duty until {short(until)}"


@register
class BoosterFound(EventType):
    name = "booster_found"
    fields = kinds(room_id=ID)
    incident = True

    @classmethod
    def apply(cls, world: World, e: Event) -> None:
        world.rooms[e["room_id"]] = dataclasses.replace(world.rooms[e["room_id"]],
                                                        signal="booster")

    @classmethod
    def causes(cls, scenario: Scenario, live: Scenario, e: Event,
               clock: str) -> dict[str, tuple[str, str]]:
        room = names.room(scenario, e["room_id"])
        return {e["room_id"]: (f"{room}旁发现信号放大器，需加配干扰器",
                               f"a booster was found next to {room}: more jammers")}

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        room = names.room(scenario, e["room_id"])
        return f"{room}附近发现信号放大器", f"a booster found next to {room}"


# -- work done: what the report counts ----------------------------------------------------------
class _Work(EventType):
    """Support work for a session: counted while the session was on (for a cancelled one,
    what was logged before the cancellation)."""

    work = True

    @classmethod
    def tally(cls, log, live: Scenario, e: Event) -> None:
        sid = e["session_id"]
        if sid in live.sessions or (sid in live.cancelled and e.at <= live.cancelled[sid]):
            cls.count(log, live, e, sid)

    @classmethod
    def count(cls, log, live: Scenario, e: Event, sid: str) -> None:
        """The work counted for session ``sid``."""


@register
class UnitDeployed(_Work):
    name = "unit_deployed"  # a unit set up in the session's room
    fields = kinds(item_id=ID, session_id=ID)
    optional = kinds(staff_id=ID)

    @classmethod
    def check_fields(cls, checker: Checker, e: dict, bad: Bad) -> None:
        _check_unit(checker, e, bad)

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        item = scenario.items.get(e["item_id"])
        kind = vocab.ITEM_TYPES.get(item.item_type if item else "", ("设备", "unit", ()))
        session = _session(scenario, live, e["session_id"])
        by = names.person(scenario, e["staff_id"]) if e.get("staff_id") else ""
        return (f"{kind[0]} {e['item_id']} 布设于{session}" + (f"，{by}" if by else ""),
                f"{kind[1]} {e['item_id']} set up for {session}" + (f" by {by}" if by else ""))

    @classmethod
    def count(cls, log, live: Scenario, e: Event, sid: str) -> None:
        item = live.items[e["item_id"]]
        if e["item_id"] not in log.units[sid][item.item_type] and e.get("staff_id"):
            log.deployed_by[e["staff_id"]] += 1
        log.units[sid][item.item_type].add(e["item_id"])


class _Visit(_Work):
    """A patrol, a sweep or a clean-up done by one person."""

    fields = kinds(session_id=ID, staff_id=ID)
    task: ClassVar[str] = ""

    @classmethod
    def count(cls, log, live: Scenario, e: Event, sid: str) -> None:
        log.visits[sid][cls.task][e["staff_id"]] += 1

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        who = names.person(scenario, e["staff_id"])
        session = _session(scenario, live, e["session_id"])
        task = vocab.TASKS[cls.task]
        return f"{who}完成{task[0]}：{session}", f"{who}: {task[1]} done for {session}"


@register
class PatrolDone(_Visit):
    name, task = "patrol_done", "patrol"


@register
class SweepDone(_Visit):
    name, task = "sweep_done", "sweep"


@register
class CleanupDone(_Visit):
    name, task = "cleanup_done", "cleanup"


@register
class BagWeighed(EventType):
    name = "bag_weighed"
    fields = kinds(bag_set_id=ID, kg=NUMBER, venue_id=ID)
    optional = kinds(session_id=ID)  # the recess it was collected at (per-recess tonnage)

    @classmethod
    def check_fields(cls, checker: Checker, e: dict, bad: Bad) -> None:
        item = checker.s.items.get(e["bag_set_id"])
        if item is None or item.item_type != "shred_bag_set":
            bad("bag_set_id", "unknown_bag_set", value=e["bag_set_id"])
        _check_kg(e, bad)

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        where = names.venue(scenario, e["venue_id"])
        sid = e.get("session_id")
        session = _session(scenario, live, sid) if sid else ""
        return (f"销毁袋 {e['bag_set_id']} {e['kg']} 千克，{where}"
                + (f"，{session}休会回收" if session else ""),
                f"bag set {e['bag_set_id']}: {e['kg']} kg at {where}"
                + (f", collected at {session}" if session else ""))


@register
class DocumentFound(EventType):
    name = "document_found"
    fields = kinds(room_id=ID, level=TEXT, note=TEXT)

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        _check_level(e, bad)

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        room = names.room(scenario, e["room_id"])
        level = vocab.LEVELS.get(vocab.lookup(vocab.LEVELS, str(e["level"])) or "",
                                 (str(e["level"]), str(e["level"]), ()))
        return (f"{room}发现{level[0]}文件：{e['note']}",
                f"a {level[1]} document found in {room}: {e['note']}")


@register
class Destroyed(EventType):
    name = "destroyed"
    fields = kinds(kg=NUMBER, venue_id=ID, witnesses=LIST)

    @classmethod
    def check_fields(cls, checker: Checker, e: dict, bad: Bad) -> None:
        _check_kg(e, bad)

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        if not (isinstance(e["witnesses"], list)
                and all(isinstance(w, str) and w for w in e["witnesses"])):
            bad("witnesses", "event_witnesses")

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        where = names.venue(scenario, e["venue_id"])
        witnesses = names.people(scenario, e["witnesses"])
        return (f"{where}监督销毁 {e['kg']} 千克，见证人 {witnesses}",
                f"{e['kg']} kg destroyed at {where}, witnessed by {witnesses}")


# -- the log's own --------------------------------------------------------------------------------
def _type(e: Mapping | Event) -> object:
    return e.type if isinstance(e, Event) else e.get("type")


def voided(events: Sequence[Mapping | Event]) -> dict[int, Mapping | Event]:
    """The entries that ``void`` entries void: {entry number: the void entry}. An entry's
    number is its ``seq``, or its place in ``events`` (1, 2, …) when the log's own fields
    were left off (a JSON Lines file). Of lines as logged, or of events."""
    return {e["voids"]: e for e in events if _type(e) == "void"}


def in_force(events: Sequence[Event]) -> list[Event]:
    """The events that count: without the ``void`` entries and the entries they void.
    Every reader that applies the log (re-planning, the report, the dashboard) goes
    through this, so a voided entry counts for nothing anywhere."""
    gone = voided(events)
    return [e for e in events if e.type != "void" and e.seq not in gone]


def lines_in_force(lines: list[dict]) -> list[dict]:
    """:func:`in_force` of lines not yet parsed (the checker's history)."""
    gone = voided(lines)
    return [e for n, e in enumerate(lines, start=1)
            if e.get("type") != "void" and e.get("seq", n) not in gone]


@register
class Void(EventType):
    """Entry number ``voids`` counts for nothing from then on."""

    name = "void"
    fields = kinds(voids=NUMBER, reason=TEXT)

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        """A void names an earlier entry that is not a void, not voided already, and (for
        an ad-hoc session) not named by a later entry still in force; and without which
        every later entry in force still fits (a cancelled session revived must not
        double-book a room a later ad-hoc session or extension took)."""
        if not isinstance(e["reason"], str):
            bad("reason", "event_not_text", field="reason", value=e["reason"])
        n, history = e["voids"], checker.history
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(history):
            bad("voids", "event_void_missing", value=n)
            return
        target, gone = history[n - 1], voided(history)
        if target.get("type") == "void":
            bad("voids", "event_void_void", value=n)
        elif n in gone:
            bad("voids", "event_void_twice", value=n)
        elif target.get("type") == "adhoc_session":
            later = [m for m, x in enumerate(history[n:], start=n + 1)
                     if m not in gone and x.get("session_id") == target["session_id"]]
            if later:
                bad("voids", "event_void_used", value=n, session=target["session_id"],
                    later=later[0])
                return
        if target.get("type") != "void" and n not in gone:
            conflict = checker.no_longer_fits(n)
            if conflict:
                m, why = conflict
                bad("voids", "event_void_conflict", value=n, later=m,
                    why_zh=t(why.key, "zh", column=why.column, **why.params),
                    why_en=t(why.key, "en", column=why.column, **why.params))

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        return (f"作废第 {e['voids']} 条：{e['reason']}",
                f"voids entry {e['voids']}: {e['reason']}")


# -- what the people on the corridors report -----------------------------------------------
@register
class OrderSkipped(EventType):
    """An order its person could not carry out, and why (logged from their phone): the
    order counts as answered, not as done."""

    name = "order_skipped"
    fields = kinds(session_id=ID, staff_id=ID, task=TEXT, reason=TEXT)
    label = ("任务未执行", "order skipped")

    @classmethod
    def check(cls, checker: Checker, e: dict, bad: Bad, clean: bool) -> None:
        if e["task"] not in vocab.TASKS or e["task"] == "away":
            bad("task", "unknown_value", value=e["task"],
                choices=", ".join(k for k in vocab.TASKS if k != "away"))
        if not isinstance(e["reason"], str) or not e["reason"].strip():
            bad("reason", "event_skip_reason")

    @classmethod
    def describe(cls, scenario: Scenario, live: Scenario, e: Event) -> tuple[str, str]:
        who = names.person(scenario, e["staff_id"])
        session = _session(scenario, live, e["session_id"])
        task = vocab.TASKS.get(e["task"], (e["task"], e["task"], ()))
        return (f"{who}未执行{session}的{task[0]}：{e['reason']}",
                f"{who} skipped the {task[1]} of {session}: {e['reason']}")
