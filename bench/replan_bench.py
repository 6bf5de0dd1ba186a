"""Re-plan benchmark: how fast the re-planner repairs the plan after one event, how much it
changes, and how that compares with planning again from scratch.

Protocol: the base plan is made once (CP-SAT, 10 s, seed 0, 2 workers). For each of three
event kinds, ``--cases`` cases are drawn with ``random.Random(--seed)``; each picks a random
session S that starts on or after the congress's second day:

- ``adhoc``: a 60-minute ad-hoc session (20 attendees, secret) at S's start, in a random
  room of S's venue with no session overlapping it, logged 120 minutes before it starts;
- ``unit_failed``: a jammer the base plan gives S fails, logged 60 minutes before S's setup;
- ``overrun``: S runs 30 minutes longer, logged 10 minutes before its planned end.

(A draw whose S has no free room or no jammer is drawn again.) Each case is re-planned from
the base plan (``--time-limit`` s); the time is that of the ``replan`` call alone; the
re-plan is checked by the independent checker against the congress as the events leave it.
With ``--scratch`` (the default) a plan is also made from scratch for that congress (10 s)
and its changes against the base plan counted the same way, from the re-plan's ``now`` on.
p95 is by nearest rank. Run by hand:

    .venv/bin/python -m bench.replan_bench                 # 10 cases per kind
    .venv/bin/python -m bench.replan_bench --cases 2 --no-scratch --json rows.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.live.replan import diff, replan
from planner.model.plan import Plan
from planner.model.scenario import Scenario, Session
from planner.solve.budget import PLAN_WORK, REPLAN_WORK
from planner.solve.orchestrate import make_plan
from planner.verify import verify

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("adhoc", "unit_failed", "overrun")
BASE_LIMIT = PLAN_WORK  # deterministic seconds for the base plan and each from-scratch plan
MINUTE = dt.timedelta(minutes=1)


def stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def free_rooms(sc: Scenario, venue_id: str, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Rooms of the venue with no session overlapping [start, end)."""
    busy = {s.room_id for s in sc.sessions.values() if s.start < end and start < s.end}
    return sorted(r.room_id for r in sc.rooms.values()
                  if r.venue_id == venue_id and r.room_id not in busy)


def draw_event(kind: str, n: int, sc: Scenario, base: Plan, candidates: list[Session],
               rng: random.Random) -> dict:
    """One event of ``kind`` about a random session of ``candidates``."""
    while True:
        s = rng.choice(candidates)
        if kind == "adhoc":
            end = s.start + 60 * MINUTE
            rooms = free_rooms(sc, sc.venue_of(s.room_id), s.start, end)
            if rooms:
                return {"at": stamp(s.start - 120 * MINUTE), "type": "adhoc_session",
                        "session_id": f"XB{n}", "room_id": rng.choice(rooms),
                        "start": stamp(s.start), "end": stamp(end), "kind": "adhoc",
                        "attendees": 20, "level": "secret"}
        elif kind == "unit_failed":
            jammers = sorted({a.item_id for a in base.assignments
                              if a.session_id == s.session_id and a.item_type == "jammer"})
            if jammers:
                setup = sc.rules.setup_minutes * MINUTE
                return {"at": stamp(s.start - setup - 60 * MINUTE), "type": "unit_failed",
                        "item_id": rng.choice(jammers)}
        else:
            return {"at": stamp(s.end - 10 * MINUTE), "type": "extend_session",
                    "session_id": s.session_id, "new_end": stamp(s.end + 30 * MINUTE)}


def covered(plan: Plan) -> tuple[int, int]:
    return plan.summary.sessions_covered, plan.summary.sessions


