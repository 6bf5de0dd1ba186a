"""Making a plan: equipment model → moves → staff model per day → named units → coverage.

:func:`make_plan` is the library call behind ``python -m planner plan`` and the
dashboard. ``method="cpsat"`` (default) solves the CP-SAT models, warm-started
from the greedy plan; ``method="greedy"`` returns the greedy baseline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.place import Place
from planner.model.plan import BagHolding, CoverageRow, Plan, PlanSummary, StaffTask, Status
from planner.model.posts import duty_day, post_at, posts_of
from planner.model.requirements import bag_sets_for, derive
from planner.model.scenario import Scenario
from planner.model.tasks import Task, epoch, session_tasks, to_time
from planner.solve.budget import PLAN_WORK, SOLVER_WORKERS, Budget
from planner.solve.equipment import EquipmentModel, session_weight
from planner.solve.equipment_plan import EquipmentPlan, StageResult, departure, move_minutes
from planner.solve.explain import Explainer
from planner.solve.greedy import greedy_equipment, greedy_staff
from planner.solve.reserve import protection
from planner.solve.staff import NoSolution, StaffDayModel, scatter_patrols, teams
from planner.solve.units import Trip, UnitStart, name_units

# How far around undone work the staff model frees people's posts, in minutes either side,
# each wider than the one before. One margin, the whole day: a whole day's model solves to
# optimality on the reference within its budget, while narrower steps spent theirs on
# models that could not reach the work left undone.
REPAIR_MARGINS = (24 * 60,)


def trips_for(scenario: Scenario, equipment: EquipmentPlan,
              origin: dt.datetime) -> tuple[list[Task], list[Trip]]:
    """Move tasks: the units brought from one venue to one session, in loads one person carries."""
    per_trip = scenario.rules.units_per_trip
    loads: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (kind, v, sid), n in sorted(equipment.bring.items()):
        loads[v, sid] += [kind] * n
    tasks, trips = [], []
    for (v, sid), kinds in sorted(loads.items()):
        s = scenario.sessions[sid]
        to_venue = scenario.venue_of(s.room_id)
        early, late = departure(scenario, origin, v, sid)
        back = scenario.network.whole_minutes(to_venue, v)  # 0 within a venue
        for k in range(math.ceil(len(kinds) / per_trip)):
            tid = f"{sid}:move:{v}:{k}"
            tasks.append(Task(tid, "move", sid, s.room_id, to_venue, early, late,
                              move_minutes(scenario, v, to_venue), k, back, v))
            trips.append(Trip(tid, v, sid, tuple(kinds[k * per_trip:(k + 1) * per_trip])))
    return tasks, trips


def make_plan(scenario: Scenario, time_limit: float = PLAN_WORK, seed: int = 0,
              workers: int = SOLVER_WORKERS, method: str = "cpsat",
              wall_limit: float | None = None,
              progress: Callable[[str], None] | None = None,
              processes: int | None = None, scheduler: str | None = None) -> Plan:
    """Plan the whole congress. ``time_limit`` is the solver budget in CP-SAT's
    deterministic seconds (:mod:`planner.solve.budget`) for each team of people (the
    reference has one; every district or separate area is one,
    :func:`planner.solve.staff.teams`): the same inputs, seed and ``workers`` give the
    same plan on any machine, however loaded. ``wall_limit`` (seconds) is only an outer
    guard; the summary says when it was hit. The teams' staff solves run in ``processes``
    worker processes (by default one per core), or on the Dask cluster whose scheduler
    is at ``scheduler``; the plan is the same either way.

    The CP-SAT plan starts from the greedy one; should the solver, within its budget, end
    with a plan worse by the objective than the greedy plan (it can happen on large
    congresses with a small budget), the greedy plan is returned, and the summary says so.
    """
    say = progress or (lambda _step: None)
    clock = time.perf_counter()
    per_team = len([people for people, _venues in teams(scenario) if people]) or 1
    budget = Budget(time_limit * per_team if method != "greedy" else 0.0, wall_limit)
    processes = processes if processes is not None else (os.cpu_count() or 1)
    requirements = derive(scenario)
    origin = epoch(scenario)
    say("greedy")
    greedy_equip = greedy_equipment(scenario, requirements, origin)
    greedy_roster = _roster(scenario, requirements, origin, greedy_equip)
    greedy = _carry_out(scenario, requirements, origin, greedy_equip, greedy_roster, [],
                        "greedy", Budget(0.0), seed, workers, clock)
    if method == "greedy":
        return greedy
    if budget.wall_left() <= 0:  # the greedy start alone used the wall-clock guard up
        return _guarded(greedy, budget)
    say("equipment")
    model = EquipmentModel(scenario, requirements, origin)
    equipment = model.solve(budget, time_limit * 0.3, workers, seed, hint=greedy_equip)
    say("staff")
    # What an equipment plan is worth shows once people carry it out: try the solver's with
    # the greedy roster, and spend the staff model's time on whichever covers more.
    if budget.wall_left() <= 0:  # building and solving it used the guard up
        return _guarded(greedy, budget, equipment.stages)
    if equipment is greedy_equip:  # the solver found nothing better: the greedy's stands
        equipment_used, roster = greedy_equip, greedy_roster
    else:
        roster = _roster(scenario, requirements, origin, equipment)
        trial = _carry_out(scenario, requirements, origin, equipment, roster, [], "greedy",
                           Budget(0.0), seed, workers, clock)
        if _rank(trial)[:2] > _rank(greedy)[:2]:
            equipment_used, roster = greedy_equip, greedy_roster
        else:
            equipment_used = equipment
    plan = _carry_out(scenario, requirements, origin, equipment_used, roster,
                      list(equipment.stages), method, budget, seed, workers, clock, processes,
                      scheduler)
    if _rank(greedy) < _rank(plan):
        greedy.summary = dataclasses.replace(
            greedy.summary, method="greedy", solver_status=Status.GREEDY_BETTER,
            best_bound=plan.summary.best_bound, stages=plan.summary.stages,
            solve_seconds=plan.summary.solve_seconds,
            wall_guard_hit=plan.summary.wall_guard_hit,
            gap=_gap(greedy.summary.objective, plan.summary.best_bound))
        return greedy
    return plan


def _guarded(greedy: Plan, budget: Budget, stages=()) -> Plan:
    """The greedy plan, when the wall-clock guard leaves no time for the solver: the
    summary says so (``wall_guard_hit``), and which solver stages did run."""
    budget.guard_hit = True
    greedy.summary = dataclasses.replace(greedy.summary, wall_guard_hit=True,
                                         work_limit=budget.work, stages=_stage_rows(stages))
    return greedy


def _stage_rows(stages) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in vars(s).items()} for s in stages]


def _rank(plan: Plan) -> tuple:
    """The lexicographic objective: uncovered weight, units short, move cost."""
    return plan.summary.rank()


def _gap(objective: float, bound: float) -> float:
    return round((objective - bound) / objective, 6) if objective > 0 else 0.0


@dataclass(frozen=True)
class Roster:
    """The work an equipment plan makes (moves, tasks by duty day) and the greedy roster
    of each day: the start of every staff solve."""

    move_tasks: list[Task]
    trips: list[Trip]
    tasks: list[Task]
    by_day: dict[int, list[Task]]
    greedy_days: dict[int, tuple]
    greedy_load: dict[str, int]


def _roster(scenario: Scenario, requirements, origin: dt.datetime,
            equipment: EquipmentPlan) -> Roster:
    """The tasks an equipment plan makes, by day, and the greedy roster for each day."""
    move_tasks, trips = trips_for(scenario, equipment, origin)
    tasks = session_tasks(scenario, requirements, origin) + move_tasks
    by_day: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        by_day[duty_day(t.earliest)].append(t)
    greedy_days: dict[int, tuple] = {}
    greedy_load: dict[str, int] = {}
    for day in sorted(by_day):  # quick, and shows where work is left
        greedy_days[day] = greedy_staff(scenario, by_day[day], day, greedy_load)
        _add_load(greedy_load, by_day[day], greedy_days[day][0])
    return Roster(move_tasks, trips, tasks, dict(by_day), greedy_days, greedy_load)


def _carry_out(scenario: Scenario, requirements, origin: dt.datetime,
               equipment: EquipmentPlan, roster: Roster, stages: list[StageResult],
               method: str, budget: Budget, seed: int, workers: int, clock: float,
               processes: int = 1, scheduler: str | None = None) -> Plan:
    """From an equipment plan to the whole plan: moves, people, named units, coverage.
    ``roster`` is the greedy part for this equipment plan; ``budget`` the solver time.
    Each team's days are solved on their own (:func:`run_teams`): in ``processes``
    worker processes, or on the Dask cluster at ``scheduler``, with the same answer."""
    by_day, greedy_days = roster.by_day, roster.greedy_days
    weights = {sid: session_weight(scenario, sid) for sid in scenario.sessions}
    equipped = {sid for sid in scenario.sessions
                if all(equipment.serve.get((k, sid), 0)
                       >= getattr(requirements[sid], REQUIREMENT_FIELD[k]) for k in STOCK_KINDS)}
    days = sorted(by_day)
    results = {day: (greedy_days[day][0], greedy_days[day][1].venue,
                     greedy_days[day][1].transfer) for day in days}
    if method != "greedy":
        jobs = _team_jobs(scenario, roster, results, weights, equipped, budget, seed, workers)
        for job, (found, team_stages, spent, guard_hit) in zip(
                jobs, run_teams(jobs, processes, scheduler), strict=True):
            for day, part in found.items():
                results[day], _ = _merge(results[day], job.tasks[day], (*part, []))
            stages += team_stages
            budget.spent += spent
            budget.guard_hit = budget.guard_hit or guard_hit
    done: dict[str, tuple[str, int]] = {}
    for day in days:
        result, _venues, transfers = results[day]
        done.update(scatter_patrols(scenario, day, by_day[day], result, transfers, seed))
    plan = finish_plan(scenario, requirements, origin, equipment, roster.tasks,
                       roster.move_tasks, roster.trips, done, stages, method, budget.spent,
                       seed, workers)
    plan.summary = dataclasses.replace(plan.summary, wall_guard_hit=budget.guard_hit,
                                       work_limit=budget.work)
    plan.wall_seconds = round(time.perf_counter() - clock, 3)  # said, never written
    return plan


def finish_plan(scenario: Scenario, requirements, origin: dt.datetime, equipment: EquipmentPlan,
                tasks: list[Task], move_tasks: list[Task], trips: list[Trip],
                done: dict[str, tuple[str, int]], stages: list[StageResult], method: str,
                seconds: float, seed: int, workers: int, history: Plan | None = None,
                prefer: dict | None = None, state: UnitStart | None = None,
                coverage: bool = True) -> Plan:
    """Name the units, write the orders and the coverage: the plan. ``history`` holds the
    rows a re-plan keeps as they were (what is past), ``done`` may include its tasks.
    ``coverage=False`` leaves out the coverage and the summary (a step of a rehearsal)."""
    history = history or Plan()
    move_ids = {t.task_id for t in move_tasks}
    carrying = {tid: v for tid, v in done.items() if tid in move_ids}
    assignments, moves = name_units(scenario, origin, equipment, trips, carrying, prefer, state)
    by_id = {t.task_id: t for t in tasks}
    carried = {(m.staff_id, m.depart) for m in moves}
    ahead = {tid: v for tid, v in done.items() if tid in by_id}
    kept = {(t.staff_id, t.task, t.session_id, t.start) for t in history.staff_tasks}
    rows = list(history.staff_tasks)
    for tid, (p, start) in ahead.items():
        t, at = by_id[tid], to_time(start, origin)
        # a move whose pool had nothing left to give carries nothing: no order for it
        if (t.kind != "move" or (p, at) in carried) and (p, t.kind, t.session_id, at) not in kept:
            rows.append(StaffTask(p, t.kind, t.session_id, t.room_id, at,
                                  to_time(start + t.duration, origin)))
    staff_tasks = sorted(rows, key=attrgetter("staff_id", "start", "task"))
    plan = Plan(assignments=sorted([*history.assignments, *assignments],
                                   key=attrgetter("start", "item_id")),
                moves=sorted([*history.moves, *moves], key=attrgetter("depart", "item_id")),
                staff_tasks=staff_tasks, bags=allocate_bags(scenario, requirements))
    if not coverage:
        return plan
    unstaffed = {t.session_id for t in move_tasks if t.task_id not in done}
    plan.coverage = coverage_rows(scenario, requirements, plan, tasks, done, unstaffed, origin)
    plan.summary = summarize_plan(scenario, requirements, plan, stages, equipment, method,
                                  seconds, seed, workers)
    return plan


@dataclass(frozen=True)
class TeamJob:
    """One team's days of staff solves, with everything they need known before any runs:
    the same job gives the same answer in this process, in another, or on a cluster."""

    scenario: Scenario
    people: list[str]
    tasks: dict[int, list[Task]]  # the team's tasks, by duty day
    pending: list[int]  # the days where the greedy left the team's work undone
    starts: dict[int, tuple]  # (done, venues, transfers) per day, the greedy's
    weights: dict[str, int]
    equipped: set[str]
    greedy_load: dict[str, int]
    seed: int
    workers: int
    cover_work: float  # deterministic seconds for its days with work undone
    work: float  # all of its deterministic seconds (cover_work, then evening out)
    wall: float  # seconds of the wall-clock guard left


def _team_jobs(scenario: Scenario, roster: Roster, results: dict[int, tuple], weights,
               equipped: set[str], budget: Budget, seed: int,
               workers: int) -> list[TeamJob]:
    """A job per team with people, the budget left shared among them before any solve:
    80% for coverage, by each team's share of the tasks on its days with work undone, the
    rest by its share of all tasks (on one team, as the reference has, all of it)."""
    days = sorted(roster.by_day)
    groups = teams(scenario)
    tasks: list[dict[int, list[Task]]] = [{} for _ in groups]
    for day in days:
        for n, (_people, venues) in enumerate(groups):
            mine = [t for t in roster.by_day[day] if (t.from_venue or t.venue_id) in venues]
            if mine:
                tasks[n][day] = mine

    def undone(day: int, mine: list[Task]) -> bool:
        wanted = {t.task_id for t in mine if t.session_id in equipped}
        return not wanted <= set(results[day][0])

    pending = [[day for day, mine in team.items() if undone(day, mine)] for team in tasks]
    pending_total = sum(len(team[d]) for team, ds in zip(tasks, pending, strict=True)
                        for d in ds)
    total = sum(len(m) for team in tasks for m in team.values()) or 1
    left = budget.left()
    jobs = []
    for (people, _venues), team, ds in zip(groups, tasks, pending, strict=True):
        if not people or not team:
            continue
        own = sum(len(m) for m in team.values()) / total
        if pending_total:
            cover = 0.8 * left * sum(len(team[d]) for d in ds) / pending_total
            work = cover + 0.2 * left * own
        else:
            cover, work = 0.0, left * own
        jobs.append(TeamJob(scenario, people, team, ds, {d: results[d] for d in team},
                            weights, equipped, roster.greedy_load, seed, workers, cover, work,
                            budget.wall_left()))
    return jobs


def solve_team(job: TeamJob) -> tuple[dict[int, tuple], list[StageResult], float, bool]:
    """A team's days: first coverage, on the days with work undone, then the load evened
    out day after day. Returns (done, venues, transfers) per day for the team's tasks, the
    stages, the deterministic seconds used and whether the wall-clock guard was hit."""
    budget = Budget(job.work, job.wall)
    results = dict(job.starts)
    stages: list[StageResult] = []
    sc, people, tasks = job.scenario, job.people, job.tasks
    for n, day in enumerate(job.pending):
        left = job.cover_work - budget.spent
        share = left * len(tasks[day]) / sum(len(tasks[d]) for d in job.pending[n:])
        results[day], found = _merge(results[day], tasks[day], _cover_day(
            sc, tasks[day], day, job.weights, job.equipped, job.greedy_load, job.seed,
            job.workers, budget, share, results[day], people))
        stages += found
    load: dict[str, int] = {}
    days = sorted(tasks)
    ids = {day: {t.task_id for t in tasks[day]} for day in days}
    for n, day in enumerate(days):
        share = budget.share(len(tasks[day]), sum(len(tasks[d]) for d in days[n:]))
        if share > 0.05:
            results[day], found = _merge(results[day], tasks[day], _even_day(
                sc, tasks[day], day, job.weights, job.equipped, load, job.seed, job.workers,
                budget, share, results[day], people))
            stages += found
        _add_load(load, tasks[day], {t: v for t, v in results[day][0].items() if t in ids[day]})
    team = set(people)
    mine = {day: ({t: v for t, v in results[day][0].items() if t in ids[day]},
                  {k: v for k, v in results[day][1].items() if k[0] in team},
                  {k: v for k, v in results[day][2].items() if k[0] in team})
            for day in days}
    return mine, stages, budget.spent, budget.guard_hit


def run_teams(jobs: list[TeamJob], processes: int = 1, scheduler: str | None = None) -> list:
    """:func:`solve_team` for every job, in job order: here, in worker processes (spawned:
    fresh, whatever threads this one has) or on the Dask cluster at ``scheduler``."""
    if scheduler:
        from distributed import Client

        with Client(scheduler) as client:
            return client.gather(client.map(solve_team, jobs, pure=False))
    if processes <= 1 or len(jobs) <= 1:
        return [solve_team(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(min(processes, len(jobs)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(solve_team, jobs))


def _add_load(load: dict[str, int], tasks: list[Task], done: dict[str, tuple[str, int]]) -> None:
    minutes = {t.task_id: t.duration for t in tasks}
    for tid, (p, _start) in done.items():
        load[p] = load.get(p, 0) + minutes[tid]


def _merge(day_result, tasks: list[Task], found):
    """A day's (done, venues, transfers) with one team's part replaced by what was found."""
    done, venues, transfers = day_result
    new_done, new_venues, new_transfers, stages = found
    ids = {t.task_id for t in tasks}
    done = {k: v for k, v in done.items() if k not in ids} | {
        k: v for k, v in new_done.items() if k in ids}
    return (done, venues | new_venues, transfers | new_transfers), stages


def _cover_day(scenario, tasks, day, weights, equipped, load, seed, workers, budget, work,
               start, people):
    """Get one day's work done within ``work`` deterministic seconds: first with the busy
    posts of ``start`` pinned (small, fast); while work is still undone, again with the
    posts around it free to move, wider each time (:data:`REPAIR_MARGINS`). Whatever is
    not bettered stands as it was."""
    done, venues, transfers = start
    stages: list[StageResult] = []
    wanted = {t.task_id for t in tasks if t.session_id in equipped}
    begin = budget.spent
    for n, margin in enumerate((0, *REPAIR_MARGINS)):
        left = work - (budget.spent - begin)
        if wanted <= set(done) or left <= 0.01 or budget.left() <= 0:
            break
        if n == 0:  # the greedy's busy posts
            pinned = _post_venues(scenario, day, tasks, done)
        else:  # free the posts around the work left undone; the rest stay put
            undone = [t for t in tasks if t.task_id in wanted - set(done)]
            near = {(p, q.index) for p in people for q in posts_of(scenario, p, day)
                    if any(q.start < t.latest + t.duration + margin
                           and q.end > t.earliest - margin for t in undone)}
            pinned = {k: v for k, v in _post_venues(scenario, day, tasks, done).items()
                      if k not in near}
        model = StaffDayModel(scenario, tasks, day, weights, equipped, load, seed,
                              fixed_posts=pinned, people=people)
        model.hint(done, venues, transfers)
        model.keep_at_least(done)
        # the first, small model gets a little; each wider one half of what is left
        share = left * (0.25 if n == 0 else 0.5 if n < len(REPAIR_MARGINS) else 1.0)
        try:
            done, venues, transfers, found = model.solve(budget, share, workers, seed,
                                                         ("tasks",))
        except NoSolution:
            continue
        stages += [StageResult(f"{s.name}:open{margin}" if margin else s.name, s.status,
                               s.objective, s.bound, s.work) for s in found]
    return done, venues, transfers, stages


def _even_day(scenario, tasks, day, weights, equipped, load, seed, workers, budget, work,
              start, people):
    """Even out the load of one day, doing at least the work ``start`` does."""
    done, venues, transfers = start
    model = StaffDayModel(scenario, tasks, day, weights, equipped, load, seed,
                          fixed_posts=_post_venues(scenario, day, tasks, done), people=people)
    model.hint(done, venues, transfers)
    model.keep_at_least(done)
    try:
        return model.solve(budget, work, workers, seed, ("load",))
    except NoSolution:
        return done, venues, transfers, []


def _post_venues(scenario, day, tasks, done) -> dict[tuple[str, int], str]:
    """The venue each person's post has, from the tasks (of ``tasks``) done in it."""
    by_id = {t.task_id: t for t in tasks}
    posts: dict[str, list] = {}
    out = {}
    for tid, (p, start) in done.items():
        t = by_id.get(tid)
        if t is None:
            continue
        if p not in posts:
            posts[p] = posts_of(scenario, p, day)
        q = post_at(posts[p], start)
        if q is not None:
            out[p, q.index] = t.from_venue or t.venue_id
    return out


