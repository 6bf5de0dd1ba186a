"""A new event type is one class: registered here (and unregistered after), it is checked
against the scenario, applied and described in the report like the contract's own types,
and a type nobody registered is still refused."""

from __future__ import annotations

from planner.errors import Problems
from planner.events.apply import apply_events
from planner.events.log import FIELDS, check_events
from planner.events.types import ID, NUMBER, EventType, kinds, register, unregister
from planner.io.scenario_files import load_scenario
from planner.model import vocabulary as vocab
from planner.report.statistics import INCIDENTS, build
from tests.conftest import MINI
from tests.report.test_report import MINI_PLAN


class NoiseMeasured(EventType):
    """A toy type: the noise in a room, in dB (registered only inside the test)."""

    name = "noise_measured"
    fields = kinds(room_id=ID, db=NUMBER)
    label = ("噪声测量", "noise measured")
    incident = True  # listed in the report's incidents

    @classmethod
    def check_fields(cls, checker, e, bad):
        db = e["db"]
        if isinstance(db, bool) or not isinstance(db, int | float) or db < 0:
            bad("db", "negative", value=db)

    @classmethod
    def describe(cls, scenario, live, e):
        room = scenario.rooms[e["room_id"]]
        return (f"{room.name}（{room.room_id}）噪声 {e['db']} 分贝",
                f"noise of {e['db']} dB in {room.room_id} ({room.name})")


NOISE = {"at": "2021-11-26T10:00", "type": "noise_measured", "room_id": "R1", "db": 62.5}
TELEPORT = {"at": "2021-11-26T10:00", "type": "teleport", "room_id": "R1"}


def _check(scenario, events):
    problems = Problems()
    good = check_events(scenario, list(enumerate(events, start=1)), "e.jsonl", problems)
    return good, [p.text("en") for p in problems.items]


def _world(s):
    return (s.sessions, s.items, s.rooms, s.unavailable, s.failed_since, s.cancelled)


def test_one_class_makes_a_new_event_type_and_an_unknown_one_is_still_refused():
    scenario = load_scenario(MINI)
    register(NoiseMeasured)
    try:
        assert FIELDS["noise_measured"] == ("room_id", "db")
        assert vocab.EVENT_TYPES["noise_measured"][:2] == ("噪声测量", "noise measured")
        good, said = _check(scenario, [NOISE, {**NOISE, "db": -3}, {**NOISE, "room_id": "R9"},
                                       {**NOISE, "db": None}, TELEPORT])
        assert good == [NOISE]
        assert said == [
            "e.jsonl line 2, column db: must not be negative, but is -3",
            "e.jsonl line 3, column room_id: the room R9 does not exist (it is not in the "
            "scenario)",
            "e.jsonl line 4, column db: a noise_measured event needs db",
            "e.jsonl line 5, column type: 'teleport' is not an accepted value; use one of: "
            + ", ".join(FIELDS)]
        assert said[-1].endswith("destroyed, void, order_skipped, noise_measured")
        # applied: it changes nothing in the congress
        assert _world(apply_events(scenario, [NOISE])) == _world(scenario)
        # described in the report's words, Chinese and English
        assert "noise_measured" in INCIDENTS
        incidents = build(scenario, MINI_PLAN, [NOISE]).tables["incidents"]
        assert incidents[["type", "detail", "detail_en"]].values.tolist() == [
            ["noise_measured", "大会堂（R1）噪声 62.5 分贝", "noise of 62.5 dB in R1 (大会堂)"]]
    finally:
        unregister("noise_measured")
    assert "noise_measured" not in FIELDS and "noise_measured" not in vocab.EVENT_TYPES
    assert "noise_measured" not in INCIDENTS
    good, said = _check(scenario, [NOISE])
    assert not good and "'noise_measured' is not an accepted value" in said[0]


def test_every_contract_type_is_a_registered_class_with_its_fields():
    assert list(FIELDS) == list(vocab.EVENT_TYPES)
    assert FIELDS["bag_weighed"] == ("bag_set_id", "kg", "venue_id")
    assert FIELDS["adhoc_session"] == ("session_id", "room_id", "start", "end", "kind",
                                       "attendees", "level")
    assert list(INCIDENTS) == ["adhoc_session", "cancel_session", "extend_session",
                               "unit_failed", "unit_restored", "staff_unavailable",
                               "booster_found"]


def test_an_event_is_parsed_once_with_its_times_as_datetimes():
    """After the checker, an event is an Event: its type, its time and its own time fields
    as datetimes, its entry number (its line's place when it carries none), who logged
    it, and the line as logged."""
    import datetime as dt

    from planner.events.types import in_force, parse, parsed

    line = {"at": "2021-11-26T10:05", "type": "staff_unavailable", "staff_id": "P1",
            "until": "2021-11-26 12:00", "who": "liming", "seq": 7}
    e = parse(line)
    assert (e.type, e.at, e.seq, e.who) == ("staff_unavailable", dt.datetime(2021, 11, 26, 10, 5),
                                            7, "liming")
    assert e["until"] == dt.datetime(2021, 11, 26, 12, 0) and "until" in e
    assert "at" not in e and "who" not in e  # the log's own fields are attributes
    assert e.line == line
    first, second, void = parsed([NOISE, {**NOISE, "db": 70}, {
        "at": "2021-11-26T11:00", "type": "void", "voids": 1, "reason": "wrong room"}])
    assert (first.seq, second.seq, void.seq) == (1, 2, 3)
    assert [x["db"] for x in in_force([first, second, void])] == [70]
