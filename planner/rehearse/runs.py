"""Rehearsal (推演): replay the congress many times with random disruptions, and size the
stock.

One run: the disruptions are drawn (:func:`planner.rehearse.disruptions.draw`) and the congress is
replayed day by day, as the team lives it: each burst of events is logged and the plan
is repaired by the re-planner (:func:`planner.live.replan.replan`, its fast greedy path, so a
thousand runs take minutes; the live re-planner, with its solvers, does at least as
well, so the rehearsal errs on the side of caution). What the final plan does is what
happened: the sessions covered, and the work done, which becomes the run's event log
(patrols, sweeps and clean-ups done, bags weighed, documents found, destruction), the
same log an operator would have kept.

The first runs (``sizing_runs``) are replayed again with a reserve of extra jammers,
cabinet units or people (one resource at a time, +1 … +10, the same disruptions): the
sizing table, how the chance of a shortfall falls with each reserve.

Runs are independent: each draws from its own random stream (seed, run), so the results
are the same whatever the number of worker processes or Dask workers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from planner.events.types import Event, parsed
from planner.live.replan import default_now, replan
from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.place import Place
from planner.model.plan import Plan
from planner.model.requirements import derive
from planner.model.scenario import Item, Scenario, Staff
from planner.model.tasks import epoch
from planner.model.times import stamp
from planner.rehearse.disruptions import Disruptions, draw
from planner.solve.budget import REPLAN_WORK

RESOURCES = ("jammer", "cabinet_unit", "staff")
EXTRAS = (1, 2, 3, 5, 10)  # reserves tried for the sizing table (and +0, the run itself)
SLOT = 30  # minutes: the grain of the peak-use table
NOTES = ("座位上", "桌斗内", "茶几上", "废纸篓旁", "衣帽间")


@dataclass
class Context:
    """What every run needs; sent once to each worker."""

    scenario: Scenario
    plan: Plan
    seed: int = 0
    keep: int = 3          # runs whose event log and final plan are kept whole
    sizing_runs: int = 10  # runs replayed again with reserves, for the sizing table
    method: str = "greedy"  # the re-planner's path: greedy (fast) or cpsat (the live one)


@dataclass
class RunResult:
    run: int
    counts: dict[str, float]
    short: dict[str, list[str]]           # session -> what it was short of (RESOURCES)
    events: dict[str, int]                # disruptions drawn, by event type
    use: np.ndarray                       # [kind, venue, slot] units in rooms at once
    sizing: dict[tuple[str, int], tuple[int, int]] | None = None  # see :func:`sizing`
    log: list[dict] | None = None
    plan: Plan | None = None


def rng_for(seed: int, run: int) -> np.random.Generator:
    """The random stream of one run: the same for (seed, run) on any machine or worker."""
    return np.random.default_rng([seed, run])


# -- one run ------------------------------------------------------------------------------------
def batches(events: list[Event], minutes: int) -> list[list[Event]]:
    """Events in time order, grouped: those logged within ``minutes`` of a burst's first."""
    out: list[list[Event]] = []
    for e in events:
        if out and e.at - out[-1][0].at <= dt.timedelta(minutes=minutes):
            out[-1].append(e)
        else:
            out.append([e])
    return out


class _ReplanBudget(TypedDict, total=False):
    time_limit: float  # deterministic seconds per re-plan (the live re-planner's path only)


def replay(scenario: Scenario, plan: Plan, events: Sequence[Event | Mapping],
           repair_first: bool = False, method: str = "greedy",
           time_limit: float = REPLAN_WORK) -> tuple[Plan, Scenario]:
    """The congress lived through ``events``: after each burst, the plan is repaired from
    the time of its first event on. Returns the final plan and the congress as it was.
    ``repair_first``: repair the plan before the congress too (a reserve is then planned
    in from the start). ``method``: the re-planner's path, ``"greedy"`` (the rehearsal's)
    or ``"cpsat"`` (the live re-planner's, with ``time_limit`` deterministic seconds per
    re-plan)."""
    steps: list[tuple[dt.datetime | None, list[Event]]] = (
        [(None, [])] if repair_first else [])  # (now, events so far)
    log: list[Event] = []
    for burst in batches(parsed(events), scenario.disruptions.replan_batch_minutes):
        # a burst is re-planned once, at its first event, as if all of it were known then
        log = log + [dataclasses.replace(e, at=burst[0].at) for e in burst]
        steps.append((burst[0].at, log))
    budget: _ReplanBudget = {"time_limit": time_limit} if method == "cpsat" else {}
    live = scenario
    for n, (now, known) in enumerate(steps):
        result = replan(scenario, plan, known, now=now or default_now([], scenario),
                        method=method, explain=False, coverage=n == len(steps) - 1,
                        **budget)
        plan, live = result.plan, result.live
    return plan, live


