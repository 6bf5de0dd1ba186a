"""The post-event report (会后统计): what the team did, counted from the event log.

Every figure comes from what was logged, not from the plan:

- sessions held: the agenda's sessions and the logged ad-hoc ones, less those cancelled;
  a session is *served* when some support work for it is logged (a unit set up, a
  patrol, a sweep or a clean-up);
- jammer deployments (台次) and cabinet-unit deployments (节次): ``unit_deployed``
  events, one per unit per held session however often it is logged;
- patrols: ``patrol_done`` events; sweeps and recess clean-ups: the sessions with a
  ``sweep_done`` / ``cleanup_done`` (a crew of three is one clean-up);
- paper recovered: ``bag_weighed`` kg, by the day it was weighed and the venue named;
- lost documents found: ``document_found``, by level and room;
- destruction: ``destroyed`` kg with its witnesses; what was recovered and not yet
  destroyed is said;
- equipment faults: ``unit_failed`` until ``unit_restored``.

An entry voided by a later ``void`` counts for nothing (:func:`planner.events.apply.in_force`);
the report lists each void: the entry, who voided it and why. When the events are the
store's log (with their chain), the report carries the log's checkpoint at the end of
each day it was written to, signed with the key in ``PLANNER_KEY_DIR`` if one is set up
(:mod:`planner.live.checkpoint`).

A session's work counts on the day it starts, at its room's venue. The plan (the
version the team worked to) is what was meant to happen: *plan against actual* lists
each piece of work planned and not logged, and why: the session was cancelled, the
unit had failed, the person was reported off duty, or there is simply no record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

import pandas as pd

from planner.events.answers import Answer, answers
from planner.events.apply import apply_events
from planner.events.types import LOG_FIELDS, Event, Names, in_force, parsed
from planner.live import checkpoint as checkpoints
from planner.model import vocabulary as vocab
from planner.model.place import is_depot
from planner.model.plan import Assignment, Plan, StaffTask
from planner.model.scenario import Scenario
from planner.model.times import stamp

UNIT_KINDS = ("jammer", "cabinet_unit")
TASKS = ("patrol", "sweep", "cleanup")
WORK = Names("work")  # the event types that record support work for a session
INCIDENTS = Names("incident")  # those that change the congress (planner.events.types)
# the headline figures, in the order the bureau reports them: key -> (zh, en)
FIGURES = {
    "sessions_served": ("会议技术服务保障（场次）", "sessions served"),
    "sessions_held": ("举行会议（场次）", "sessions held"),
    "sessions_adhoc": ("其中临时会议（场次）", "of them ad hoc"),
    "sessions_cancelled": ("取消会议（场次）", "sessions cancelled"),
    "sessions_extended": ("延长会议（场次）", "sessions run over"),
    "jammer_deployments": ("信号干扰设备（台次）", "jammer deployments"),
    "cabinet_unit_deployments": ("手机屏蔽柜（节次）", "cabinet-unit deployments"),
    "patrols": ("巡查（次）", "patrols"),
    "sweeps": ("会前安全检测（场次）", "pre-session sweeps"),
    "cleanups": ("休会清理检查（场次）", "recess clean-ups"),
    "paper_kg": ("回收文件资料（千克）", "paper recovered (kg)"),
    "paper_tonnes": ("回收文件资料（吨）", "paper recovered (t)"),
    "documents_found": ("发现遗失文件（件）", "lost documents found"),
    "destroyed_kg": ("监督销毁（千克）", "destroyed (kg)"),
    "pending_kg": ("待销毁（千克）", "awaiting destruction (kg)"),
    "unit_faults": ("设备故障（台次）", "equipment faults"),
    "boosters_found": ("发现信号放大器（处）", "boosters found"),
    "staff_absences": ("人员临时不在岗（人次）", "people off duty"),
    "repeats_ignored": ("重复记录（未计入）", "repeated entries (not counted)"),
}
PLANNED = ("sessions_served", "jammer_deployments", "cabinet_unit_deployments", "patrols",
           "sweeps", "cleanups")
WHAT = {"jammer": ("信号干扰器", "jammers"), "cabinet_unit": ("屏蔽柜（节）", "cabinet units"),
        "patrol": ("巡查", "patrols"), "sweep": ("会前检测", "sweep"),
        "cleanup": ("休会清理", "clean-up"), "session": ("会议保障", "support")}


class PlanMismatch(ValueError):
    """The plan names rooms, units or people the scenario does not have."""


def _rows(plan: Plan) -> tuple[Assignment | StaffTask, ...]:
    """The plan's units in sessions and people's orders: what names a session and a room."""
    return (*plan.assignments, *plan.staff_tasks)


def check_plan(scenario: Scenario, plan: Plan) -> None:
    unknown = sorted({a.item_id for a in plan.assignments} - set(scenario.items)
                     | {t.staff_id for t in plan.staff_tasks} - set(scenario.staff)
                     | {x.room_id for x in _rows(plan)
                        if not is_depot(x.room_id)} - set(scenario.rooms))
    if unknown:
        raise PlanMismatch(", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else ""))


@dataclass
class Report:
    title: str
    first_day: str
    last_day: str
    figures: dict                     # FIGURES, from the log (and documents by level)
    planned: dict                     # PLANNED, from the plan
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)   # the summary paragraph, zh and en
    checkpoints: list = field(default_factory=list)  # (day, checkpoint) of the log, by day
    # the congress as the log left it, cancelled sessions kept: what the tables' ids name
    live: Scenario | None = None

    def checkpoint_lines(self, lang: str) -> list[str]:
        """``日志检查点：条数 N，哈希 …，签名密钥 …`` for each day (or that there is none)."""
        if not self.checkpoints:
            return [checkpoints.describe(None, lang)]
        return [f"{day} {checkpoints.describe(cp, lang)}" for day, cp in self.checkpoints]


def _clock(t: dt.datetime | None) -> str:
    return "" if t is None else stamp(t)


def _short(t: dt.datetime) -> str:
    return f"{t:%m-%d %H:%M}"


def without_repeats(events: list[Event]) -> tuple[list[Event], int]:
    """The events with exact repeats left out (the same type, time and fields, logged
    twice by two operators or imported twice), and how many were left out. Lost
    documents are the exception: two found together are two lines alike."""
    seen: set[str] = set()
    out = []
    for e in events:
        if e.type == "document_found":
            out.append(e)
            continue
        key = json.dumps({k: v for k, v in e.line.items() if k not in LOG_FIELDS}, sort_keys=True,
                         ensure_ascii=False, default=str)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out, len(events) - len(out)


class _Log:
    """The log sorted into what the report counts. Work for a session counts while it was
    on: for a held session, all of it; for a cancelled one, what was logged before the
    cancellation (a unit set up, a sweep done)."""

    def __init__(self, live: Scenario, events: list[Event]) -> None:
        self.units: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.visits: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        self.deployed_by: Counter = Counter()
        self.failures: dict[str, list[list]] = defaultdict(list)  # item -> [[from, until]]
        self.absent: dict[str, list[tuple]] = defaultdict(list)
        self.of_type: dict[str, list[Event]] = defaultdict(list)
        for e in sorted(events, key=attrgetter("at")):  # as it happened
            self.of_type[e.type].append(e)
            e.kind.tally(self, live, e)  # each type counts its own
        self.failures = {k: v for k, v in self.failures.items() if v}

    def served(self, sid: str) -> bool:
        return any(self.units[sid].values()) or any(self.visits[sid].values())

    def failed_during(self, item: str, a: dt.datetime, b: dt.datetime) -> dt.datetime | None:
        for start, until in self.failures.get(item, []):
            if start < b and (until is None or until > a):
                return start
        return None

    def away_during(self, staff: str, a: dt.datetime, b: dt.datetime) -> tuple | None:
        for start, until in self.absent.get(staff, []):
            if start < b and until > a:
                return start, until
        return None


def build(scenario: Scenario, plan: Plan, events: Sequence[Event | Mapping]) -> Report:
    """The report's figures and tables from checked events (in log order; lines are
    parsed) and the plan."""
    check_plan(scenario, plan)
    try:
        key = checkpoints.signer()
    except checkpoints.CheckpointError:  # a broken key file: the report says "not signed"
        key = None
    events = parsed(events)
    by_day = checkpoints.by_day(scenario.name, [dict(e.line) for e in events], key)
    voids = _voided(scenario, events)
    events, repeats = without_repeats(in_force(events))
    live = apply_events(scenario, events)
    every = apply_events(scenario, [e for e in events if e.type != "cancel_session"])
    log = _Log(live, events)
    held = live.sessions
    adhoc = {e["session_id"] for e in log.of_type["adhoc_session"]} & set(held)
    extended = {e["session_id"] for e in log.of_type["extend_session"]} & set(held)
    days = sorted({s.start.date() for s in held.values()} or {min(scenario.days())})

    by_session = _Planned(plan, events)
    sessions = _sessions(live, every.sessions, plan, by_session, log, adhoc)
    served = sessions[sessions.status != "cancelled"].served
    paper = _paper(live, log)
    documents = _documents(live, log)
    destroyed = _destroyed(live, log)
    kg = round(float(paper.kg.sum()), 1) if len(paper) else 0.0
    burnt = destroyed_kg(log.of_type["destroyed"])
    by_level = Counter(documents.level)
    figures = {
        "sessions_served": int(served.sum()),
        "sessions_held": len(held),
        "sessions_adhoc": int(served[sessions.adhoc].sum()),  # of those served
        "sessions_cancelled": len(live.cancelled),
        "sessions_extended": len(extended),
        "jammer_deployments": int(sessions.jammers_done.sum()),
        "cabinet_unit_deployments": int(sessions.cabinet_units_done.sum()),
        "patrols": int(sessions.patrols_done.sum()),
        "sweeps": int(sessions.sweep_done.sum()),
        "cleanups": int(sessions.cleanup_done.sum()),
        "paper_kg": kg,
        "paper_tonnes": round(kg / 1000, 2),
        "documents_found": len(documents),
        "documents_by_level": {level: by_level.get(level, 0) for level in vocab.LEVEL_ORDER},
        "destroyed_kg": burnt,
        "pending_kg": round(max(0.0, kg - burnt), 1),
        "unit_faults": sum(len(spans) for spans in log.failures.values()),
        "boosters_found": len(log.of_type["booster_found"]),
        "staff_absences": len(log.of_type["staff_unavailable"]),
        "repeats_ignored": repeats,
    }
    in_plan = sessions[sessions.in_plan]
    planned = {
        "sessions_served": int(in_plan.session_id.nunique()),
        "jammer_deployments": int(sessions.jammers_planned.sum()),
        "cabinet_unit_deployments": int(sessions.cabinet_units_planned.sum()),
        "patrols": int(sessions.patrols_planned.sum()),
        "sweeps": int(sessions.sweep_planned.sum()),
        "cleanups": int(sessions.cleanup_planned.sum()),
    }
    report = Report(scenario.title, str(days[0]), str(days[-1]), figures, planned,
                    live=every)
    report.tables = {
        "figures": _figure_table(figures, planned),
        "by_day_venue": _by_day_venue(live, sessions, paper, documents),
        "sessions": sessions.drop(columns=["in_plan"]),
        "gaps": _gaps(live, by_session, log, sessions),
        "paper": paper,
        "documents": documents,
        "documents_by_room": _documents_by_room(documents),
        "destroyed": destroyed,
        "faults": _faults(live, plan, by_session, log),
        "staff": _staff(live, log),
        "incidents": _incidents(scenario, live, events),
        "voided": voids,
        "checkpoints": pd.DataFrame(
            [{"day": day, "size": cp.size, "hash": cp.body().split("\n")[2],
              "key": ", ".join(f"{n} ({i.hex()})" for n, i, _ in cp.signatures),
              "checkpoint": cp.text()} for day, cp in by_day],
            columns=["day", "size", "hash", "key", "checkpoint"]),
    }
    report.text = {lang: paragraph(figures, lang) for lang in ("zh", "en")}
    report.checkpoints = by_day
    return report


# -- the tables ---------------------------------------------------------------------------------
class _Planned:
    """The plan by session: its units by kind, its people's orders by task, and the entry
    that answers each order (:mod:`planner.events.answers`, as the overview reads it)."""

    def __init__(self, plan: Plan, events: Sequence[Event]) -> None:
        self.units: dict[tuple[str, str], list] = defaultdict(list)
        self.tasks: dict[tuple[str, str], list] = defaultdict(list)
        for a in plan.assignments:
            self.units[a.session_id, a.item_type].append(a)
        for t in plan.staff_tasks:
            if t.task in TASKS:
                self.tasks[t.session_id, t.task].append(t)
        self.sessions = {sid for sid, _ in self.units} | {sid for sid, _ in self.tasks}
        self.answers = answers([t for ts in self.tasks.values() for t in ts], events)

    def unit_count(self, sid: str, kind: str) -> int:
        return len({a.item_id for a in self.units[sid, kind]})


def _sessions(live: Scenario, every: dict, plan: Plan, planned: _Planned, log: _Log,
              adhoc: set[str]) -> pd.DataFrame:
    """One row per session held, cancelled or planned: planned against done. ``every``:
    every session logged, the cancelled ones too."""
    shortfall = {r.session_id: (r.shortfall_reason, r.shortfall_reason_en)
                 for r in plan.coverage if not r.covered}
    ids = list(live.sessions) + sorted((planned.sessions | set(live.cancelled))
                                       - set(live.sessions))
    rows = []
    for sid in ids:
        s = every.get(sid)
        room = s.room_id if s else _planned_room(plan, sid)
        start = s.start if s else _planned_start(plan, sid)
        status = ("cancelled" if sid in live.cancelled else
                  "held" if sid in live.sessions else "unknown")
        done = log.visits[sid]
        row = {
            "session_id": sid, "day": str(start.date()) if start else "",
            "venue_id": live.venue_of(room) if room else "", "room_id": room or "",
            "name": s.name if s else "", "kind": s.kind if s else "",
            "level": s.level if s else "", "attendees": s.attendees if s else 0,
            "start": _clock(start), "end": _clock(s.end) if s else "",
            "status": status, "adhoc": sid in adhoc,
            "in_plan": sid in planned.sessions or sid in shortfall,
            "served": status == "held" and log.served(sid),
        }
        for kind, name in (("jammer", "jammers"), ("cabinet_unit", "cabinet_units")):
            row[f"{name}_planned"] = planned.unit_count(sid, kind)
            row[f"{name}_done"] = len(log.units[sid][kind])
        row["patrols_planned"] = len(planned.tasks[sid, "patrol"])
        row["patrols_done"] = sum(done["patrol"].values())
        for task in ("sweep", "cleanup"):
            row[f"{task}_planned"] = int(bool(planned.tasks[sid, task]))
            row[f"{task}_done"] = int(bool(done[task]))
        row["plan_shortfall"], row["plan_shortfall_en"] = shortfall.get(sid, ("", ""))
        rows.append(row)
    return pd.DataFrame(rows, columns=[
        "session_id", "day", "venue_id", "room_id", "name", "kind", "level", "attendees",
        "start", "end", "status", "adhoc", "in_plan", "served", "jammers_planned",
        "jammers_done", "cabinet_units_planned", "cabinet_units_done", "patrols_planned",
        "patrols_done", "sweep_planned", "sweep_done", "cleanup_planned", "cleanup_done",
        "plan_shortfall", "plan_shortfall_en"])


def _planned_room(plan: Plan, sid: str) -> str | None:
    for x in _rows(plan):
        if x.session_id == sid and not is_depot(x.room_id):
            return x.room_id
    return None


def _planned_start(plan: Plan, sid: str) -> dt.datetime | None:
    times = [x.start for x in _rows(plan) if x.session_id == sid]
    return min(times) if times else None


def _gaps(live: Scenario, plan: _Planned, log: _Log, sessions: pd.DataFrame
          ) -> pd.DataFrame:
    """Each piece of work planned and not logged (or short in number), and why."""
    names = {sid: p.name for sid, p in live.staff.items()}
    rows = []

    def gap(sid: str, what: str, planned: int, done: int, reasons: list[tuple[str, str]]):
        rows.append({"session_id": sid, "what": what, "planned": planned, "done": done,
                     "missing": planned - done, "reason": "；".join(zh for zh, _ in reasons),
                     "reason_en": "; ".join(en for _, en in reasons)})

    units, tasks = plan.units, plan.tasks
    for r in sessions.itertuples():
        sid = r.session_id
        if r.status == "cancelled":  # the rest was not needed any more
            at = live.cancelled[sid]
            for kind, planned, done in (
                    ("jammer", r.jammers_planned, r.jammers_done),
                    ("cabinet_unit", r.cabinet_units_planned, r.cabinet_units_done),
                    ("patrol", r.patrols_planned, r.patrols_done),
                    ("sweep", r.sweep_planned, r.sweep_done),
                    ("cleanup", r.cleanup_planned, r.cleanup_done)):
                if done < planned:
                    gap(sid, kind, planned, done, [(f"会议于 {_short(at)} 取消",
                                                    f"session cancelled at {_short(at)}")])
            continue
        if r.status != "held":
            continue
        for kind, planned, done in (("jammer", r.jammers_planned, r.jammers_done),
                                    ("cabinet_unit", r.cabinet_units_planned,
                                     r.cabinet_units_done)):
            if done < planned:
                gap(sid, kind, planned, done,
                    [_unit_reason(log, a) for a in sorted(units[sid, kind],
                                                          key=lambda a: a.item_id)
                     if a.item_id not in log.units[sid][kind]])
        for task in TASKS:
            wanted = getattr(r, "patrols_planned" if task == "patrol" else f"{task}_planned")
            done = getattr(r, "patrols_done" if task == "patrol" else f"{task}_done")
            if done >= wanted:
                continue
            reasons = [_task_reason(log, names, t, plan.answers[t])
                       for t in sorted(tasks[sid, task], key=lambda t: (t.start, t.staff_id))
                       if not _done(plan.answers[t])]
            gap(sid, task, wanted, done, reasons)
        if not r.served:
            gap(sid, "session", 1, 0, [("无任何保障记录", "no support logged") if r.in_plan else
                                       ("未列入方案，且无任何保障记录",
                                        "not in the plan and no support logged")])
    return pd.DataFrame(rows, columns=["session_id", "what", "planned", "done", "missing",
                                       "reason", "reason_en"])


def _unit_reason(log: _Log, a) -> tuple[str, str]:
    """Why a planned unit was not logged as set up: it had failed, or no record."""
    failed = log.failed_during(a.item_id, a.start, a.end)
    if failed:
        return (f"{a.item_id} 于 {_short(failed)} 报告故障",
                f"{a.item_id} reported failed at {_short(failed)}")
    return f"{a.item_id} 无布设记录", f"no record of {a.item_id} set up"


def _done(said: Answer | None) -> bool:
    return said is not None and not said.skipped


def _task_reason(log: _Log, names: dict[str, str], t, said: Answer | None
                 ) -> tuple[str, str]:
    """Why a person's planned order was not logged as done: skipped (and why), off duty,
    or no record."""
    who = names.get(t.staff_id, t.staff_id)
    if said is not None:
        return (f"{who}（{t.staff_id}）报告未能执行：{said.event['reason']}",
                f"{who}（{t.staff_id}） could not do it: {said.event['reason']}")
    away = log.away_during(t.staff_id, t.start, t.end)
    if away:
        return (f"{who}（{t.staff_id}）{_short(away[0])}–{away[1]:%H:%M} 不在岗",
                f"{t.staff_id} off duty {_short(away[0])}–{away[1]:%H:%M}")
    return (f"{who}（{t.staff_id}）{t.start:%H:%M} 的任务无完成记录",
            f"no record of {t.staff_id}'s task at {t.start:%H:%M}")


def _paper(live: Scenario, log: _Log) -> pd.DataFrame:
    rows = []
    for e in log.of_type["bag_weighed"]:
        rows.append({"at": _clock(e.at), "day": str(e.at.date()), "venue_id": e["venue_id"],
                     "bag_set_id": e["bag_set_id"], "session_id": e.get("session_id", ""),
                     "kg": float(e["kg"]), "who": e.who})
    return pd.DataFrame(rows, columns=["at", "day", "venue_id", "bag_set_id", "session_id",
                                       "kg", "who"])


def _documents(live: Scenario, log: _Log) -> pd.DataFrame:
    rows = []
    for e in log.of_type["document_found"]:
        room = live.rooms[e["room_id"]]
        rows.append({"at": _clock(e.at), "day": str(e.at.date()), "venue_id": room.venue_id,
                     "room_id": room.room_id, "room": room.name,
                     "level": vocab.lookup(vocab.LEVELS, str(e["level"])),
                     "note": str(e["note"]), "who": e.who})
    return pd.DataFrame(rows, columns=["at", "day", "venue_id", "room_id", "room", "level",
                                       "note", "who"])


def _documents_by_room(documents: pd.DataFrame) -> pd.DataFrame:
    """Rooms × levels: how many lost documents were found where."""
    columns = ["venue_id", "room_id", "room", *vocab.LEVEL_ORDER, "total"]
    if documents.empty:
        return pd.DataFrame(columns=columns)
    table = (documents.pivot_table(index=["venue_id", "room_id", "room"], columns="level",
                                   values="at", aggfunc="count", fill_value=0)
             .reindex(columns=vocab.LEVEL_ORDER, fill_value=0).reset_index())
    table["total"] = table[vocab.LEVEL_ORDER].sum(axis=1)
    table.columns.name = None
    return table.sort_values(["total", "room_id"], ascending=[False, True])[columns]


def destroyed_kg(events: Sequence[Event]) -> float:
    """The paper destroyed under supervision (kg, to 0.1), as the ``destroyed`` events of
    ``events`` say: the report's figure, and the tonnage page's."""
    kg = pd.Series([float(e["kg"]) for e in events if e.type == "destroyed"], dtype=float)
    return round(float(kg.sum()), 1) if len(kg) else 0.0


def _destroyed(live: Scenario, log: _Log) -> pd.DataFrame:
    rows = []
    for e in log.of_type["destroyed"]:
        rows.append({"at": _clock(e.at), "venue_id": e["venue_id"],
                     "kg": float(e["kg"]), "witnesses": "、".join(e["witnesses"]),
                     "witness_names": "、".join(live.staff[w].name if w in live.staff else w
                                               for w in e["witnesses"])})
    return pd.DataFrame(rows, columns=["at", "venue_id", "kg", "witnesses", "witness_names"])


def _faults(live: Scenario, plan: Plan, planned: _Planned, log: _Log) -> pd.DataFrame:
    """Each failure: the unit, when it failed and was restored, the planned sessions it
    missed, and whether those sessions still got their units."""
    rows = []
    for item_id, spans in sorted(log.failures.items()):
        item = live.items[item_id]
        for start, until in spans:
            hit = sorted({a.session_id for a in plan.assignments if a.item_id == item_id
                          and a.end > start and (until is None or a.start < until)})
            lacking = [sid for sid in hit if sid in live.sessions
                       and len(log.units[sid][item.item_type])
                       < planned.unit_count(sid, item.item_type)]
            rows.append({"item_id": item_id, "item_type": item.item_type,
                         "venue_id": item.venue_id, "failed_at": _clock(start),
                         "restored_at": _clock(until),
                         "hours_out": round(((until - start).total_seconds() / 3600), 1)
                         if until else None,
                         "planned_sessions": " ".join(hit), "still_short": " ".join(lacking)})
    return pd.DataFrame(rows, columns=["item_id", "item_type", "venue_id", "failed_at",
                                       "restored_at", "hours_out", "planned_sessions",
                                       "still_short"])


def _staff(live: Scenario, log: _Log) -> pd.DataFrame:
    """Each person's logged work."""
    count: dict[str, Counter] = defaultdict(Counter)
    for by_task in log.visits.values():
        for task, people in by_task.items():
            for person, n in people.items():
                count[person][task] += n
    rows = [{"staff_id": p.staff_id, "name": p.name, "role": p.role, "venue_id": p.venue_id,
             "units_set_up": log.deployed_by[p.staff_id], "patrols": count[p.staff_id]["patrol"],
             "sweeps": count[p.staff_id]["sweep"], "cleanups": count[p.staff_id]["cleanup"]}
            for p in live.staff.values()]
    return pd.DataFrame(rows, columns=["staff_id", "name", "role", "venue_id", "units_set_up",
                                       "patrols", "sweeps", "cleanups"])


