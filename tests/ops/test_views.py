"""The read models the dashboard's pages lay out (planner.ops.views), on the mini congress
with a plan written by hand, so that every expected figure is counted from the instance:

- S1 大会堂 (V1) 11-26 09:00–11:30, plenary, 380 people;
- S2 一号会议室 (V2) 11-26 14:30–17:30; S3 二号会议室 (V2) 11-26 14:30–17:00;
- S4 一号会议室 (V2) 11-26 19:30–20:30; S5 三号会议室 (V3) 11-27, 3 jammers by its row.

The hand-made plan covers S1 and S2, is short on S4, and does not know S3 (as if logged
after it was made)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planner.events.types import parse, parsed
from planner.io.scenario_files import load_scenario
from planner.model.place import Place
from planner.model.plan import Assignment, CoverageRow, Move, Plan, StaffTask
from planner.ops import views
from planner.ops.congress import Snapshot
from tests.conftest import MINI

DAY = dt.date(2021, 11, 26)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def row(sid: str, covered: bool, jammers: int = 0) -> CoverageRow:
    return CoverageRow(sid, 1, jammers, 0, 0, 1, 1, True, True, covered,
                       "" if covered else "短缺", "" if covered else "short")


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    scenario = load_scenario(MINI)
    plan = Plan(
        assignments=[Assignment("J3", "jammer", "S2", "R2", at("14:00"), at("17:30"))],
        moves=[Move("J1", Place.depot_of("V1"), Place.room("R2"), at("13:00"), at("13:40"),
                    "P1", "S2")],
        staff_tasks=[StaffTask("P2", "patrol", "S2", "R2", at("15:00"), at("15:20")),
                     StaffTask("P1", "sweep", "S2", "R2", at("13:50"), at("14:20")),
                     StaffTask("P1", "move", "S2", "R2", at("13:00"), at("13:40"))],
        coverage=[row("S1", True), row("S2", True, jammers=1), row("S4", False),
                  row("S5", True, jammers=2)])
    log = [{"seq": 1, "at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2"},
           {"seq": 2, "at": "2021-11-26T10:05", "type": "void", "voids": 1, "reason": "错记"},
           {"seq": 3, "at": "2021-11-26T12:00", "type": "bag_weighed", "bag_set_id": "B1",
            "kg": 5.0, "venue_id": "V1", "session_id": "S1", "who": "liming"},
           {"seq": 4, "at": "2021-11-26T18:00", "type": "bag_weighed", "bag_set_id": "B2",
            "kg": 3.0, "venue_id": "V2", "who": "liming"},
           {"seq": 5, "at": "2021-11-26T18:30", "type": "destroyed", "kg": 4.0,
            "venue_id": "V1", "witnesses": ["P1", "P2"]}]
    entries = parsed(log)
    events = [e for e in entries if e.seq >= 3]  # 1 is voided by 2
    return Snapshot("mini", scenario, events, 5, 1, plan, scenario, log=entries)


def test_the_day_hour_by_hour_counts_each_session_in_every_hour_it_touches(snap):
    hours = views.hour_by_hour(snap, DAY).set_index("hour")
    assert list(hours.index) == list(range(7, 24))
    # S1 09:00–11:30 covered; S2 14:30–17:30 covered; S3 14:30–17:00 not in the plan;
    # S4 19:30–20:30 short
    assert {h for h in hours.index if hours.covered[h]} == {9, 10, 11, 14, 15, 16, 17}
    assert {h: hours.unplanned[h] for h in hours.index if hours.unplanned[h]} == {
        14: 1, 15: 1, 16: 1}
    assert {h: hours.short[h] for h in hours.index if hours.short[h]} == {19: 1, 20: 1}
    assert hours.covered.sum() == 3 + 4


def test_the_coverage_map_marks_each_half_hour_a_session_holds_its_room(snap):
    cells = views.coverage_map(snap, "V2", DAY)
    assert cells.room_ids == ["R2", "R3"] and cells.rooms == ["一号会议室", "二号会议室"]
    assert cells.slots[0] == at("07:00") and cells.slots[-1] == at("23:30")
    r2 = {cells.slots[k].strftime("%H:%M"): s for k, s in enumerate(cells.state[0]) if s}
    r3 = {cells.slots[k].strftime("%H:%M"): s for k, s in enumerate(cells.state[1]) if s}
    assert r2 == {**{t: "covered" for t in ("14:30", "15:00", "15:30", "16:00", "16:30",
                                            "17:00")},
                  "19:30": "short", "20:00": "short"}
    assert r3 == {t: "unplanned" for t in ("14:30", "15:00", "15:30", "16:00", "16:30")}
    assert cells.label[1][cells.slots.index(at("14:30"))] == "第二小组讨论（S3）"


def test_sessions_to_look_at_come_short_and_unplanned_first_then_by_start(snap):
    assert [s.session_id for s in views.sessions_of(snap, "V2", DAY)] == ["S3", "S4", "S2"]
    assert views.sessions_of(snap, "V3", DAY) == []


def test_a_sessions_needs_set_against_what_the_plan_gives(snap):
    needs = views.session_needs(snap, "S5").set_index("what")
    assert needs.loc["jammer", "need"] == 3  # S5's own jammers_required
    assert needs.loc["jammer", "planned"] == 2
    unknown = views.session_needs(snap, "S3").set_index("what")
    assert unknown.planned.sum() == 0  # not in the plan: nothing planned


def test_a_sessions_units_and_people(snap):
    units, people = views.session_orders(snap, "S2")
    assert units == ["J3"]
    assert list(people.itertuples(index=False, name=None)) == [
        ("P2", "李明", "patrol", at("15:00")), ("P1", "王建国", "sweep", at("13:50")),
        ("P1", "王建国", "move", at("13:00"))]


def test_paper_recovered_expected_and_destroyed_by_the_moment_shown(snap):
    early = views.paper(snap, at("17:00"))
    assert (early.recovered, early.destroyed) == (5.0, 0.0)
    # by 17:00 S1 and S3 have ended: 380 people × 2.5 h × 0.25 kg (plenary) = 237.5 kg,
    # and 25 × 2.5 h × 0.28 kg (group) = 17.5 kg
    assert early.expected_so_far == pytest.approx(237.5 + 17.5)
    late = views.paper(snap, at("19:00"))
    assert (late.recovered, late.destroyed) == (8.0, 4.0)
    recess = views.recesses(snap, at("19:00"))
    assert list(recess.session_id) == ["S1"] and list(recess.name) == ["开幕大会"]


def test_the_log_newest_first_with_voided_entries_marked_and_what_may_be_voided(snap):
    rows = views.log_rows(snap)
    assert list(rows.seq) == [5, 4, 3, 2, 1]
    assert list(rows.voided) == [False, False, False, False, True]
    # each entry in words, and who logged it by their account's name
    rows = views.log_rows(snap, who={"liming": "李明"}).set_index("seq")
    assert rows.detail[3] == "销毁袋 B1 5.0 千克，会议中心，开幕大会（S1）休会回收"
    assert rows.detail[5] == "会议中心监督销毁 4.0 千克，见证人 王建国（P1）、李明（P2）"
    assert rows.detail[2] == "作废第 1 条：错记" and rows.who[3] == "李明"
    assert views.voidable(snap) == [5, 4, 3]


def test_a_venues_units_over_the_day_and_the_moves_by_name(snap):
    bars = views.unit_timeline(snap, "jammer", "V2", DAY)
    assert list(bars.itertuples(index=False, name=None)) == [
        ("J3", at("14:00"), at("17:30"), "use", "第一小组讨论（S2） 一号会议室")]
    moves = views.day_moves(snap, "jammer", DAY)
    assert list(moves.itertuples(index=False, name=None)) == [
        ("J1", "会议中心库房", "一号会议室", at("13:00"), at("13:40"), "王建国（P1）",
         "第一小组讨论（S2）")]
    assert views.day_moves(snap, "cabinet_unit", DAY).empty


def test_one_persons_order_sheet_in_time_order(snap):
    sheet = views.order_sheet(snap, "P1", DAY)
    assert list(sheet.task) == ["move", "sweep"]
    assert list(sheet.start) == [at("13:00"), at("13:50")]
    assert list(sheet.room) == ["一号会议室", "一号会议室"]
    assert list(sheet.detail) == ["J1 会议中心库房→一号会议室", ""]
    assert views.order_sheet(snap, "P2", DAY)[["task", "session_id"]].values.tolist() == [
        ["patrol", "S2"]]


def test_holders_and_places_are_named(snap):
    """And people and sessions by name with their id in brackets (names may repeat),
    a cancelled session from the congress before the log, an unknown id as it is."""
    from planner.model import names

    live = snap.live
    assert names.person(live, "P1") == "王建国（P1）" and names.person(live, "P9") == "P9"
    assert names.session(live, "S5") == "代表团会议（S5）"
    gone = dataclasses.replace(live, sessions={k: v for k, v in live.sessions.items()
                                               if k != "S5"})
    assert names.session(gone, "S5") == "S5"
    assert names.session(gone, "S5", before=live) == "代表团会议（S5）"
    assert views.holder_name(live, "G1") == "第一代表团随团工作组"
    assert views.holder_name(live, "depot:V2") == "迎宾馆库房"
    assert views.place_name(live, Place.room("R4")) == "三号会议室"


def test_two_in_memory_stores_never_share_a_cached_snapshot(tmp_path):
    """Two in-memory stores are two databases: the same congress name, plan version and
    log length in both must not give one the other's snapshot (the cache was keyed on the
    store's URL, ``sqlite://`` for both)."""
    import shutil

    from planner.live.store import Store
    from planner.ops import congress

    other = tmp_path / "mini"
    shutil.copytree(MINI, other)
    yaml = other / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("小型测试场景", "另一个场景"),
                    encoding="utf-8")
    first, second = Store("sqlite://"), Store("sqlite://")
    congress.import_scenario(first, MINI, "test", method="greedy")
    congress.import_scenario(second, other, "test", method="greedy")
    assert congress.snapshot(first, "mini").scenario.title == "小型测试场景"
    assert congress.snapshot(second, "mini").scenario.title == "另一个场景"


