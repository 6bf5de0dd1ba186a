"""Same figures before and after a change that should change nothing (a move of code).

Protocol: ``record OUT`` runs the commands a user runs on the bundled reference congress,
each in a fresh process, and keeps what they write under ``OUT``:

1. ``plan`` with its defaults (``OUT/plan``);
2. ``simulate --runs 3 --sizing-runs 2 --workers 1 --keep 1`` on that plan
   (``OUT/rehearsal``): a rehearsal, and with it a whole congress's event log as operators
   would log it (``runs/run_0000/events.jsonl``);
3. ``replan`` of the plan after that log, at the default ``now`` (``OUT/replan``);
4. ``report`` of the plan and the log, in Chinese and in English (``OUT/report``,
   ``OUT/report_en``).

``compare A B`` says which files differ between two recordings, byte for byte (the
folder markers ``.planner-folder.json`` included), less what differs from run to run by
design (:func:`content`), and exits 1 if any does. Run it before the change and after::

    .venv/bin/python -m bench.same_figures record /tmp/before
    # ... the change ...
    .venv/bin/python -m bench.same_figures record /tmp/after
    .venv/bin/python -m bench.same_figures compare /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "provincial_congress"


def planner(*args: str, lang: str = "zh") -> None:
    env = {**os.environ, "PLANNER_LANG": lang, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "planner", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"planner {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def record(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=False)
    scenario = str(REFERENCE)
    planner("plan", scenario, "--out", str(out / "plan"))
    planner("simulate", scenario, "--plan", str(out / "plan"), "--runs", "3",
            "--sizing-runs", "2", "--workers", "1", "--keep", "1",
            "--out", str(out / "rehearsal"))
    events = str(out / "rehearsal" / "runs" / "run_0000" / "events.jsonl")
    planner("replan", scenario, "--plan", str(out / "plan"), "--events", events,
            "--out", str(out / "replan"))
    planner("report", scenario, "--plan", str(out / "plan"), "--events", events,
            "--out", str(out / "report"))
    planner("report", scenario, "--plan", str(out / "plan"), "--events", events,
            "--out", str(out / "report_en"), lang="en")


UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def content(path: Path) -> bytes:
    """What a file says. Three things differ from run to run by design and are left out:
    the ids plotly gives its charts in an HTML page, and in a .docx or .xlsx the zip's
    member times and the creation time in ``docProps/core.xml``."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return UUID.sub(b"<id>", data)
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return b"\0".join(n.encode() + b"\0" + book.read(n) for n in sorted(book.namelist())
                               if n != "docProps/core.xml")
    return data


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): content(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def compare(a: Path, b: Path) -> int:
    one, two = files(a), files(b)
    differ = sorted(k for k in one.keys() & two.keys() if one[k] != two[k])
    only = sorted(one.keys() ^ two.keys())
    for name in differ:
        print(f"differs: {name}")
    for name in only:
        print(f"only in {'the first' if name in one else 'the second'}: {name}")
    print(f"{len(one.keys() & two.keys()) - len(differ)} files the same, {len(differ)} differ, "
          f"{len(only)} in one only")
    return 1 if differ or only else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("record").add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        record(args.out)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