def _incidents(scenario: Scenario, live: Scenario, events: list[Event]) -> pd.DataFrame:
    """What happened, in log order: ad-hoc sessions, cancellations, overruns, faults,
    restorations, people off duty, boosters."""
    rows = []
    for e in events:
        if e.type not in INCIDENTS:
            continue
        zh, en = e.kind.describe(scenario, live, e)
        rows.append({"at": _clock(e.at), "type": e.type, "detail": zh, "detail_en": en,
                     "who": e.who})
    return pd.DataFrame(rows, columns=["at", "type", "detail", "detail_en", "who"])


def _voided(scenario: Scenario, events: list[Event]) -> pd.DataFrame:
    """Each voided entry: its number, type, time and content, who logged it, and who
    voided it, when and why."""
    numbered = {e.seq: e for e in events}
    rows = []
    for e in events:
        if e.type != "void" or e["voids"] not in numbered:
            continue
        old = numbered[e["voids"]]
        zh, en = old.kind.describe(scenario, scenario, old)  # without words: its fields
        rows.append({"seq": e["voids"], "type": old.type, "at": _clock(old.at), "detail": zh,
                     "detail_en": en, "who": old.who, "voided_by": e.who,
                     "voided_at": _clock(e.at), "reason": str(e["reason"])})
    return pd.DataFrame(rows, columns=["seq", "type", "at", "detail", "detail_en", "who",
                                       "voided_by", "voided_at", "reason"])


