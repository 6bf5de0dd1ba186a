"""The N-1 reserve: a spare unit within reach before every session at a reserve level,
kept after coverage (it never costs a session) and counted from the plan's files."""

from __future__ import annotations

import csv
import json

from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.solve.orchestrate import make_plan
from planner.verify import verify
from tests.conftest import MINI, copy_scenario

HEADER = ("session_id,room_id,start,end,kind,attendees,level,name,group_id,jammers_required,"
          "cabinet_units_required\n")
# the opening plenary in the 600 m² hall: ceil(600 × 1.0 / 150) = 4 jammers, no cabinets
OPENING = "S1,R1,2021-11-26T09:00,2021-11-26T11:30,plenary,380,secret,开幕大会,,,0\n"
# at the same time, 10 min away, a confidential group: 1 jammer (not a reserve level)
GROUP = "S2,R2,2021-11-26T09:00,2021-11-26T11:00,group,20,confidential,小组讨论,,1,0\n"


def congress(tmp_path, sessions: str, jammers: int):
    folder = copy_scenario(MINI, tmp_path / f"c{jammers}{len(sessions)}")
    (folder / "sessions.csv").write_text(HEADER + sessions, encoding="utf-8")
    with open(MINI / "inventory.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if r["item_type"] != "jammer"]
    # every jammer usable (mini has J5 in maintenance at V3): J1, J2 at V1, J3, J4, J5 at V2
    kept += [{**r, "status": "ok", "venue_id": "V1" if n < 2 else "V2"}
             for n, r in enumerate(r for r in rows if r["item_type"] == "jammer")][:jammers]
    with open(folder / "inventory.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(kept)
    return load_scenario(folder)


def planned(tmp_path, scenario):
    out = write_plan(make_plan(scenario, time_limit=0.5, seed=0), tmp_path / "plan")
    assert not verify(scenario, out)[0]
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_a_fifth_jammer_is_the_opening_plenarys_spare(tmp_path):
    summary = planned(tmp_path, congress(tmp_path, OPENING, jammers=5))
    assert summary["jammer_deployments"] == 4
    assert summary["n1_protected"] == {"protected": 1, "of": 1, "share": 1.0,
                                       "at_reserve_levels": {"protected": 1, "of": 1}}


def test_with_four_jammers_the_plenary_has_no_spare(tmp_path):
    summary = planned(tmp_path, congress(tmp_path, OPENING, jammers=4))
    assert summary["jammer_deployments"] == 4
    assert summary["n1_protected"]["at_reserve_levels"] == {"protected": 0, "of": 1}


def test_the_reserve_never_costs_a_session(tmp_path):
    """Five jammers, four for the plenary and one for the group at the same hour: the
    group gets its jammer, and the plenary goes without a spare."""
    summary = planned(tmp_path, congress(tmp_path, OPENING + GROUP, jammers=5))
    assert summary["jammer_deployments"] == 5
    assert summary["n1_protected"]["at_reserve_levels"] == {"protected": 0, "of": 1}
    assert summary["n1_protected"]["of"] == 2
