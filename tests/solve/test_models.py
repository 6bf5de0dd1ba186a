"""The CP-SAT models on tiny congresses built by hand, each proving one modelling fact.

Every instance is written in the contract format (the shape of ``tests/data/mini``) into
``tmp_path`` and loaded as a user's congress is. Each expected value is worked out by hand
from the instance and the rules it states (``python -m planner rules``); the docstrings
show the working. Every plan made here passes the independent checker.

Times are on 2021-11-26 unless said otherwise; ``epoch`` is midnight the day before.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.model.requirements import derive
from planner.model.tasks import epoch, session_tasks
from planner.solve.budget import Budget
from planner.solve.equipment import EquipmentModel, ModelError, session_weight
from planner.solve.orchestrate import make_plan
from planner.solve.staff import StaffDayModel, disjoint, duty_day
from planner.verify import verify

DAY = "2021-11-26"
# The rules each instance states outright (their defaults today), so the hand working
# below does not depend on defaults changing.
RULES = {"setup_minutes": 30, "loading_minutes": 15, "move_within_venue_minutes": 10,
         "move_slack_minutes": 30, "sweep_minutes": 20, "sweep_lead_minutes": 120,
         "cleanup_minutes": 15, "cleanup_window_minutes": 45,
         "cleanup_attendees_per_person": 100, "sweep_m2_per_person": 400,
         "jammer_area_m2": 150, "patrol_minutes": 10, "post_minutes": 240}
SESSION_COLUMNS = ["session_id", "room_id", "start", "end", "kind", "attendees", "level",
                   "name", "group_id", "jammers_required", "cabinet_units_required",
                   "patrols_required"]


def at(hhmm: str, day: str = DAY) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}")


def _csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def session(sid: str, room: str, start: str, end: str, attendees: int, level: str,
            kind: str = "group", jammers: int | str = "") -> tuple:
    """A sessions.csv row; cabinet units are overridden to 0 so that only jammers count."""
    return (sid, room, f"{DAY}T{start}", f"{DAY}T{end}", kind, attendees, level, sid, "",
            jammers, 0, "")


def congress(folder: Path, *, rooms: list[tuple], sessions: list[tuple], inventory: list[tuple],
             staff: list[tuple], venues: tuple[str, ...] = ("V1",),
             travel: list[tuple] = ()) -> Path:
    """A scenario folder in the contract format. ``rooms``: (room_id, venue_id, area_m2);
    ``inventory``: (item_id, venue_id, status) jammers; ``staff``: (staff_id, venue_id,
    shift_start, shift_end)."""
    folder.mkdir(parents=True)
    rules = "".join(f"  {k}: {v}\n" for k, v in RULES.items())
    (folder / "scenario.yaml").write_text(
        f"name: {folder.name}\ntitle: {folder.name}\ntimezone: Asia/Shanghai\nrules:\n{rules}",
        encoding="utf-8")
    _csv(folder / "venues.csv", ["venue_id", "name", "has_destruction"],
         [(v, f"venue {v}", "false") for v in venues])
    _csv(folder / "rooms.csv", ["room_id", "venue_id", "name", "area_m2", "capacity", "signal"],
         [(r, v, f"room {r}", area, 400, "normal") for r, v, area in rooms])
    _csv(folder / "travel.csv", ["from_venue", "to_venue", "minutes"], list(travel))
    _csv(folder / "sessions.csv", SESSION_COLUMNS, sessions)
    _csv(folder / "inventory.csv", ["item_id", "item_type", "venue_id", "capacity", "status"],
         [(i, "jammer", v, 150, status) for i, v, status in inventory])
    _csv(folder / "staff.csv", ["staff_id", "name", "role", "venue_id", "shift_start",
                                "shift_end"],
         [(p, f"person {p}", "tech", v, a, b) for p, v, a, b in staff])
    _csv(folder / "groups.csv", ["group_id", "name", "venue_id", "members"], [])
    return folder


def planned(scenario, folder: Path):
    """The CP-SAT plan, written and passed by the independent checker."""
    plan = make_plan(scenario, time_limit=1.0, seed=0)
    write_plan(plan, folder)
    violations, checks = verify(scenario, folder)
    assert violations == [], "\n".join(map(str, violations[:20]))
    assert checks > 0
    return plan


def row(plan, sid: str):
    return next(r for r in plan.coverage if r.session_id == sid)


def minutes(a: dt.datetime, b: dt.datetime) -> int:
    return int((b - a).total_seconds() // 60)


# -- equipment ---------------------------------------------------------------------------------

def test_a_unit_that_must_move_is_moved_in_time(tmp_path):
    """One jammer J1 in venue A's depot; one confidential session S1 in room RB of venue B,
    10:00–11:00, area 100 m²: ceil(100 × 1.0 / 150) = 1 jammer. Road A–B 20 min.

    J1 is the only unit, so the plan must move it: exactly one move, J1 from ``depot:A``
    to RB, taking road + loading = 20 + 15 = 35 min, arriving by the setup, 10:00 − 30 =
    09:30: departing no later than 10:00 − 30 − 35 = 08:55 (and, in this model, no
    earlier than 08:55 − move_slack 30 = 08:25). J1 then serves S1 from 09:30 to 11:00, a
    person does the move, and the session is covered (P1 at A can carry it while P2 at B
    sweeps, patrols and cleans up). A model without the loading time would let it leave
    as late as 09:10; one that ignored the road would make no move at all.
    """
    sc = load_scenario(congress(
        tmp_path / "must_move", venues=("A", "B"), travel=[("A", "B", 20)],
        rooms=[("RB", "B", 100)],
        sessions=[session("S1", "RB", "10:00", "11:00", 20, "confidential")],
        inventory=[("J1", "A", "ok")],
        staff=[("P1", "A", "07:00", "19:00"), ("P2", "B", "07:00", "19:00")]))
    plan = planned(sc, tmp_path / "plan")

    assert len(plan.moves) == 1
    move = plan.moves[0]
    assert (move.item_id, str(move.from_room_id), str(move.to_room_id)) == ("J1", "depot:A", "RB")
    assert minutes(move.depart, move.arrive) == 35
    assert at("08:25") <= move.depart <= at("08:55")
    assert move.arrive <= at("09:30")
    carried = [t for t in plan.staff_tasks if t.task == "move"]
    assert [(t.staff_id, t.start) for t in carried] == [(move.staff_id, move.depart)]
    assert [(a.item_id, a.session_id, a.room_id, a.start, a.end) for a in plan.assignments] == [
        ("J1", "S1", "RB", at("09:30"), at("11:00"))]
    r = row(plan, "S1")
    assert (r.jammers_required, r.jammers_assigned, r.covered) == (1, 1, True)
    assert r.shortfall_reason == ""


def overlapping(tmp_path: Path, first: tuple[int, str], second: tuple[int, str]):
    """Two sessions in two rooms of V1, both 10:00–11:00, each of 100 m² (1 jammer), with
    (attendees, level) given; one jammer J1; three people all day."""
    return load_scenario(congress(
        tmp_path / "overlap", rooms=[("R1", "V1", 100), ("R2", "V1", 100)],
        sessions=[session("S1", "R1", "10:00", "11:00", *first),
                  session("S2", "R2", "10:00", "11:00", *second)],
        inventory=[("J1", "V1", "ok")],
        staff=[(p, "V1", "07:00", "19:00") for p in ("P1", "P2", "P3")]))


@pytest.mark.parametrize(("first", "second", "winner", "loser"), [
    ((20, "secret"), (45, "confidential"), "S1", "S2"),
    ((45, "confidential"), (20, "secret"), "S2", "S1"),
])
def test_one_unit_for_two_overlapping_sessions_goes_to_the_heavier(tmp_path, first, second,
                                                                   winner, loser):
    """Two sessions at the same time, each needing 1 jammer (ceil(100 / 150)), one jammer.
    J1 can serve only one of them: both hold it 09:30–11:00. The weights (level weight ×
    (attendees + 10)): the secret one with 20 people 4 × 30 = 120, the confidential one
    with 45 people 2 × 55 = 110; so the secret one is covered. Both orders of the rows
    are tried, so the first session winning by id or row cannot pass. A model weighting
    by attendees alone (20 < 45), or by level × attendees without the +10 (80 < 90),
    would give J1 to the confidential one instead; one that let a unit serve two rooms at
    once would cover both.

    The loser's reason: J1 in use elsewhere during its setup-to-end span 09:30–11:00, in
    V1, by its name: "jammers 0/1: all 1 usable jammers in use 09:30–11:00 (venue V1 1)".
    """
    sc = overlapping(tmp_path, first, second)
    assert (session_weight(sc, winner), session_weight(sc, loser)) == (120, 110)
    plan = planned(sc, tmp_path / "plan")

    assert [(a.item_id, a.session_id) for a in plan.assignments] == [("J1", winner)]
    won, lost = row(plan, winner), row(plan, loser)
    assert (won.jammers_assigned, won.covered) == (1, True)
    assert (lost.jammers_required, lost.jammers_assigned, lost.covered) == (1, 0, False)
    assert lost.shortfall_reason_en == ("jammers 0/1: all 1 usable jammers in use 09:30–11:00 "
                                        "(venue V1 1)")
    assert plan.summary.sessions_covered == 1


def test_equipment_model_alone_serves_the_heavier_session(tmp_path):
    """The same fact on the equipment model itself, without staff or naming: of S1 (secret,
    20 people, weight 120) and S2 (confidential, 45 people, weight 110), overlapping, with
    one jammer at V1, the model serves S1 with 1 unit and S2 with none, brings that unit
    from V1's pool (the depot) once, and reports S2 as not full."""
    sc = overlapping(tmp_path, (20, "secret"), (45, "confidential"))
    model = EquipmentModel(sc, derive(sc), epoch(sc))
    found = model.solve(Budget(1.0), 1.0, 1, 0)
    assert (found.serve["jammer", "S1"], found.serve["jammer", "S2"]) == (1, 0)
    assert found.bring == {("jammer", "V1", "S1"): 1}
    assert [s.status for s in found.stages if s.name == "coverage"] == ["OPTIMAL"]
    assert [s.objective for s in found.stages if s.name == "coverage"] == [110]