def shortfalls(plan: Plan) -> dict[str, list[str]]:
    """Each uncovered session and what it lacked: jammers, cabinet units, people's work."""
    out = {}
    for r in plan.coverage:
        if r.covered:
            continue
        lacks = []
        if r.jammers_assigned < r.jammers_required:
            lacks.append("jammer")
        if r.cabinet_units_assigned < r.cabinet_units_required:
            lacks.append("cabinet_unit")
        work = (r.patrols_assigned < r.patrols_required or (r.sweep_required and not r.sweep_done)
                or (r.cleanup_required and not r.cleanup_done))
        if work or not lacks:  # a bag collection missed is people's work too
            lacks.append("staff")
        out[r.session_id] = lacks
    return out


def with_reserve(scenario: Scenario, resource: str, extra: int) -> Scenario:
    """The congress with ``extra`` more jammers, cabinet units or people, kept in reserve:
    units in the depots of the venues short of them most at their peak, people on the
    commonest shifts at the venues with the most work per person (in turn)."""
    if extra <= 0:
        return scenario
    if resource == "staff":
        order = _staff_venues(scenario)
        shifts = [k for k, _n in Counter((s.shift_start, s.shift_end)
                                         for s in scenario.staff.values()).most_common(2)]
        staff = dict(scenario.staff)
        for n in range(extra):
            sid = f"RSV{n + 1:02d}"
            start, end = shifts[n % len(shifts)]
            staff[sid] = Staff(sid, f"预备队员{n + 1}", "tech", order[n % len(order)], start, end)
        return dataclasses.replace(scenario, staff=staff)
    order = _unit_venues(scenario, resource)
    own = scenario.items_of(resource)
    capacity = sorted(i.capacity for i in own)[len(own) // 2] if own else 0
    items = dict(scenario.items)
    prefix = {"jammer": "JRSV", "cabinet_unit": "CRSV"}[resource]
    for n in range(extra):
        uid = f"{prefix}{n + 1:02d}"
        items[uid] = Item(uid, resource, order[n % len(order)], capacity, "ok")
    return dataclasses.replace(scenario, items=items)


def _unit_venues(scenario: Scenario, kind: str) -> list[str]:
    """Venues by how far their peak need of ``kind`` exceeds their own stock."""
    req = derive(scenario)
    peak = {}
    for v in scenario.venues:
        changes = []
        for s in scenario.sessions.values():
            if scenario.venue_of(s.room_id) == v:
                n = getattr(req[s.session_id], REQUIREMENT_FIELD[kind])
                changes += [(s.start, n), (s.end, -n)]
        level = top = 0
        for _t, n in sorted(changes, key=lambda c: (c[0], c[1])):
            level += n
            top = max(top, level)
        stock = sum(1 for i in scenario.items_of(kind) if i.venue_id == v and i.status == "ok")
        peak[v] = top - stock
    return sorted(scenario.venues, key=lambda v: (-peak[v], v))


def _staff_venues(scenario: Scenario) -> list[str]:
    """Venues by session-hours per person based there."""
    hours: dict[str, float] = defaultdict(float)
    for s in scenario.sessions.values():
        hours[scenario.venue_of(s.room_id)] += (s.end - s.start).total_seconds() / 3600
    people = Counter(p.venue_id for p in scenario.staff.values())
    return sorted(scenario.venues, key=lambda v: (-hours[v] / (people[v] + 1), v))


def sizing(scenario: Scenario, plan: Plan, events: list[dict],
           short: dict[str, list[str]]) -> dict[tuple[str, int], tuple[int, int]]:
    """The same run again with each reserve of EXTRAS: (resource, extra) -> (sessions short
    of that resource, sessions short of anything). A run with no shortfall of a resource
    is not replayed for it: a reserve nobody needs changes nothing."""
    out = {}
    for resource in RESOURCES:
        base = (sum(resource in lacks for lacks in short.values()), len(short))
        for k in EXTRAS:
            if not base[0]:
                out[resource, k] = base
                continue
            final, _live = replay(with_reserve(scenario, resource, k), plan, events,
                                  repair_first=True)
            lacks = shortfalls(final)
            out[resource, k] = (sum(resource in x for x in lacks.values()), len(lacks))
    return out


def run_once(ctx: Context, run: int) -> RunResult:
    """One rehearsal run: draw, replay, log the work, size the reserve if it fell short."""
    scenario = ctx.scenario
    rng = rng_for(ctx.seed, run)
    events = draw(scenario, ctx.plan, scenario.disruptions, rng)
    final, live = replay(scenario, ctx.plan, events, method=ctx.method)
    work = work_log(live, final, scenario.disruptions, rng)
    short = shortfalls(final)
    s = final.summary
    counts = {
        "sessions": len(live.sessions), "covered": len(live.sessions) - len(short),
        "jammer_deployments": s.jammer_deployments,
        "cabinet_unit_deployments": s.cabinet_unit_deployments, "patrols": s.patrols,
        "sweeps": s.sweeps, "cleanups": s.cleanups, "moves": s.moves,
        "paper_kg": round(sum(e["kg"] for e in work if e["type"] == "bag_weighed"), 1),
        "documents": sum(e["type"] == "document_found" for e in work),
        "adhoc_drawn": sum(e["type"] == "adhoc_session" for e in events),
        "adhoc_short": sum(1 for sid in short if sid not in scenario.sessions),
    }
    result = RunResult(run, counts, short, dict(Counter(e["type"] for e in events)),
                       units_in_use(scenario, final))
    if run < ctx.sizing_runs:
        result.sizing = sizing(scenario, ctx.plan, events, short)
    if run < ctx.keep:
        result.log = sorted(events + work, key=lambda e: e["at"])
        result.plan = final
    return result


def run_many(ctx: Context, runs: list[int]) -> list[RunResult]:
    return [run_once(ctx, run) for run in runs]


def units_in_use(scenario: Scenario, plan: Plan) -> np.ndarray:
    """[kind, venue, slot]: jammers and cabinet units in rooms (an assignment runs from
    the setup to the end), per venue and SLOT-minute slot from the congress's first day."""
    origin = epoch(scenario)
    venues = sorted(scenario.venues)
    last = max((a.end for a in plan.assignments), default=origin)
    slots = int((last - origin).total_seconds() // 60 // SLOT) + 1
    use = np.zeros((len(STOCK_KINDS), len(venues), slots), dtype=np.int32)
    index = {v: n for n, v in enumerate(venues)}
    taken: dict[tuple[str, str], set[int]] = defaultdict(set)  # a unit counts once a slot
    for a in plan.assignments:
        k = STOCK_KINDS.index(a.item_type)
        v = index[scenario.venue_of(a.room_id)]
        lo = int((a.start - origin).total_seconds() // 60) // SLOT
        hi = math.ceil((a.end - origin).total_seconds() / 60 / SLOT)
        for slot in range(max(lo, 0), hi):
            if slot not in taken[a.item_id, venues[v]]:
                taken[a.item_id, venues[v]].add(slot)
                use[k, v, slot] += 1
    return use


# -- the work an operator logs ------------------------------------------------------------------
def work_log(live: Scenario, plan: Plan, d: Disruptions,
             rng: np.random.Generator) -> list[dict]:
    """The events the team would log for what the plan had them do: units set up,
    patrols, sweeps and clean-ups done; each session's paper weighed (by kind, attendees
    and length) when its room is cleaned up, and the lost documents found then;
    destruction at the end."""
    events: list[dict] = []
    brought = {(m.item_id, m.to_room_id, m.session_id): m.staff_id for m in plan.moves}
    for a in plan.assignments:  # each unit set up in its room, by whoever brought it
        if a.session_id in live.sessions:
            event = {"at": stamp(a.start), "type": "unit_deployed",
                     "item_id": a.item_id, "session_id": a.session_id}
            by = brought.get((a.item_id, Place.room(a.room_id), a.session_id))
            if by:
                event["staff_id"] = by
            events.append(event)
    cleaned: dict[str, dt.datetime] = {}
    for t in sorted(plan.staff_tasks, key=lambda t: (t.end, t.staff_id)):
        if t.task in ("patrol", "sweep", "cleanup") and t.session_id in live.sessions:
            events.append({"at": stamp(t.end), "type": f"{t.task}_done",
                           "session_id": t.session_id, "staff_id": t.staff_id})
            if t.task == "cleanup":
                cleaned.setdefault(t.session_id, t.end)
    window = dt.timedelta(minutes=live.rules.cleanup_window_minutes)
    recovered: dict[str, float] = defaultdict(float)
    sigma = d.paper_spread
    for s in live.sessions.values():
        kg = round(d.paper_kg(s) * float(rng.lognormal(-sigma * sigma / 2, sigma)), 1)
        venue = live.venue_of(s.room_id)
        # weighed when the room is cleaned up; if no clean-up was done, when the bags
        # are collected after the session
        at = cleaned.get(s.session_id, s.end + window)
        if kg > 0:
            events.append({"at": stamp(at), "type": "bag_weighed",
                           "bag_set_id": _bag_set(live, plan, s, at), "kg": kg,
                           "venue_id": venue, "session_id": s.session_id})
            recovered[venue] += kg
        if s.session_id in cleaned:
            rate = d.documents_per_1000_attendees.get(s.level, 0.0) * s.attendees / 1000
            for _ in range(int(rng.poisson(rate))):
                events.append({"at": stamp(at), "type": "document_found",
                               "room_id": s.room_id, "level": s.level,
                               "note": f"{s.session_id} 散会后清理时于"
                                       f"{NOTES[int(rng.integers(len(NOTES)))]}发现",
                               "session_id": s.session_id})
    events += destruction(live, recovered)
    return events


def _bag_set(live: Scenario, plan: Plan, s, at: dt.datetime) -> str:
    """The bag set the session's paper goes into: its group's, or one at the venue's depot."""
    venue = live.venue_of(s.room_id)
    mine = [b for b in plan.bags if b.start <= at <= b.end
            and b.holder_id == (s.group_id or Place.depot_of(venue))]
    if not mine:
        mine = [b for b in plan.bags if isinstance(b.holder_id, Place)] or plan.bags
    return min(b.bag_set_id for b in mine)


def destruction(live: Scenario, recovered: dict[str, float]) -> list[dict]:
    """After the congress, each venue's paper is destroyed at the nearest venue that can,
    the morning after the last session, witnessed by two of the team based there."""
    sites = sorted(v for v, venue in live.venues.items() if venue.has_destruction)
    if not sites or not recovered:
        return []
    total: dict[str, float] = defaultdict(float)
    for v, kg in recovered.items():
        total[live.destruction_site(v)] += kg
    last = max(s.end for s in live.sessions.values())
    at = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time(9, 0))
    out = []
    for site, kg in sorted(total.items()):
        team = sorted(live.staff.values(), key=lambda p: (p.venue_id != site, p.role != "lead",
                                                          p.staff_id))
        out.append({"at": stamp(at), "type": "destroyed", "kg": round(kg, 1), "venue_id": site,
                    "witnesses": [p.staff_id for p in team[:2]]})
    return out


# -- many runs ----------------------------------------------------------------------------------
_CONTEXT: Context | None = None  # a worker process's copy, set once by _start


def _start(ctx: Context) -> None:
    global _CONTEXT
    _CONTEXT = ctx


def _run_here(runs: list[int]) -> list[RunResult]:
    assert _CONTEXT is not None
    return run_many(_CONTEXT, runs)


def chunks(runs: int, sizing_runs: int, workers: int) -> list[list[int]]:
    """Runs in parcels: the sizing runs (ten replays each) one by one, the rest in parcels
    small enough that the workers finish together and the progress bar moves."""
    first = [[r] for r in range(min(sizing_runs, runs))]
    rest = list(range(min(sizing_runs, runs), runs))
    size = max(1, min(10, len(rest) // (max(workers, 1) * 8)))
    return first + [rest[i:i + size] for i in range(0, len(rest), size)]


def simulate(ctx: Context, runs: int, workers: int = 2, scheduler: str | None = None,
             progress=None) -> list[RunResult]:
    """``runs`` runs, in run order: in this process (``workers`` 1), in worker processes,
    or on the Dask cluster whose scheduler is at ``scheduler``. ``progress(n)`` is called
    as runs finish."""
    progress = progress or (lambda n: None)
    parcels = chunks(runs, ctx.sizing_runs, workers)
    results: list[RunResult] = []
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_as_completed

        with Client(scheduler) as client:
            shared = client.scatter(ctx, broadcast=True)
            futures = [client.submit(run_many, shared, p, pure=False) for p in parcels]
            for future in dask_as_completed(futures):
                done = future.result()
                results += done
                progress(len(done))
    elif workers <= 1:
        for p in parcels:
            done = run_many(ctx, p)
            results += done
            progress(len(done))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # spawn: fresh workers, whatever threads this process has started
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_start, initargs=(ctx,)) as pool:
            futures = [pool.submit(_run_here, p) for p in parcels]
            for future in as_completed(futures):
                done = future.result()
                results += done
                progress(len(done))
    return sorted(results, key=lambda r: r.run)
