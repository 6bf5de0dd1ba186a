"""Plan benchmark: CP-SAT against the greedy baseline on the reference congress and on
generated ×3 and ×10 congresses.

Protocol (README, "Benchmarks"): each run is a fresh process (``python -m planner plan``),
so peak memory is that process's maximum resident set; wall time is the whole command,
loading and checking included; ``solve_seconds``, the bound and the gaps come from
summary.json; every plan is checked by the independent checker and the violations
counted. Scenarios ×3 and ×10 are generated with seed 1 (ten separate areas); ×3c and ×10c
with ``--layout city`` and seed 0 (one connected city: any unit or person may serve
anywhere). Run by hand:

    .venv/bin/python -m bench.plan_bench                 # all of them
    .venv/bin/python -m bench.plan_bench --only reference,x10c
    .venv/bin/python -m bench.plan_bench --only x10c --dask 1,2,4   # also on Dask workers

With ``--dask``, each CP-SAT run of the chosen scenarios is repeated on a loopback Dask
cluster (``LocalCluster``, one thread per worker process) of each size given, through
``plan --scheduler``; the plan must be the same file for file ("same" in the table).
There peak memory is the ``plan`` process's own, not the workers'.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the planner in this process, then its own peak resident memory on the last line of stderr
MEASURED = ("import resource, sys; from planner.cli.main import main; code = main(sys.argv[1:]); "
            "print(f'maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
            "file=sys.stderr); sys.exit(code)")
RUNS = [  # scenario, method, solver budget in deterministic seconds (planner.solve.budget)
    ("reference", "greedy", 0), ("reference", "cpsat", 1), ("reference", "cpsat", 2),
    ("x3", "greedy", 0), ("x3", "cpsat", 6),
    ("x10", "greedy", 0), ("x10", "cpsat", 6), ("x10", "cpsat", 30),
    ("x3c", "greedy", 0), ("x3c", "cpsat", 1), ("x10c", "greedy", 0), ("x10c", "cpsat", 1),
]


def scenario_path(name: str, work: Path) -> Path:
    if name == "reference":
        return ROOT / "scenarios" / "provincial_congress"
    city = name.endswith("c")
    scale = int(name[1:].removesuffix("c"))
    out = work / name
    if not out.exists():
        layout = ["--layout", "city", "--seed", "0"] if city else ["--seed", "1"]
        subprocess.run([sys.executable, "-m", "planner", "generate", "--out", str(out),
                        "--scale", str(scale), *layout], check=True, cwd=ROOT,
                       capture_output=True)
    return out


def run(name: str, method: str, limit: float, work: Path, workers: int,
        scheduler: str | None = None, label: str = "") -> dict:
    scenario = scenario_path(name, work)
    out = work / f"plan-{name}-{method}-{limit}{label}"
    argv = ["--lang", "en", "plan", str(scenario), "--out", str(out), "--method", method,
            "--time-limit", str(limit), "--workers", str(workers),
            *(["--scheduler", scheduler] if scheduler else [])]
    cmd = [sys.executable, "-c", MEASURED, *argv]
    clock = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - clock
    peak = int(result.stderr.strip().splitlines()[-1].removeprefix("maxrss_kb="))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    violations = 0 if "no violation" in result.stdout else result.stdout.count("\n  - ")
    return {
        "scenario": name + label, "method": method, "limit_s": limit, "out": out,
        "sessions": summary["sessions"], "covered": summary["sessions_covered"],
        "moves": summary["moves"], "move_cost": summary["objective_terms"]["move_cost"],
        "gap": summary["gap"], "status": summary["solver_status"],
        "bound": summary["best_bound"],
        "coverage_gap": summary.get("coverage_gap"),
        "solve_s": summary["solve_seconds"], "wall_s": round(wall, 1),
        "peak_mb": round(peak / 1024), "violations": violations,
    }


def on_dask(name: str, limit: float, work: Path, workers: int, n: int, alone: dict) -> dict:
    """The same CP-SAT run on a loopback Dask cluster of ``n`` worker processes."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        row = run(name, "cpsat", limit, work, workers, cluster.scheduler_address,
                  f" (dask {n})")
    same = all((row["out"] / f.name).read_bytes() == f.read_bytes()
               for f in alone["out"].iterdir())
    row["violations"] = row["violations"] or (0 if same else "differs")
    return row


def table(rows: list[dict]) -> str:
    head = ("| scenario | method | limit s | covered | moves (cost) | bound | gap | coverage gap "
            "| status | solve s | wall s | peak MB | checker |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['method']} | {r['limit_s'] or '-'} | "
            f"{r['covered']}/{r['sessions']} | {r['moves']} ({r['move_cost']}) | "
            f"{r['bound']:g} | {100 * r['gap']:.2f}% | {_pct(r['coverage_gap'])} | {r['status']} | "
            f"{r['solve_s']:.1f} | {r['wall_s']} | "
            f"{r['peak_mb']} | {'ok' if not r['violations'] else r['violations']}"
            f"{', same' if '(dask' in r['scenario'] and not r['violations'] else ''} |")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="comma-separated: reference, x3, x10, x3c, x10c")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", default="", help="comma-separated Dask worker counts")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, method, limit in RUNS:
            if args.only and name not in args.only.split(","):
                continue
            rows.append(run(name, method, limit, Path(tmp), args.workers))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
            if method == "cpsat":
                for n in (int(x) for x in args.dask.split(",") if x):
                    rows.append(on_dask(name, limit, Path(tmp), args.workers, n, rows[-1]))
                    print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