def _by_day_venue(live: Scenario, sessions: pd.DataFrame, paper: pd.DataFrame,
                  documents: pd.DataFrame) -> pd.DataFrame:
    on = sessions[sessions.status != "unknown"].assign(
        held=lambda f: f.status == "held")  # a cancelled session's work before it counts
    keys = ["day", "venue_id"]
    work = on.groupby(keys).agg(
        sessions_held=("held", "sum"), sessions_served=("served", "sum"),
        jammer_deployments=("jammers_done", "sum"),
        cabinet_unit_deployments=("cabinet_units_done", "sum"),
        patrols=("patrols_done", "sum"), sweeps=("sweep_done", "sum"),
        cleanups=("cleanup_done", "sum"))
    kg = paper.groupby(keys).kg.sum().rename("paper_kg")
    docs = documents.groupby(keys).at.count().rename("documents_found")
    table = work.join(kg, how="outer").join(docs, how="outer").fillna(0).reset_index()
    whole = [c for c in table.columns if c not in (*keys, "paper_kg")]
    table[whole] = table[whole].astype(int)
    table["paper_kg"] = table.paper_kg.astype(float).round(1)
    table.insert(2, "venue", [live.venues[v].name for v in table.venue_id])
    return table.sort_values(keys).reset_index(drop=True)


