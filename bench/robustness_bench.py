"""Robustness benchmark: how many sessions go short when the congress is lived through drawn
disruptions, with the live re-planner, with the rehearsal's greedy repair, and with a plan
made knowing everything from the start.

Protocol: the congress is the bundled reference (``--scale 1``) or a generated one three
times its size (``--scale 3``: ``planner.io.generate.write(folder, scale=3, seed=1)``). The
base plan is made once (``make_plan``, CP-SAT, ``PLAN_WORK`` deterministic seconds, seed 0,
``SOLVER_WORKERS`` threads). Run r (0 … ``--runs`` − 1) draws its events with
``planner.rehearse.disruptions.draw`` from the scenario's rates and the stream
``rng_for(--seed, r)``, the rehearsal's own; the same events are then lived three ways:

- ``live``: the burst-by-burst replay of ``planner.rehearse.runs.replay`` (bursts by
  ``batches``, each re-planned once at its first event, from the previous re-plan) with the
  live re-planner, ``replan(method="cpsat")`` at its default budget (``REPLAN_WORK``
  deterministic seconds per re-plan), in a local copy of the loop so that each ``replan``
  call is timed (``time.perf_counter`` around the call alone: the coverage is computed for
  every re-plan, the list of changes is not, as in the rehearsal) and each re-plan checked;
- ``rehearsal``: ``planner.rehearse.runs.replay(method="greedy")``, the rehearsal as it is;
- ``oracle`` (unless ``--no-oracle``): the congress as the whole log leaves it
  (``apply_events(scenario, events)``) planned from scratch by ``make_plan`` (seed 0,
  ``PLAN_WORK``), as if every event had been known before the congress. Not a bound on
  the others: a unit that fails is out of stock for the whole congress there, not only
  from its failure on.

Sessions short in a run = sessions not covered by its final plan (``plan.coverage``). Each
final plan, and every intermediate live re-plan, is checked by the independent checker
(``checked_files``) against the congress as the log leaves it then; a rejection is counted
and its first violation kept. The interval on the mean sessions short per run is the normal
approximation, mean ± 1.96·sd/√n (with few runs it is narrower than a t-interval: ×0.76 of
it at 6 runs); "live − oracle" is the same on the per-run differences (paired). p95 is by
nearest rank. Seconds per run: the ``replan`` calls (live, without the checks), the whole
replay (rehearsal) or the oracle's plan. Run by hand:

    .venv/bin/python -m bench.robustness_bench                 # 6 runs of the reference
    .venv/bin/python -m bench.robustness_bench --runs 2 --scale 3 --no-oracle --json rows.json
    .venv/bin/python -m bench.robustness_bench --no-reserve    # the same runs without the reserve
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.replan_bench import p95
from planner.events.apply import apply_events
from planner.io.generate import write
from planner.io.plan_files import plan_files
from planner.io.scenario_files import load_scenario
from planner.live.replan import replan
from planner.model.plan import Plan
from planner.model.scenario import Scenario
from planner.model.times import parse_time
from planner.rehearse.disruptions import draw
from planner.rehearse.runs import batches, replay, rng_for
from planner.solve.orchestrate import make_plan
from planner.verify import PlanRejected, checked_files

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "provincial_congress"
WAYS = ("live", "rehearsal_cpsat", "rehearsal", "oracle")


def short(plan: Plan) -> int:
    return sum(not r.covered for r in plan.coverage)


def weight(plan: Plan) -> int:
    """The weight of the sessions left short: what the planner minimizes first (each
    session's level weight × (attendees + 10), ``session_weight``)."""
    return plan.summary.objective_terms["uncovered_weight"]


def rejection(plan: Plan, live: Scenario) -> str | None:
    """None if the checker passes the plan, else its message (count and first violation)."""
    try:
        checked_files(plan, live)
    except PlanRejected as error:
        return str(error)
    return None


def live_replay(scenario: Scenario, plan: Plan, events: list[dict]) -> tuple[Plan, Scenario,
                                                                              list[dict]]:
    """``replay(method="cpsat")`` with each re-plan timed and checked: the final plan, the
    congress as it was, and one row per re-plan."""
    log: list[dict] = []
    steps = []
    for burst in batches(events, scenario.disruptions.replan_batch_minutes):
        log = log + [{**e, "at": burst[0]["at"]} for e in burst]
        steps.append((parse_time(burst[0]["at"]), log))
    live = scenario
    rows = []
    for now, known in steps:
        clock = time.perf_counter()
        result = replan(scenario, plan, known, now=now, method="cpsat", explain=False)
        seconds = time.perf_counter() - clock
        plan, live = result.plan, result.live
        rows.append({"now": f"{now:%Y-%m-%dT%H:%M}", "events": len(known),
                     "seconds": round(seconds, 2), "short": short(plan),
                     "guard_hit": plan.summary.wall_guard_hit,
                     "rejected": rejection(plan, live)})
    return plan, live, rows


def csv_files(plan: Plan) -> dict[str, str]:
    """The plan's CSV files as text (its summary holds timings)."""
    return {k: v for k, v in plan_files(plan).items() if k.endswith(".csv")}


def run(scenario: Scenario, base: Plan, seed: int, r: int, oracle: bool,
        same: bool = False) -> list[dict]:
    """The ways through run ``r``'s events: one row each. ``same``: also the rehearsal's
    replay through the live re-planner (``replay(method="cpsat")``), and whether its final
    plan is the live one, file for file."""
    events = draw(scenario, base, scenario.disruptions, rng_for(seed, r))
    common = {"run": r, "events": len(events),
              "bursts": len(batches(events, scenario.disruptions.replan_batch_minutes))}
    rows = []

    plan, live, replans = live_replay(scenario, base, events)
    seconds = sum(p["seconds"] for p in replans)
    final = replans[-1]["rejected"] if replans else rejection(plan, live)
    rows.append({**common, "way": "live", "short": short(plan), "weight": weight(plan),
                 "sessions": len(plan.coverage), "seconds": round(seconds, 2),
                 "rejected": final, "replans": replans})
    live_plan = plan

    if same:
        clock = time.perf_counter()
        plan, live = replay(scenario, base, events, method="cpsat")
        seconds = time.perf_counter() - clock
        rows.append({**common, "way": "rehearsal_cpsat", "short": short(plan),
                     "weight": weight(plan), "sessions": len(plan.coverage),
                     "seconds": round(seconds, 2), "rejected": rejection(plan, live),
                     "same_as_live": csv_files(plan) == csv_files(live_plan)})

    clock = time.perf_counter()
    plan, live = replay(scenario, base, events, method="greedy")
    seconds = time.perf_counter() - clock
    rows.append({**common, "way": "rehearsal", "short": short(plan), "weight": weight(plan),
                 "sessions": len(plan.coverage), "seconds": round(seconds, 2),
                 "rejected": rejection(plan, live)})

    if oracle:
        live = apply_events(scenario, events)
        clock = time.perf_counter()
        plan = make_plan(live, seed=0)
        seconds = time.perf_counter() - clock
        rows.append({**common, "way": "oracle", "short": short(plan), "weight": weight(plan),
                     "sessions": len(plan.coverage), "seconds": round(seconds, 2),
                     "rejected": rejection(plan, live)})
    return rows


def interval(values: list[float], digits: int = 2) -> str:
    """mean ± 1.96·sd/√n."""
    mean = statistics.mean(values)
    if len(values) < 2:
        return f"{mean:.{digits}f}"
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values))
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def way_line(way: str, rows: list[dict]) -> str:
    shorts = [r["short"] for r in rows]
    worst = max(rows, key=lambda r: (r["short"], -r["run"]))
    rejected = sum(r["rejected"] is not None for r in rows)
    seconds = statistics.mean(r["seconds"] for r in rows)
    times, count, failing = "- | - | -", "-", "-"
    if way == "live":
        replans = [p for r in rows for p in r["replans"]]
        count = str(len(replans))
        failing = str(sum(p["rejected"] is not None for p in replans))
        if replans:
            s = [p["seconds"] for p in replans]
            times = f"{statistics.median(s):.2f} | {p95(s):.2f} | {max(s):.2f}"
    return (f"| {way} | {len(rows)} | {interval(shorts)} | {worst['short']} (run {worst['run']})"
            f" | {interval([r['weight'] for r in rows], 0)} | {rejected} | {seconds:.1f}"
            f" | {count} | {times} | {failing} |")