def test_a_unit_in_maintenance_is_never_assigned(tmp_path):
    """J1 is in maintenance, J2 is fine, both in V1's depot; S1 (confidential, 100 m²)
    needs 1 jammer. Only J2 may serve it: J2 is assigned 09:30–11:00 and moved from the
    depot, J1 appears in no assignment and no move. Naming takes free units by id, so a
    model or naming that counted J1 as stock would pick J1."""
    sc = load_scenario(congress(
        tmp_path / "maintenance", rooms=[("R1", "V1", 100)],
        sessions=[session("S1", "R1", "10:00", "11:00", 20, "confidential")],
        inventory=[("J1", "V1", "maintenance"), ("J2", "V1", "ok")],
        staff=[("P1", "V1", "07:00", "19:00"), ("P2", "V1", "07:00", "19:00")]))
    plan = planned(sc, tmp_path / "plan")

    assert [(a.item_id, a.session_id, a.start, a.end) for a in plan.assignments] == [
        ("J2", "S1", at("09:30"), at("11:00"))]
    assert [(m.item_id, str(m.from_room_id), str(m.to_room_id)) for m in plan.moves] == [
        ("J2", "depot:V1", "R1")]
    assert row(plan, "S1").covered


def test_a_unit_in_maintenance_is_not_counted_as_stock(tmp_path):
    """As above, but S1 needs 2 jammers (override). Only J2 is usable: 1 of 2 assigned
    (units short is minimised, so 1, not 0), not covered, and the reason says the stock
    holds only 1 usable unit and names J1 as in maintenance."""
    sc = load_scenario(congress(
        tmp_path / "maintenance2", rooms=[("R1", "V1", 100)],
        sessions=[session("S1", "R1", "10:00", "11:00", 20, "confidential", jammers=2)],
        inventory=[("J1", "V1", "maintenance"), ("J2", "V1", "ok")],
        staff=[("P1", "V1", "07:00", "19:00"), ("P2", "V1", "07:00", "19:00")]))
    plan = planned(sc, tmp_path / "plan")

    assert [a.item_id for a in plan.assignments] == ["J2"]
    r = row(plan, "S1")
    assert (r.jammers_required, r.jammers_assigned, r.covered) == (2, 1, False)
    assert r.shortfall_reason_en == ("jammers 1/2: only 1 usable in the whole stock, fewer "
                                     "than the 2 needed; J1 in maintenance")