def _figure_table(figures: dict, planned: dict) -> pd.DataFrame:
    rows = [{"figure": key, "name": zh, "name_en": en, "actual": figures[key],
             "planned": planned.get(key)} for key, (zh, en) in FIGURES.items()]
    return pd.DataFrame(rows)


# -- the summary paragraph ------------------------------------------------------------------------
def tonnes_zh(kg: float) -> str:
    """The weight as the bureau says it: 近5吨 just under, 逾5吨 just over, else 5.6吨."""
    t = kg / 1000
    if t < 1:
        return f"{kg:,.1f}千克"
    whole = round(t)
    if whole - 0.25 <= t < whole and whole - t >= 0.005:
        return f"近{whole}吨"
    if whole < t <= whole + 0.25 and t - whole >= 0.005:
        return f"逾{whole}吨"
    return f"{t:.1f}吨" if abs(t - whole) >= 0.005 else f"{whole}吨"


def _levels(by_level: dict, lang: str) -> str:
    found = [(vocab.display(vocab.LEVELS, level, lang), n) for level, n in by_level.items() if n]
    if lang == "en":
        return ", ".join(f"{n} {name}" for name, n in found)
    return "、".join(f"{name}{n}件" for name, n in found)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'} {'was' if n == 1 else 'were'}"


