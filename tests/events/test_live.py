"""The world as the log says: events applied to the scenario, and plans that respect them."""

from __future__ import annotations

import datetime as dt

from planner.events.apply import apply_events
from planner.io.scenario_files import load_scenario
from planner.model.requirements import derive
from planner.solve.orchestrate import make_plan
from tests.conftest import MINI
from tests.solve.test_plan import checked

EVENTS = [
    {"at": "2021-11-26T07:00", "type": "unit_failed", "item_id": "J3"},
    {"at": "2021-11-26T07:05", "type": "booster_found", "room_id": "R4"},
    {"at": "2021-11-26T07:10", "type": "adhoc_session", "session_id": "X1", "room_id": "R3",
     "start": "2021-11-26T19:00", "end": "2021-11-26T19:40", "kind": "临时会议",
     "attendees": 8, "level": "机密"},
    {"at": "2021-11-26T07:20", "type": "cancel_session", "session_id": "S6"},
    {"at": "2021-11-26T07:30", "type": "extend_session", "session_id": "S2",
     "new_end": "2021-11-26T18:00"},
    {"at": "2021-11-26T07:40", "type": "staff_unavailable", "staff_id": "P2",
     "until": "2021-11-26T12:00"},
    {"at": "2021-11-26T12:00", "type": "unit_restored", "item_id": "J3"},
]


def test_events_change_the_scenario_as_the_log_says():
    base = load_scenario(MINI)
    now = apply_events(base, EVENTS, until=dt.datetime(2021, 11, 26, 8))
    assert now.items["J3"].status == "maintenance"  # restored only at noon
    assert now.rooms["R4"].signal == "booster"
    assert now.sessions["X1"].kind == "adhoc" and now.sessions["X1"].level == "secret"
    assert "S6" not in now.sessions
    assert now.sessions["S2"].end == dt.datetime(2021, 11, 26, 18)
    assert now.unavailable["P2"] == [(dt.datetime(2021, 11, 26, 7, 40),
                                      dt.datetime(2021, 11, 26, 12))]
    assert derive(now)["S5"].jammers == 3  # the override still wins
    assert base.items["J3"].status == "ok"  # the scenario itself is untouched
    later = apply_events(base, EVENTS)
    assert later.items["J3"].status == "ok"


def test_a_booster_next_to_a_room_raises_its_jammers():
    base = load_scenario(MINI)
    now = apply_events(base, [EVENTS[1]])
    room_before, room_after = base.rooms["R4"], now.rooms["R4"]
    from planner.model.requirements import jammers_for

    assert jammers_for(room_after, "secret", now.rules) > jammers_for(room_before, "secret",
                                                                      base.rules)


def test_the_plan_keeps_off_failed_units_and_people_who_cannot_come(tmp_path):
    now = apply_events(load_scenario(MINI), EVENTS[:6])
    plan = make_plan(now, time_limit=0.5)
    checked(now, plan, tmp_path / "p")
    assert "J3" not in {a.item_id for a in plan.assignments}
    off, back = now.unavailable["P2"][0]
    assert not [t for t in plan.staff_tasks
                if t.staff_id == "P2" and t.start < back and t.end > off]
    assert "X1" in {r.session_id for r in plan.coverage}


def test_a_plan_made_after_a_logged_absence_keeps_off_it_whatever_the_seed():
    """Patrol times slide towards a seeded time: never into a time the person was
    reported off duty (a rehearsal run's absence, on the reference congress)."""
    from planner.verify import checked_files
    from tests.conftest import REFERENCE

    scenario = load_scenario(REFERENCE)
    off, back = dt.datetime(2021, 11, 27, 15, 55), dt.datetime(2021, 11, 27, 19, 35)
    live = apply_events(scenario, [{"at": "2021-11-27T15:55", "type": "staff_unavailable",
                                    "staff_id": "P002", "until": "2021-11-27T19:35"}])
    for seed in range(3):
        plan = make_plan(live, method="greedy", seed=seed)
        checked_files(plan, live)  # raises PlanRejected if a task falls in the absence
        assert not [t for t in plan.staff_tasks if t.staff_id == "P002"
                    and off < t.start < back]
