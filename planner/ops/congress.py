"""Running a congress from the store: what the dashboard (and any other front end) calls.

The store is the only source of truth: the scenario as imported, every plan version and
the event log. :func:`snapshot` reads them into one consistent view (cached on the log's
length and the plan's version, so several operators polling it cost little);
:func:`log_event` checks an event against the congress and appends it under the log's
lock; :func:`preview_replan` repairs the plan in force after the events logged since it
was made, and :func:`approve` stores the result as the next plan version. Scenario
imports, approvals and account changes go to the audit log with who made them.

The views below answer "where is everything now": sessions in progress, where each unit
stands, who is on duty, the paper recovered against what the rates expect, and each bag
set's chain of custody.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import Problem, Problems, ScenarioError
from planner.events.apply import apply_events, in_force
from planner.events.log import EventChecker, check_events
from planner.io.plan_files import plan_from_files
from planner.io.scenario_files import load_scenario
from planner.io.tables import decode
from planner.io.uploads import save_upload
from planner.live.replan import Replan, replan
from planner.live.store import Store
from planner.model.plan import Plan
from planner.model.scenario import Scenario
from planner.model.times import parse_time
from planner.ops.accounts import at_least, audit
from planner.solve.budget import PLAN_WORK, REPLAN_WORK
from planner.solve.orchestrate import make_plan
from planner.verify import checked_files

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "provincial_congress"
SCENARIO_FILES = (".csv", ".yaml", ".yml")
WORKBOOK = "scenario.xlsx"


# -- scenarios in the store ---------------------------------------------------------------------
def scenario_files(path: str | Path) -> dict[str, str]:
    """A (checked) scenario folder's files as text, whatever encoding Chinese Excel wrote,
    or a workbook as base64 under ``scenario.xlsx``: what the store keeps."""
    path = Path(path)
    if path.is_file():
        return {WORKBOOK: base64.b64encode(path.read_bytes()).decode("ascii")}
    return {f.name: decode(f.read_bytes()) or "" for f in sorted(path.iterdir())
            if f.suffix.lower() in SCENARIO_FILES}


_SCENARIOS: dict[str, Scenario] = {}
_LOCK = threading.Lock()


def _key(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def load_files(files: dict[str, str]) -> Scenario:
    """The scenario from stored files (checked as on import), cached by content."""
    key = _key(files)
    with _LOCK:
        if key in _SCENARIOS:
            return _SCENARIOS[key]
    with tempfile.TemporaryDirectory(prefix="scenario-") as tmp:
        folder = Path(tmp) / "scenario"
        folder.mkdir()
        if WORKBOOK in files:
            path = folder / WORKBOOK
            path.write_bytes(base64.b64decode(files[WORKBOOK]))
        else:
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
            path = folder
        scenario = load_scenario(path)
    with _LOCK:
        _SCENARIOS[key] = scenario
    return scenario


def import_scenario(store: Store, path: str | Path, who: str, time_limit: float = PLAN_WORK,
                    method: str = "cpsat") -> tuple[str, int]:
    """Check a scenario (folder or workbook), store it and its first plan; returns
    (name, plan version). Raises :class:`planner.errors.ScenarioError` on bad input,
    with nothing stored."""
    scenario = load_scenario(path)  # bad input is refused here, naming the file and row
    _fits_the_log(store, scenario)
    files = scenario_files(path)
    with _LOCK:  # the same files read back later are this scenario: not read twice
        _SCENARIOS[_key(files)] = scenario
    plan = make_plan(scenario, time_limit=time_limit, method=method)
    files_of_scenario = files
    files, _checks = checked_files(plan, scenario)  # a plan the checker refuses is not stored
    store.save_scenario(scenario.name, files_of_scenario, who)
    version = store.save_plan(scenario.name, files, who, store.head(scenario.name)[0],
                              note="plan made on import")
    audit(store, who, "scenario_imported", scenario=scenario.name, plan_version=version)
    return scenario.name, version


def import_upload(store: Store, data: bytes, client_name: str, who: str,
                  time_limit: float = PLAN_WORK) -> tuple[str, int]:
    """A scenario uploaded through the dashboard (an .xlsx, or a .zip of a folder), saved
    and unpacked safely (:mod:`planner.io.uploads`) in a folder of its own, then imported."""
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        return import_scenario(store, save_upload(data, client_name, Path(tmp)), who,
                               time_limit)


def _fits_the_log(store: Store, scenario: Scenario) -> None:
    """A scenario stored under a congress's name must still fit every entry of that
    congress's event log; another congress of the same name is refused, never laid on top
    of the first one's log."""
    logged = [(e.seq, {"at": e.at, "type": e.type, **e.payload})
              for e in store.entries(scenario.name)]
    if not logged:
        return
    problems = Problems()
    check_events(scenario, logged, f"{scenario.name} events", problems)
    if problems.items:
        raise ScenarioError([Problem("scenario.yaml", "log_mismatch",
                                     params={"name": scenario.name,
                                             "n": len({p.row for p in problems.items})}),
                             *problems.items])


