"""Input benchmark: every hostile or huge input up to 50 MB is refused or accepted within 30 s
and 1 GB of memory.

Protocol: each case is built in a temporary folder (sizes as named), then handed to the
command a user would run (``validate``, ``events import``; an upload through
``planner.io.uploads.save_upload``, as the dashboard's import does) in a fresh process. The
wall time is measured around that process and its peak memory is its ``ru_maxrss``, read
by a small process that starts it and nothing else (``RUSAGE_CHILDREN``). A case passes
when the process ends within 30 s, under 1 GB, with no traceback, and with the expected
verdict (exit 0 for the valid congress, non-zero for the rest). Run by hand on an
otherwise idle machine:

    .venv/bin/python -m bench.input_bench [--json rows.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
WALL, MEMORY_MB, MB = 30.0, 1024, 1024 * 1024


def _copy(folder: Path, name: str) -> Path:
    out = folder / name
    shutil.copytree(MINI, out)
    return out


def cases(folder: Path) -> list[tuple[str, list[str], bool]]:
    """(what, command arguments after ``python -m planner`` or ``-c``, accepted?)."""
    out = []
    many = _copy(folder, "many_rows")  # 50 MB of sessions: far more rows than allowed
    header = (MINI / "sessions.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    line = "S{n},R1,2021-11-26T09:00,2021-11-26T10:00,大会,10,机密,G1\n"
    with open(many / "sessions.csv", "w", encoding="utf-8") as f:
        f.write(header + "\n")
        n = 0
        while f.tell() < 50 * MB - 100:  # just under 50 MB
            f.write(line.format(n=n))
            n += 1
    out.append(("sessions.csv, 50 MB of rows", ["validate", str(many)], False))
    cell = _copy(folder, "one_huge_cell")
    (cell / "rooms.csv").write_text("room_id,venue_id,name,area_m2,capacity,signal\n"
                                    "R1,V1," + "名" * (16 * MB) + ",600,400,normal\n",
                                    encoding="utf-8")
    out.append(("rooms.csv, one 48 MB cell", ["validate", str(cell)], False))
    laughs = _copy(folder, "billion_laughs")
    text = (MINI / "scenario.yaml").read_text(encoding="utf-8")
    bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 10))
    (laughs / "scenario.yaml").write_text(text + "description:\n  " + bomb.replace(
        "\n", "\n  "), encoding="utf-8")
    out.append(("scenario.yaml, billion laughs", ["validate", str(laughs)], False))
    deep = _copy(folder, "deep_yaml")
    (deep / "scenario.yaml").write_text(text + "description: " + "[" * 200_000 + "]" *
                                        200_000 + "\n", encoding="utf-8")
    out.append(("scenario.yaml, nested 200,000 deep", ["validate", str(deep)], False))
    from openpyxl import load_workbook

    from planner.io.tables import write_workbook

    write_workbook(MINI, folder / "far_cell.xlsx")  # the mini congress, every sheet there
    book = load_workbook(folder / "far_cell.xlsx")
    book["sessions"]["XFD1048576"] = "x"
    book.save(folder / "far_cell.xlsx")
    out.append((".xlsx, one cell at XFD1048576", ["validate", str(folder / "far_cell.xlsx")],
                False))
    events = folder / "events.jsonl"
    with open(events, "w", encoding="utf-8") as f:
        while f.tell() < 50 * MB - 100:
            f.write('{"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2"}\n')
    out.append(("events, 50 MB of lines",
                ["events", "import", str(MINI), str(events), "--db",
                 f"sqlite:///{folder / 'events.db'}"], False))
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z, z.open(
            "mini/rooms.csv", "w", force_zip64=True) as entry:
        for _ in range(1024):  # written a megabyte at a time: this process stays small
            entry.write(b"0" * MB)
    upload = ("import sys; from pathlib import Path; from planner.io.uploads import save_upload; "
              "from planner.errors import ScenarioError\n"
              "try:\n    save_upload(Path(sys.argv[1]).read_bytes(), 'bomb.zip', "
              "Path(sys.argv[2]))\nexcept ScenarioError as e:\n    print(e.text('en'), "
              "file=sys.stderr); sys.exit(1)")
    (folder / "upload").mkdir()
    out.append((f"upload, a {(folder / 'bomb.zip').stat().st_size // 1024} KB zip of a 1 GB "
                "rooms.csv",
                ["-c", upload, str(folder / "bomb.zip"), str(folder / "upload")], False))
    big = folder / "x100"
    subprocess.run([sys.executable, "-m", "planner", "generate", "--out", str(big),
                    "--scale", "100"], check=True, capture_output=True, cwd=ROOT)
    size = sum(p.stat().st_size for p in big.iterdir()) // MB
    out.append((f"a valid congress ×100 (25,600 sessions, {size} MB)",
                ["validate", str(big)], True))
    return out


# Runs one command and says its wall time, exit code and peak memory. It runs in a small
# process of its own: a child's ru_maxrss starts from the memory of the process that
# started it, so the benchmark (which built the inputs) must not start the command itself.
WAITER = """
import json, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    _out, err = proc.communicate(timeout=float(sys.argv[1]))
except subprocess.TimeoutExpired:
    proc.kill()
    _out, err = proc.communicate()
wall = time.perf_counter() - start
import resource
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"exit": proc.returncode, "wall_s": round(wall, 2), "peak_mb": round(peak / 1024),
                  "stderr": err.decode("utf-8", "replace")[-2000:]}))
"""


def measure(args: list[str]) -> dict:
    command = [sys.executable, *(args if args[0] == "-c" else ["-m", "planner", *args])]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANNER_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", WAITER, str(4 * WALL), *command], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=True)
    row = json.loads(done.stdout)
    stderr = row.pop("stderr").strip()
    row["traceback"] = "Traceback" in stderr
    row["said"] = stderr.splitlines()[-1][:90] if stderr else ""
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="input-bench-") as tmp:
        for what, command, accepted in cases(Path(tmp)):
            row = {"input": what, **measure(command)}
            row["ok"] = (row["wall_s"] <= WALL and row["peak_mb"] <= MEMORY_MB
                         and not row["traceback"] and (row["exit"] == 0) == accepted)
            rows.append(row)
            print(f"{what}: exit {row['exit']}, {row['wall_s']} s, {row['peak_mb']} MB, "
                  f"{'ok' if row['ok'] else 'NOT OK'} — {row['said']}", flush=True)
    print("\n| input | verdict | s | peak MB | within 30 s and 1 GB, no traceback |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['input']} | {'accepted' if r['exit'] == 0 else 'refused'} | "
              f"{r['wall_s']} | {r['peak_mb']} | {'yes' if r['ok'] else 'no'} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