def test_a_unit_freed_by_one_session_serves_the_next_in_another_room(tmp_path):
    """One jammer J1; S1 in R1 09:00–10:00 and S2 in R2 (same venue V1) 11:10–12:10, each
    confidential, 100 m² (1 jammer). J1 is free when S1 ends at 10:00, and must be set up
    in R2 by 11:10 − 30 = 10:40; a move within the venue takes 10 min, so it may leave
    10:00 at the earliest and 10:30 at the latest. The model books a unit off its pool
    from the start of the move's window (latest − slack = 10:30 − 30 = 10:00), so a gap of
    setup + move + slack = 70 min, as here, is just enough: both sessions are covered by
    J1, with two moves: depot → R1 (leaving by 09:00 − 30 − 10 = 08:20) and R1 → R2
    leaving in [10:00, 10:30]. A model that never released a unit after its session, or
    that let it leave before S1 ended, would fail this."""
    sc = load_scenario(congress(
        tmp_path / "reuse", rooms=[("R1", "V1", 100), ("R2", "V1", 100)],
        sessions=[session("S1", "R1", "09:00", "10:00", 20, "confidential"),
                  session("S2", "R2", "11:10", "12:10", 20, "confidential")],
        inventory=[("J1", "V1", "ok")],
        staff=[(p, "V1", "07:00", "19:00") for p in ("P1", "P2", "P3")]))
    plan = planned(sc, tmp_path / "plan")

    assert [(a.item_id, a.session_id, a.start, a.end) for a in plan.assignments] == [
        ("J1", "S1", at("08:30"), at("10:00")), ("J1", "S2", at("10:40"), at("12:10"))]
    first, second = plan.moves
    assert (first.item_id, str(first.from_room_id), str(first.to_room_id)) == ("J1", "depot:V1",
                                                                            "R1")
    assert first.depart <= at("08:20") and minutes(first.depart, first.arrive) == 10
    assert (second.item_id, str(second.from_room_id), str(second.to_room_id)) == ("J1", "R1",
                                                                               "R2")
    assert at("10:00") <= second.depart <= at("10:30")
    assert minutes(second.depart, second.arrive) == 10
    assert all(r.covered for r in plan.coverage)