def bootstrap(store: Store, source: str | Path = REFERENCE, who: str = "system",
              time_limit: float = PLAN_WORK) -> str:
    """The congress to show: the first stored one, or the bundled reference imported and
    planned now (the dashboard's first start)."""
    names = store.scenario_names()
    if names:
        return names[0]
    name, _version = import_scenario(store, source, who, time_limit)
    return name


# -- one consistent view ------------------------------------------------------------------------
@dataclass
class Snapshot:
    name: str
    scenario: Scenario
    events: list[dict]              # the log in force, in order, each with seq and who
    seq: int                        # the last entry's number
    version: int                    # the plan in force
    plan: Plan
    live: Scenario                  # the scenario with the log applied
    versions: list[dict] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)  # every entry, voided ones and voids too

    @property
    def after_event(self) -> int:
        """The last log entry the plan in force was made after."""
        return next((v["after_event"] for v in self.versions if v["version"] == self.version),
                    0)

    def since_plan(self) -> list[dict]:
        return [e for e in self.events if e["seq"] > self.after_event]


_SNAPSHOTS: dict[tuple, Snapshot] = {}


def snapshot(store: Store, name: str) -> Snapshot:
    seq, _hash = store.head(name)
    versions = store.plan_versions(name)
    version = versions[-1]["version"] if versions else 0
    key = (store.url, name, seq, version)
    with _LOCK:
        if key in _SNAPSHOTS:
            return _SNAPSHOTS[key]
    files = store.latest_scenario(name)
    assert files is not None, f"no scenario stored for {name}"
    scenario = load_files(files)
    entries = [e.line() for e in store.entries(name)]
    events = in_force(entries)  # a voided entry counts for nothing in any view
    stored = store.plan(name, version)
    plan = plan_from_files(stored[1]) if stored else Plan()
    snap = Snapshot(name, scenario, events, entries[-1]["seq"] if entries else 0, version, plan,
                    apply_events(scenario, events), versions, entries)
    with _LOCK:
        if len(_SNAPSHOTS) > 16:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = snap
    return snap


def log_event(store: Store, name: str, event: dict, who: str) -> int:
    """Check one event against the congress as logged so far and append it; returns its
    number. Raises :class:`planner.errors.ScenarioError` naming the problem, and
    PermissionError when someone other than an active commander voids an entry."""
    if event.get("type") == "void":
        user = store.user(who)
        if user is None or not user.active or not at_least(user.role, "commander"):
            raise PermissionError(f"only a commander may void an entry, and {who} is not one")
    files = store.latest_scenario(name)
    assert files is not None, f"no scenario stored for {name}"
    scenario = load_files(files)

    def checked(logged: list[dict]) -> list[dict]:
        problems = Problems()
        if EventChecker(scenario, logged).check(event, "event", len(logged) + 1, problems):
            return [event]
        problems.raise_if_any()
        return []

    return store.append(name, [], who, check=checked)[-1].seq


def preview_replan(snap: Snapshot, at: dt.datetime | None = None, time_limit: float = REPLAN_WORK
                   ) -> Replan:
    """The plan in force repaired after every event logged (up to ``at``); not stored."""
    return replan(snap.scenario, snap.plan, snap.events, now=at, time_limit=time_limit)


def approve(store: Store, snap: Snapshot, result: Replan, who: str) -> int:
    """Store a re-plan previewed on ``snap`` as the next plan version: refused if another
    version was approved or another event logged since (the preview no longer holds)."""
    versions = store.plan_versions(snap.name)
    if versions and versions[-1]["version"] != snap.version:
        raise RuntimeError(f"plan version {versions[-1]['version']} was approved meanwhile")
    if store.head(snap.name)[0] != snap.seq:
        raise RuntimeError(f"events were logged after entry {snap.seq}: preview again")
    files, _checks = checked_files(result.plan, result.live, result.extras())
    version = store.save_plan(snap.name, files, who, snap.seq, note=result.note)
    audit(store, who, "plan_approved", scenario=snap.name, version=version,
          after_event=snap.seq, changes=len(result.changes))
    return version