def run_case(kind: str, n: int, sc: Scenario, base: Plan, event: dict, args: argparse.Namespace,
             work: Path) -> dict:
    events = [event]
    clock = time.perf_counter()
    r = replan(sc, base, events, time_limit=args.time_limit, seed=0)
    seconds = time.perf_counter() - clock
    violations, _ = verify(r.live, write_plan(r.plan, work / f"{kind}-{n}"))
    row = {"kind": kind, "case": n, "event": event, "now": stamp(r.now),
           "replan_s": round(seconds, 2), "changes": len(r.changes),
           "covered": covered(r.plan)[0], "sessions": covered(r.plan)[1],
           "violations": len(violations), "violation_text": [str(v) for v in violations],
           "scratch_changes": None, "scratch_covered": None, "scratch_sessions": None}
    if args.scratch:
        scratch = make_plan(r.live, time_limit=BASE_LIMIT, seed=0)
        row["scratch_changes"] = len(diff(r.live, base, scratch, r.now, events))
        row["scratch_covered"], row["scratch_sessions"] = covered(scratch)
    return row


def p95(values: list[float]) -> float:
    """95th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def summary_line(name: str, rows: list[dict]) -> str:
    seconds = [r["replan_s"] for r in rows]
    changes = statistics.mean(r["changes"] for r in rows)
    cover = (f"{statistics.mean(r['covered'] for r in rows):.1f}/"
             f"{statistics.mean(r['sessions'] for r in rows):.1f}")
    scratch, ratio, scratch_cover = "-", "-", "-"
    if all(r["scratch_changes"] is not None for r in rows):
        mean_scratch = statistics.mean(r["scratch_changes"] for r in rows)
        scratch = f"{mean_scratch:.1f}"
        ratio = f"{changes / mean_scratch:.2f}" if mean_scratch else "-"
        scratch_cover = (f"{statistics.mean(r['scratch_covered'] for r in rows):.1f}/"
                         f"{statistics.mean(r['scratch_sessions'] for r in rows):.1f}")
    bad = sum(r["violations"] for r in rows)
    return (f"| {name} | {len(rows)} | {statistics.median(seconds):.2f} | {p95(seconds):.2f} | "
            f"{max(seconds):.2f} | {changes:.1f} | {scratch} | {ratio} | {cover} | "
            f"{scratch_cover} | {'ok' if not bad else f'**{bad}**'} |")


def table(rows: list[dict]) -> str:
    head = ("| event | cases | median s | p95 s | max s | changes | changes scratch | ratio "
            "| covered | covered scratch | checker |")
    lines = [head, "|" + "---|" * 11]
    for kind in KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        if mine:
            lines.append(summary_line(kind, mine))
    lines.append(summary_line("**all**", rows))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "provincial_congress"))
    parser.add_argument("--cases", type=int, default=10, help="cases per event kind")
    parser.add_argument("--seed", type=int, default=0, help="seed of the case draw")
    parser.add_argument("--time-limit", type=float, default=REPLAN_WORK,
                        help="re-plan budget, deterministic seconds")
    parser.add_argument("--scratch", action=argparse.BooleanOptionalAction, default=True,
                        help="also plan each case from scratch, for comparison")
    parser.add_argument("--json", metavar="OUT", help="write the per-case rows as JSON")
    args = parser.parse_args()

    sc = load_scenario(args.scenario)
    base = make_plan(sc, time_limit=BASE_LIMIT, seed=0)
    print(f"base plan: {covered(base)[0]}/{covered(base)[1]} sessions covered", flush=True)
    second_day = sc.days()[1]
    candidates = [s for s in sc.sessions.values() if s.start.date() >= second_day]
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            for n in range(args.cases):
                event = draw_event(kind, n, sc, base, candidates, rng)
                row = run_case(kind, n, sc, base, event, args, Path(tmp))
                rows.append(row)
                print(f"{kind} {n}: {row['replan_s']} s, {row['changes']} changes "
                      f"(scratch {row['scratch_changes']}), covered {row['covered']}/"
                      f"{row['sessions']}, violations {row['violations']}, event {event}",
                      flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    print()
    print(table(rows))
    failed = [r for r in rows if r["violations"]]
    if failed:
        print(f"\nCHECKER FAILED on {len(failed)} re-plan(s):", file=sys.stderr)
        for r in failed:
            print(f"- {r['kind']} {r['case']}: event {r['event']}", file=sys.stderr)
            for text in r["violation_text"]:
                print(f"    {text}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
