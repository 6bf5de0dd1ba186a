"""Why a session is not covered, in the user's words (Chinese and English).

Reasons are read off the finished plan, not the solver: which units of the
kind were in use elsewhere at that time and where, which are in maintenance,
whether free units were too far or had nobody to carry them; for staff work,
who was on shift and what they were all doing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from planner.model import names
from planner.model.plan import Assignment, StaffTask
from planner.model.scenario import Scenario
from planner.solve.districts import reach

TASK_WORDS = {"patrol": ("巡查", "patrols"), "sweep": ("会前检测", "sweep"),
              "cleanup": ("休会清理", "clean-up"), "collect": ("收取销毁袋", "bag collection"),
              "move": ("搬运", "move")}
KIND_WORDS = {"jammer": ("信号干扰器", "jammers"), "cabinet_unit": ("手机屏蔽柜", "cabinet units")}


def _span(a: dt.datetime, b: dt.datetime) -> str:
    return f"{a:%H:%M}–{b:%H:%M}" if a.date() == b.date() else f"{a:%m-%d %H:%M}–{b:%m-%d %H:%M}"


def _counts(counter: Counter, limit: int = 4) -> str:
    parts = [f"{k} {n}" for k, n in counter.most_common(limit)]
    if len(counter) > limit:
        parts.append("…")
    return ", ".join(parts)


class Explainer:
    def __init__(self, scenario: Scenario, assignments: list[Assignment],
                 staff_tasks: list[StaffTask], unstaffed_moves: set[str]) -> None:
        self.scenario = scenario
        self.assignments = assignments
        self.staff_tasks = staff_tasks
        self.unstaffed_moves = unstaffed_moves  # session ids whose moves found no carrier

    def equipment(self, kind: str, session_id: str, got: int, need: int) -> tuple[str, str]:
        sc = self.scenario
        s = sc.sessions[session_id]
        a = s.start - dt.timedelta(minutes=sc.rules.setup_minutes)
        b = s.end
        usable = [i.item_id for i in sc.items_of(kind) if i.status == "ok"]
        broken = [i.item_id for i in sc.items_of(kind) if i.status != "ok"]
        busy: dict[str, str] = {}
        for x in self.assignments:
            if x.item_type == kind and x.session_id != session_id and x.start < b and x.end > a:
                busy[x.item_id] = names.venue(sc, sc.venue_of(x.room_id))  # where, by name
        here = got
        zh_kind, en_kind = KIND_WORDS[kind]
        where = _counts(Counter(busy.values()))
        by_venue = f"（{where}）" if where else ""
        by_venue_en = f" ({where})" if where else ""
        head_zh, head_en = f"{zh_kind} {got}/{need}", f"{en_kind} {got}/{need}"
        if need > len(usable):
            zh = f"{head_zh}：库存中只有 {len(usable)} 台可用，少于本场所需的 {need} 台"
            en = (f"{head_en}: only {len(usable)} usable in the whole stock, "
                  f"fewer than the {need} needed")
            if busy:
                zh += f"；{_span(a, b)} 另有 {len(busy)} 台在其他会场使用{by_venue}"
                en += f"; {len(busy)} more in use elsewhere {_span(a, b)}{by_venue_en}"
        elif len(busy) + here >= len(usable):
            zh = f"{head_zh}：{_span(a, b)} 全部 {len(usable)} 台可用设备均在使用{by_venue}"
            en = f"{head_en}: all {len(usable)} usable {en_kind} in use {_span(a, b)}{by_venue_en}"
        else:
            idle = len(usable) - len(busy) - here
            if session_id in self.unstaffed_moves:
                why_zh, why_en = "无人可及时搬运", "nobody was free to carry them in time"
            else:
                why_zh, why_en = ("无法及时从所在位置运到（含车程、装卸和布设时间）",
                                  "they could not be brought in time (road, loading and setup)")
            zh, en = f"{head_zh}：", f"{head_en}: "
            if busy:
                zh += f"{_span(a, b)} 有 {len(busy)} 台在其他会场使用{by_venue}，另有 "
                en += f"{len(busy)} in use elsewhere {_span(a, b)}{by_venue_en}; "
            zh += f"{idle} 台空闲但{why_zh}"
            en += f"{idle} free but {why_en}"
        if broken:
            zh += f"，{', '.join(broken)} 维修中"
            en += f"; {', '.join(broken)} in maintenance"
        return zh, en

    def staff(self, task: str, session_id: str, got: int, need: int, window: tuple[dt.datetime,
              dt.datetime]) -> tuple[str, str]:
        sc = self.scenario
        a, b = window
        venue = sc.venue_of(sc.sessions[session_id].room_id)
        # the people who could have come: on shift then, and within reach of the venue
        where = reach(sc)
        team = [p for p in sc.staff.values() if venue in where[p.staff_id]]
        away = {p.staff_id for p in team for off, back in sc.unavailable.get(p.staff_id, [])
                if off < b and back > a}
        on_shift = [p for p in team if p.on_shift(a, b) and p.staff_id not in away]
        doing: dict[str, str] = {}
        members = {p.staff_id for p in team}
        for x in self.staff_tasks:
            if x.start < b and x.end > a and x.staff_id in members:
                doing[x.staff_id] = x.task
        busy = Counter(TASK_WORDS[t][0] for p, t in doing.items())
        busy_en = Counter(TASK_WORDS[t][1] for p, t in doing.items())
        off = len(team) - len(on_shift)
        free = [p.staff_id for p in on_shift if p.staff_id not in doing]
        zh_t, en_t = TASK_WORDS[task]
        zh = f"{zh_t} {got}/{need}：{_span(a, b)} 在班 {len(on_shift)} 人"
        en = f"{en_t} {got}/{need}: {len(on_shift)} staff on shift {_span(a, b)}"
        if not free:
            zh += f"均在执行其他任务（{_counts(busy)}）"
            en += f", all busy ({_counts(busy_en)})"
        else:
            zh += (f"，{len(doing)} 人在执行其他任务（{_counts(busy)}），"
                   f"空闲的 {len(free)} 人在其他驻地值守、赶不到")
            en += (f"; {len(doing)} busy ({_counts(busy_en)}); the {len(free)} free "
                   f"are posted at other venues and cannot reach it in time")
        if off - len(away) > 0:
            zh += f"；另 {off - len(away)} 人不在班"
            en += f"; {off - len(away)} off shift"
        if away:
            zh += f"；{names.people(sc, sorted(away))} 已报告不能到岗"
            en += f"; {names.people(sc, sorted(away))} reported unavailable"
        return zh, en