# -- where everything is ------------------------------------------------------------------------
def congress_clock(snap: Snapshot, wall: dt.datetime | None = None) -> dt.datetime:
    """'Now' for the views: the wall clock during the congress; otherwise the latest
    logged time, or an hour before the first session."""
    wall = wall or dt.datetime.now().replace(second=0, microsecond=0)
    sessions = snap.live.sessions.values()
    if sessions:
        first = min(s.start for s in sessions)
        last = max(s.end for s in sessions)
        if first - dt.timedelta(hours=6) <= wall <= last + dt.timedelta(hours=12):
            return wall
    times = [t for t in (parse_time(str(e["at"])) for e in snap.events) if t]
    if times:
        return max(times)
    return (min(s.start for s in sessions) - dt.timedelta(hours=1)) if sessions else wall


def in_progress(live: Scenario, at: dt.datetime) -> list:
    return [s for s in live.sessions.values() if s.start <= at < s.end]


def units_at(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each jammer and cabinet unit at ``at``: in a room (for which session), on the
    move, standing in a room after its session, at a depot, or failed."""
    plan, live = snap.plan, snap.live
    rows = []
    marks: dict[str, list] = {}
    for a in plan.assignments:
        marks.setdefault(a.item_id, []).append((a.start, a.end, "room", a.room_id, a.session_id))
    for m in plan.moves:
        marks.setdefault(m.item_id, []).append((m.depart, m.arrive, "moving", m.to_room_id,
                                                m.session_id))
    for item in live.items.values():
        if item.item_type == "shred_bag_set":
            continue
        state, where, session = "depot", f"depot:{item.venue_id}", ""
        for start, end, kind, place, sid in sorted(marks.get(item.item_id, [])):
            if start > at:
                break
            if start <= at < end:
                state, where, session = kind, place, sid
            else:  # over: it stands where it went
                state, where, session = ("depot" if place.startswith("depot:") else "idle",
                                         place, "")
        failed = live.failed_since.get(item.item_id)
        if item.status == "maintenance" and (failed is None or failed <= at):
            state = "failed"
        venue = where.removeprefix("depot:") if where.startswith("depot:") else (
            live.rooms[where].venue_id if where in live.rooms else "")
        rows.append({"item_id": item.item_id, "item_type": item.item_type, "state": state,
                     "venue_id": venue, "where": where, "session_id": session})
    return pd.DataFrame(rows, columns=["item_id", "item_type", "state", "venue_id", "where",
                                       "session_id"])


def on_duty(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each person: on shift or not, off duty as logged, and the order in hand."""
    live = snap.live
    doing = {t.staff_id: t for t in snap.plan.staff_tasks if t.start <= at < t.end}
    rows = []
    minute = dt.timedelta(minutes=1)
    for p in live.staff.values():
        away = any(a <= at < b for a, b in live.unavailable.get(p.staff_id, []))
        task = doing.get(p.staff_id)
        rows.append({"staff_id": p.staff_id, "name": p.name, "role": p.role,
                     "venue_id": p.venue_id, "on_shift": p.on_shift(at, at + minute), "away": away,
                     "task": task.task if task else "",
                     "session_id": task.session_id if task else "",
                     "room_id": task.room_id if task else ""})
    return pd.DataFrame(rows)


def expected_paper(live: Scenario) -> pd.DataFrame:
    """Per session: the paper the rehearsal's rates expect (kg = attendees × hours × the
    rate for its kind), by the session's end, venue and day."""
    rows = [{"session_id": s.session_id, "end": s.end, "day": str(s.start.date()),
             "venue_id": live.venue_of(s.room_id), "kg": live.disruptions.paper_kg(s)}
            for s in live.sessions.values()]
    return pd.DataFrame(rows, columns=["session_id", "end", "day", "venue_id", "kg"])


def weighed(snap: Snapshot) -> pd.DataFrame:
    rows = [{"at": parse_time(str(e["at"])), "bag_set_id": e["bag_set_id"],
             "venue_id": e["venue_id"], "kg": float(e["kg"]),
             "session_id": e.get("session_id", ""), "who": e.get("who", "")}
            for e in snap.events if e["type"] == "bag_weighed"]
    frame = pd.DataFrame(rows, columns=["at", "bag_set_id", "venue_id", "kg", "session_id",
                                        "who"])
    frame["day"] = [str(t.date()) for t in frame["at"]]
    return frame


OVERDUE = dt.timedelta(hours=2)  # a collection with no weighing this long after it is late


def bag_custody(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each bag set's chain by ``at``: issued (to whom, when) → collected (the plan's
    last collection from its holder) → weighed (logged) → destroyed (a destruction logged
    after the last weighing, at the venue where it was weighed or at the destruction site
    nearest to it, where paper from there is taken).

    Bags are weighed when a room is cleaned up, which may come a little before the
    holder's collection: a collection is overdue when two hours have passed since it and
    none of the holder's bags was weighed from two hours before it on."""
    live, plan = snap.live, snap.plan
    collections: dict[str, list[dt.datetime]] = {}
    for task in plan.staff_tasks:
        if task.task == "collect" and task.session_id in live.sessions:
            holder = live.sessions[task.session_id].group_id
            collections.setdefault(holder, []).append(task.end)
    weighings: dict[str, list[tuple[dt.datetime, float, str]]] = {}
    burnt_at: dict[str, list[dt.datetime]] = {}  # venue -> destructions
    for e in snap.events:
        t = parse_time(str(e["at"]))
        assert t is not None  # a logged event's time was checked when it was logged
        if t > at:
            continue
        if e["type"] == "bag_weighed":
            weighings.setdefault(e["bag_set_id"], []).append((t, float(e["kg"]),
                                                              e["venue_id"]))
        elif e["type"] == "destroyed":
            burnt_at.setdefault(e["venue_id"], []).append(t)
    holder_weighed: dict[str, list[dt.datetime]] = {}
    for b in plan.bags:
        holder_weighed.setdefault(b.holder_id, []).extend(
            t for t, _kg, _v in weighings.get(b.bag_set_id, []))
    rows = []
    for b in plan.bags:
        if b.start > at:
            continue
        mine = weighings.get(b.bag_set_id, [])
        done = [t for t in collections.get(b.holder_id, []) if t <= at]
        last_collect = max(done) if done else None
        last_weigh, _kg, venue = max(mine) if mine else (None, 0.0, "")
        overdue = bool(last_collect and at - last_collect > OVERDUE
                       and not any(t >= last_collect - OVERDUE
                                   for t in holder_weighed.get(b.holder_id, [])))
        burnt = last_weigh is not None and any(
            t >= last_weigh for site in {venue, live.destruction_site(venue)}
            for t in burnt_at.get(site, []))
        state = ("destroyed" if burnt else "overdue" if overdue else
                 "weighed" if last_weigh is not None else
                 "collected" if last_collect else "issued")
        rows.append({"bag_set_id": b.bag_set_id, "holder_id": b.holder_id,
                     "issued": b.start, "collected": last_collect, "weighed": last_weigh,
                     "kg": round(sum(kg for _t, kg, _v in mine), 1), "state": state,
                     "overdue": overdue})
    return pd.DataFrame(rows, columns=["bag_set_id", "holder_id", "issued", "collected",
                                       "weighed", "kg", "state", "overdue"])


def orders(snap: Snapshot, day: dt.date) -> pd.DataFrame:
    """Everyone's orders that day (and time logged off duty, as task ``away``): who,
    what, for which session, where, when, and for moves which units from where to where."""
    live, plan = snap.live, snap.plan
    lo = dt.datetime.combine(day, dt.time(0))
    hi = lo + dt.timedelta(days=1)
    carried: dict[tuple[str, dt.datetime], list[str]] = {}
    for m in plan.moves:
        carried.setdefault((m.staff_id, m.depart), []).append(
            f"{m.item_id} {place_name(live, m.from_room_id)}→{place_name(live, m.to_room_id)}")
    rows = [{"staff_id": t.staff_id, "task": t.task, "session_id": t.session_id,
             "room_id": t.room_id, "room": place_name(live, t.room_id), "start": t.start,
             "end": t.end, "detail": "；".join(carried.get((t.staff_id, t.start), []))
             if t.task == "move" else ""}
            for t in plan.staff_tasks if t.start < hi and lo < t.end]
    for person, spans in live.unavailable.items():
        for a, b in spans:
            if a < hi and lo < b:
                rows.append({"staff_id": person, "task": "away", "session_id": "",
                             "room_id": "", "room": "", "start": max(a, lo), "end": min(b, hi),
                             "detail": ""})
    frame = pd.DataFrame(rows, columns=["staff_id", "task", "session_id", "room_id", "room",
                                        "start", "end", "detail"])
    return frame.sort_values(["staff_id", "start"]).reset_index(drop=True)


def place_name(live: Scenario, place: str) -> str:
    """A room's name, or the venue's name for its depot (``depot:V01``)."""
    if place.startswith("depot:"):
        venue = live.venues.get(place.removeprefix("depot:"))
        return f"{venue.name}库房" if venue else place
    room = live.rooms.get(place)
    return room.name if room else place