def allocate_bags(scenario: Scenario, requirements) -> list[BagHolding]:
    """Shred-bag sets to groups by their share (``bag_sets_for``), the rest kept at depots.

    A group holds its sets from the setup of its first session to the end of its last.
    """
    sets = sorted((i for i in scenario.items_of("shred_bag_set") if i.status == "ok"),
                  key=lambda i: i.item_id)
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    spans: dict[str, list[dt.datetime]] = {}
    for s in scenario.sessions.values():
        if s.group_id:
            a, b = spans.get(s.group_id, [s.start - setup, s.end])
            spans[s.group_id] = [min(a, s.start - setup), max(b, s.end)]
    if not scenario.sessions:
        return []
    first = min(s.start for s in scenario.sessions.values()) - setup
    last = max(s.end for s in scenario.sessions.values())
    wanted = [(g.group_id, g.venue_id, bag_sets_for(g, scenario.rules))
              for g in scenario.groups.values()]
    # nearest sets first: those stored at the group's venue, then the lowest numbers
    holdings, taken = [], set()
    at_venue: dict[str, deque] = defaultdict(deque)
    for i in sets:
        at_venue[i.venue_id].append(i)
    lowest = 0  # every set before this one in ``sets`` is taken
    for gid, venue, n in wanted:
        start, end = spans.get(gid, (first, last))
        mine = at_venue[venue]
        while n > 0 and (mine or lowest < len(sets)):
            while mine and mine[0].item_id in taken:
                mine.popleft()
            if mine:
                item = mine.popleft()
            else:
                while lowest < len(sets) and sets[lowest].item_id in taken:
                    lowest += 1
                if lowest == len(sets):
                    break
                item = sets[lowest]
            taken.add(item.item_id)
            holdings.append(BagHolding(item.item_id, gid, start, end))
            n -= 1
    for item in sets:
        if item.item_id not in taken:
            holdings.append(BagHolding(item.item_id, Place.depot_of(item.venue_id), first, last))
    return holdings


