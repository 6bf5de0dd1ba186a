"""Rehearsal benchmark: how long ``simulate`` takes for N runs of the reference congress,
and how it scales with worker processes.

Protocol: each case is one fresh ``python -m planner simulate`` process, as a user runs
it, on the bundled reference congress, seed 0, default rates and ``--sizing-runs`` 10;
the base plan is made by the command itself (CP-SAT, 10 s, two solver threads); wall
time is the whole command (loading, base plan, runs, sizing, writing the tables and the
charts); peak memory is the largest resident set of the command or any of its worker
processes. Run by hand:

    .venv/bin/python -m bench.simulate_bench                      # 1,000 runs, 2 workers
    .venv/bin/python -m bench.simulate_bench --cases 100:1 100:2 --json rows.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "provincial_congress"


def case(runs: int, workers: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="simbench-")) / "rehearsal"
    clock = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "planner", "simulate", str(REFERENCE), "--runs", str(runs),
         "--out", str(out), "--workers", str(workers), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - clock
    if done.returncode:
        raise SystemExit(done.stderr)
    info = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {f["figure"]: f["mean"] for f in info["figures"]}
    return {"runs": runs, "workers": workers, "wall_s": round(seconds, 1),
            "runs_per_min": round(runs / seconds * 60, 1), "peak_mb_so_far": round(peak),
            "p_run_shortfall": info["p_run_shortfall"],
            "session_short_share": info["session_short_share"],
            "sizing": {k: v["extra_for_under_1pct"] for k, v in info["sizing"].items()},
            "paper_t": figures.get("paper_tonnes"), "documents": figures.get("documents_found"),
            "jammer_deployments": figures.get("jammer_deployments"),
            "cabinet_unit_deployments": figures.get("cabinet_unit_deployments"),
            "patrols": figures.get("patrols"), "out": str(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=["1000:2"], help="RUNS:WORKERS ...")
    parser.add_argument("--json", help="write the rows here too")
    args = parser.parse_args()
    rows = []
    for spec in args.cases:
        runs, workers = (int(x) for x in spec.split(":"))
        row = case(runs, workers)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2),
                                   encoding="utf-8")


if __name__ == "__main__":
    main()
