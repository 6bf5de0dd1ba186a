"""The independent feasibility checker: ``python -m planner verify SCENARIO PLAN_DIR``.

It reads an exported plan as text and re-checks every rule of the contract
against the scenario, without the model (it imports nothing from
``planner.solve.orchestrate`` or ``planner.solve.greedy``): units in one room at a time and only
where they are, moves long enough and carried by someone doing a move then,
people doing one task at a time inside their shifts with travel between venues,
patrols inside and spread over their sessions, sweeps and clean-ups in their
windows, bag sets with one holder at a time, and coverage.csv and summary.json
telling the truth.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from planner import limits
from planner.errors import PlannerBug, Problems
from planner.io.plan_files import fill_folder, plan_files, read_rows
from planner.model.plan import Plan
from planner.model.requirements import derive, patrol_spans
from planner.model.scenario import Scenario
from planner.model.tasks import cleanup_crew, sweep_crew
from planner.model.times import parse_time

PLAN_FILES = {
    "assignments": ["item_id", "item_type", "session_id", "room_id", "start", "end"],
    "moves": ["item_id", "from_room_id", "to_room_id", "depart", "arrive", "staff_id"],
    "staff_tasks": ["staff_id", "task", "session_id", "room_id", "start", "end"],
    "bags": ["bag_set_id", "holder_id", "start", "end"],
    "coverage": ["session_id", "jammers_required", "jammers_assigned", "cabinet_units_required",
                 "cabinet_units_assigned", "patrols_required", "patrols_assigned", "sweep_done",
                 "cleanup_done", "covered", "shortfall_reason"],
}
SUMMARY_KEYS = ["sessions", "sessions_covered", "jammer_deployments", "cabinet_unit_deployments",
                "patrols", "sweeps", "cleanups", "moves", "solver_status", "objective",
                "best_bound", "solve_seconds"]
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Violation:
    file: str
    row: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}{f' row {self.row}' if self.row else ''}: {self.message}"


class Checker:
    def __init__(self, scenario: Scenario, folder: Path) -> None:
        self.s = scenario
        self.folder = folder
        self.violations: list[Violation] = []
        self.checks = 0
        self.move_from: dict[tuple[str, dt.datetime], str] = {}

    def bad(self, file: str, row: int | None, message: str) -> None:
        self.violations.append(Violation(file, row, message))

    def ok(self, condition: bool, file: str, row: int | None, message: str) -> bool:
        self.checks += 1
        if not condition:
            self.bad(file, row, message)
        return condition

    # -- reading --------------------------------------------------------------------------------
    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        path = self.folder / f"{name}.csv"
        if not path.exists():
            self.bad(f"{name}.csv", None, "file missing")
            return []
        rows = read_rows(self.folder, name)
        if rows:
            missing = [c for c in PLAN_FILES[name] if c not in rows[0]]
            if missing:
                self.bad(f"{name}.csv", 1, f"columns missing: {', '.join(missing)}")
                return []
        # a short row has None cells, a long one a None key: both become plain text
        return [(n + 2, {k: (v if isinstance(v, str) else "") for k, v in r.items()
                         if k is not None}) for n, r in enumerate(rows)]

    def time(self, file: str, row: int, value: str) -> dt.datetime | None:
        t = parse_time(value)
        if t is None:
            self.bad(file, row, f"malformed time {value!r}")
        return t

    # -- geography ------------------------------------------------------------------------------
    def venue(self, place: str) -> str | None:
        if place.startswith("depot:"):
            v = place[len("depot:"):]
            return v if v in self.s.venues else None
        room = self.s.rooms.get(place)
        return room.venue_id if room else None

    def travel(self, a: str, b: str) -> float:
        return 0 if a == b else self.s.network.travel_minutes(a, b)

    def move_needs(self, a: str, b: str) -> float:
        r = self.s.rules
        return r.move_within_venue_minutes if a == b else self.travel(a, b) + r.loading_minutes

    def on_shift(self, staff_id: str, a: dt.datetime, b: dt.datetime) -> bool:
        p = self.s.staff[staff_id]
        for day in (a.date() - dt.timedelta(days=1), a.date()):
            start = dt.datetime.combine(day, p.shift_start)
            end = dt.datetime.combine(day, p.shift_end)
            if end <= start:
                end += dt.timedelta(days=1)
            if start <= a and b <= end:
                return True
        return False

    # -- the checks -----------------------------------------------------------------------------
    def run(self) -> list[Violation]:
        self.req = derive(self.s)
        self.room_free: dict[str, dt.datetime] = {}
        ends: dict[str, dt.datetime] = {}
        for s in sorted(self.s.sessions.values(), key=lambda s: s.start):
            self.room_free[s.session_id] = ends.get(s.room_id, dt.datetime.min)
            ends[s.room_id] = max(ends.get(s.room_id, dt.datetime.min), s.end)
        self.check_assignments()
        self.check_staff_tasks()
        self.check_moves()
        self.check_unit_paths()
        self.check_bags()
        self.check_coverage()
        self.check_summary()
        return self.violations

    def check_assignments(self) -> None:
        f = "assignments.csv"
        setup = dt.timedelta(minutes=self.s.rules.setup_minutes)
        self.assigned: dict[tuple[str, str], int] = defaultdict(int)
        self.unit_busy: dict[str, list[tuple[dt.datetime, dt.datetime, str, int]]] = \
            defaultdict(list)
        for n, r in self.rows("assignments"):
            item = self.s.items.get(r["item_id"])
            session = self.s.sessions.get(r["session_id"])
            start, end = self.time(f, n, r["start"]), self.time(f, n, r["end"])
            if not self.ok(item is not None, f, n, f"unknown unit {r['item_id']}"):
                continue
            assert item is not None  # ok() returns its condition
            self.ok(item.item_type == r["item_type"], f, n,
                    f"{item.item_id} is a {item.item_type}, not a {r['item_type']}")
            self.ok(item.item_type in ("jammer", "cabinet_unit"), f, n,
                    f"{item.item_id} is not a jammer or cabinet unit")
            failed = self.s.failed_since.get(item.item_id)
            # a unit that failed during the congress served until then: that is history
            self.ok(item.status == "ok" or (failed is not None and start is not None
                                            and start < failed),
                    f, n, f"{item.item_id} is in {item.status}")
            if not self.ok(session is not None, f, n, f"unknown session {r['session_id']}"):
                continue
            assert session is not None
            self.ok(r["room_id"] == session.room_id, f, n,
                    f"session {session.session_id} is in {session.room_id}, not {r['room_id']}")
            if start and end:
                self.ok(start <= session.start - setup and end >= session.end, f, n,
                        f"{item.item_id} must be in the room from {session.start - setup:%H:%M} "
                        f"to {session.end:%H:%M}, plan says {start:%H:%M}–{end:%H:%M}")
                self.unit_busy[item.item_id].append((start, end, session.room_id, n))
            self.assigned[item.item_type, session.session_id] += 1
        for unit, spans in self.unit_busy.items():
            spans.sort()
            for (_a1, b1, r1, n1), (a2, _b2, r2, n2) in itertools.pairwise(spans):
                # in the same room a unit simply stays on for the next session
                self.ok(a2 >= b1 or r1 == r2, f, n2, f"{unit} is in {r1} until "
                        f"{b1:%m-%d %H:%M} (row {n1}) and in {r2} from {a2:%m-%d %H:%M}: "
                        "two rooms at once")

    def check_staff_tasks(self) -> None:
        f = "staff_tasks.csv"
        rules = self.s.rules
        self.tasks_of: dict[str, list[tuple[dt.datetime, dt.datetime, str, str, int]]] = \
            defaultdict(list)
        self.valid: dict[tuple[str, str], list[tuple[dt.datetime, str]]] = defaultdict(list)
        self.move_tasks: dict[tuple[str, dt.datetime], tuple[dt.datetime, str, int]] = {}
        for n, r in self.rows("staff_tasks"):
            p, task, sid, room = r["staff_id"], r["task"], r["session_id"], r["room_id"]
            a, b = self.time(f, n, r["start"]), self.time(f, n, r["end"])
            if not (self.ok(p in self.s.staff, f, n, f"unknown staff {p}") and a and b):
                continue
            if not self.ok(task in ("sweep", "patrol", "cleanup", "move", "collect"), f, n,
                           f"unknown task {task!r}"):
                continue
            self.ok(b > a, f, n, "the task ends before it starts")
            self.ok(self.on_shift(p, a, b), f, n,
                    f"{p} is not on shift {a:%m-%d %H:%M}–{b:%H:%M}")
            for off, back in self.s.unavailable.get(p, []):
                # reported off duty at ``off``: work begun by then was under way
                self.ok(not off < a < back, f, n,
                        f"{p} is unavailable {off:%m-%d %H:%M}–{back:%H:%M}")
            session = self.s.sessions.get(sid)
            if task == "move" and session is None and self.was_on(sid, a):
                self.move_tasks[p, a] = (b, room, n)  # units already on their way when the
                self.tasks_of[p].append((a, b, task, room, n))  # session was cancelled
                continue
            if not self.ok(session is not None, f, n, f"unknown session {sid}"):
                continue
            assert session is not None  # ok() returns its condition
            if task == "move":
                self.move_tasks[p, a] = (b, room, n)
                self.tasks_of[p].append((a, b, task, room, n))
                continue
            self.ok(room == session.room_id, f, n, f"{sid} is in {session.room_id}, not {room}")
            self.tasks_of[p].append((a, b, task, session.room_id, n))
            minutes = (b - a) / MINUTE
            if task == "patrol":
                lo, hi, _n, _offset = self.patrol_span(session, a)
                length = min(rules.patrol_minutes, (hi - lo) / MINUTE)
                good = (self.ok(minutes >= length, f, n, f"a patrol lasts {length:g} min")
                        & self.ok(a >= session.start and b <= session.end, f, n,
                                  f"patrol {a:%H:%M}–{b:%H:%M} is not inside the session "
                                  f"{session.start:%H:%M}–{session.end:%H:%M}"))
            elif task == "sweep":
                busy_until = self.room_free_from(session)
                good = (self.ok(minutes >= rules.sweep_minutes, f, n,
                                f"a sweep lasts {rules.sweep_minutes} min")
                        & self.ok(a >= busy_until, f, n, f"the sweep starts at {a:%H:%M} while "
                                  f"the room's previous session runs until {busy_until:%H:%M}")
                        & self.ok(session.start - rules.sweep_lead_minutes * MINUTE <= b
                                  <= session.start, f, n,
                                  f"the sweep must end by {session.start:%H:%M} and not before "
                                  f"{session.start - rules.sweep_lead_minutes * MINUTE:%H:%M}"))
            elif task == "cleanup":
                good = (self.ok(minutes >= rules.cleanup_minutes, f, n,
                                f"a clean-up lasts {rules.cleanup_minutes} min")
                        & self.ok(session.end <= a <= session.end
                                  + rules.cleanup_window_minutes * MINUTE, f, n,
                                  f"the clean-up must start within {rules.cleanup_window_minutes}"
                                  f" min of the end {session.end:%H:%M}"))
            else:  # collect
                good = (self.ok(minutes >= rules.collect_minutes, f, n,
                                f"a collection lasts {rules.collect_minutes} min")
                        & self.ok(session.end <= a <= session.end
                                  + rules.collect_window_minutes * MINUTE, f, n,
                                  "the bags must be collected within "
                                  f"{rules.collect_window_minutes} min of the end"))
            if good:
                self.valid[task, sid].append((a, p))
        self.check_patrol_spread()

    def was_on(self, session_id: str, at: dt.datetime) -> bool:
        """The session was cancelled after ``at``: work for it until then happened."""
        cancelled = self.s.cancelled.get(session_id)
        return cancelled is not None and at <= cancelled

    def room_free_from(self, session) -> dt.datetime:
        """When the room's previous session ends (a sweep during it would be worthless)."""
        return self.room_free[session.session_id]

    def patrol_span(self, session, at: dt.datetime) -> tuple[dt.datetime, dt.datetime, int, int]:
        """The stretch of the session a patrol at ``at`` belongs to: the planned span, or
        the overrun of a session that ran over (from, to, patrols there, patrols before)."""
        spans = patrol_spans(session, self.req[session.session_id].patrols, self.s.rules)
        offset = 0
        for lo, hi, n in spans[:-1]:
            if at < hi:
                return lo, hi, n, offset
            offset += n
        lo, hi, n = spans[-1]
        return lo, hi, n, offset

    def check_patrol_spread(self) -> None:
        rules = self.s.rules
        for (task, sid), done in self.valid.items():
            if task != "patrol":
                continue
            s = self.s.sessions[sid]
            stretches = []
            for a, _p in done:
                lo, hi, n, offset = self.patrol_span(s, a)
                span = (hi - lo) / MINUTE / max(1, n)
                if span < min(rules.patrol_minutes, (hi - lo) / MINUTE):
                    continue  # too short to spread
                stretches.append(offset + min(n - 1, int((a - lo) / MINUTE // span)))
            self.ok(len(set(stretches)) == len(stretches), "staff_tasks.csv", None,
                    f"the patrols of {sid} are not spread: two fall in the same stretch")

    def check_moves(self) -> None:
        f = "moves.csv"
        self.unit_moves: dict[str, list[tuple[dt.datetime, dt.datetime, str, str, int]]] = \
            defaultdict(list)
        self.move_session: dict[int, str] = {}
        for n, r in self.rows("moves"):
            a, b = self.time(f, n, r["depart"]), self.time(f, n, r["arrive"])
            unit, p = r["item_id"], r["staff_id"]
            src, dst = self.venue(r["from_room_id"]), self.venue(r["to_room_id"])
            if not (self.ok(unit in self.s.items, f, n, f"unknown unit {unit}")
                    & self.ok(src is not None, f, n, f"unknown place {r['from_room_id']}")
                    & self.ok(dst is not None, f, n, f"unknown place {r['to_room_id']}")
                    & self.ok(p in self.s.staff, f, n, f"unknown staff {p}")) or not (a and b):
                continue
            assert src is not None and dst is not None  # ok() returns its condition
            need = self.move_needs(src, dst)
            self.ok((b - a) / MINUTE >= need - 1e-6, f, n,
                    f"moving {unit} from {r['from_room_id']} to {r['to_room_id']} takes "
                    f"{need:g} min, plan gives {(b - a) / MINUTE:g}")
            task = self.move_tasks.get((p, a))
            self.ok(task is not None and task[0] == b and task[1] == r["to_room_id"], f, n,
                    f"{p} has no move task {a:%H:%M}–{b:%H:%M} to {r['to_room_id']} in "
                    "staff_tasks.csv")
            if task is not None:
                self.move_from[p, a] = src
            self.unit_moves[unit].append((a, b, r["from_room_id"], r["to_room_id"], n))
            self.move_session[n] = r.get("session_id", "")
        for (p, a), (_b, room, n) in self.move_tasks.items():
            self.ok((p, a) in self.move_from, "staff_tasks.csv", n,
                    f"{p}'s move at {a:%H:%M} to {room} carries no unit in moves.csv")
        self.check_people()

    def check_people(self) -> None:
        f = "staff_tasks.csv"
        for p, items in self.tasks_of.items():
            items.sort()
            for (_a1, b1, t1, r1, n1), (a2, _b2, t2, r2, n2) in itertools.pairwise(items):
                self.ok(a2 >= b1, f, n2, f"{p} is still busy ({t1}, row {n1}) until {b1:%H:%M}")
                here = self.venue(r1)
                there = self.move_from.get((p, a2), self.venue(r2)) if t2 == "move" else (
                    self.venue(r2))
                if here and there and here != there:
                    need = self.travel(here, there)
                    self.ok((a2 - b1) / MINUTE >= need - 1e-6, f, n2,
                            f"{p} cannot get from {here} to {there} in "
                            f"{(a2 - b1) / MINUTE:g} min (needs {need:g})")

    def check_unit_paths(self) -> None:
        """Each unit starts at its depot and is only ever where its moves took it."""
        f = "moves.csv"
        for unit, spans in self.unit_busy.items():
            item = self.s.items[unit]
            where = f"depot:{item.venue_id}"
            free_at = dt.datetime.min
            kind_before, last_room = None, None
            events = sorted([(a, 1, "serve", r, b, n) for a, b, r, n in spans]
                            + [(a, 0, "move", (src, dst), b, n)
                               for a, b, src, dst, n in self.unit_moves.get(unit, [])])
            for a, _o, kind, what, b, n in events:
                if kind == "move":
                    assert isinstance(what, tuple)  # a move's place is (from, to)
                    src, dst = what
                    self.ok(src == where, f, n, f"{unit} is at {where}, not {src}")
                    self.ok(a >= free_at, f, n, f"{unit} leaves before its session ends")
                    where, free_at = dst, b
                else:
                    self.ok(what == where, "assignments.csv", n,
                            f"{unit} is at {where} when it should serve in {what}")
                    if not (kind_before == "serve" and what == last_room):
                        self.ok(a >= free_at, "assignments.csv", n,
                                f"{unit} arrives at {free_at:%H:%M}, after it is needed")
                    free_at = max(free_at, b)
                kind_before, last_room = kind, what if kind == "serve" else None
        for unit in set(self.unit_moves) - set(self.unit_busy):
            for a, _b, _src, _dst, n in self.unit_moves[unit]:
                failed = self.s.failed_since.get(unit)
                if not (self.was_on(self.move_session.get(n, ""), a)
                        or (failed is not None and a <= failed)):
                    self.bad(f, n, f"{unit} is moved but serves no session")

    def check_bags(self) -> None:
        f = "bags.csv"
        held: dict[str, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
        for n, r in self.rows("bags"):
            item = self.s.items.get(r["bag_set_id"])
            a, b = self.time(f, n, r["start"]), self.time(f, n, r["end"])
            self.ok(item is not None and item.item_type == "shred_bag_set", f, n,
                    f"{r['bag_set_id']} is not a shred-bag set")
            holder = r["holder_id"]
            self.ok(holder in self.s.groups or (holder.startswith("depot:")
                                                and self.venue(holder) is not None), f, n,
                    f"unknown holder {holder}")
            if a and b and self.ok(b > a, f, n, "ends before it starts"):
                held[r["bag_set_id"]].append((a, b, n))
        for spans in held.values():
            spans.sort()
            for (_a1, b1, _n1), (a2, _b2, n2) in itertools.pairwise(spans):
                self.ok(a2 >= b1, f, n2, "the set has two holders at once")

    def check_coverage(self) -> None:
        f = "coverage.csv"
        listed = self.rows("coverage")
        rows = {r["session_id"]: (n, r) for n, r in listed}
        self.covered = 0
        self.sweeps = self.cleanups = 0
        self.ok(set(rows) == set(self.s.sessions) and len(listed) == len(rows), f, None,
                "coverage.csv must have exactly one row per session")
        collect_due = self.collections_due()
        for sid, (n, r) in rows.items():
            if sid not in self.s.sessions:
                continue
            req, s = self.req[sid], self.s.sessions[sid]
            room = self.s.rooms[s.room_id]
            truth = {
                "jammers_required": req.jammers, "cabinet_units_required": req.cabinet_units,
                "patrols_required": req.patrols,
                "jammers_assigned": self.assigned["jammer", sid],
                "cabinet_units_assigned": self.assigned["cabinet_unit", sid],
                "patrols_assigned": len(self.valid["patrol", sid]),
            }
            for key, value in truth.items():
                self.ok(r[key] == str(value), f, n, f"{key} is {value}, file says {r[key]}")
            # a crew is that many different people
            swept = (len({p for _a, p in self.valid["sweep", sid]})
                     >= sweep_crew(room.area_m2, self.s.rules))
            cleaned = (len({p for _a, p in self.valid["cleanup", sid]})
                       >= cleanup_crew(s.attendees, self.s.rules))
            collected = sid not in collect_due or bool(self.valid["collect", sid])
            self.ok(r["sweep_done"] == _flag(req.sweep and swept), f, n,
                    f"sweep_done should be {_flag(req.sweep and swept)}")
            self.ok(r["cleanup_done"] == _flag(cleaned), f, n,
                    f"cleanup_done should be {_flag(cleaned)}")
            covered = (truth["jammers_assigned"] >= req.jammers
                       and truth["cabinet_units_assigned"] >= req.cabinet_units
                       and truth["patrols_assigned"] >= req.patrols
                       and (swept or not req.sweep) and (cleaned or not req.cleanup)
                       and collected)
            self.ok(r["covered"] == _flag(covered), f, n, f"covered should be {_flag(covered)}")
            self.ok(bool(r["shortfall_reason"].strip()) != covered, f, n,
                    "an uncovered session needs a reason, a covered one none")
            self.covered += covered
            self.sweeps += req.sweep and swept
            self.cleanups += cleaned

    def collections_due(self) -> set[str]:
        last: dict[tuple[str, dt.date], tuple[dt.datetime, str]] = {}
        for s in self.s.sessions.values():
            if s.group_id:
                key = (s.group_id, s.start.date())
                if key not in last or s.end >= last[key][0]:
                    last[key] = (s.end, s.session_id)
        return {sid for _end, sid in last.values()}

    def check_summary(self) -> None:
        f = "summary.json"
        path = self.folder / f
        if not self.ok(path.exists(), f, None, "file missing"):
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in SUMMARY_KEYS:
            self.ok(key in data, f, None, f"{key} missing")
        truth = {
            "sessions": len(self.s.sessions), "sessions_covered": self.covered,
            "jammer_deployments": sum(v for (k, _), v in self.assigned.items() if k == "jammer"),
            "cabinet_unit_deployments": sum(v for (k, _), v in self.assigned.items()
                                            if k == "cabinet_unit"),
            "patrols": sum(len(v) for (k, _), v in self.valid.items() if k == "patrol"),
            "sweeps": self.sweeps, "cleanups": self.cleanups,
            "moves": sum(len(v) for v in self.unit_moves.values()),
        }
        for key, value in truth.items():
            if key in data:
                self.ok(data[key] == value, f, None, f"{key} is {value}, summary says {data[key]}")
        bound, objective = data.get("best_bound"), data.get("objective")
        if isinstance(bound, int | float) and isinstance(objective, int | float):
            self.ok(bound <= objective + 1e-6 and not math.isnan(bound), f, None,
                    "the bound is above the objective")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def readable_plan(folder: str | Path) -> None:
    """Refuse (:class:`~planner.errors.ScenarioError`, naming the file and row) a plan folder
    that cannot be read as one: not a folder, a file missing, too large, not UTF-8, a CSV
    that does not parse, a summary.json that is not a JSON object. A missing moves.csv is
    a damaged folder, not a plan without moves."""
    folder, problems = Path(folder), Problems()
    if not folder.is_dir():
        problems.add(folder.name or str(folder), "not_a_plan", file=str(folder))
        problems.raise_if_any()
    for name in [*(f"{n}.csv" for n in PLAN_FILES), "summary.json"]:
        path = folder / name
        if not path.exists():
            problems.add(name, "missing_file", file=name)
            continue
        data = limits.read_bytes(path, problems, limit=limits.MAX_PLAN_FILE_BYTES)
        if data is None:
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.add(name, "bad_encoding", row=data[:error.start].count(b"\n") + 1)
            continue
        if name == "summary.json":
            try:
                summary = json.loads(text)
            except json.JSONDecodeError as error:
                problems.add(name, "bad_plan_json", row=error.lineno, error=error.msg)
                continue
            except (ValueError, RecursionError) as error:
                problems.add(name, "bad_plan_json", error=str(error))
                continue
            if not isinstance(summary, dict):
                problems.add(name, "bad_plan_json", error="not an object")
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for number, _row in enumerate(reader):
                if limits.too_many_rows(name, number, problems, limits.MAX_PLAN_ROWS):
                    break
        except csv.Error as error:
            problems.add(name, "bad_csv", row=reader.line_num, error=str(error))
    problems.raise_if_any()


def verify(scenario: Scenario, folder: str | Path) -> tuple[list[Violation], int]:
    """Every violation of the contract in the plan folder, and how many checks were made.
    A folder that cannot be read as a plan is refused first (:func:`readable_plan`)."""
    readable_plan(folder)
    checker = Checker(scenario, Path(folder))
    violations = checker.run()
    return violations, checker.checks


class PlanRejected(PlannerBug):
    """The planner made a plan the checker refuses: a bug, reported as one. Such a plan is
    never written or stored; the plan in force stays in force."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} violations, first: {violations[0]}")
        self.violations = violations


def checked_files(plan: Plan, scenario: Scenario,
                  extras: dict[str, tuple[type, list]] | None = None) -> tuple[dict[str, str], int]:
    """The plan's files (:func:`planner.io.plan_files.plan_files`) once the checker has passed them,
    as they will be written or stored, and the number of checks; :class:`PlanRejected`
    otherwise. ``scenario`` is the congress as the log leaves it."""
    files = plan_files(plan, extras)
    with tempfile.TemporaryDirectory(prefix="planner-check-") as tmp:
        fill_folder(Path(tmp), files)
        violations, checks = verify(scenario, tmp)
    if violations:
        raise PlanRejected(violations)
    return files, checks
