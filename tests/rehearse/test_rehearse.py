"""The rehearsal: disruptions drawn from the scenario's rates, replayed through the
re-planner, every final plan checked by the independent checker, the synthetic log valid
and near the published figures, the results the same whatever runs them (processes or a
real Dask cluster on loopback)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import numpy as np
import pytest

from planner.errors import Problems
from planner.events.apply import apply_events
from planner.events.log import check_events
from planner.io.plan_files import write_plan
from planner.model.requirements import derive, patrol_spans
from planner.model.tasks import epoch, session_tasks, to_minute
from planner.rehearse.disruptions import draw
from planner.rehearse.runs import Context, replay, rng_for, run_once, shortfalls, with_reserve
from planner.verify import checked_files, verify
from tests.conftest import MINI, copy_scenario, run_cli

OUTPUTS = ("sessions.csv", "runs.csv", "uncovered.csv", "peak_use.csv", "sizing.csv",
           "figures.csv", "summary.json")


@pytest.fixture(scope="module")
def reference(reference_base):
    return reference_base


def test_drawn_disruptions_are_valid_events_and_follow_the_seed(reference):
    scenario, plan = reference
    a = draw(scenario, plan, scenario.disruptions, rng_for(7, 3))
    assert a == draw(scenario, plan, scenario.disruptions, rng_for(7, 3))
    assert a != draw(scenario, plan, scenario.disruptions, rng_for(7, 4))
    kinds = {e["type"] for e in a}
    assert {"extend_session", "adhoc_session", "unit_failed"} <= kinds
    problems = Problems()
    check_events(scenario, list(enumerate(a, start=1)), "drawn.jsonl", problems)
    assert not problems, [p.text("en") for p in problems.items]
    # rates are read from the scenario: none drawn when they are 0
    calm = dataclasses.replace(scenario, disruptions=dataclasses.replace(
        scenario.disruptions, adhoc_per_day_venue=0, overrun_probability=0,
        unit_failures_per_day=0, staff_absences_per_day=0, boosters_per_day=0))
    assert draw(calm, plan, calm.disruptions, rng_for(7, 3)) == []


def test_a_run_is_checked_and_its_log_is_near_the_published_figures(reference, tmp_path):
    scenario, plan = reference
    ctx = Context(scenario, plan, seed=0, keep=3, sizing_runs=0)
    results = [run_once(ctx, run) for run in range(3)]
    for r in results:
        log = r.log
        assert log == sorted(log, key=lambda e: e["at"])
        problems = Problems()
        check_events(scenario, list(enumerate(log, start=1)), "run.jsonl", problems)
        assert not problems, [p.text("en") for p in problems.items][:5]
        # the final plan, checked independently against the congress as the log leaves it
        live = apply_events(scenario, log)
        folder = write_plan(r.plan, tmp_path / f"plan{r.run}")
        violations, _checks = verify(live, folder)
        assert not violations, [str(v) for v in violations][:5]
        # the counts come from the log and the plan, not from the model's belief
        assert r.counts["paper_kg"] == pytest.approx(
            sum(e["kg"] for e in log if e["type"] == "bag_weighed"), abs=0.1)
        assert r.counts["patrols"] == sum(e["type"] == "patrol_done" for e in log)
        assert r.counts["documents"] == sum(e["type"] == "document_found" for e in log)
        assert r.counts["covered"] == sum(c.covered for c in r.plan.coverage)
        destroyed = [e for e in log if e["type"] == "destroyed"]
        assert sum(e["kg"] for e in destroyed) == pytest.approx(r.counts["paper_kg"], abs=0.5)
        assert all(len(e["witnesses"]) == 2 for e in destroyed)
    mean = {k: np.mean([r.counts[k] for r in results]) for k in results[0].counts}
    assert 5000 * 0.85 <= mean["paper_kg"] <= 5000 * 1.15
    assert 32 * 0.7 <= mean["documents"] <= 32 * 1.3
    for key, published in (("jammer_deployments", 340), ("cabinet_unit_deployments", 499),
                            ("patrols", 520)):
        assert published * 0.9 <= mean[key] <= published * 1.1, key


def test_a_reserve_is_used_and_never_makes_a_run_worse(reference):
    scenario, plan = reference
    events = draw(scenario, plan, scenario.disruptions, rng_for(0, 1))
    final, _live = replay(scenario, plan, events)
    short = shortfalls(final)
    more, _live = replay(with_reserve(scenario, "staff", 10), plan, events,
                         repair_first=True)
    added_staff = set(with_reserve(scenario, "staff", 10).staff) - set(scenario.staff)
    assert len(added_staff) == 10
    assert {t.staff_id for t in more.staff_tasks} & added_staff  # the reserve works
    fewer = shortfalls(more)
    # never worse (the base plan is CP-SAT's within 10 s, so how much better varies)
    assert sum("staff" in x for x in fewer.values()) <= sum("staff" in x for x in short.values())
    reserve = with_reserve(scenario, "jammer", 4)
    added = [i for i in reserve.items.values() if i.item_id not in scenario.items]
    assert len(added) == 4 and all(i.item_type == "jammer" and i.status == "ok" for i in added)


def test_an_overrun_keeps_the_planned_patrols_and_adds_its_own(reference):
    scenario, _plan = reference
    s = next(s for s in scenario.sessions.values() if s.minutes >= 150 and s.level == "secret")
    new_end = s.end + dt.timedelta(minutes=40)
    live = apply_events(scenario, [{"at": (s.end - dt.timedelta(minutes=10)).isoformat(),
                                    "type": "extend_session", "session_id": s.session_id,
                                    "new_end": new_end.isoformat()}])
    after = live.sessions[s.session_id]
    assert after.planned_end == s.end and after.end == new_end
    req = derive(live)[s.session_id]
    before = derive(scenario)[s.session_id].patrols
    spans = patrol_spans(after, req.patrols, live.rules)
    assert spans[0] == (s.start, s.end, before)
    assert spans[1] == (s.end, new_end, req.patrols - before) and req.patrols > before
    origin = epoch(live)
    windows = [(t.earliest, t.latest) for t in session_tasks(live, derive(live), origin)
               if t.session_id == s.session_id and t.kind == "patrol"]
    planned = [(t.earliest, t.latest) for t in session_tasks(scenario, derive(scenario), origin)
               if t.session_id == s.session_id and t.kind == "patrol"]
    assert windows[:before] == planned  # the patrols planned (and perhaps done) still count
    assert all(to_minute(s.end, origin) <= lo for lo, _hi in windows[before:])


def _outputs(folder) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8-sig") for name in OUTPUTS}


@pytest.fixture(scope="module")
def mini_plan(tmp_path_factory):
    """One base plan for the runs compared (a solver may find another plan each time)."""
    folder = tmp_path_factory.mktemp("mini") / "plan"
    assert run_cli("plan", str(MINI), "--out", str(folder)).returncode == 0
    return str(folder)


def test_simulate_command_writes_tables_and_offline_charts(tmp_path, mini_plan):
    out = tmp_path / "rehearsal"
    result = run_cli("simulate", str(MINI), "--runs", "12", "--out", str(out),
                     "--sizing-runs", "3", "--workers", "1", "--seed", "5", "--plan", mini_plan,
                     lang="zh")
    assert result.returncode == 0, result.stderr
    assert "出现保障不足的推演" in result.stdout
    for name in (*OUTPUTS, "rehearsal.html", "base_plan/summary.json",
                 "runs/run_0000/events.jsonl", "runs/run_0000/plan/coverage.csv"):
        assert (out / name).exists(), name
    info = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert info["runs"] == 12 and info["sizing_runs"] == 3
    page = (out / "rehearsal.html").read_text(encoding="utf-8")
    # plotly.js is in the page: it opens with no network
    assert "Plotly.newPlot" in page and len(page) > 1_000_000
    assert not re.search(r"<script[^>]+src=", page)
    assert "推演结果" in page  # Chinese by default
    # same seed, same results with two worker processes
    again = tmp_path / "again"
    result = run_cli("simulate", str(MINI), "--runs", "12", "--out", str(again),
                     "--sizing-runs", "3", "--workers", "2", "--seed", "5", "--plan", mini_plan)
    assert result.returncode == 0, result.stderr
    assert _outputs(out) == _outputs(again)
    other = tmp_path / "other"
    assert run_cli("simulate", str(MINI), "--runs", "12", "--out", str(other),
                   "--sizing-runs", "3", "--workers", "1", "--seed", "6",
                   "--plan", mini_plan).returncode == 0
    assert _outputs(other)["runs.csv"] != _outputs(out)["runs.csv"]


def test_simulate_on_a_real_dask_cluster_gives_the_same_results(tmp_path, mini_plan):
    from distributed import LocalCluster

    local = tmp_path / "local"
    assert run_cli("simulate", str(MINI), "--runs", "8", "--out", str(local),
                   "--sizing-runs", "2", "--workers", "1", "--plan", mini_plan).returncode == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "dask"
        result = run_cli("simulate", str(MINI), "--runs", "8", "--out", str(out),
                         "--sizing-runs", "2", "--scheduler", cluster.scheduler_address,
                         "--plan", mini_plan)
        assert result.returncode == 0, result.stderr
    assert _outputs(out) == _outputs(local)


def test_bad_disruption_settings_are_refused(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "bad")
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    (folder / "scenario.yaml").write_text(
        text + "disruptions:\n  overrun_probabilty: 0.2\n  adhoc_minutes: [90, 30]\n"
        "  paper_kg_per_attendee_hour: {banquet: 1}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("simulate", str(folder), "--runs", "2", "--out", str(out))
    assert result.returncode == 1
    assert "scenario.yaml" in result.stderr
    assert "disruptions.overrun_probabilty" in result.stderr
    assert "overrun_probability" in result.stderr  # the key meant, suggested
    assert "disruptions.adhoc_minutes" in result.stderr
    assert "banquet" in result.stderr
    assert not out.exists()


def test_simulate_refuses_a_folder_that_is_not_a_rehearsal(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("simulate", str(MINI), "--runs", "2", "--out", str(out))
    assert result.returncode == 1 and "nothing written" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_the_tables_count_what_the_runs_say(reference):
    from planner.rehearse.results import answers, tables, wilson
    from planner.rehearse.runs import EXTRAS, RESOURCES, RunResult

    scenario, _plan = reference
    first, second = list(scenario.sessions)[:2]
    counts = {"sessions": 100, "covered": 0, "jammer_deployments": 1,
              "cabinet_unit_deployments": 1, "patrols": 1, "sweeps": 1, "cleanups": 1,
              "moves": 1, "paper_kg": 5000.0, "documents": 30, "adhoc_drawn": 0,
              "adhoc_short": 0}
    use = np.zeros((2, len(scenario.venues), 4), dtype=np.int32)
    shorts = [{first: ["jammer"], second: ["staff"]}, {first: ["jammer", "staff"]}, {}, {}]
    results = []
    for n, short in enumerate(shorts):
        sizing = None
        if n < 2:  # sized: +1 jammer mends the jammers, people need +5
            sizing = {(r, k): (0 if (r == "jammer" or k >= 5) else
                               sum(r in x for x in short.values()), 0) for r in RESOURCES
                      for k in EXTRAS}
        results.append(RunResult(n, {**counts, "covered": 100 - len(short)}, short, {}, use,
                                 sizing))
    found = tables(scenario, results)
    row = found["sessions"].set_index("session_id").loc[first]
    assert row.runs_short == 2 and row.p_short == 0.5 and row.short_jammer == 2
    assert (row.ci_low, row.ci_high) == tuple(round(x, 4) for x in wilson(2, 4))
    assert found["uncovered"].set_index("uncovered").runs.to_dict() == {0: 2, 1: 1, 2: 1}
    sizing = found["sizing"].set_index(["resource", "extra"])
    assert sizing.loc[("jammer", 0)].session_short_share == 2 / 200
    assert sizing.loc[("jammer", 1)].session_short_share == 0
    assert sizing.loc[("staff", 3)].session_short_share == 2 / 200
    assert sizing.loc[("staff", 5)].session_covered_share == 1
    got = answers(found["sizing"])
    assert got["jammer"]["extra_for_under_1pct"] == 1
    assert got["staff"]["extra_for_under_1pct"] == 5
    assert got["cabinet_unit"]["extra_for_under_1pct"] == 0
    # with 2 runs of 100 sessions, 0 short is not yet under 1% with 95% confidence
    assert got["jammer"]["extra_for_under_1pct_95"] is None
    figures = found["figures"].set_index("figure")
    assert figures.loc["paper_tonnes"]["mean"] == 5.0 and figures.loc["paper_tonnes"].off == 0


def test_a_rehearsal_through_the_live_replanner_passes_the_checker(reference):
    """``--replan cpsat``: the runs re-plan as operators' re-plans do, burst by burst; each
    final plan passes the checker against the congress its log leaves, and it is a plan
    of that congress (the drawn ad-hoc sessions are in it)."""
    scenario, plan = reference
    for run in range(1):
        events = draw(scenario, plan, scenario.disruptions, rng_for(3, run))
        final, live = replay(scenario, plan, events, method="cpsat", time_limit=0.1)
        checked_files(final, live)  # raises PlanRejected otherwise
        drawn = {e["session_id"] for e in events if e["type"] == "adhoc_session"}
        assert drawn <= {r.session_id for r in final.coverage}
