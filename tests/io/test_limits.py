"""Bounded input, no traceback (issue 14): hostile or damaged files are refused quickly,
naming the file (and row), with exit 1 and nothing written or stored.

Each hostile file is built here, in tmp_path. The CLI runs in a child process capped at
2 GB of address space and 60 s, so a regression fails instead of taking the machine."""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from planner.live.store import Store
from tests.conftest import MINI, ROOT, copy_scenario, jsonl, run_cli

GUARD_BYTES = 2 * 1024**3


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))


def guarded_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` (English) with at most 2 GB of memory and 60 s."""
    env = {**os.environ, "PLANNER_LANG": "en", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60, preexec_fn=_cap_memory)


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1, every word in the message, and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:],
                                    result.stderr[-2000:])
    for word in words:
        assert word in result.stderr, (word, result.stderr[-2000:])


def plan_refused(scenario: Path, tmp_path: Path, *words: str) -> None:
    """``validate`` and ``plan`` both refuse the scenario; the plan folder is not made."""
    refused(guarded_cli("validate", str(scenario)), *words)
    out = tmp_path / "out"
    refused(guarded_cli("plan", str(scenario), "--out", str(out)), *words)
    assert not out.exists()


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (row 2 is the first data row, as in Excel), adding the column if new."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if column not in rows[0]:
        rows[0].append(column)
        for r in rows[1:]:
            r.append("")
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


# -- workbooks ------------------------------------------------------------------------------------
def test_a_workbook_with_one_far_cell_is_refused_without_reading_its_range(tmp_path):
    from openpyxl import load_workbook

    from planner.io.tables import write_workbook

    book_path = write_workbook(MINI, tmp_path / "mini.xlsx")
    book = load_workbook(book_path)
    book["sessions"]["XFD1048576"] = "x"  # the sheet now declares A1:XFD1048576
    book.save(book_path)
    assert book_path.stat().st_size < 100_000
    plan_refused(book_path, tmp_path, "mini.xlsx[sessions]", "columns")


# -- scenario.yaml --------------------------------------------------------------------------------
def _yaml(tmp_path: Path, text: str) -> Path:
    scenario = copy_scenario(MINI, tmp_path / "s")
    (scenario / "scenario.yaml").write_text(text, encoding="utf-8")
    return scenario


def test_a_billion_laughs_rule_value_is_refused(tmp_path):
    lines = ["name: mini", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines += ["rules:", "  setup_minutes: *a9"]
    scenario = _yaml(tmp_path, "\n".join(lines) + "\n")
    plan_refused(scenario, tmp_path, "scenario.yaml", "not allowed")


def test_yaml_nested_20000_deep_is_refused(tmp_path):
    scenario = _yaml(tmp_path, "name: mini\nrules:\n  setup_minutes: "
                     + "[" * 20_000 + "]" * 20_000 + "\n")
    plan_refused(scenario, tmp_path, "scenario.yaml", "nested deeper than")


def test_a_long_value_is_echoed_short(tmp_path):
    scenario = _yaml(tmp_path, "name: mini\nrules:\n  setup_minutes: " + "x" * 500_000 + "\n")
    result = guarded_cli("validate", str(scenario))
    refused(result, "scenario.yaml", "rules.setup_minutes")
    assert len(result.stderr) < 1000


def test_scenario_yaml_that_is_a_folder_is_refused(tmp_path):
    scenario = copy_scenario(MINI, tmp_path / "s")
    (scenario / "scenario.yaml").unlink()
    (scenario / "scenario.yaml").mkdir()
    plan_refused(scenario, tmp_path, "scenario.yaml is not a file")


def test_a_csv_that_is_a_folder_is_refused(tmp_path):
    scenario = copy_scenario(MINI, tmp_path / "s")
    (scenario / "rooms.csv").unlink()
    (scenario / "rooms.csv").mkdir()
    plan_refused(scenario, tmp_path, "rooms.csv is not a file")


def test_a_rule_of_1e21_is_refused(tmp_path):
    scenario = _yaml(tmp_path, "name: mini\nrules:\n  jammer_area_m2: 1.0e+21\n"
                     "  patrol_interval_minutes: {secret: 1.0e+21}\n")
    plan_refused(scenario, tmp_path, "rules.jammer_area_m2", "rules.patrol_interval_minutes")


# -- numbers and dates in the tables --------------------------------------------------------------
@pytest.mark.parametrize(("file", "column", "value"), [
    ("rooms.csv", "area_m2", "1e300"),
    ("sessions.csv", "attendees", "100000000000000000000"),
    ("sessions.csv", "jammers_required", "1e21"),
    ("sessions.csv", "cabinet_units_required", "1e21"),
    ("travel.csv", "minutes", "1e12"),
])
def test_an_implausible_number_is_refused(tmp_path, file, column, value):
    scenario = copy_scenario(MINI, tmp_path / "s")
    _edit_csv(scenario / file, 2, column, value)
    plan_refused(scenario, tmp_path, f"{file} row 2, column {column}", "implausible")


@pytest.mark.parametrize(("start", "end", "words"), [
    ("9999-11-26T09:00", "9999-11-26T11:30", "implausible"),
    ("0001-11-26T09:00", "0001-11-26T11:30", "implausible"),
    ("2021-11-26T09:00", "2021-11-29T11:30", "more than 24 hours"),
])
def test_implausible_session_times_are_refused(tmp_path, start, end, words):
    scenario = copy_scenario(MINI, tmp_path / "s")
    _edit_csv(scenario / "sessions.csv", 2, "start", start)
    _edit_csv(scenario / "sessions.csv", 2, "end", end)
    plan_refused(scenario, tmp_path, "sessions.csv row 2", words)


def test_a_congress_of_a_year_is_refused(tmp_path):
    scenario = copy_scenario(MINI, tmp_path / "s")
    _edit_csv(scenario / "sessions.csv", 2, "start", "2022-11-26T09:00")
    _edit_csv(scenario / "sessions.csv", 2, "end", "2022-11-26T11:30")
    plan_refused(scenario, tmp_path, "sessions.csv", "more than 31 days")


def test_too_many_rows_are_refused(tmp_path):
    scenario = copy_scenario(MINI, tmp_path / "s")
    with open(scenario / "travel.csv", "a", encoding="utf-8") as f:
        f.write("V1,V2,12\n" * 100_001)
    plan_refused(scenario, tmp_path, "travel.csv", "more than 100,000 rows")


def test_a_file_too_large_is_refused_unread(tmp_path):
    scenario = copy_scenario(MINI, tmp_path / "s")
    with open(scenario / "groups.csv", "ab") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: no disk used
    plan_refused(scenario, tmp_path, "groups.csv", "too large")


# -- events ---------------------------------------------------------------------------------------
ADHOC = {"at": "2021-11-26T10:05", "type": "adhoc_session", "session_id": "X1",
         "room_id": "R3", "start": "2021-11-26T12:00", "end": "2021-11-26T12:40",
         "kind": "adhoc", "attendees": 9, "level": "secret"}


@pytest.mark.parametrize(("event", "column"), [
    ({**ADHOC, "start": "9999-11-26T12:00", "end": "9999-11-26T12:40"}, "start"),
    ({**ADHOC, "start": "0001-11-26T12:00", "end": "0001-11-26T12:40"}, "start"),
    ({**ADHOC, "attendees": 10**15}, "attendees"),
    ({**ADHOC, "end": "2021-11-28T12:40"}, "end"),
    ({"at": "2021-11-27T10:00", "type": "extend_session", "session_id": "S5",
      "new_end": "9999-12-31T23:59"}, "new_end"),  # R4 is free after S5: only the date is bad
    ({"at": "2021-11-27T10:00", "type": "extend_session", "session_id": "S5",
      "new_end": "2021-11-29T10:00"}, "new_end"),
    ({"at": "9999-11-26T10:00", "type": "unit_failed", "item_id": "J2"}, "at"),
    ({"at": "2021-11-26T10:00", "type": "staff_unavailable", "staff_id": "P2",
      "until": "9999-12-31T23:59"}, "until"),
    ({"at": "2021-11-26T17:50", "type": "bag_weighed", "bag_set_id": "B1", "kg": 1e300,
      "venue_id": "V2"}, "kg"),
])
def test_an_implausible_event_is_not_stored(tmp_path, event, column):
    db = f"sqlite:///{tmp_path / 'planner.db'}"
    good = {"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2"}
    file = jsonl(tmp_path / "e.jsonl", [good, event])
    refused(guarded_cli("events", "import", str(MINI), str(file), "--db", db),
            f"e.jsonl line 2, column {column}")
    assert Store(db).entries("mini") == []


def test_an_event_file_that_is_a_folder_or_too_deep_is_refused(tmp_path):
    db = f"sqlite:///{tmp_path / 'planner.db'}"
    (tmp_path / "folder.jsonl").mkdir()
    refused(guarded_cli("events", "import", str(MINI), str(tmp_path / "folder.jsonl"),
                        "--db", db), "folder.jsonl is not a file")
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    refused(guarded_cli("events", "import", str(MINI), str(deep), "--db", db), "deep.jsonl")
    assert Store(db).entries("mini") == []


# -- damaged plan folders -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini_plan_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "plan"
    result = run_cli("plan", str(MINI), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _damaged(source: Path, tmp_path: Path, damage) -> Path:
    import shutil

    folder = tmp_path / "plan"
    shutil.copytree(source, folder)
    damage(folder)
    return folder


@pytest.mark.parametrize(("damage", "words"), [
    (lambda f: (f / "assignments.csv").write_bytes(
        (f / "assignments.csv").read_bytes() + b"\xff\xfe bad\n"),
     "assignments.csv row "),
    (lambda f: (f / "summary.json").write_text('{"sessions": 4,\n  bad', encoding="utf-8"),
     "summary.json line 2: not valid JSON"),
    (lambda f: (f / "summary.json").write_text("[1, 2]", encoding="utf-8"),
     "summary.json: not valid JSON"),
    (lambda f: (f / "moves.csv").unlink(), "the file moves.csv is missing"),
    (lambda f: ((f / "bags.csv").unlink(), (f / "bags.csv").mkdir()), "bags.csv is not a file"),
])
def test_a_damaged_plan_folder_is_refused_by_verify(mini_plan_folder, tmp_path, damage, words):
    folder = _damaged(mini_plan_folder, tmp_path, damage)
    refused(guarded_cli("verify", str(MINI), str(folder)), words)


def test_a_damaged_plan_is_refused_by_replan(mini_plan_folder, tmp_path):
    folder = _damaged(mini_plan_folder, tmp_path, lambda f: (f / "moves.csv").unlink())
    events = jsonl(tmp_path / "e.jsonl", [{"at": "2021-11-26T10:00", "type": "unit_failed",
                                           "item_id": "J2"}])
    out = tmp_path / "new"
    refused(guarded_cli("replan", str(MINI), "--plan", str(folder), "--events", str(events),
                        "--out", str(out)), "moves.csv is missing")
    assert not out.exists()


def test_a_plan_folder_that_is_not_a_folder_is_refused(tmp_path):
    file = tmp_path / "plan"
    file.write_text("not a plan", encoding="utf-8")
    refused(guarded_cli("verify", str(MINI), str(file)), "is not a plan folder")


def test_a_deployment_sets_its_own_limits(monkeypatch):
    """PLANNER_LIMIT_ROWS lowers the row limit: mini's six sessions are then too many."""
    monkeypatch.setenv("PLANNER_LIMIT_ROWS", "3")
    result = run_cli("validate", str(MINI))
    assert result.returncode == 1 and "sessions.csv" in result.stderr
    assert "more than 3 rows" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_limit_setting_stops_the_tool_in_words(monkeypatch):
    monkeypatch.setenv("PLANNER_LIMIT_FILE_MB", "lots")
    result = run_cli("validate", str(MINI))
    assert result.returncode != 0 and "PLANNER_LIMIT_FILE_MB" in result.stderr
    assert "Traceback" not in result.stderr
