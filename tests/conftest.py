"""Shared test helpers: the bundled scenarios, copies with a broken file laid over, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "provincial_congress"
DATA = ROOT / "tests" / "data"
MINI = DATA / "mini"
BROKEN = DATA / "broken"


def chromium() -> str:
    """Debian's Chromium for the browser tests: skipped without it on a developer's
    machine, failed without it in CI (``.ci/run`` installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


def jsonl(path: Path, events: list[dict]) -> Path:
    """Write ``events`` as a JSON Lines log, as operators' tools write it."""
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events),
                    encoding="utf-8")
    return path


def run_cli(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` as a user runs it, in a fresh process."""
    env = {**os.environ, "PLANNER_LANG": lang, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def copy_scenario(source: Path, dest: Path, overlay: Path | None = None) -> Path:
    """A copy of ``source`` with the files of ``overlay`` laid over it (and its DELETE list)."""
    shutil.copytree(source, dest)
    if overlay is not None:
        for f in overlay.iterdir():
            if f.name == "DELETE":
                for name in f.read_text().split():
                    (dest / name).unlink()
            elif f.name != "expect.txt":
                shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture(scope="session")
def reference_base():
    """The reference congress and its plan with the default budget, made once per test
    process (deterministic: the same plan whichever test asks first). Read, never change."""
    from planner.io.scenario_files import load_scenario
    from planner.solve.orchestrate import make_plan

    scenario = load_scenario(REFERENCE)
    return scenario, make_plan(scenario, seed=0)


@pytest.fixture(scope="session")
def reference_folder(reference_base, tmp_path_factory):
    """The reference plan written, checked, and read back as re-planning reads a plan in
    force: (scenario, plan, folder)."""
    from planner.io.plan_files import read_plan, write_plan
    from planner.verify import verify

    scenario, plan = reference_base
    folder = write_plan(plan, tmp_path_factory.mktemp("base") / "plan")
    assert not verify(scenario, folder)[0]
    return scenario, read_plan(folder), folder


@pytest.fixture(scope="session")
def planned(tmp_path_factory):
    """A store with the reference congress and a (greedy, quick) plan, made once per test
    process: the dashboard tests copy it, never change it."""
    from planner.live.store import Store
    from planner.ops import congress as operations

    folder = tmp_path_factory.mktemp("store")
    store = Store(f"sqlite:///{folder / 'planner.db'}")
    operations.import_scenario(store, REFERENCE, "test", method="greedy")
    store.close()
    return folder / "planner.db"


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    return copy_scenario(MINI, tmp_path / "mini")


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian package postgresql)")


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a free loopback port, stopped and removed afterwards.
    Its folder is outside pytest's (which only root may enter): the server runs as postgres."""
    if os.environ.get("PLANNER_SKIP_PG") == "1":
        pytest.skip("PLANNER_SKIP_PG=1")
    base = Path(tempfile.mkdtemp(prefix="planner-pg-"))
    data = base / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres account
        shutil.chown(base, "postgres", "postgres")
        base.chmod(0o777)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, _pg_binary("initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*as_user, _pg_binary("pg_ctl"), "-D", str(data), "-l", str(base / "log"),
                    "-o", f"-p {port} -h 127.0.0.1 -k {base}", "-w", "start"], check=True,
                   capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, _pg_binary("pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
