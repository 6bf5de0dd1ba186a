"""The post-event report: every figure equals an independent count of the log (a
hand-written one with known answers, and a simulated congress), the three files hold
the figures and the Chinese text, the HTML renders offline in Debian's Chromium, and
bad input is refused with nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from planner.errors import Problems
from planner.events.log import FIELDS, check_events
from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.model import vocabulary as vocab
from planner.model.plan import Assignment, Plan, StaffTask
from planner.report.statistics import build, tonnes_zh
from tests.conftest import MINI, REFERENCE, ROOT, chromium, jsonl, run_cli

T = dt.datetime.fromisoformat
ARTIFACTS = ROOT / "test-artifacts"


# -- a small log with known answers -----------------------------------------------------------
def _unit(item, kind, sid, room, start, end):
    return Assignment(item, kind, sid, room, T(start), T(end))


def _task(staff, task, sid, room, start, end):
    return StaffTask(staff, task, sid, room, T(start), T(end))


MINI_PLAN = Plan(
    assignments=[
        _unit("J1", "jammer", "S1", "R1", "2021-11-26T08:30", "2021-11-26T11:30"),
        _unit("J2", "jammer", "S1", "R1", "2021-11-26T08:30", "2021-11-26T11:30"),
        _unit("C1", "cabinet_unit", "S1", "R1", "2021-11-26T08:30", "2021-11-26T11:30"),
        _unit("J3", "jammer", "S2", "R2", "2021-11-26T14:00", "2021-11-26T17:30"),
        _unit("J4", "jammer", "S5", "R4", "2021-11-27T08:00", "2021-11-27T11:30"),
        _unit("C3", "cabinet_unit", "S5", "R4", "2021-11-27T08:00", "2021-11-27T11:30"),
        _unit("C2", "cabinet_unit", "S6", "R1", "2021-11-27T14:30", "2021-11-27T16:00"),
    ],
    staff_tasks=[
        _task("P1", "sweep", "S1", "R1", "2021-11-26T07:00", "2021-11-26T07:20"),
        _task("P1", "patrol", "S1", "R1", "2021-11-26T09:03", "2021-11-26T09:13"),
        _task("P3", "patrol", "S1", "R1", "2021-11-26T11:09", "2021-11-26T11:19"),
        _task("P1", "cleanup", "S1", "R1", "2021-11-26T11:30", "2021-11-26T11:45"),
        _task("P3", "cleanup", "S1", "R1", "2021-11-26T11:30", "2021-11-26T11:45"),
        _task("P2", "sweep", "S2", "R2", "2021-11-26T12:50", "2021-11-26T13:10"),
        _task("P2", "patrol", "S2", "R2", "2021-11-26T15:00", "2021-11-26T15:10"),
        _task("P2", "patrol", "S2", "R2", "2021-11-26T17:07", "2021-11-26T17:17"),
        _task("P2", "cleanup", "S2", "R2", "2021-11-26T17:30", "2021-11-26T17:45"),
        _task("P1", "sweep", "S5", "R4", "2021-11-27T07:00", "2021-11-27T07:20"),
        _task("P1", "patrol", "S5", "R4", "2021-11-27T08:42", "2021-11-27T08:52"),
        _task("P3", "cleanup", "S5", "R4", "2021-11-27T11:30", "2021-11-27T11:45"),
        _task("P2", "sweep", "S6", "R1", "2021-11-27T13:00", "2021-11-27T13:20"),
        _task("P2", "patrol", "S6", "R1", "2021-11-27T15:13", "2021-11-27T15:23"),
    ])

MINI_LOG = [
    {"at": "2021-11-26T07:20", "type": "sweep_done", "session_id": "S1", "staff_id": "P1"},
    *({"at": "2021-11-26T08:30", "type": "unit_deployed", "item_id": unit, "session_id": "S1",
       "staff_id": "P2"} for unit in ("J1", "J2", "C1")),
    # logged twice: still one deployment
    {"at": "2021-11-26T08:31", "type": "unit_deployed", "item_id": "J1", "session_id": "S1"},
    {"at": "2021-11-26T09:13", "type": "patrol_done", "session_id": "S1", "staff_id": "P1"},
    {"at": "2021-11-26T11:19", "type": "patrol_done", "session_id": "S1", "staff_id": "P3"},
    {"at": "2021-11-26T11:20", "type": "extend_session", "session_id": "S1",
     "new_end": "2021-11-26T11:45"},
    {"at": "2021-11-26T11:50", "type": "cleanup_done", "session_id": "S1", "staff_id": "P1"},
    {"at": "2021-11-26T11:50", "type": "cleanup_done", "session_id": "S1", "staff_id": "P3"},
    {"at": "2021-11-26T11:50", "type": "document_found", "room_id": "R1", "level": "机密",
     "note": "座位上"},
    {"at": "2021-11-26T11:55", "type": "bag_weighed", "bag_set_id": "B1", "kg": 3.0,
     "venue_id": "V1"},
    {"at": "2021-11-26T12:00", "type": "booster_found", "room_id": "R2"},
    {"at": "2021-11-26T13:00", "type": "unit_failed", "item_id": "J3"},
    {"at": "2021-11-26T13:10", "type": "sweep_done", "session_id": "S2", "staff_id": "P2"},
    {"at": "2021-11-26T15:10", "type": "patrol_done", "session_id": "S2", "staff_id": "P2"},
    {"at": "2021-11-26T16:30", "type": "staff_unavailable", "staff_id": "P2",
     "until": "2021-11-26T17:20"},
    {"at": "2021-11-26T17:40", "type": "bag_weighed", "bag_set_id": "B1", "kg": 12.5,
     "venue_id": "V2"},
    {"at": "2021-11-26T17:45", "type": "document_found", "room_id": "R2", "level": "internal",
     "note": "桌斗内"},
    {"at": "2021-11-26T20:00", "type": "cancel_session", "session_id": "S5"},
    {"at": "2021-11-27T08:00", "type": "adhoc_session", "session_id": "A1", "room_id": "R3",
     "start": "2021-11-27T09:00", "end": "2021-11-27T10:00", "kind": "adhoc",
     "attendees": 20, "level": "secret", "name": "临时会议"},
    {"at": "2021-11-27T09:30", "type": "patrol_done", "session_id": "A1", "staff_id": "P2"},
    {"at": "2021-11-27T12:00", "type": "bag_weighed", "bag_set_id": "B2", "kg": 7.5,
     "venue_id": "V3"},
    {"at": "2021-11-28T09:00", "type": "destroyed", "kg": 20.0, "venue_id": "V1",
     "witnesses": ["P1", "P2"]},
]


def _checked(scenario, log, name="log.jsonl"):
    problems = Problems()
    good = check_events(scenario, list(enumerate(log, start=1)), name, problems)
    assert not problems, [p.text("en") for p in problems.items]
    return good


def test_a_small_log_gives_the_known_figures_and_reasons():
    scenario = load_scenario(MINI)
    report = build(scenario, MINI_PLAN, _checked(scenario, MINI_LOG))
    f = report.figures
    assert (f["sessions_held"], f["sessions_served"], f["sessions_adhoc"],
            f["sessions_cancelled"], f["sessions_extended"]) == (6, 3, 1, 1, 1)
    assert (f["jammer_deployments"], f["cabinet_unit_deployments"], f["patrols"], f["sweeps"],
            f["cleanups"]) == (2, 1, 4, 2, 1)
    assert (f["paper_kg"], f["documents_found"], f["destroyed_kg"], f["pending_kg"]) == (
        23.0, 2, 20.0, 3.0)
    assert f["documents_by_level"] == {"top_secret": 0, "secret": 1, "confidential": 0,
                                       "internal": 1}
    assert (f["unit_faults"], f["boosters_found"], f["staff_absences"]) == (1, 1, 1)
    assert report.planned == {"sessions_served": 4, "jammer_deployments": 4,
                              "cabinet_unit_deployments": 3, "patrols": 6, "sweeps": 4,
                              "cleanups": 3}
    gaps = {(r.session_id, r.what): r for r in report.tables["gaps"].itertuples()}
    assert set(gaps) == {("S2", "jammer"), ("S2", "patrol"), ("S2", "cleanup"),
                         ("S5", "jammer"), ("S5", "cabinet_unit"), ("S5", "patrol"),
                         ("S5", "sweep"), ("S5", "cleanup"), ("S6", "cabinet_unit"),
                         ("S6", "patrol"), ("S6", "sweep"), ("S6", "session"),
                         ("S3", "session"), ("S4", "session")}
    assert "J3 reported failed at 11-26 13:00" in gaps["S2", "jammer"].reason_en
    assert "P2 off duty 11-26 16:30–17:20" in gaps["S2", "patrol"].reason_en
    assert gaps["S2", "patrol"].missing == 1
    assert "no record of P2's task at 17:30" in gaps["S2", "cleanup"].reason_en
    assert all("cancelled at 11-26 20:00" in gaps["S5", w].reason_en
               for w in ("jammer", "cabinet_unit", "patrol", "sweep", "cleanup"))
    assert "取消" in gaps["S5", "jammer"].reason
    assert "no record of C2 set up" in gaps["S6", "cabinet_unit"].reason_en
    assert gaps["S3", "session"].reason_en == "not in the plan and no support logged"
    assert gaps["S6", "session"].reason_en == "no support logged"
    by = report.tables["by_day_venue"].set_index(["day", "venue_id"])
    assert by.loc[("2021-11-26", "V1"), ["sessions_served", "jammer_deployments", "patrols",
                                        "paper_kg", "documents_found"]].tolist() == [
        1, 2, 2, 3.0, 1]
    assert by.loc[("2021-11-26", "V2"), ["sessions_held", "sessions_served",
                                        "paper_kg"]].tolist() == [3, 1, 12.5]
    assert by.loc[("2021-11-27", "V3"), ["sessions_held", "paper_kg"]].tolist() == [0, 7.5]
    staff = report.tables["staff"].set_index("staff_id")
    assert staff.loc["P2", ["units_set_up", "patrols", "sweeps"]].tolist() == [3, 2, 1]
    faults = report.tables["faults"]
    assert faults.planned_sessions.tolist() == ["S2"] and faults.still_short.tolist() == ["S2"]
    assert "共回收文件资料23.0千克。" in report.text["zh"]
    assert "尚有3.0千克待销毁" in report.text["zh"]
    assert "3.0 kg await destruction" in report.text["en"]


def test_repeats_late_entries_and_work_before_a_cancellation():
    """The same patrol and weighing logged twice count once; a failure reported twice and
    logged out of order is one, and ends when the unit is restored; work done before a
    session was cancelled counts as done."""
    scenario = load_scenario(MINI)
    log = [*MINI_LOG,
           {"at": "2021-11-26T09:13", "type": "patrol_done", "session_id": "S1",
            "staff_id": "P1", "who": "another operator"},
           {"at": "2021-11-26T11:55", "type": "bag_weighed", "bag_set_id": "B1", "kg": 3.0,
            "venue_id": "V1"},
           {"at": "2021-11-26T11:50", "type": "document_found", "room_id": "R1",
            "level": "机密", "note": "座位上"},  # a second document, found with the first
           {"at": "2021-11-26T19:50", "type": "sweep_done", "session_id": "S5",
            "staff_id": "P1"}]  # before its cancellation at 20:00
    log = sorted(log, key=lambda e: e["at"])
    log += [{"at": "2021-11-26T20:30", "type": "unit_restored", "item_id": "J3"},
            {"at": "2021-11-26T13:05", "type": "unit_failed", "item_id": "J3"}]  # late
    checked = _checked(scenario, log)
    report = build(scenario, MINI_PLAN, checked)
    f = report.figures
    assert (f["patrols"], f["paper_kg"], f["repeats_ignored"]) == (4, 23.0, 2)
    assert f["documents_found"] == 3 and f["unit_faults"] == 1
    faults = report.tables["faults"]
    assert faults[["item_id", "failed_at", "restored_at"]].values.tolist() == [
        ["J3", "2021-11-26T13:00", "2021-11-26T20:30"]]
    assert f["sweeps"] == 3  # S1, S2 and S5's before it was cancelled
    gaps = {(r.session_id, r.what) for r in report.tables["gaps"].itertuples()}
    assert ("S5", "sweep") not in gaps and ("S5", "patrol") in gaps
    staff = report.tables["staff"].set_index("staff_id")
    assert staff.loc["P1", "sweeps"] == 2


def test_every_event_type_has_its_name_in_both_languages():
    assert set(vocab.EVENT_TYPES) == set(FIELDS)
    assert all(zh and en for zh, en, _ in vocab.EVENT_TYPES.values())


@pytest.mark.parametrize("kg, words", [(4870, "近5吨"), (5171, "逾5吨"), (5600, "5.6吨"),
                                       (5000, "5吨"), (800, "800.0千克"), (2480, "2.5吨")])
def test_tonnes_in_the_bureaus_words(kg, words):
    assert tonnes_zh(kg) == words


# -- a simulated congress -----------------------------------------------------------------------
def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def independent(scenario_dir: Path, plan_dir: Path, log: list[dict]) -> dict:
    """The report's figures, counted here from the files alone (no planner code)."""
    venue_of = {r["room_id"]: r["venue_id"] for r in _rows(scenario_dir / "rooms.csv")}
    kind_of = {r["item_id"]: r["item_type"] for r in _rows(scenario_dir / "inventory.csv")}
    sessions = {r["session_id"]: (r["room_id"], r["start"][:10])
                for r in _rows(scenario_dir / "sessions.csv")}
    for e in log:
        if e["type"] == "adhoc_session":
            sessions[e["session_id"]] = (e["room_id"], e["start"][:10])
    held = set(sessions) - {e["session_id"] for e in log if e["type"] == "cancel_session"}
    units = {(e["item_id"], e["session_id"]) for e in log
             if e["type"] == "unit_deployed" and e["session_id"] in held}
    work = [e for e in log if e["type"] in ("patrol_done", "sweep_done", "cleanup_done")
            and e["session_id"] in held]
    served = {sid for _i, sid in units} | {e["session_id"] for e in work}
    by = defaultdict(Counter)
    for sid in held:
        room, day = sessions[sid]
        by[day, venue_of[room]]["sessions_held"] += 1
        by[day, venue_of[room]]["sessions_served"] += sid in served
    for item, sid in units:
        room, day = sessions[sid]
        by[day, venue_of[room]][f"{kind_of[item]}_deployments"] += 1
    for e in work:
        room, day = sessions[e["session_id"]]
        if e["type"] == "patrol_done":
            by[day, venue_of[room]]["patrols"] += 1
    for kind, name in (("sweep_done", "sweeps"), ("cleanup_done", "cleanups")):
        for sid in {e["session_id"] for e in work if e["type"] == kind}:
            room, day = sessions[sid]
            by[day, venue_of[room]][name] += 1
    paper = defaultdict(float)
    for e in log:
        if e["type"] == "bag_weighed":
            paper[e["at"][:10], e["venue_id"]] += e["kg"]
        if e["type"] == "document_found":
            by[e["at"][:10], venue_of[e["room_id"]]]["documents_found"] += 1
    assignments = _rows(plan_dir / "assignments.csv")
    tasks = _rows(plan_dir / "staff_tasks.csv")
    total = Counter()
    for counts in by.values():
        total.update(counts)
    return {
        "by": by, "paper": paper,
        "actual": {
            "sessions_held": len(held), "sessions_served": len(served),
            "jammer_deployments": total["jammer_deployments"],
            "cabinet_unit_deployments": total["cabinet_unit_deployments"],
            "patrols": total["patrols"], "sweeps": total["sweeps"],
            "cleanups": total["cleanups"],
            "paper_kg": round(sum(paper.values()), 1),
            "documents_found": sum(e["type"] == "document_found" for e in log),
            "destroyed_kg": round(sum(e["kg"] for e in log if e["type"] == "destroyed"), 1),
            "unit_faults": sum(e["type"] == "unit_failed" for e in log)},
        "planned": {
            "jammer_deployments": sum(r["item_type"] == "jammer" for r in assignments),
            "cabinet_unit_deployments": sum(r["item_type"] == "cabinet_unit"
                                            for r in assignments),
            "patrols": sum(r["task"] == "patrol" for r in tasks),
            "sweeps": len({r["session_id"] for r in tasks if r["task"] == "sweep"}),
            "cleanups": len({r["session_id"] for r in tasks if r["task"] == "cleanup"})},
    }