def coverage_rows(scenario: Scenario, requirements, plan: Plan, tasks: list[Task],
                  done: dict[str, tuple[str, int]], unstaffed: set[str],
                  origin: dt.datetime) -> list[CoverageRow]:
    explainer = Explainer(scenario, plan.assignments, plan.staff_tasks, unstaffed)
    assigned: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.assignments:
        assigned[a.item_type, a.session_id] += 1
    by_session: dict[str, list[Task]] = defaultdict(list)
    for t in tasks:
        if t.kind != "move":
            by_session[t.session_id].append(t)
    rows = []
    for sid, req in requirements.items():
        reasons = []
        counts = {}
        for kind in STOCK_KINDS:
            need = getattr(req, REQUIREMENT_FIELD[kind])
            got = assigned[kind, sid]
            counts[kind] = got
            if got < need:
                reasons.append(explainer.equipment(kind, sid, got, need))
        status = {}
        for kind in ("patrol", "sweep", "cleanup", "collect"):
            mine = [t for t in by_session[sid] if t.kind == kind]
            got = sum(t.task_id in done for t in mine)
            if kind in ("sweep", "cleanup"):  # a crew counts different people, as the checker
                got = len({done[t.task_id][0] for t in mine if t.task_id in done})
            status[kind] = (got, len(mine))
            if got < len(mine):
                missing = [t for t in mine if t.task_id not in done] or mine
                lo = min(t.earliest for t in missing)
                hi = max(t.latest + t.duration for t in missing)
                reasons.append(explainer.staff(kind, sid, got, len(mine),
                                               (to_time(lo, origin), to_time(hi, origin))))
        sweep_ok = status["sweep"][0] == status["sweep"][1]
        cleanup_ok = status["cleanup"][0] == status["cleanup"][1]
        covered = not reasons
        rows.append(CoverageRow(
            sid, req.jammers, counts["jammer"], req.cabinet_units, counts["cabinet_unit"],
            req.patrols, status["patrol"][0], req.sweep and sweep_ok, cleanup_ok, covered,
            "；".join(r[0] for r in reasons), "; ".join(r[1] for r in reasons),
            sweep_required=req.sweep, cleanup_required=req.cleanup))
    return rows


