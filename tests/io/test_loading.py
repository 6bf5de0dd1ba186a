"""Scenarios load as users keep them: CSV from Chinese Excel in three encodings, or one .xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.io.scenario_files import load_scenario
from planner.io.tables import write_workbook
from planner.model.times import parse_time
from tests.conftest import MINI, REFERENCE, copy_scenario

ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030"]


def reencode(folder: Path, encoding: str) -> None:
    for f in folder.glob("*.csv"):
        text = f.read_bytes().decode("utf-8-sig")
        f.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_reference_congress_loads_in_every_encoding_chinese_excel_writes(tmp_path, encoding):
    original = load_scenario(REFERENCE)
    folder = copy_scenario(REFERENCE, tmp_path / "ref")
    reencode(folder, encoding)
    again = load_scenario(folder)
    assert again.sessions == original.sessions
    assert again.rooms == original.rooms
    assert again.items == original.items
    assert again.staff == original.staff
    assert again.rooms["R0101"].name == "大会堂"


def test_gbk_file_really_is_not_utf8(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "mini")
    reencode(folder, "gbk")
    with pytest.raises(UnicodeDecodeError):
        (folder / "rooms.csv").read_bytes().decode("utf-8")
    assert load_scenario(folder).rooms["R1"].name == "大会堂"


def test_workbook_with_one_sheet_per_file_loads_the_same_scenario(tmp_path):
    book = write_workbook(REFERENCE, tmp_path / "congress.xlsx")
    folder, workbook = load_scenario(REFERENCE), load_scenario(book)
    assert workbook.sessions == folder.sessions
    assert workbook.items == folder.items
    assert workbook.rules == folder.rules
    assert workbook.published == folder.published
    assert workbook.network.travel_minutes("V01", "V04") == folder.network.travel_minutes("V01",
                                                                                         "V04")


def typed_workbook(path: Path, settings_sheet: bool = True) -> Path:
    """A workbook as a user types it in Excel: real dates, times and numbers, Chinese words."""
    book = Workbook()
    book.remove(book.active)

    def sheet(name, rows):
        ws = book.create_sheet(name)
        for r in rows:
            ws.append(r)

    sheet("venues", [["venue_id", "name", "has_destruction"], ["V1", "会议中心", "是"],
                     ["V2", "宾馆", "否"]])
    sheet("travel", [["from_venue", "to_venue", "minutes"], ["V1", "V2", 12]])
    sheet("rooms", [["room_id", "venue_id", "name", "area_m2", "capacity", "signal"],
                    ["R1", "V1", "大会堂", 900.0, 500, "正常"],
                    ["R2", "V2", "小会议室", 55.5, 30, "附近有信号放大器"]])
    sheet("sessions", [["session_id", "room_id", "start", "end", "kind", "attendees", "level"],
                       ["S1", "R1", dt.datetime(2021, 11, 26, 9), dt.datetime(2021, 11, 26, 11, 30),
                        "全体会议", 480, "机密"],
                       ["S2", "R2", dt.datetime(2021, 11, 26, 14, 30),
                        dt.datetime(2021, 11, 26, 16), "临时性会议", 12, "绝密"],
                       [None, None, None, None, None, None, None]])  # Excel's trailing blank row
    sheet("inventory", [["item_id", "item_type", "venue_id", "capacity", "status"],
                        ["J1", "信号干扰器", "V1", 150, "正常"],
                        ["C1", "手机屏蔽柜", "V2", 24, "维修"],
                        ["B1", "文件销毁袋", "V2", 30, "完好"]])
    sheet("staff", [["staff_id", "name", "role", "venue_id", "shift_start", "shift_end"],
                    ["P1", "王建国", "组长", "V1", dt.time(7, 0), dt.time(22, 0)],
                    ["P2", "李明", "巡查员", "V2", "11:00", "23:00"]])
    sheet("groups", [["group_id", "name", "venue_id", "members"], ["G1", "秘书组", "V1", 12]])
    if settings_sheet:
        sheet("scenario", [["key", "value"], ["name", "typed"], ["title", "手填工作簿"],
                           ["rules.setup_minutes", 45],
                           ["rules.signal_factor", "{booster: 3.0}"]])
    book.save(path)
    return path


def test_workbook_typed_by_hand_with_dates_numbers_and_chinese_words_loads(tmp_path):
    s = load_scenario(typed_workbook(tmp_path / "typed.xlsx"))
    assert s.sessions["S1"].start == dt.datetime(2021, 11, 26, 9)
    assert s.sessions["S1"].kind == "plenary" and s.sessions["S1"].level == "secret"
    assert s.sessions["S2"].kind == "adhoc" and s.sessions["S2"].level == "top_secret"
    assert s.rooms["R2"].signal == "booster" and s.rooms["R2"].area_m2 == 55.5
    assert s.items["C1"].item_type == "cabinet_unit" and s.items["C1"].status == "maintenance"
    assert s.items["B1"].item_type == "shred_bag_set"
    assert s.staff["P1"].role == "lead" and s.staff["P1"].shift_start == dt.time(7, 0)
    assert s.staff["P2"].role == "patrol"
    assert s.venues["V2"].has_destruction is False
    assert s.rules.setup_minutes == 45
    assert s.rules.signal_factor == {"normal": 1.0, "strong": 1.5, "booster": 3.0}


def test_workbook_takes_its_settings_from_a_yaml_file_beside_it(tmp_path):
    book = typed_workbook(tmp_path / "beside.xlsx", settings_sheet=False)
    book.with_suffix(".yaml").write_text("name: beside\nrules:\n  sweep_minutes: 25\n",
                                         encoding="utf-8")
    s = load_scenario(book)
    assert s.name == "beside" and s.rules.sweep_minutes == 25


def test_chinese_values_mean_the_same_as_the_contract_values(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "zh")
    words = {"plenary": "全体会议", "group": "小组讨论", "adhoc": "临时会议",
             "delegation": "代表团会议", "briefing": "情况通报会", "top_secret": "绝密",
             "secret": "机密", "confidential": "秘密", "internal": "内部"}
    sessions = (folder / "sessions.csv").read_text(encoding="utf-8")
    for en, zh in words.items():
        sessions = sessions.replace(f",{en},", f",{zh},")
    (folder / "sessions.csv").write_text(sessions, encoding="utf-8")
    for name, pairs in {"rooms.csv": [(",strong", ",信号较强"), (",booster", ",放大器")],
                        "staff.csv": [(",lead,", ",组长,"), (",tech,", ",技术员,")],
                        "inventory.csv": [(",jammer,", ",信号干扰器,"), (",maintenance", ",维修")]
                        }.items():
        text = (folder / name).read_text(encoding="utf-8")
        for a, b in pairs:
            assert a in text
            text = text.replace(a, b)
        (folder / name).write_text(text, encoding="utf-8")
    assert "绝密" in (folder / "sessions.csv").read_text(encoding="utf-8")
    zh, en = load_scenario(folder), load_scenario(MINI)
    assert zh.sessions == en.sessions
    assert zh.rooms == en.rooms
    assert zh.staff == en.staff
    assert zh.items == en.items


@pytest.mark.parametrize("text", ["2021-11-26T08:30", "2021-11-26 08:30", "2021/11/26 8:30",
                                  "2021-11-26 08:30:00", "2021/11/26 08:30"])
def test_times_are_read_as_excel_and_people_write_them(text):
    assert parse_time(text) == dt.datetime(2021, 11, 26, 8, 30)


@pytest.mark.parametrize("text", ["2021-11-26 25:00", "26/11/2021 08:30", "明天上午", "08:30",
                                  "2021-11-26T08:30+08:00"])
def test_ambiguous_or_impossible_times_are_refused(text):
    assert parse_time(text) is None


def test_blank_lines_excel_leaves_do_not_shift_row_numbers(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "mini")
    f = folder / "sessions.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines.insert(3, ",,,,,,,,,")
    lines.append(",,,,,,,,,")
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = load_scenario(folder)
    assert len(s.sessions) == 6
    assert s.sessions["S3"].row == 5  # the blank line is line 4 in Excel


def test_overnight_shift_is_accepted(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "mini")
    f = folder / "staff.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("11:00,23:00", "18:00,02:00"),
                 encoding="utf-8")
    s = load_scenario(folder)
    assert s.staff["P3"].shift_end == dt.time(2, 0)


def test_attendees_over_room_capacity_is_a_warning_not_an_error(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "mini")
    f = folder / "sessions.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("adhoc,12,", "adhoc,90,"),
                 encoding="utf-8")
    s = load_scenario(folder)
    assert [w.text("en") for w in s.warnings] == [
        "sessions.csv row 5, column attendees: session S4 has 90 attendees, "
        "more than room R2 holds (60)"]


def test_values_typed_with_a_chinese_input_method_are_read(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    f = folder / "rooms.csv"
    text = f.read_text(encoding="utf-8")
    typed = 'R1,V1,大会堂,"１,600",４００'  # full-width digits and a thousands comma
    f.write_text(text.replace("R1,V1,大会堂,600,400", typed), encoding="utf-8")
    f = folder / "staff.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("07:00,22:00", "7:00:00,22：00"),
                 encoding="utf-8")
    s = load_scenario(folder)
    assert s.rooms["R1"].area_m2 == 1600 and s.rooms["R1"].capacity == 400
    assert s.staff["P1"].shift_start == dt.time(7) and s.staff["P1"].shift_end == dt.time(22)


def test_the_same_road_written_both_ways_is_one_road(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    with open(folder / "travel.csv", "a", encoding="utf-8") as f:
        f.write("V2,V1,10\n")
    assert load_scenario(folder).network.travel_minutes("V1", "V2") == 10


def test_a_cell_with_a_line_break_keeps_the_row_numbers_excel_shows(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    f = folder / "sessions.csv"
    text = f.read_text(encoding="utf-8").replace(",开幕大会,", ',"开幕\n大会",')
    text = text.replace("S4,R2,2021-11-26T19:30", "S4,R2,2021-11-26T17:00")  # overlaps S2
    f.write_text(text, encoding="utf-8")
    from planner.errors import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert caught.value.problems[0].row == 5  # S4 is Excel row 5 although the file has a line more


def test_language_may_follow_the_command_and_json_reports_problems(tmp_path):
    from tests.conftest import BROKEN, run_cli

    assert "Scenario is valid" in run_cli("validate", str(MINI), "--lang", "en", lang="zh").stdout
    folder = copy_scenario(MINI, tmp_path / "b", BROKEN / "unknown_room")
    result = run_cli("validate", str(folder), "--json")
    assert result.returncode == 1
    import json

    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["problems"][0]["file"] == "sessions.csv" and data["problems"][0]["row"] == 6


def test_a_file_that_is_not_a_scenario_is_named_plainly(tmp_path):
    from tests.conftest import run_cli

    result = run_cli("validate", str(MINI / "rooms.csv"))
    assert result.returncode == 1
    assert "this is not a scenario" in result.stderr and "Traceback" not in result.stderr


def test_rules_accept_chinese_level_names(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    (folder / "scenario.yaml").write_text(
        "name: m\nrules:\n  jammer_levels: [绝密, 机密]\n  patrol_interval_minutes: {绝密: 30}\n",
        encoding="utf-8")
    s = load_scenario(folder)
    assert s.rules.jammer_levels == ["top_secret", "secret"]
    assert s.rules.patrol_interval_minutes["top_secret"] == 30


@pytest.mark.parametrize("target", ["file", "inside_a_file"])
def test_generate_into_a_place_that_cannot_hold_a_folder_fails_cleanly(tmp_path, target):
    from tests.conftest import run_cli

    f = tmp_path / "afile"
    f.write_text("x")
    out = f if target == "file" else f / "sub"
    result = run_cli("generate", "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f.read_text() == "x"