def test_a_replans_preview_leads_with_the_sessions_it_leaves_short_and_orders_by_person(snap):
    """Of a hand-made re-plan at 14:00: S2 was covered and is no longer (its new reason
    is the new plan's, not "人员调整"), S4 was short already (not new damage), S3 stays
    covered. P2's two changes come in the order P2 must act, and one due at 13:30 (before
    the re-plan) reads 14:00."""
    from planner.live.replan import Change, Replan, SessionChange

    new = Plan(coverage=[CoverageRow(
        "S2", 1, 0, 0, 0, 1, 1, True, True, False, "干扰器 0/1：J3 故障",
        "jammers 0/1: J3 failed")])
    result = Replan(new, snap.live, at("14:00"), changes=[
        Change(at("16:00"), "P2", "staff", "added", "patrol", "S2", "R2", "", "16:00", "补巡查",
               "patrol added"),
        Change(at("13:30"), "P2", "staff", "removed", "sweep", "S3", "R3", "13:30", "", "人员调整",
               "staff change"),
        Change(at("14:10"), "J3", "unit", "removed", "serve", "S2", "R2", "S2", "", "故障",
               "failed")],
        sessions=[SessionChange("S2", True, False, "人员调整", "staff change"),
                  SessionChange("S4", False, False, "", ""),
                  SessionChange("S3", True, True, "", "")])
    damage = views.replan_damage(result, "zh")
    assert list(damage.itertuples(index=False, name=None)) == [
        ("S2", "第一小组讨论", "一号会议室", at("14:30"), "干扰器 0/1：J3 故障")]
    orders = views.replan_orders(result)
    assert list(zip(orders.who, orders.act_at, orders.what, strict=True)) == [
        ("P2", at("14:00"), "sweep"), ("P2", at("16:00"), "patrol"), ("J3", at("14:10"), "serve")]
    assert list(orders.name[:2]) == ["李明", "李明"] and list(orders.room[:2]) == [
        "二号会议室", "一号会议室"]
    assert list(orders.label) == ["李明（P2）", "李明（P2）", "J3"]
    assert list(orders.session[:2]) == ["第二小组讨论（S3）", "第一小组讨论（S2）"]