def _bound(stages: list[StageResult], method: str, uncovered: int, move_cost: int,
           total_weight: int, s1: int, s2: int) -> tuple[float, Status, float, float | None]:
    """The objective's lower bound, the status, and the gaps on coverage and on moves.

    The levels are bounded in order (coverage, units short, move cost): a level's bound
    counts only once the level above is proved, since below an unproved level anything
    may come. Coverage always has a bound, at worst 0 (the greedy's: nothing is proved),
    so its gap (weighted coverage lost against the bound, as a share of all sessions'
    weight) is always there; the moves' gap only once coverage is at its bound."""
    by_name = {s.name: s for s in stages}
    cover, units, moves = (by_name.get(k) for k in ("coverage", "units", "moves"))

    def known(stage: StageResult | None) -> bool:
        return stage is not None and stage.bound == stage.bound  # not NaN

    if method == "greedy" or cover is None or not known(cover):
        status = Status.GREEDY if method == "greedy" else Status.FEASIBLE
        return 0.0, status, round(uncovered / (total_weight or 1), 6), None
    bound = cover.bound * s1
    if cover.status == "OPTIMAL" and units is not None and known(units):
        bound += units.bound * s2
        if units.status == "OPTIMAL" and moves is not None and known(moves):
            bound += moves.bound
    coverage_gap = round((uncovered - cover.bound) / (total_weight or 1), 6)
    moves_gap = (_gap(move_cost, moves.bound)
                 if uncovered == cover.bound and moves is not None and known(moves) else None)
    proved = all(s is not None and s.status == "OPTIMAL" for s in (cover, units, moves))
    return bound, Status.OPTIMAL if proved else Status.FEASIBLE, coverage_gap, moves_gap


