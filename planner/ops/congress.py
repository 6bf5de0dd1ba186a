"""Running a congress from the store: what the dashboard (and any other front end) calls.

The store is the only source of truth: the scenario as imported, every plan version and
the event log. :func:`snapshot` reads them into one consistent view (cached on the log's
length and the plan's version, so several operators polling it cost little);
:func:`log_event` checks an event against the congress and appends it under the log's
lock; :func:`preview_replan` repairs the plan in force after the events logged since it
was made, and :func:`approve` stores the result as the next plan version. Scenario
imports, approvals and account changes go to the audit log with who made them.

What the pages show of a snapshot is read in :mod:`planner.ops.views`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import Problem, Problems, ScenarioError
from planner.events.apply import apply_events
from planner.events.log import EventChecker, check_events
from planner.events.types import Event, in_force, parsed
from planner.io.plan_files import plan_from_files
from planner.io.scenario_files import load_scenario
from planner.io.tables import decode
from planner.io.uploads import save_upload
from planner.live.replan import Replan, replan
from planner.live.store import Store
from planner.model.plan import CoverageRow, Plan
from planner.model.requirements import Requirement, derive
from planner.model.scenario import Scenario
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


def congress_title(store: Store, name: str) -> str:
    """A stored congress by its title (its name is the store's key, a code the reader
    need not see); the name if the store has no such congress."""
    files = store.latest_scenario(name)
    return load_files(files).title if files else name


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
    events: list[Event]             # the log in force, in order, each with seq and who
    seq: int                        # the last entry's number
    version: int                    # the plan in force
    plan: Plan
    live: Scenario                  # the scenario with the log applied
    versions: list[dict] = field(default_factory=list)
    log: list[Event] = field(default_factory=list)  # every entry, voided ones and voids too

    @property
    def after_event(self) -> int:
        """The last log entry the plan in force was made after."""
        return next((v["after_event"] for v in self.versions if v["version"] == self.version),
                    0)

    def since_plan(self) -> list[Event]:
        return [e for e in self.events if e.seq > self.after_event]

    @functools.cached_property
    def requirements(self) -> dict[str, Requirement]:
        """What each session of the congress as logged needs (derived once per snapshot)."""
        return derive(self.live)

    @functools.cached_property
    def coverage(self) -> dict[str, CoverageRow]:
        """The plan in force's coverage row of each session it knows."""
        return {r.session_id: r for r in self.plan.coverage}


_SNAPSHOTS: dict[tuple, Snapshot] = {}


def snapshot(store: Store, name: str) -> Snapshot:
    seq, _hash = store.head(name)
    versions = store.plan_versions(name)
    version = versions[-1]["version"] if versions else 0
    key = (store.key, name, seq, version)
    with _LOCK:
        if key in _SNAPSHOTS:
            return _SNAPSHOTS[key]
    files = store.latest_scenario(name)
    assert files is not None, f"no scenario stored for {name}"
    scenario = load_files(files)
    entries = parsed([e.line() for e in store.entries(name)])  # the door: parsed once
    events = in_force(entries)  # a voided entry counts for nothing in any view
    stored = store.plan(name, version)
    plan = plan_from_files(stored[1]) if stored else Plan()
    snap = Snapshot(name, scenario, events, entries[-1].seq if entries else 0, version, plan,
                    apply_events(scenario, events), versions, entries)
    with _LOCK:
        if len(_SNAPSHOTS) > 16:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = snap
    return snap


def log_event(store: Store, name: str, event: dict, who: str) -> int:
    """Check one event against the congress as logged so far and append it; returns its
    number. Raises :class:`planner.errors.ScenarioError` naming the problem, and
    PermissionError when someone other than an active commander voids an entry, or a
    field account logs what is not its own work."""
    return log_events(store, name, [event], who)[-1]


FIELD_TYPES = ("patrol_done", "sweep_done", "cleanup_done", "unit_deployed", "bag_weighed",
               "order_skipped")  # what a field account reports: its own work


def log_events(store: Store, name: str, events: list[dict], who: str) -> list[int]:
    """Check events in order and append them all under the log's lock, or none of them
    (one tap that reports a move of three units: three entries, or nothing); returns
    their numbers."""
    user = store.user(who)
    for event in events:
        _may_log(store, user, who, event)
    files = store.latest_scenario(name)
    assert files is not None, f"no scenario stored for {name}"
    scenario = load_files(files)

    def checked(logged: list[dict]) -> list[dict]:
        problems = Problems()
        checker = EventChecker(scenario, logged)
        good = [e for n, e in enumerate(events, start=len(logged) + 1)
                if checker.check(e, "event", n, problems)]
        problems.raise_if_any()
        return good

    return [e.seq for e in store.append(name, [], who, check=checked)]


def _may_log(store: Store, user, who: str, event: dict) -> None:
    commander = user is not None and user.active and at_least(user.role, "commander")
    if event.get("type") == "void" and not commander:
        raise PermissionError(f"only a commander may void an entry, and {who} is not one")
    if user is not None and user.role == "field":
        mine = store.staff_of(who)
        if event.get("type") not in FIELD_TYPES or (
                "staff_id" in event and event["staff_id"] != mine):
            raise PermissionError(f"{who} reports only their own work")


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
