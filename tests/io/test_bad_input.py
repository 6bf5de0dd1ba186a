"""Every class of bad input is refused: file, row, column and problem named; exit code 1;
no traceback; nothing written. One broken fixture per class lives in tests/data/broken/."""

from __future__ import annotations

import pytest

from planner.errors import MAX_REPORTED, ScenarioError
from planner.io.scenario_files import load_scenario
from tests.conftest import BROKEN, MINI, copy_scenario, run_cli

CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def test_there_is_a_broken_fixture_for_every_class_the_issue_names():
    needed = {"missing_file", "missing_column", "duplicate_id", "unknown_room", "unknown_venue",
              "malformed_time", "end_before_start", "room_overlap", "non_positive_area",
              "unknown_level", "unknown_rule_key", "not_connected"}
    assert needed <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_broken_scenario_is_refused_with_file_row_and_problem(tmp_path, case):
    folder = copy_scenario(MINI, tmp_path / case, BROKEN / case)
    before = sorted(p.name for p in folder.iterdir())
    result = run_cli("validate", str(folder))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    for expected in (BROKEN / case / "expect.txt").read_text(encoding="utf-8").splitlines():
        assert expected in result.stderr, result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_message_is_in_chinese_by_default(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "c", BROKEN / "room_overlap")
    result = run_cli("validate", str(folder), lang="zh")
    assert result.returncode == 1
    assert "sessions.csv 第 5 行，列 start" in result.stderr
    assert "时间重叠" in result.stderr
    assert "未写入任何内容" in result.stderr


def test_all_problems_are_reported_at_once(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "many", BROKEN / "room_overlap")
    for case in ("unknown_venue", "non_positive_area", "unknown_rule_key"):
        for f in (BROKEN / case).iterdir():
            if f.name != "expect.txt":
                (folder / f.name).write_bytes(f.read_bytes())
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    text = caught.value.text("en")
    assert "overlaps session S2" in text
    assert "the venue V7 does not exist" in text
    assert "area_m2: must be a positive number" in text
    assert "unknown setting rules.setup_minute" in text
    assert "Found 4 problems" in text


def test_a_flood_of_problems_is_cut_at_a_sensible_limit(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "flood")
    rows = "".join(f"X{n},R9,2021-11-26T08:00,2021-11-26T09:00,plenary,5,secret\n"
                   for n in range(120))
    with open(folder / "sessions.csv", "a", encoding="utf-8") as f:
        f.write(rows)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert len(caught.value.problems) == 120
    text = caught.value.text("en")
    assert text.count("the room R9 does not exist") == MAX_REPORTED
    assert f"and {120 - MAX_REPORTED} more problems" in text


def test_a_scenario_that_does_not_exist_is_named(tmp_path):
    result = run_cli("validate", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "scenario not found" in result.stderr and "nowhere" in result.stderr


def test_a_damaged_workbook_is_refused_cleanly(tmp_path):
    book = tmp_path / "damaged.xlsx"
    book.write_bytes(b"PK\x03\x04 this is not really a workbook")
    result = run_cli("validate", str(book))
    assert result.returncode == 1
    assert "damaged.xlsx: the Excel workbook cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_workbook_missing_a_sheet_names_the_sheet(tmp_path):
    from openpyxl import load_workbook

    from planner.io.tables import write_workbook

    book = write_workbook(MINI, tmp_path / "mini.xlsx")
    wb = load_workbook(book)
    del wb["staff"]
    wb.save(book)
    result = run_cli("validate", str(book))
    assert result.returncode == 1
    assert "mini.xlsx: the workbook has no sheet staff" in result.stderr