def table(rows: list[dict]) -> str:
    head = ("| way | runs | sessions short per run (95%) | worst run | weight short per run "
            "(95%) | final plans rejected | s per run | re-plans | re-plan median s | p95 s "
            "| max s | re-plans rejected |")
    lines = [head, "|" + "---|" * 12]
    for way in WAYS:
        mine = [r for r in rows if r["way"] == way]
        if mine:
            lines.append(way_line(way, mine))
    return "\n".join(lines)


def difference(rows: list[dict]) -> str | None:
    """live − oracle, sessions short per run, paired by run."""
    by = {(r["way"], r["run"]): r["short"] for r in rows}
    runs = sorted({r["run"] for r in rows if r["way"] == "oracle"})
    if not runs:
        return None
    return interval([by["live", r] - by["oracle", r] for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6, help="drawn disruption runs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws (rng_for)")
    parser.add_argument("--scale", type=int, choices=(1, 3), default=1,
                        help="1: the reference congress; 3: a generated one three times its size")
    parser.add_argument("--oracle", action=argparse.BooleanOptionalAction, default=True,
                        help="also plan each run's final congress from scratch")
    parser.add_argument("--reserve", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the N-1 reserve (rules.reserve_levels); --no-reserve: none")
    parser.add_argument("--same", action="store_true",
                        help="also replay each run as the rehearsal does with --replan cpsat, "
                             "and compare its final plan with the live one")
    parser.add_argument("--json", metavar="OUT", help="write the base plan and the rows as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="robustbench-") as tmp:
        folder = REFERENCE if args.scale == 1 else write(Path(tmp) / "congress", scale=3, seed=1)
        scenario = load_scenario(folder)
    if not args.reserve:
        scenario = dataclasses.replace(
            scenario, rules=dataclasses.replace(scenario.rules, reserve_levels=[]))
    clock = time.perf_counter()
    base = make_plan(scenario, seed=0)
    head = {"scale": args.scale, "seed": args.seed, "runs": args.runs, "reserve": args.reserve,
            "base_sessions_covered": base.summary.sessions_covered,
            "base_sessions": base.summary.sessions,
            "base_moves": base.summary.moves,
            "base_move_cost": base.summary.objective_terms["move_cost"],
            "base_n1_protected": base.summary.n1_protected,
            "base_seconds": round(time.perf_counter() - clock, 1)}
    print(f"base plan: {head['base_sessions_covered']}/{head['base_sessions']} sessions "
          f"covered ({head['base_seconds']} s), {head['base_moves']} moves (cost "
          f"{head['base_move_cost']}), N-1 {head['base_n1_protected']}", flush=True)
    rows = []
    for r in range(args.runs):
        for row in run(scenario, base, args.seed, r, args.oracle, args.same):
            rows.append(row)
            print(f"run {r} {row['way']}: {row['short']}/{row['sessions']} short, "
                  f"{row['seconds']} s, {row['events']} events in {row['bursts']} bursts, "
                  f"checker {row['rejected'] or 'ok'}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({**head, "rows": rows}, ensure_ascii=False,
                                              indent=1) + "\n", encoding="utf-8")
    print()
    print(f"base plan: {head['base_sessions_covered']}/{head['base_sessions']} sessions covered")
    print()
    print(table(rows))
    same = [r["same_as_live"] for r in rows if r["way"] == "rehearsal_cpsat"]
    if same:
        print(f"\nrehearsal --replan cpsat: final plan file for file the live one in "
              f"{sum(same)} of {len(same)} runs")
    gap = difference(rows)
    if gap is not None:
        print(f"\nlive − oracle, sessions short per run (paired, 95%): {gap}")
    # a live run's final plan is its last re-plan
    failed = [(r, p) for r in rows for p in r.get("replans") or [r] if p["rejected"]]
    if failed:
        print(f"\nCHECKER REJECTED {len(failed)} plan(s):", file=sys.stderr)
        for r, p in failed:
            print(f"- run {r['run']} {r['way']} {p.get('now', 'final')}: {p['rejected']}",
                  file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
