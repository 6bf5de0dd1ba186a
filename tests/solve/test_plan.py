"""The CP-SAT plan: full coverage of the reference congress, every plan passing the
independent checker, shortfalls explained, seeds and determinism."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.solve.orchestrate import make_plan
from planner.verify import verify
from tests.conftest import MINI, ROOT, copy_scenario, run_cli

CONTRACT_COLUMNS = {
    "assignments": "item_id,item_type,session_id,room_id,start,end",
    "moves": "item_id,from_room_id,to_room_id,depart,arrive,staff_id",
    "staff_tasks": "staff_id,task,session_id,room_id,start,end",
    "bags": "bag_set_id,holder_id,start,end",
    "coverage": "session_id,jammers_required,jammers_assigned,cabinet_units_required,"
                "cabinet_units_assigned,patrols_required,patrols_assigned,sweep_done,"
                "cleanup_done,covered,shortfall_reason",
}
SUMMARY_KEYS = {"sessions", "sessions_covered", "jammer_deployments", "cabinet_unit_deployments",
                "patrols", "sweeps", "cleanups", "moves", "solver_status", "objective",
                "best_bound", "solve_seconds"}


def checked(scenario, plan, folder):
    """Write the plan and run the independent checker on the files, as every plan test must."""
    write_plan(plan, folder)
    violations, checks = verify(scenario, folder)
    assert violations == [], "\n".join(map(str, violations[:20]))
    assert checks > 100
    return folder


@pytest.fixture(scope="module")
def reference_plan(tmp_path_factory, reference_base):
    scenario, plan = reference_base
    folder = checked(scenario, plan, tmp_path_factory.mktemp("ref") / "plan")
    return scenario, plan, folder


def test_reference_congress_is_covered_in_full_as_the_team_covered_it(reference_plan):
    _scenario, plan, _folder = reference_plan
    s = plan.summary
    # every unit the rules derive is placed (the equipment model proves it); the staff
    # work of a few sessions may be left, each with its reason (README: Benchmarks)
    assert s.sessions == 256
    assert (s.jammer_deployments, s.cabinet_unit_deployments) == (351, 506)
    assert all(r.shortfall_reason for r in plan.coverage if not r.covered)
    assert s.solver_status in ("OPTIMAL", "FEASIBLE")
    assert s.best_bound <= s.objective


def test_no_unit_in_maintenance_is_ever_sent(reference_plan):
    scenario, plan, _ = reference_plan
    broken = {i.item_id for i in scenario.items.values() if i.status != "ok"}
    assert broken == {"J053"}
    assert not {a.item_id for a in plan.assignments} & broken


def test_reference_plan_beats_the_greedy_baseline(reference_plan, tmp_path):
    """By the plan's order of goals: sessions covered (by weight) first, then move cost."""
    scenario, plan, _ = reference_plan
    greedy = make_plan(scenario, method="greedy")
    checked(scenario, greedy, tmp_path / "greedy")
    mine, theirs = plan.summary.objective_terms, greedy.summary.objective_terms
    assert plan.summary.sessions_covered >= greedy.summary.sessions_covered
    assert mine["uncovered_weight"] <= theirs["uncovered_weight"]
    assert (mine["uncovered_weight"], mine["move_cost"]) < (theirs["uncovered_weight"],
                                                             theirs["move_cost"])