def summarize_plan(scenario: Scenario, requirements, plan: Plan, stages: list[StageResult],
                   equipment: EquipmentPlan, method: str, seconds: float, seed: int,
                   workers: int) -> PlanSummary:
    """summary.json: the counts, and the objective with its bound.

    The objective is the lexicographic order as one number: uncovered weight first,
    then units short (weighted by level), then move cost. Its bound comes from the
    equipment model, which ignores staff, so it is a true lower bound (:func:`_bound`).
    """
    weights = {sid: session_weight(scenario, sid) for sid in scenario.sessions}
    level_weight = scenario.rules.level_weight
    uncovered = sum(weights[r.session_id] for r in plan.coverage if not r.covered)
    lw = {r.session_id: int(level_weight[scenario.sessions[r.session_id].level])
          for r in plan.coverage}
    short = sum(lw[r.session_id] * (max(0, r.jammers_required - r.jammers_assigned)
                                    + max(0, r.cabinet_units_required - r.cabinet_units_assigned))
                for r in plan.coverage)
    max_short = sum(lw[r.session_id] * (r.jammers_required + r.cabinet_units_required)
                    for r in plan.coverage)
    cost = {True: scenario.rules.move_cost_within_venue,
            False: scenario.rules.move_cost_between_venues}
    move_cost = sum(cost[scenario.venue_at(m.from_room_id) == scenario.venue_at(m.to_room_id)]
                    for m in plan.moves)
    s2 = equipment.max_move_cost + 1
    s1 = (max_short + 1) * s2
    objective = uncovered * s1 + short * s2 + move_cost
    bound, status, coverage_gap, moves_gap = _bound(stages, method, uncovered, move_cost,
                                                    sum(weights.values()), s1, s2)
    if objective > bound + 1e-6 and status == Status.OPTIMAL:
        status = Status.FEASIBLE  # the staff could not carry out all of the optimal plan
    loads: dict[str, int] = defaultdict(int)
    for t in plan.staff_tasks:
        loads[t.staff_id] += int((t.end - t.start).total_seconds() // 60)
    return PlanSummary(
        sessions=len(plan.coverage),
        sessions_covered=sum(r.covered for r in plan.coverage),
        jammer_deployments=sum(a.item_type == "jammer" for a in plan.assignments),
        cabinet_unit_deployments=sum(a.item_type == "cabinet_unit" for a in plan.assignments),
        patrols=sum(t.task == "patrol" for t in plan.staff_tasks),
        sweeps=sum(r.sweep_done for r in plan.coverage),
        cleanups=sum(r.cleanup_done and r.cleanup_required for r in plan.coverage),
        moves=len(plan.moves),
        moves_between_venues=sum(scenario.venue_at(m.from_room_id)
                                 != scenario.venue_at(m.to_room_id) for m in plan.moves),
        solver_status=status,
        objective=objective,
        best_bound=bound,
        gap=_gap(objective, bound),
        coverage_gap=coverage_gap,
        moves_gap=moves_gap,
        objective_terms={"uncovered_weight": uncovered, "units_short_weighted": short,
                         "move_cost": move_cost, "uncovered_scale": s1, "units_scale": s2},
        staff_load_minutes={"max": max(loads.values(), default=0),
                            "min": min((loads.get(p, 0) for p in scenario.staff), default=0)},
        stages=_stage_rows(stages),
        n1_protected=protection(scenario, plan, requirements),
        solve_seconds=round(seconds, 3),
        model_errors=sum(s.status in ("INFEASIBLE", "MODEL_INVALID") for s in stages),
        method=method,
        seed=seed,
        workers=workers,
        scenario=scenario.name,
    )