def paragraph(f: dict, lang: str) -> str:
    """The summary in the bureau's words (seed 000), filled from the log."""
    levels = _levels(f["documents_by_level"], lang)
    if lang == "en":
        text = (f"During the congress the team supported {f['sessions_served']:,} sessions "
                f"of all kinds ({f['sessions_adhoc']:,} of them ad hoc), deployed signal "
                f"jammers {f['jammer_deployments']:,} times and phone-shielding cabinet units "
                f"{f['cabinet_unit_deployments']:,} times, made {f['patrols']:,} patrols and "
                f"swept the rooms before {f['sweeps']:,} sessions. At each recess the room was "
                f"cleaned up and checked ({f['cleanups']:,} clean-ups) and papers for "
                f"destruction were recovered: {f['paper_tonnes']:.2f} tonnes "
                f"({f['paper_kg']:,.1f} kg) in all. The secrecy team found "
                f"{f['documents_found']:,} classified and internal documents lost by delegates "
                f"and staff" + (f" ({levels})" if levels else "") + ".")
        if f["destroyed_kg"]:
            text += (f" After the congress, {f['destroyed_kg']:,.1f} kg of recovered paper were "
                     "destroyed under supervision")
            text += (f"; {f['pending_kg']:,.1f} kg await destruction." if f["pending_kg"]
                     else ".")
        elif f["paper_kg"]:
            text += f" {f['pending_kg']:,.1f} kg of recovered paper await destruction."
        if f["unit_faults"] or f["boosters_found"]:
            text += (f" {_count(f['unit_faults'], 'equipment fault')} reported and "
                     f"{_count(f['boosters_found'], 'signal booster')} found next to "
                     "meeting rooms.")
        return text
    paper = tonnes_zh(f["paper_kg"]) + (f"（{f['paper_kg']:,.1f}千克）"
                                        if f["paper_kg"] >= 1000 else "")
    text = (f"大会期间，完成各类会议技术服务保障{f['sessions_served']:,}场次"
            f"（其中临时会议{f['sessions_adhoc']:,}场次），为各会场配备信号干扰设备"
            f"{f['jammer_deployments']:,}台次、手机屏蔽柜{f['cabinet_unit_deployments']:,}节次，"
            f"开展巡查{f['patrols']:,}次、会前安全检测{f['sweeps']:,}场次。每次会议休会时，"
            f"对会场进行清理检查（共{f['cleanups']:,}场次），回收待销毁文件，共回收文件资料"
            f"{paper}。保密组在会议期间发现代表及工作人员遗失涉密及内部文件"
            f"{f['documents_found']:,}件" + (f"（其中{levels}）" if levels else "") + "。")
    if f["destroyed_kg"]:
        text += f"会议结束后，将回收的文件资料{f['destroyed_kg']:,.1f}千克监督销毁"
        text += (f"，尚有{f['pending_kg']:,.1f}千克待销毁。" if f["pending_kg"] else "。")
    elif f["paper_kg"]:
        text += f"回收的文件资料{f['pending_kg']:,.1f}千克待监督销毁。"
    if f["unit_faults"] or f["boosters_found"]:
        text += (f"会议期间报告设备故障{f['unit_faults']:,}台次，"
                 f"发现会场附近信号放大器{f['boosters_found']:,}处。")
    return text