def test_plan_files_have_the_contract_columns(reference_plan):
    _s, _p, folder = reference_plan
    for name, header in CONTRACT_COLUMNS.items():
        first = (folder / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert first.startswith(header), name
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= SUMMARY_KEYS


def test_plan_command_writes_and_checks_the_plan(tmp_path):
    out = tmp_path / "plan"
    result = run_cli("plan", str(MINI), "--out", str(out), "--time-limit", "0.5")
    assert result.returncode == 0, result.stderr
    assert "Independent check passed" in result.stdout
    assert "S1: jammers" in result.stdout  # the mini congress is short of stock, and says why
    again = run_cli("verify", str(MINI), str(out))
    assert again.returncode == 0 and "no violation" in again.stdout


def test_a_shortfall_names_the_stock_and_why_in_both_languages(tmp_path):
    scenario = load_scenario(MINI)
    plan = make_plan(scenario, time_limit=0.5)
    checked(scenario, plan, tmp_path / "p")
    rows = {r.session_id: r for r in plan.coverage}
    s1 = rows["S1"]
    assert not s1.covered
    assert "手机屏蔽柜" in s1.shortfall_reason and "库存中只有 4 台可用" in s1.shortfall_reason
    assert "only 4 usable in the whole stock, fewer than the 16 needed" in s1.shortfall_reason_en
    assert "J5 in maintenance" in s1.shortfall_reason_en
    for r in plan.coverage:
        assert bool(r.shortfall_reason) == (not r.covered)


def test_the_least_important_session_is_the_one_left_short(tmp_path):
    """Two sessions at once, stock for one: the top-secret one gets the jammers."""
    folder = copy_scenario(MINI, tmp_path / "m")
    (folder / "sessions.csv").write_text(
        "session_id,room_id,start,end,kind,attendees,level\n"
        "A,R2,2021-11-26T14:30,2021-11-26T16:00,group,20,internal\n"
        "B,R3,2021-11-26T14:30,2021-11-26T16:00,adhoc,20,top_secret\n"
        "C,R4,2021-11-26T14:30,2021-11-26T16:00,group,20,confidential\n", encoding="utf-8")
    (folder / "inventory.csv").write_text(
        "item_id,item_type,venue_id,capacity,status\nJ1,jammer,V2,150,ok\nJ2,jammer,V2,150,ok\n"
        "C1,cabinet_unit,V2,24,ok\nC2,cabinet_unit,V2,24,ok\n", encoding="utf-8")
    scenario = load_scenario(folder)
    plan = make_plan(scenario, time_limit=0.5)
    checked(scenario, plan, tmp_path / "p")
    rows = {r.session_id: r for r in plan.coverage}
    assert rows["B"].jammers_assigned == 2 and rows["B"].covered
    assert rows["C"].jammers_assigned == 0 and not rows["C"].covered
    assert "jammers 0/1: all 2 usable jammers in use" in rows["C"].shortfall_reason_en


def test_units_stay_in_the_room_across_a_gap_shorter_than_the_setup(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    f = folder / "sessions.csv"
    text = f.read_text(encoding="utf-8").replace(
        "S4,R2,2021-11-26T19:30,2021-11-26T20:30", "S4,R2,2021-11-26T17:40,2021-11-26T18:40")
    f.write_text(text, encoding="utf-8")
    scenario = load_scenario(folder)
    plan = make_plan(scenario, time_limit=0.5)
    checked(scenario, plan, tmp_path / "p")
    s2 = {a.item_id for a in plan.assignments if a.session_id == "S2"}
    s4 = {a.item_id for a in plan.assignments if a.session_id == "S4"}
    assert s2 & s4  # the same units serve both, without a move between them


def test_a_crew_is_that_many_different_people(reference_plan):
    _scenario, plan, _ = reference_plan
    crews = {}
    for t in plan.staff_tasks:
        if t.task in ("sweep", "cleanup"):
            crews.setdefault((t.session_id, t.task), []).append(t.staff_id)
    assert max(len(v) for v in crews.values()) >= 4  # the main hall needs a crew
    for people in crews.values():
        assert len(people) == len(set(people))


def _patrol_times(plan):
    return sorted((t.session_id, t.start) for t in plan.staff_tasks if t.task == "patrol")


def test_another_seed_moves_the_patrols_but_not_the_coverage(tmp_path):
    scenario = load_scenario(MINI)
    a = make_plan(scenario, time_limit=0.5, seed=1, workers=1)
    b = make_plan(scenario, time_limit=0.5, seed=2, workers=1)
    checked(scenario, a, tmp_path / "a")
    checked(scenario, b, tmp_path / "b")
    assert _patrol_times(a) != _patrol_times(b)
    assert [(r.session_id, r.covered, r.patrols_assigned) for r in a.coverage] == [
        (r.session_id, r.covered, r.patrols_assigned) for r in b.coverage]


def _burn(seconds: float) -> subprocess.Popen:
    """A CPU-bound process that stops by itself: the machine made busy."""
    return subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + "
                             f"{seconds}\nwhile time.time() < end: pass"])


@pytest.mark.parametrize("workers", [1, 2])
def test_same_inputs_give_the_same_files_on_an_idle_and_a_busy_machine(tmp_path, workers):
    """Deterministic budgets: the same scenario, seed and worker count give byte-identical
    plan files, whether two other CPU-bound processes share the machine or not."""
    scenario = load_scenario(MINI)
    write_plan(make_plan(scenario, time_limit=0.5, seed=7, workers=workers), tmp_path / "idle")
    burners = [_burn(120) for _ in range(2)]
    try:
        write_plan(make_plan(scenario, time_limit=0.5, seed=7, workers=workers),
                   tmp_path / "busy")
    finally:
        for b in burners:
            b.kill()
            b.wait()
    names = sorted(f.name for f in (tmp_path / "idle").iterdir())
    assert names == sorted(f.name for f in (tmp_path / "busy").iterdir())
    assert {*CONTRACT_COLUMNS} <= {n.removesuffix(".csv") for n in names}
    for name in names:
        assert (tmp_path / "idle" / name).read_bytes() == (
            tmp_path / "busy" / name).read_bytes(), name
    summary = json.loads((tmp_path / "idle" / "summary.json").read_text(encoding="utf-8"))
    assert summary["wall_guard_hit"] is False


