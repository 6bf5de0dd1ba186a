"""On site, on a phone: an account linked to its staff member sees its own orders,
reports one with one tap as the contract's events (person, room, session and time filled
in), may skip one only with a reason, and may log nothing but its own work; a QR sheet
per venue carries each room's address."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.errors import ScenarioError
from planner.events.types import parsed
from planner.io.scenario_files import load_scenario
from planner.live.store import Store
from planner.model.place import Place
from planner.model.plan import Move, Plan, StaffTask
from planner.ops import accounts, congress, doors, views
from planner.ops.congress import Snapshot
from tests.conftest import MINI

DAY = dt.date(2021, 11, 26)
PASSWORD = "correct-horse-9"


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(hhmm))


def snapshot(events=()) -> Snapshot:
    """P1 carries J1 from 会议中心's depot to 一号会议室 13:00–13:40 for S2 (第一小组讨论,
    14:30), then sweeps it 13:50–14:20 with P3; P2 patrols it 15:00–15:20."""
    scenario = load_scenario(MINI)
    plan = Plan(moves=[Move("J1", Place.depot_of("V1"), Place.room("R2"), at("13:00"),
                            at("13:40"), "P1", "S2")],
                staff_tasks=[StaffTask("P1", "move", "S2", "R2", at("13:00"), at("13:40")),
                             StaffTask("P1", "sweep", "S2", "R2", at("13:50"), at("14:20")),
                             StaffTask("P3", "sweep", "S2", "R2", at("13:50"), at("14:20")),
                             StaffTask("P2", "patrol", "S2", "R2", at("15:00"), at("15:20"))])
    log = parsed(list(events))
    return Snapshot("mini", scenario, log, len(log), 1, plan, scenario, log=log)


def test_my_orders_now_and_next_with_what_to_carry_and_with_whom():
    orders = views.my_orders(snapshot(), "P1", at("13:10"))
    assert [(o.task, o.start) for o in orders] == [("move", at("13:00")), ("sweep", at("13:50"))]
    move, sweep = orders
    assert move.carry == "J1 会议中心库房→一号会议室" and move.units == ("J1",)
    assert (sweep.session, sweep.room, sweep.crew) == ("第一小组讨论", "一号会议室", ("张伟",))
    assert views.my_orders(snapshot(), "P1", at("13:10"), room="R3") == []
    assert [o.task for o in views.my_orders(snapshot(), "P2", at("13:10"))] == ["patrol"]


def test_one_tap_writes_the_contracts_event_with_person_room_and_time():
    move, sweep = views.my_orders(snapshot(), "P1", at("13:10"))
    assert views.report_events(snapshot(), move, at("13:35")) == [
        {"at": "2021-11-26T13:35", "type": "unit_deployed", "item_id": "J1", "session_id": "S2",
         "staff_id": "P1"}]
    assert views.report_events(snapshot(), sweep, at("14:05")) == [
        {"at": "2021-11-26T14:05", "type": "sweep_done", "session_id": "S2", "staff_id": "P1"}]
    assert views.skip_event(sweep, at("14:05"), "会场未开门") == {
        "at": "2021-11-26T14:05", "type": "order_skipped", "session_id": "S2",
        "staff_id": "P1", "task": "sweep", "reason": "会场未开门"}
    # reported: shown as such while it is on, gone once it is over
    done = snapshot([views.report_events(snapshot(), sweep, at("14:05"))[0]])
    assert [(o.task, o.reported) for o in views.my_orders(done, "P1", at("14:10"))] == [
        ("sweep", True)]
    assert views.my_orders(done, "P1", at("15:00")) == []


def test_a_field_account_logs_only_its_own_work_and_a_skip_needs_its_reason(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    congress.import_scenario(store, MINI, "test", method="greedy")
    accounts.create_user(store, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(store, "liming", "李明", "field", PASSWORD, "chief")
    accounts.link_staff(store, "liming", "P2", "chief")
    assert store.staff_of("liming") == "P2"
    assert "user_linked" in [e.type for e in store.entries(accounts.AUDIT)]
    mine = {"at": "2021-11-26T15:05", "type": "patrol_done", "session_id": "S2",
            "staff_id": "P2"}
    assert congress.log_events(store, "mini", [mine], "liming") == [1]
    for other in ({**mine, "staff_id": "P1"},
                  {"at": "2021-11-26T15:05", "type": "booster_found", "room_id": "R2"}):
        with pytest.raises(PermissionError):
            congress.log_events(store, "mini", [other], "liming")
    skip = {"at": "2021-11-26T15:30", "type": "order_skipped", "session_id": "S2",
            "staff_id": "P2", "task": "patrol", "reason": " "}
    with pytest.raises(ScenarioError) as refused:
        congress.log_events(store, "mini", [skip], "liming")
    assert refused.value.problems[0].message("zh") == "未执行任务须说明原因"
    # two events at once, one of them bad: neither is stored
    bad = {**mine, "session_id": "S9"}
    with pytest.raises(ScenarioError):
        congress.log_events(store, "mini", [{**mine, "at": "2021-11-26T15:10"}, bad], "liming")
    assert len(store.entries("mini")) == 1
    accounts.link_staff(store, "liming", None, "chief")
    assert store.staff_of("liming") is None


def test_a_venues_door_sheet_has_one_code_per_room_with_its_address(monkeypatch):
    monkeypatch.setenv("PLANNER_PUBLIC_URL", "http://10.1.2.3:8501/")
    scenario = load_scenario(MINI)
    sheet = doors.door_sheet(scenario, "V2")
    assert sheet.count("<svg") == 2  # 一号会议室, 二号会议室
    assert "迎宾馆 · 会场二维码" in sheet and "一号会议室" in sheet and "二号会议室" in sheet
    assert "http://10.1.2.3:8501/mine?room=R2" in sheet
    assert doors.room_address("R 1/x", "http://h") == "http://h/mine?room=R%201%2Fx"
    assert "size:A4" in sheet


def test_a_chinese_user_name_is_an_account_name_and_a_path_is_not(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    accounts.create_user(store, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(store, "李明", "李明", "field", PASSWORD, "chief")
    assert store.user("李明") is not None
    for bad in ("../x", "a b", "x"):
        with pytest.raises(accounts.AccountError):
            accounts.create_user(store, bad, "某", "field", PASSWORD, "chief")
