"""Each team's staff models are one job: solved here, in worker processes or on a Dask
cluster, the plan is the same, file for file.

The congress is the districts test's (``test_districts``): two districts of three venues
and 15 people each, ``staff_team_max`` 15, written to scenario.yaml as a user would.
With two teams the budget is per team: ``--time-limit 0.3`` gives 0.6 in all.
"""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.solve.test_districts import A, B
from tests.solve.test_models import congress, session


def two_districts(tmp_path):
    travel = [(x, y, 10) for group in (A, B) for i, x in enumerate(group) for y in group[i + 1:]]
    travel += [(a, b, 40) for a in A for b in B]
    folder = congress(
        tmp_path / "two", venues=A + B, travel=travel,
        rooms=[(f"R{v}", v, 100) for v in A + B],
        sessions=[session(f"S{n}{v}", f"R{v}", f"{h}:00", f"{h + 1}:00", 30, "secret")
                  for v in A + B for n, h in enumerate((9, 14))],
        inventory=[(f"J{v}{k}", v, "ok") for v in A + B for k in range(2)],
        staff=[(f"P{v}{n}", v, "07:00", "19:00") for v in A + B for n in range(5)])
    with (folder / "scenario.yaml").open("a", encoding="utf-8") as f:
        f.write("  staff_team_max: 15\n")  # the rules: mapping is the file's last
    return folder


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_plan_here_in_processes_and_on_a_dask_cluster(tmp_path):
    from distributed import LocalCluster

    scenario = two_districts(tmp_path)
    plans = {}
    for how, extra in (("here", ["--processes", "1"]), ("processes", ["--processes", "2"])):
        out = tmp_path / how
        result = run_cli("plan", str(scenario), "--out", str(out), "--time-limit", "0.3", *extra)
        assert result.returncode == 0, result.stderr
        plans[how] = files(out)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        result = run_cli("plan", str(scenario), "--out", str(out), "--time-limit", "0.3",
                         "--scheduler", cluster.scheduler_address)
        assert result.returncode == 0, result.stderr
        plans["dask"] = files(out)
    assert plans["processes"] == plans["here"]
    assert plans["dask"] == plans["here"]
    summary = json.loads(plans["here"]["summary.json"])
    assert summary["work_limit"] == 0.6  # 0.3 for each of the two teams
    assert summary["sessions"] == 12


def test_a_bad_process_count_is_refused(tmp_path):
    result = run_cli("plan", str(two_districts(tmp_path)), "--out", str(tmp_path / "p"),
                     "--processes", "0")
    assert result.returncode == 2
    assert "--processes" in result.stderr + result.stdout
    assert not (tmp_path / "p").exists()


def test_a_scheduler_that_cannot_be_reached_is_said_and_nothing_is_written(tmp_path,
                                                                          monkeypatch):
    """Port 1 on the loopback has no scheduler; Dask's connect timeout is cut to 2 s for
    the test. The user is told which address failed; exit 1; no plan folder."""
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")
    out = tmp_path / "p"
    result = run_cli("plan", str(two_districts(tmp_path)), "--out", str(out), "--time-limit",
                     "0.1", "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 1
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