def test_a_plan_whose_wall_clock_guard_is_spent_is_the_greedy_one_and_says_so(tmp_path):
    """``--wall-limit 0``: no time for the solver at all. The command still writes a
    checked plan (the greedy start, which is never skipped), says the guard was hit, and
    the summary records it; the same plan as ``--method greedy`` gives."""
    out = tmp_path / "p"
    done = run_cli("plan", str(MINI), "--out", str(out), "--wall-limit", "0")
    assert done.returncode == 0, done.stderr
    assert "wall-clock guard was hit" in done.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["wall_guard_hit"] is True
    assert summary["solve_seconds"] == 0
    greedy = tmp_path / "g"
    assert run_cli("plan", str(MINI), "--out", str(greedy), "--method", "greedy").returncode == 0
    for name in ("assignments.csv", "moves.csv", "staff_tasks.csv", "coverage.csv"):
        assert (out / name).read_bytes() == (greedy / name).read_bytes(), name
    assert verify(load_scenario(MINI), out)[0] == []


def test_a_scenario_from_elsewhere_plans_and_checks(tmp_path):
    """A ×2 congress, written by the generator rather than bundled, through the workbook door."""
    from planner.io.generate import write
    from planner.io.tables import write_workbook

    folder = write(tmp_path / "x2", scale=2, seed=11)
    book = write_workbook(folder, tmp_path / "x2.xlsx")
    scenario = load_scenario(book)
    plan = make_plan(scenario, method="greedy")
    checked(scenario, plan, tmp_path / "p")
    assert plan.summary.sessions == 512


def test_the_checker_imports_nothing_of_the_model():
    code = ("import sys, planner.verify; "
            "bad = [m for m in sys.modules if m.startswith(('planner.solve', 'planner.live', "
            "'planner.rehearse'))]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout


# -- the checker catches what is wrong ------------------------------------------------------------

@pytest.fixture(scope="module")
def mini_plan(tmp_path_factory):
    scenario = load_scenario(MINI)
    folder = checked(scenario, make_plan(scenario, time_limit=0.5),
                     tmp_path_factory.mktemp("mini") / "plan")
    return scenario, folder


def _edit(folder, name, change):
    path = folder / f"{name}.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows = change(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _first(rows, **where):
    return next(r for r in rows if all(r[k] == v for k, v in where.items()))


def _unit_in_two_rooms(rows):
    a = _first(rows, session_id="S2")
    return [*rows, {**a, "session_id": "S3", "room_id": "R3"}]


def _patrol_outside(rows):
    p = _first(rows, task="patrol")
    p["start"], p["end"] = "2021-11-26T05:00", "2021-11-26T05:10"
    return rows


def _short_move(rows):
    m = next(r for r in rows if r["from_room_id"].startswith("depot:V3"))
    m["arrive"] = m["depart"]
    return rows


def _overlap(rows):
    a = _first(rows, task="sweep")
    return [*rows, {**a, "task": "patrol", "session_id": "S6", "room_id": "R1"}]


def _off_shift(rows):
    t = _first(rows, staff_id="P3")
    t["start"], t["end"] = "2021-11-26T08:00", "2021-11-26T08:20"
    return rows


def _flip_covered(rows):
    r = _first(rows, session_id="S2")
    r["covered"] = "false" if r["covered"] == "true" else "true"
    return rows


def _sweep_too_early(rows):
    t = _first(rows, task="sweep", session_id="S4")
    t["start"], t["end"] = "2021-11-26T17:00", "2021-11-26T17:20"  # while S2 runs in R2
    return rows


MUTATIONS = {
    "a sweep while the room is in use": ("staff_tasks", _sweep_too_early,
                                          "previous session runs"),
    "unit in two rooms at once": ("assignments", _unit_in_two_rooms, "two rooms at once"),
    "patrol outside its session": ("staff_tasks", _patrol_outside, "not inside the session"),
    "a move too short": ("moves", _short_move, "takes"),
    "a move nobody carries": ("moves", lambda rows: rows[1:], "is at"),
    "one person two tasks": ("staff_tasks", _overlap, "is still busy"),
    "a task off shift": ("staff_tasks", _off_shift, "not on shift"),
    "coverage that lies": ("coverage", _flip_covered, "covered should be"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_the_checker_catches(mini_plan, tmp_path, name):
    scenario, folder = mini_plan
    copy = tmp_path / "plan"
    shutil.copytree(folder, copy)
    file, change, words = MUTATIONS[name]
    _edit(copy, file, change)
    violations, _ = verify(scenario, copy)
    assert any(words in str(v) for v in violations), [str(v) for v in violations]


def test_the_checker_catches_a_summary_that_lies(mini_plan, tmp_path):
    scenario, folder = mini_plan
    copy = tmp_path / "plan"
    shutil.copytree(folder, copy)
    data = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    data["patrols"] += 1
    (copy / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    violations, _ = verify(scenario, copy)
    assert any("patrols is" in str(v) for v in violations)
    result = run_cli("verify", str(MINI), str(copy))
    assert result.returncode == 1 and "patrols is" in result.stderr