# -- staff -------------------------------------------------------------------------------------

def crew_congress(tmp_path: Path, on_shift: int):
    """One internal plenary S1 in R1 (V1, 300 m²), 10:00–11:00, 250 attendees: no jammers
    or cabinets (internal), 1 patrol (1 + 60 // 120), a sweep (the room's first session of
    the day) by ceil(300 / 400) = 1 person, and a clean-up crew of ceil(250 / 100) = 3,
    each starting 11:00–11:45 and lasting 15 min. ``on_shift`` people work 07:00–19:00;
    one more, P9, works 13:00–21:00, off shift for the clean-up."""
    people = [(f"P{n}", "V1", "07:00", "19:00") for n in range(1, on_shift + 1)]
    return load_scenario(congress(
        tmp_path / f"crew{on_shift}", rooms=[("R1", "V1", 300)],
        sessions=[session("S1", "R1", "10:00", "11:00", 250, "internal", kind="plenary")],
        inventory=[("J1", "V1", "ok")],
        staff=[*people, ("P9", "V1", "13:00", "21:00")]))


def cleanups(plan) -> list:
    return [t for t in plan.staff_tasks if t.task == "cleanup" and t.session_id == "S1"]


def test_a_crew_of_three_is_three_different_people(tmp_path):
    """Three people on shift for a clean-up crew of 3: the crew is P1, P2 and P3, one
    clean-up each, each starting 11:00–11:45 for 15 min; P9 (off shift) does none. The
    session is covered."""
    sc = crew_congress(tmp_path, 3)
    plan = planned(sc, tmp_path / "plan")

    crew = cleanups(plan)
    assert sorted(t.staff_id for t in crew) == ["P1", "P2", "P3"]
    for t in crew:
        assert at("11:00") <= t.start <= at("11:45") and minutes(t.start, t.end) == 15
    r = row(plan, "S1")
    assert (r.cleanup_done, r.sweep_done, r.patrols_assigned, r.covered) == (True, True, 1, True)