def test_work_due_and_not_reported_turns_late_once_its_window_has_passed(snap):
    """The hand-made plan orders P1 to sweep S2 13:50–14:20 and P2 to patrol it
    15:00–15:20; nothing of S2 is reported. At 14:30 the sweep is due (until 14:35);
    at 15:10 it is late and the patrol due; a sweep_done for S2 answers the sweep."""
    early = views.due_work(snap, at("14:30"))
    assert list(zip(early.staff_id, early.task, early.state, strict=True)) == [
        ("P1", "sweep", "due")]
    assert (early.name[0], early.session[0], early.room[0]) == ("王建国", "第一小组讨论",
                                                               "一号会议室")
    later = views.due_work(snap, at("15:10"))
    assert list(zip(later.task, later.state, strict=True)) == [("sweep", "late"),
                                                                ("patrol", "due")]
    assert views.due_work(snap, at("13:00")).empty
    done = parse({"at": "2021-11-26T14:25", "type": "sweep_done", "session_id": "S2",
                  "staff_id": "P1"})
    reported = dataclasses.replace(snap, events=[*snap.events, done])
    assert list(views.due_work(reported, at("15:10")).task) == ["patrol"]


def test_the_overview_and_the_report_read_the_same_orders_as_unanswered(snap):
    """Add a second patrol of S2 for P1 at 16:00. P1 reports a patrol of S2 at 15:10
    (answering their own 16:00 order, not P2's 15:00 one) and skips the sweep with a
    reason. At the end of the day the overview's work not reported is P2's patrol alone,
    late; the report's plan against actual names P2's patrol as without a record and
    P1's sweep as skipped with its reason, and the same orders."""
    from planner.report.statistics import build

    extra = StaffTask("P1", "patrol", "S2", "R2", at("16:00"), at("16:20"))
    plan = dataclasses.replace(snap.plan, staff_tasks=[*snap.plan.staff_tasks, extra])
    log = [parse({"at": "2021-11-26T14:00", "type": "order_skipped", "session_id": "S2",
                  "staff_id": "P1", "task": "sweep", "reason": "门锁未开"}),
           parse({"at": "2021-11-26T15:10", "type": "patrol_done", "session_id": "S2",
                  "staff_id": "P1"})]
    day = dataclasses.replace(snap, plan=plan, events=log)
    due = views.due_work(day, at("23:00"))
    assert list(zip(due.staff_id, due.task, due.state, strict=True)) == [
        ("P2", "patrol", "late")]
    gaps = build(snap.scenario, plan, log).tables["gaps"]
    gaps = gaps[gaps.session_id == "S2"].set_index("what")
    assert (gaps.planned["patrol"], gaps.done["patrol"]) == (2, 1)
    assert gaps.reason["patrol"] == "李明（P2）15:00 的任务无完成记录"
    assert gaps.reason["sweep"] == "王建国（P1）报告未能执行：门锁未开"
    assert "P1" not in gaps.reason["patrol"]  # P1's own order is answered by P1's report
