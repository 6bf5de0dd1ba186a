"""Re-planning: the past stays, the plan is repaired, every new plan passes the checker, and
the changes are listed with their reasons."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from planner.events.apply import apply_events
from planner.events.types import parsed
from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.live.replan import diff, replan
from planner.model.requirements import derive
from planner.solve.orchestrate import make_plan
from planner.verify import verify
from tests.conftest import REFERENCE, run_cli

# a day of the reference congress as operators log it (27 November)
DAY = [
    {"at": "2021-11-27T06:00", "type": "unit_failed", "item_id": "J031"},
    {"at": "2021-11-27T08:00", "type": "extend_session", "session_id": "S0246",
     "new_end": "2021-11-27T08:40"},
    {"at": "2021-11-27T09:00", "type": "staff_unavailable", "staff_id": "P003",
     "until": "2021-11-27T13:00"},
    {"at": "2021-11-27T09:10", "type": "adhoc_session", "session_id": "X01", "room_id": "R0105",
     "start": "2021-11-27T11:00", "end": "2021-11-27T12:00", "kind": "adhoc", "attendees": 25,
     "level": "secret"},
    {"at": "2021-11-27T09:20", "type": "booster_found", "room_id": "R0306"},
    {"at": "2021-11-27T09:30", "type": "cancel_session", "session_id": "S0043"},
]


@pytest.fixture(scope="module")
def base(reference_folder):
    return reference_folder


def checked(result, folder) -> None:
    out = write_plan(result.plan, folder)
    violations, _ = verify(result.live, out)
    assert not violations, [str(v) for v in violations[:10]]


def past(plan, now: dt.datetime) -> tuple[set, set, set]:
    return ({a for a in plan.assignments if a.end <= now},
            {m for m in plan.moves if m.depart <= now},
            {t for t in plan.staff_tasks if t.start <= now})


def test_no_event_changes_nothing(base, tmp_path):
    scenario, plan, _ = base
    result = replan(scenario, plan, [], now=dt.datetime(2021, 11, 27, 9))
    checked(result, tmp_path / "same")
    # nothing to repair: people change only to do work left undone, units only where the
    # base plan left a session short
    # a base plan with sessions short may be bettered: never worse by the weighted
    # coverage the planner puts first (a heavy session may be covered instead of small ones)
    before = plan.summary.objective_terms["uncovered_weight"]
    assert result.plan.summary.objective_terms["uncovered_weight"] <= before
    if all(r.covered for r in plan.coverage):
        assert not [c for c in result.changes if c.who_kind == "unit"]
        gone = {(c.session_id, c.what) for c in result.changes if c.change == "removed"}
        assert gone <= {(c.session_id, c.what) for c in result.changes if c.change == "added"}
        assert result.plan.summary.sessions_covered == plan.summary.sessions_covered
    assert {(a.item_id, a.session_id) for a in result.plan.assignments} == {
        (a.item_id, a.session_id) for a in plan.assignments}


def test_a_day_of_events_replanned_after_each(base, tmp_path):
    """Log the day event by event and re-plan after each, as the team would: every plan
    passes the checker, the past never changes, the failed unit and the absent person get
    no new work, and each change names its reason."""
    scenario, plan, _ = base
    for n in range(1, len(DAY) + 1):
        events = DAY[:n]
        now = dt.datetime.fromisoformat(events[-1]["at"])
        result = replan(scenario, plan, events, now=now)
        checked(result, tmp_path / f"v{n}")
        before, after = past(plan, now), past(result.plan, now)
        # what was done stays done (rows of a cancelled session leave the orders)
        assert {t for t in before[2] if t.session_id in result.live.sessions} <= after[2]
        assert before[1] <= after[1]
        assert all(c.act_at >= now or c.change == "changed" for c in result.changes)
        assert all(c.reason and c.reason_en for c in result.changes)
        plan = result.plan
    # the whole day as the log says it
    assert not [a for a in plan.assignments if a.item_id == "J031"
                and a.start >= dt.datetime(2021, 11, 27, 6)]
    off, back = dt.datetime(2021, 11, 27, 9), dt.datetime(2021, 11, 27, 13)
    assert not [t for t in plan.staff_tasks if t.staff_id == "P003"
                and t.start < back and t.end > off]
    x01 = next(r for r in plan.coverage if r.session_id == "X01")
    assert x01.covered, x01.shortfall_reason
    assert "S0043" not in {r.session_id for r in plan.coverage}
    # the room with a booster: the requirement is the live one, and it is met
    need = derive(result.live)
    soon = now + dt.timedelta(hours=2)  # time to bring a unit in
    later = [r for r in plan.coverage if result.live.sessions[r.session_id].room_id == "R0306"
             and result.live.sessions[r.session_id].start > soon]
    assert later and all(r.jammers_required == need[r.session_id].jammers
                         and r.jammers_assigned == r.jammers_required for r in later)
    assert result.live.rooms["R0306"].signal == "booster"


def test_unit_failure_replaced_with_reasons(base, tmp_path):
    scenario, plan, _ = base
    failed = next(a for a in plan.assignments if a.item_type == "jammer"
                  and a.start > dt.datetime(2021, 11, 27, 12))
    at = failed.start - dt.timedelta(minutes=60)
    events = [{"at": at.isoformat(timespec="minutes"), "type": "unit_failed",
               "item_id": failed.item_id}]
    result = replan(scenario, plan, events)
    checked(result, tmp_path / "failed")
    row = next(r for r in result.plan.coverage if r.session_id == failed.session_id)
    assert row.jammers_assigned == row.jammers_required, row.shortfall_reason
    why = next(s for s in result.sessions if s.session_id == failed.session_id)
    assert f"{failed.item_id} {at:%H:%M} 故障" in why.reason
    assert f"{failed.item_id} failed at {at:%H:%M}" in why.reason_en
    mine = [c for c in result.changes if c.who == failed.item_id]
    assert mine and all(c.change == "removed" for c in mine)
    # the replacement is ordered in by the setup (brought, or already standing there,
    # e.g. the N-1 spare left in the room)
    brought = [c for c in result.changes if c.who_kind == "unit" and c.change == "added"
               and c.session_id == failed.session_id]
    assert brought and brought[0].act_at <= failed.start


def test_fewer_changes_than_planning_again(base, tmp_path):
    scenario, plan, _ = base
    events = [{"at": "2021-11-28T07:00", "type": "extend_session", "session_id": "S0071",
               "new_end": "2021-11-28T12:00"}]
    result = replan(scenario, plan, events)
    checked(result, tmp_path / "overrun")
    live = apply_events(scenario, events)
    scratch = make_plan(live, seed=0)
    again = diff(live, plan, scratch, result.now, parsed(events))
    # on what is still ahead (the past is as it was, for better or worse)
    ahead = {sid for sid, s in live.sessions.items() if s.start > result.now}
    assert (sum(r.covered for r in result.plan.coverage if r.session_id in ahead)
            >= sum(r.covered for r in scratch.coverage if r.session_id in ahead))
    assert 0 < len(result.changes) * 5 <= len(again)


def test_replan_command(base, tmp_path):
    _scenario, _plan, folder = base
    events = tmp_path / "day.jsonl"
    events.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in DAY[:4]),
                      encoding="utf-8")
    out = tmp_path / "v2"
    done = run_cli("replan", str(REFERENCE), "--plan", str(folder), "--events", str(events),
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Independent check passed" in done.stdout and "changes" in done.stdout
    with open(out / "changes.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows and {"act_at", "who", "who_kind", "change", "reason"} <= set(rows[0])
    assert [r["act_at"] for r in rows] == sorted(r["act_at"] for r in rows)
    assert any(r["session_id"] == "X01" for r in rows)
    assert (out / "session_changes.csv").exists()
    # the new plan checks against the scenario with the events, not without them
    assert run_cli("verify", str(REFERENCE), str(out), "--events", str(events)).returncode == 0
    assert run_cli("verify", str(REFERENCE), str(out)).returncode == 1


def test_the_same_replan_twice_gives_the_same_files(base, tmp_path):
    """Deterministic re-plans: the same plan, events and defaults give byte-identical files,
    ``summary.json`` included (its ``solve_seconds`` is the solver's deterministic work,
    not the clock)."""
    _scenario, _plan, folder = base
    events = tmp_path / "day.jsonl"
    events.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in DAY[:3]),
                      encoding="utf-8")
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        done = run_cli("replan", str(REFERENCE), "--plan", str(folder), "--events",
                       str(events), "--out", str(out))
        assert done.returncode == 0, done.stderr
    names = sorted(f.name for f in outs[0].iterdir())
    assert "summary.json" in names and names == sorted(f.name for f in outs[1].iterdir())
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_replan_from_the_store_saves_a_version(base, tmp_path):
    _scenario, _plan, folder = base
    db = f"sqlite:///{tmp_path / 'log.db'}"
    events = tmp_path / "day.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in DAY[:2]), encoding="utf-8")
    assert run_cli("events", "import", str(REFERENCE), str(events), "--db", db).returncode == 0
    done = run_cli("replan", str(REFERENCE), "--plan", str(folder), "--db", db, "--save",
                   "--out", str(tmp_path / "v2"), "--who", "duty-officer")
    assert done.returncode == 0, done.stderr
    from planner.live.store import Store

    version, files = Store(db).plan("provincial_congress")
    assert version == 1 and "changes.csv" in files and "assignments.csv" in files


def test_bad_events_refused_and_nothing_written(base, tmp_path):
    _scenario, _plan, folder = base
    events = tmp_path / "bad.jsonl"
    events.write_text(json.dumps(DAY[0]) + "\n"
                      + json.dumps({"at": "2021-11-27T07:00", "type": "unit_failed",
                                    "item_id": "J999"}) + "\n", encoding="utf-8")
    out = tmp_path / "v2"
    done = run_cli("replan", str(REFERENCE), "--plan", str(folder), "--events", str(events),
                   "--out", str(out))
    assert done.returncode == 1
    assert "bad.jsonl" in done.stderr and "2" in done.stderr and "J999" in done.stderr
    assert not out.exists()
    missing = run_cli("replan", str(REFERENCE), "--plan", str(tmp_path / "nope"), "--events",
                      str(events), "--out", str(out))
    assert missing.returncode == 1 and not out.exists()


def test_where_a_unit_comes_from_names_the_day_when_it_is_not_today():
    from planner.live.replan import _source
    from planner.model.place import Place
    from planner.model.plan import Assignment, Move, Plan

    scenario = load_scenario(REFERENCE)
    day1, day2 = dt.datetime(2021, 11, 26, 15, 30), dt.datetime(2021, 11, 27, 9, 20)
    plan = Plan(assignments=[Assignment("C086", "cabinet_unit", "S1", "R0407",
                                        day1 - dt.timedelta(hours=2), day1)])
    move = Move("C086", Place.room("R0407"), Place.room("R0105"), day2,
                day2 + dt.timedelta(minutes=40), "P006", "X01")
    zh, en = _source(scenario, plan, move)
    room = scenario.rooms["R0407"].name  # places and people by name, not by id
    assert f"由 杨帆（P006） 从{room}调来（{room}的会议 11-26 15:30 结束）" in zh
    assert "ended at 11-26 15:30" in en
    today = Move("C086", Place.room("R0407"), Place.room("R0105"), day1 + dt.timedelta(minutes=30),
                 day1 + dt.timedelta(minutes=70), "P006", "X01")
    assert f"{room}的会议 15:30 结束" in _source(scenario, plan, today)[0]
    depot = Move("C086", Place.depot_of("V03"), Place.room("R0105"), day2, day2, "P006", "X01")
    assert f"{scenario.venues['V03'].name}库房" in _source(scenario, plan, depot)[0]


def test_a_voided_entry_does_not_move_the_replan_clock():
    """An entry logged with a mistyped time, then voided, counts for nothing: not even as
    the time the re-plan is made at (the default ``now`` is the latest entry in force)."""
    from tests.conftest import MINI

    scenario = load_scenario(MINI)
    old = make_plan(scenario, method="greedy")
    events = [
        {"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2", "seq": 1},
        {"at": "2021-11-26T23:50", "type": "unit_failed", "item_id": "J3", "seq": 2},
        {"at": "2021-11-26T10:05", "type": "void", "voids": 2, "reason": "typed 23:50",
         "seq": 3},
    ]
    result = replan(scenario, old, events, method="greedy")
    assert result.now == dt.datetime(2021, 11, 26, 10, 0)
    assert result.live.items["J3"].status == "ok" and result.live.items["J2"].status != "ok"