def test_a_crew_of_three_is_not_two_people_twice(tmp_path):
    """Two people on shift for a clean-up crew of 3. The window (45 min) would let one
    person do two 15-min clean-ups one after the other, but a crew is that many different
    people: only 2 clean-ups are done, by P1 and P2, and the session is not covered; its
    sweep (1 person) and patrol are done. The reason names the clean-up alone: 2 of 3,
    over the crew's window 11:00 (the earliest start) to 11:45 + 15 = 12:00, with 2 staff
    on shift (both busy on the clean-up) and 1 (P9) off shift. A model without the
    distinct-people rule would give P1 or P2 two clean-ups and call S1 covered."""
    sc = crew_congress(tmp_path, 2)
    plan = planned(sc, tmp_path / "plan")

    assert sorted(t.staff_id for t in cleanups(plan)) == ["P1", "P2"]
    r = row(plan, "S1")
    assert (r.cleanup_done, r.sweep_done, r.patrols_assigned, r.covered) == (False, True, 1, False)
    reason = r.shortfall_reason_en
    assert reason.startswith("clean-up 2/3: 2 staff on shift 11:00–12:00"), reason
    assert "all busy (clean-up 2)" in reason and "1 off shift" in reason, reason
    assert not any(word in reason for word in ("sweep", "patrol", "jammer")), reason


@pytest.mark.parametrize(("on_shift", "crew_done"), [(3, 3), (2, 2), (1, 1)])
def test_staff_model_alone_fills_a_crew_with_different_people(tmp_path, on_shift, crew_done):
    """The staff day model on its own, with the session's tasks (a sweep, a patrol, three
    clean-ups): it does as many clean-ups as there are different people on shift then
    (3, 2, 1), never two by one person, while the sweep and the patrol are done either
    way (they do not overlap the clean-up window)."""
    sc = crew_congress(tmp_path, on_shift)
    tasks = session_tasks(sc, derive(sc), epoch(sc))
    assert sorted(t.task_id for t in tasks) == [
        "S1:cleanup:0", "S1:cleanup:1", "S1:cleanup:2", "S1:patrol:0", "S1:sweep:0"]
    day = duty_day(min(t.earliest for t in tasks))
    model = StaffDayModel(sc, tasks, day, {"S1": session_weight(sc, "S1")}, {"S1"}, {}, 0)
    done, _venues, _transfers, _stages = model.solve(Budget(1.0), 1.0, 1, 0, ("tasks",))
    crew = [done[tid][0] for tid in done if ":cleanup:" in tid]
    assert len(crew) == crew_done and len(set(crew)) == crew_done
    assert "P9" not in crew
    assert {"S1:sweep:0", "S1:patrol:0"} <= set(done)


# -- a model the solver refuses is a bug, raised and never swallowed -------------------------------

