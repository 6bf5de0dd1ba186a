"""Formula injection: no text cell of a .xlsx or CSV this tool writes is read as a formula."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.io.sheets import plain_text, safe_frame, safe_text
from tests.conftest import MINI, jsonl, run_cli

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"),
    ("\t=x", "'\t=x"), ("\r=x", "'\r=x"), (DDE, "'=cmd|' /C calc'!A0"),
    ("李明", "李明"), ("S1", "S1"), ("a=b", "a=b"), ("", ""), ("'=x", "'=x"),
    (-3, -3), (2.5, 2.5), (0, 0), (None, None), (True, True),
])
def test_the_rule(value, expected):
    assert safe_text(value) == expected
    assert type(safe_text(value)) is type(expected)
    if isinstance(value, str) and value != "'=x":
        assert plain_text(safe_text(value)) == value


def test_a_frame_keeps_its_numbers():
    frame = pd.DataFrame({"name": ["=1+1", "李明", None], "n": [-3, 4, 5],
                          "kg": [-1.5, 2.0, 0.0], "code": ["-3", "7", "+8"]})
    out = safe_frame(frame)
    assert list(out["name"][:2]) == ["'=1+1", "李明"] and pd.isna(out["name"][2])
    assert list(out["n"]) == [-3, 4, 5] and out["n"].dtype == frame["n"].dtype
    assert list(out["kg"]) == [-1.5, 2.0, 0.0]
    assert list(out["code"]) == ["'-3", "7", "'+8"]
    assert list(frame["name"][:2]) == ["=1+1", "李明"]  # the original is left alone


def _edit(path: Path, key: str, changes: dict[str, dict[str, str]]) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row.update(changes.get(row[key], {}))
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A copy of mini with hostile names, and a log with hostile notes, names and ids."""
    root = tmp_path_factory.mktemp("hostile")
    scenario = root / "mini"
    shutil.copytree(MINI, scenario)
    _edit(scenario / "venues.csv", "venue_id", {"V1": {"name": HYPERLINK},
                                                "V2": {"name": "@迎宾馆"}})
    _edit(scenario / "rooms.csv", "room_id", {"R2": {"name": "+一号会议室"}})
    _edit(scenario / "staff.csv", "staff_id", {"P2": {"name": DDE}, "P3": {"name": "-张伟"}})
    _edit(scenario / "groups.csv", "group_id", {"G1": {"name": "\t=1+1"}})
    _edit(scenario / "sessions.csv", "session_id", {"S1": {"name": "=开幕大会"}})
    events = jsonl(root / "events.jsonl", [
        {"at": "2021-11-26T10:05", "type": "adhoc_session", "session_id": "@X1", "room_id": "R3",
         "start": "2021-11-26T12:00", "end": "2021-11-26T12:40", "kind": "adhoc",
         "attendees": 9, "level": "secret", "name": "+临时会议"},
        {"at": "2021-11-26T12:10", "type": "patrol_done", "session_id": "@X1", "staff_id": "P2",
         "who": "-李明"},
        {"at": "2021-11-26T17:50", "type": "bag_weighed", "bag_set_id": "B1", "kg": 12.5,
         "venue_id": "V2", "who": DDE},
        {"at": "2021-11-26T18:00", "type": "document_found", "room_id": "R2", "level": "secret",
         "note": DDE, "who": HYPERLINK},
        {"at": "2021-11-27T18:00", "type": "destroyed", "kg": 40, "venue_id": "V1",
         "witnesses": ["王建国", "张伟"], "who": "@SUM(A1)"},
    ])
    plan = root / "plan"
    result = run_cli("plan", str(scenario), "--out", str(plan), "--time-limit", "0.2")
    assert result.returncode == 0, result.stderr
    return scenario, events, plan, root


def _cells(folder: Path):
    """(file, cell) for every cell of every .csv and .xlsx under ``folder``."""
    from openpyxl import load_workbook

    files = sorted([*folder.rglob("*.csv"), *folder.rglob("*.xlsx")])
    assert files, f"nothing written under {folder}"
    for path in files:
        if path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as f:
                for row in csv.reader(f):
                    for value in row:
                        yield path, "s", value
        else:
            for sheet in load_workbook(path).worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        yield path, cell.data_type, cell.value


def _assert_safe(folder: Path, must_show: tuple[str, ...] = ()) -> None:
    seen = set()
    for path, data_type, value in _cells(folder):
        assert data_type != "f", f"{path.name}: a formula {value!r}"
        if isinstance(value, str):
            assert not value.startswith(DANGEROUS), f"{path.name}: a live cell {value!r}"
            seen.update(m for m in must_show if m in value)
    assert seen == set(must_show), f"never written: {set(must_show) - seen}"  # the test bites


def test_the_plan_files_are_safe(hostile):
    _scenario, _events, plan, _root = hostile
    _assert_safe(plan)


def test_the_report_is_safe(hostile):
    scenario, events, plan, root = hostile
    out = root / "report"
    result = run_cli("report", str(scenario), "--plan", str(plan), "--events", str(events),
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    _assert_safe(out, must_show=(HYPERLINK, DDE, "@X1", "+临时会议"))


def test_a_replan_with_a_hostile_session_id_is_safe_and_reads_back(hostile):
    scenario, events, plan, root = hostile
    out = root / "replan"
    result = run_cli("replan", str(scenario), "--plan", str(plan), "--events", str(events),
                     "--out", str(out), "--time-limit", "0.2")
    assert result.returncode == 0, result.stderr
    _assert_safe(out, must_show=("@X1",))
    result = run_cli("verify", str(scenario), str(out), "--events", str(events))
    assert result.returncode == 0, result.stdout + result.stderr
    from planner.io.plan_files import read_plan
    assert "@X1" in {row.session_id for row in read_plan(out).coverage}


def test_the_rehearsal_is_safe(hostile):
    scenario, _events, _plan, root = hostile
    out = root / "rehearsal"
    result = run_cli("simulate", str(scenario), "--runs", "2", "--out", str(out),
                     "--time-limit", "0.2")
    assert result.returncode == 0, result.stderr
    _assert_safe(out)
    from planner.rehearse.results import read_rehearsal
    found, _info = read_rehearsal(out)
    for frame in found.values():
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                assert not frame[column].dropna().astype(str).str.startswith("'").any()


def test_a_scenario_workbook_is_safe_and_reads_back_the_same(hostile, tmp_path):
    from planner.io.scenario_files import load_scenario
    from planner.io.tables import write_workbook

    scenario, _events, _plan, _root = hostile
    book = write_workbook(scenario, tmp_path / "hostile.xlsx")
    _assert_safe(tmp_path, must_show=(HYPERLINK, DDE))
    a, b = load_scenario(scenario), load_scenario(book)
    assert b.venues["V1"].name == HYPERLINK == a.venues["V1"].name
    assert b.staff["P2"].name == DDE and b.groups["G1"].name == a.groups["G1"].name