@pytest.fixture(scope="module")
def congress(tmp_path_factory):
    """The reference congress planned (greedy, quick), one rehearsal run's log, and the
    report on it (Chinese and English)."""
    root = tmp_path_factory.mktemp("congress")
    plan = root / "plan"
    assert run_cli("plan", str(REFERENCE), "--out", str(plan), "--method", "greedy"
                   ).returncode == 0
    result = run_cli("simulate", str(REFERENCE), "--runs", "1", "--keep", "1",
                     "--sizing-runs", "0", "--plan", str(plan), "--out", str(root / "rehearsal"))
    assert result.returncode == 0, result.stderr[-2000:]
    events = root / "rehearsal" / "runs" / "run_0000" / "events.jsonl"
    for lang in ("zh", "en"):
        result = run_cli("report", str(REFERENCE), "--plan", str(plan), "--events", str(events),
                         "--out", str(root / f"report_{lang}"), lang=lang)
        assert result.returncode == 0, result.stderr[-2000:]
    log = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    return root, plan, events, log


def test_every_figure_equals_an_independent_count_of_the_log(congress):
    root, plan, _events, log = congress
    want = independent(REFERENCE, plan, log)
    assert sum(e["type"] == "unit_deployed" for e in log) > 300  # the log is a full one
    figures = json.loads((root / "report_zh" / "figures.json").read_text(encoding="utf-8"))
    for key, value in want["actual"].items():
        assert figures["actual"][key] == pytest.approx(value, abs=0.05), key
    for key, value in want["planned"].items():
        assert figures["planned"][key] == value, key
    # the workbook, as a user opens it: Chinese sheet and column names
    book = pd.read_excel(root / "report_zh" / "report.xlsx", sheet_name=None)
    assert list(book)[:4] == ["摘要", "主要数字", "分日分驻地", "会议明细"]
    table = book["分日分驻地"]
    table = table[table["日期"] != "合计"]
    assert len(table) == len(set(want["by"]) | set(want["paper"]))
    names = {"sessions_held": "举行场次", "sessions_served": "保障场次",
             "jammer_deployments": "干扰器台次", "cabinet_unit_deployments": "屏蔽柜节次",
             "patrols": "巡查次数", "sweeps": "会前检测场次", "cleanups": "休会清理场次",
             "documents_found": "发现遗失文件（件）"}
    venue = {r["name"]: r["venue_id"] for r in _rows(REFERENCE / "venues.csv")}
    for row in table.to_dict("records"):  # 11月26日 and 省会议中心: names, not codes
        month, day = re.fullmatch(r"(\d+)月(\d+)日", row["日期"]).groups()
        key = (f"2021-{int(month):02d}-{int(day):02d}", venue[row["驻地"]])
        for name, column in names.items():
            assert row[column] == want["by"][key][name], (key, name)
        assert row["回收文件（千克）"] == pytest.approx(want["paper"][key], abs=0.05)
    total = book["分日分驻地"].iloc[-1]
    assert total["日期"] == "合计" and total["干扰器台次"] == want["actual"]["jammer_deployments"]
    # the summary paragraph, in the workbook and the document, carries the same figures
    a = want["actual"]
    phrases = [f"完成各类会议技术服务保障{a['sessions_served']:,}场次",
               f"信号干扰设备{a['jammer_deployments']:,}台次",
               f"手机屏蔽柜{a['cabinet_unit_deployments']:,}节次",
               f"开展巡查{a['patrols']:,}次", f"（{a['paper_kg']:,.1f}千克）",
               f"遗失涉密及内部文件{a['documents_found']:,}件"]
    summary = " ".join(book["摘要"].iloc[:, 0].astype(str))
    doc = Document(str(root / "report_zh" / "report.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    for phrase in phrases:
        assert phrase in summary and phrase in text, phrase
    assert "supported" not in summary and "supported" not in text  # the reader's language
    summary_en = " ".join(pd.read_excel(root / "report_en" / "report.xlsx", sheet_name="Summary"
                                        ).iloc[:, 0].astype(str))
    assert f"supported {a['sessions_served']:,} sessions" in summary_en
    # the English report says the same in English
    en = json.loads((root / "report_en" / "figures.json").read_text(encoding="utf-8"))
    assert en["actual"] == figures["actual"]
    book_en = pd.read_excel(root / "report_en" / "report.xlsx", sheet_name="By day and venue")
    assert book_en["jammer deployments"].iloc[-1] == a["jammer_deployments"]


def test_plan_against_actual_names_each_gap_and_its_cause(congress):
    root, plan, _events, log = congress
    gaps = pd.read_excel(root / "report_en" / "report.xlsx", sheet_name="Plan against actual")
    planned = Counter((r["session_id"], r["item_type"])
                      for r in _rows(plan / "assignments.csv"))
    logged = {(e["session_id"], e["item_id"]) for e in log if e["type"] == "unit_deployed"}
    kind_of = {r["item_id"]: r["item_type"] for r in _rows(REFERENCE / "inventory.csv")}
    done = Counter((sid, kind_of[item]) for sid, item in logged)
    cancelled = {e["session_id"] for e in log if e["type"] == "cancel_session"}
    short = {(sid, kind) for (sid, kind), n in planned.items()
             if done[sid, kind] < n or sid in cancelled}
    words = {"jammers": "jammer", "cabinet units": "cabinet_unit"}
    rows = gaps.to_dict("records")
    found = {(re.fullmatch(r".*（(\w+)）", r["session"]).group(1), words[r["what"]])
             for r in rows if r["what"] in words}  # 监票人会议（S0212）: the name, then the id
    assert found == short
    failed = {e["item_id"] for e in log if e["type"] == "unit_failed"}
    for r in rows:
        assert r["planned"] - r["done"] == r["missing"] > 0
        if r["session"] in cancelled:
            assert "cancelled" in r["reason"]
        for item in failed:
            if f"{item} " in r["reason"]:
                assert f"{item} reported failed" in r["reason"]


def test_the_word_document_sets_chinese_fonts_and_holds_the_tables(congress):
    root, *_ = congress
    doc = Document(str(root / "report_zh" / "report.docx"))
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋" and fonts.get(qn("w:ascii")) == "Times New Roman"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["一、总体情况", "二、主要数字", "三、分日分驻地"]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "省会议中心" in cells and "合计" in cells
    runs = [r for t in doc.tables for row in t.rows for c in row.cells
            for p in c.paragraphs for r in p.runs]
    assert runs and all(r.element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" for r in runs)
    with zipfile.ZipFile(root / "report_zh" / "report.docx") as z:  # a real .docx package
        assert "word/document.xml" in z.namelist()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_html_renders_offline_in_chromium(congress, lang):
    """Debian's Chromium, every request off the machine refused: the page needs none,
    its four charts draw, and the screenshot is not blank."""
    executable = chromium()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    root, *_ = congress
    page_file = root / f"report_{lang}" / "report.html"
    assert "<script src=" not in page_file.read_text(encoding="utf-8")
    outside: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND"])
        context = browser.new_context(viewport={"width": 1300, "height": 900},
                                      offline=True)

        def refuse(route):
            if not route.request.url.startswith(("file:", "data:", "blob:")):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        context.route("**/*", refuse)
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot g.trace').length >= 10"
            " && document.querySelectorAll('.js-plotly-plot g.point').length >= 50",
            timeout=30_000)
        assert page.evaluate("typeof Plotly") == "object"
        assert page.locator(".js-plotly-plot").count() == 4
        shot = ARTIFACTS / f"report_{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        chart = page.locator(".js-plotly-plot").first.screenshot()
        browser.close()
    assert outside == []
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    white = max(colours)[0]
    assert white < 0.97 * image.width * image.height  # not blank
    drawn = Image.open(io.BytesIO(chart)).convert("RGB").resize((200, 100))
    saturated = sum(1 for r, g, b in drawn.get_flattened_data() if max(r, g, b) - min(r, g, b) > 60)
    assert saturated > 500  # coloured bars, not an empty frame


# -- bad input ----------------------------------------------------------------------------------
@pytest.fixture
def mini_plan(tmp_path) -> Path:
    return write_plan(MINI_PLAN, tmp_path / "plan")


def test_a_bad_log_line_is_named_and_nothing_is_written(tmp_path, mini_plan):
    log = [*MINI_LOG[:5], {"at": "2021-11-26T09:99", "type": "unit_deployed", "item_id": "B1",
                           "session_id": "S1"}, *MINI_LOG[5:]]
    events = jsonl(tmp_path / "bad.jsonl", log)
    out = tmp_path / "report"
    result = run_cli("report", str(MINI), "--plan", str(mini_plan), "--events", str(events),
                     "--out", str(out))
    assert result.returncode == 1
    assert "bad.jsonl" in result.stderr and "6" in result.stderr and "B1" in result.stderr
    assert "09:99" in result.stderr  # every problem of the line, not the first only
    assert not out.exists()


def test_a_folder_that_is_not_a_report_is_not_replaced(tmp_path, mini_plan):
    events = jsonl(tmp_path / "log.jsonl", MINI_LOG)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run_cli("report", str(MINI), "--plan", str(mini_plan), "--events", str(events),
                     "--out", str(out))
    assert result.returncode == 1 and "not a report folder" in result.stderr
    assert [f.name for f in out.iterdir()] == ["notes.txt"]
    # a report folder is replaced whole
    good = tmp_path / "report"
    for _ in range(2):
        assert run_cli("report", str(MINI), "--plan", str(mini_plan), "--events", str(events),
                       "--out", str(good)).returncode == 0
    assert sorted(f.name for f in good.iterdir()) == [
        ".planner-folder.json", "figures.json", "report.docx", "report.html", "report.xlsx"]


def test_a_plan_of_another_congress_is_refused(tmp_path):
    scenario = load_scenario(REFERENCE)
    plan = write_plan(MINI_PLAN, tmp_path / "plan")
    events = jsonl(tmp_path / "log.jsonl", [
        {"at": "2021-11-26T09:00", "type": "patrol_done", "session_id": "S0001",
         "staff_id": next(iter(scenario.staff))}])
    result = run_cli("report", str(REFERENCE), "--plan", str(plan), "--events", str(events),
                     "--out", str(tmp_path / "report"))
    assert result.returncode == 1 and "does not match the scenario" in result.stderr
    assert not (tmp_path / "report").exists()


def test_the_report_reads_the_stored_log(tmp_path, mini_plan, monkeypatch):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    empty = run_cli("report", str(MINI), "--plan", str(mini_plan), "--db", db,
                    "--out", str(tmp_path / "none"))
    assert empty.returncode == 1 and "holds nothing" in empty.stderr
    events = jsonl(tmp_path / "log.jsonl", MINI_LOG)
    assert run_cli("events", "import", str(MINI), str(events), "--db", db).returncode == 0
    assert run_cli("report", str(MINI), "--plan", str(mini_plan), "--db", db,
                   "--out", str(tmp_path / "from_db")).returncode == 0
    assert run_cli("report", str(MINI), "--plan", str(mini_plan), "--events", str(events),
                   "--out", str(tmp_path / "from_file")).returncode == 0
    exported = tmp_path / "export.jsonl"  # with the log's own fields (seq, hash, …)
    assert run_cli("events", "export", str(MINI), "--db", db, "--out",
                   str(exported)).returncode == 0
    assert run_cli("report", str(MINI), "--plan", str(mini_plan), "--events", str(exported),
                   "--out", str(tmp_path / "from_export")).returncode == 0
    a, b, c = (json.loads((tmp_path / name / "figures.json").read_text(encoding="utf-8"))
               for name in ("from_db", "from_file", "from_export"))
    assert a == b == c and a["actual"]["patrols"] == 4
    # the default store when neither is given: PLANNER_DB
    monkeypatch.setenv("PLANNER_DB", db)
    result = run_cli("report", str(MINI), "--plan", str(mini_plan),
                     "--out", str(tmp_path / "default"))
    assert result.returncode == 0, result.stderr


def test_an_adhoc_session_nobody_served_is_not_counted_among_those_served():
    """An ad-hoc session, a failure and a weighing, and no work logged for any session:
    0 sessions served, so 0 of them ad hoc (the report said "保障0场次（其中临时会议1场次）"
    in the page, the .docx and the .xlsx)."""
    scenario = load_scenario(MINI)
    log = [{"at": "2021-11-27T08:00", "type": "adhoc_session", "session_id": "A1",
            "room_id": "R3", "start": "2021-11-27T09:00", "end": "2021-11-27T10:00",
            "kind": "adhoc", "attendees": 20, "level": "secret", "name": "临时会议"},
           {"at": "2021-11-27T08:10", "type": "unit_failed", "item_id": "J3"},
           {"at": "2021-11-27T12:00", "type": "bag_weighed", "bag_set_id": "B2", "kg": 7.5,
            "venue_id": "V3"}]
    report = build(scenario, MINI_PLAN, _checked(scenario, log))
    assert (report.figures["sessions_served"], report.figures["sessions_adhoc"]) == (0, 0)
    assert "保障0场次（其中临时会议0场次）" in report.text["zh"]


def test_the_rehearsal_against_the_published_figures_reads_as_words():
    """The rehearsal's table of figures: each figure by its name, the columns named, the
    numbers as numbers, and how far off the published one in words, not 0.041."""
    from planner.report.charts import against_published

    figs = pd.DataFrame({"figure": ["sessions", "documents_found"], "published": [256, 32],
                         "mean": [266.5, 31.5], "p5": [265.15, 31.05], "p95": [267.85, 31.95],
                         "off": [0.041, -0.0156]})
    zh = against_published(figs, "zh")
    assert list(zh.columns) == ["项目", "公布数字", "推演均值", "5% 分位", "95% 分位",
                                "与公布数字相比"]
    assert zh.values.tolist() == [["会议场次", "256", "266.5", "265.15", "267.85", "高 4.1%"],
                                  ["发现遗失文件（件）", "32", "31.5", "31.05", "31.95", "低 1.6%"]]
    assert against_published(figs, "en").iloc[:, -1].tolist() == ["4.1% above", "1.6% below"]