def test_an_infeasible_staff_model_raises_instead_of_keeping_the_greedy_day(tmp_path):
    """A contradiction added to the staff day model (one that a bug in it could make):
    the solver proves it INFEASIBLE and the model raises ModelError naming the day and
    the stage, instead of handing back the roster it started from."""
    sc = crew_congress(tmp_path, 3)
    tasks = session_tasks(sc, derive(sc), epoch(sc))
    day = duty_day(min(t.earliest for t in tasks))
    model = StaffDayModel(sc, tasks, day, {"S1": session_weight(sc, "S1")}, {"S1"}, {}, 0)
    x = model.model.new_bool_var("contradiction")
    model.model.add(x == 1)
    model.model.add(x == 0)
    with pytest.raises(ModelError, match=f"day {day}, tasks: INFEASIBLE") as raised:
        model.solve(Budget(1.0), 1.0, 1, 0, ("tasks",))
    assert raised.value.stage is not None and raised.value.stage.status == "INFEASIBLE"


def test_a_plan_whose_staff_model_is_infeasible_is_refused_and_nothing_written(
        tmp_path, monkeypatch, capsys):
    """The same bug inside ``plan``: every staff day model made infeasible (each
    ``keep_at_least`` adds the contradiction). Before, the greedy day was kept and the
    plan written with ``model_errors`` counting the stages; now the command says it is a
    bug to report, exits 3 and writes nothing."""
    crew_congress(tmp_path, 3)
    sc_folder = tmp_path / "crew3"
    real = StaffDayModel.keep_at_least

    def broken(self, done):
        real(self, done)
        x = self.model.new_bool_var("contradiction")
        self.model.add(x == 1)
        self.model.add(x == 0)

    monkeypatch.setattr(StaffDayModel, "keep_at_least", broken)
    out = tmp_path / "plan"
    code = main(["plan", str(sc_folder), "--out", str(out), "--time-limit", "1",
                 "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 3
    assert ("Bug: the solver refused the model; nothing was written and the plan in force "
            "stays in force. Please report this:\n  - staff model, day 1, load: INFEASIBLE"
            in err), err
    assert "Traceback" not in err
    assert not out.exists()


def test_an_absence_logged_over_work_under_way_leaves_the_staff_model_solvable(tmp_path):
    """Re-planning passes the staff model a person's absences together with the work they
    have under way, and these may overlap (reported off at 10:30 while busy 10:00–11:00).
    As fixed intervals that must not overlap, they made the day's model infeasible; they
    are taken as their union now, 10:00–11:30, and P1..P3 (on shift) still do the
    clean-up crew of three, none of them during that time."""
    sc = crew_congress(tmp_path, 3)
    busy = (at("10:00"), at("11:00"))
    away = (at("10:30"), at("11:30"))
    sc = dataclasses.replace(sc, unavailable={"P1": [busy, away]})
    tasks = session_tasks(sc, derive(sc), epoch(sc))
    day = duty_day(min(t.earliest for t in tasks))
    model = StaffDayModel(sc, tasks, day, {"S1": session_weight(sc, "S1")}, {"S1"}, {}, 0)
    done, _venues, _transfers, _stages = model.solve(Budget(1.0), 1.0, 1, 0, ("tasks",))
    origin = epoch(sc)
    mine = [(tid, start) for tid, (p, start) in done.items() if p == "P1"]
    by_id = {t.task_id: t for t in tasks}
    assert all(start + by_id[tid].duration <= minutes(origin, at("10:00"))
               or start >= minutes(origin, at("11:30")) for tid, start in mine), mine


def test_disjoint_spans_stay_as_they_are_and_overlapping_ones_become_their_union():
    assert disjoint([(30, 40), (0, 10), (10, 20)]) == [(30, 40), (0, 10), (10, 20)]
    assert disjoint([(0, 60), (30, 90), (100, 110), (95, 101)]) == [(0, 90), (95, 110)]
