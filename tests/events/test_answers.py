"""Which order each logged entry answers (planner.events.answers), by hand: a person's
own orders first, then anyone's to the orders still open; a move's units set up at once
answer one move; a skip answers its order (as skipped)."""

from __future__ import annotations

import datetime as dt

from planner.events.answers import answers
from planner.events.types import parse
from planner.model.plan import StaffTask


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2021, 11, 26), dt.time.fromisoformat(hhmm))


def event(hhmm: str, kind: str, **fields):
    return parse({"at": f"2021-11-26T{hhmm}", "type": kind, **fields})


def test_own_orders_first_then_anyones_and_one_move_however_many_units():
    p2 = StaffTask("P2", "patrol", "S2", "R2", at("15:00"), at("15:20"))
    p1 = StaffTask("P1", "patrol", "S2", "R2", at("16:00"), at("16:20"))
    p3 = StaffTask("P3", "patrol", "S2", "R2", at("17:00"), at("17:20"))
    move1 = StaffTask("P1", "move", "S2", "R2", at("13:00"), at("13:40"))
    move2 = StaffTask("P1", "move", "S2", "R2", at("14:00"), at("14:20"))
    sweep = StaffTask("P1", "sweep", "S2", "R2", at("13:50"), at("14:20"))
    log = [event("13:40", "unit_deployed", item_id="J1", session_id="S2", staff_id="P1"),
           event("13:40", "unit_deployed", item_id="J3", session_id="S2", staff_id="P1"),
           event("14:00", "order_skipped", session_id="S2", staff_id="P1", task="sweep",
                 reason="门锁未开"),
           event("15:10", "patrol_done", session_id="S2", staff_id="P1"),
           event("15:15", "patrol_done", session_id="S2", staff_id="P9"),  # not ordered
           event("15:20", "patrol_done", session_id="S3", staff_id="P2"),  # another session
           event("15:30", "order_skipped", session_id="S2", staff_id="P8", task="patrol",
                 reason="不是我的任务")]  # a skip by someone not ordered answers nothing
    found = answers([p2, p1, p3, move1, move2, sweep], log)
    assert (found[p1].staff_id, found[p1].event.at) == ("P1", at("15:10"))  # their own
    assert found[p2].staff_id == "P9"  # the earliest open order gets the stranger's report
    assert found[p3] is None
    assert found[move1].event["item_id"] == "J1" and found[move2] is None
    assert found[sweep].skipped and found[sweep].event["reason"] == "门锁未开"
