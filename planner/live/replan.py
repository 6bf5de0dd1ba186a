"""Re-planning during the congress: repair the plan after logged events, changing little.

:func:`replan` is the library call behind ``python -m planner replan``:

1. the events are applied (:func:`planner.events.apply.apply_events`) up to ``now``;
2. what is past stays as it was: assignments of sessions whose setup has begun,
   moves that have left, staff tasks that have started; units keep where they
   are (in a session under way, on their way to a session, left in a room for
   its next session, or free at a venue);
3. the equipment model is solved for what is ahead only, in strict order:
   coverage, units short, fewest changed counts, then move cost; the previous
   plan is its hint;
4. the staff: every order of the previous plan that still fits is kept; the
   work left is given out greedily, and where work is still undone the day's
   staff model re-solves it (coverage first, then most orders kept);
5. the units are named preferring those the previous plan had, and the changes
   are listed per person and per unit in the order they must act, with the
   reason for each, and for each session whose coverage changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from planner.events.apply import apply_events
from planner.events.types import Event, in_force, parsed
from planner.model import names
from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.place import Place
from planner.model.plan import Assignment, Move, Plan, ReplanFacts, StaffTask
from planner.model.posts import DAY, DAY_CUTOFF, duty_day, post_at
from planner.model.requirements import derive
from planner.model.scenario import Scenario
from planner.model.tasks import Task, epoch, session_tasks, to_minute, to_time
from planner.model.times import stamp
from planner.solve.budget import REPLAN_WORK, SOLVER_WORKERS, Budget
from planner.solve.equipment import EquipmentModel, session_weight
from planner.solve.equipment_plan import EquipmentPlan, LiveState, StageResult
from planner.solve.greedy import Roster, fill, greedy_equipment, post_people
from planner.solve.orchestrate import finish_plan, trips_for
from planner.solve.staff import NoSolution, StaffDayModel
from planner.solve.units import UnitStart


@dataclass(frozen=True)
class Change:
    """One line of changes.csv: an order added, dropped or moved, for one person or unit."""

    act_at: dt.datetime     # when the person or unit must act on it
    who: str                # staff_id or item_id
    who_kind: str           # staff | unit
    change: str             # added | removed | changed
    what: str               # sweep, patrol, cleanup, collect, move (people); serve, move (units)
    session_id: str
    room_id: str
    old: str
    new: str
    reason: str
    reason_en: str


@dataclass(frozen=True)
class SessionChange:
    session_id: str
    covered_before: bool | None   # None: the session is new
    covered_after: bool | None    # None: the session is cancelled
    reason: str
    reason_en: str


@dataclass
class Replan:
    plan: Plan
    live: Scenario
    now: dt.datetime
    changes: list[Change] = field(default_factory=list)
    sessions: list[SessionChange] = field(default_factory=list)

    def extras(self) -> dict[str, tuple[type, list]]:
        """The files a re-plan adds to its plan folder: what changed, and why."""
        return {"changes": (Change, self.changes), "session_changes": (SessionChange,
                                                                       self.sessions)}

    @property
    def note(self) -> str:
        """How its plan version is described in the store."""
        return f"replan at {self.now:%Y-%m-%dT%H:%M}"


def default_now(events: Sequence[Event | Mapping], scenario: Scenario) -> dt.datetime:
    """The latest event's time; with no events, just before the first session's setup."""
    times = [e.at for e in parsed(events)]
    if times:
        return max(times)
    first = min(s.start for s in scenario.sessions.values())
    return first - dt.timedelta(minutes=scenario.rules.setup_minutes + 1)


def replan(scenario: Scenario, old: Plan, events: Sequence[Event | Mapping],
           now: dt.datetime | None = None,
           time_limit: float = REPLAN_WORK, seed: int = 0, workers: int = SOLVER_WORKERS,
           method: str = "cpsat",
           explain: bool = True, coverage: bool = True,
           wall_limit: float | None = None) -> Replan:
    """The previous plan ``old`` repaired after ``events`` (checked, in log order).

    ``method="greedy"`` repairs without the solvers (units by
    :func:`planner.solve.greedy.greedy_equipment` from where they stand, people by keeping the
    orders that fit and giving out the rest): fast and deterministic, for the rehearsal.
    ``explain=False`` leaves out the list of changes; ``coverage=False`` the coverage and
    the summary too (a step of a rehearsal, where only the last plan is read).
    """
    clock = time.perf_counter()
    budget = Budget(0.0 if method == "greedy" else time_limit, wall_limit)
    events = in_force(parsed(events))  # a voided entry counts for nothing, nor its changes
    now = now or default_now(events, scenario)  # nor does its time move the clock
    live = apply_events(scenario, events, until=now)
    origin = epoch(live)
    minute = to_minute(now, origin)
    requirements = derive(live)
    past = _Past(live, old, now, origin)

    if method == "greedy":
        equipment = greedy_equipment(live, requirements, origin, past.state)
    else:
        # the greedy repair is the hint, and the answer should the solver find none in
        # time: unlike the previous plan's counts, it fits where the units now stand
        model = EquipmentModel(live, requirements, origin, past.state)
        equipment = model.solve(budget, time_limit * 0.6, workers, seed,
                                hint=greedy_equipment(live, requirements, origin, past.state),
                                start=past.state.old)
    move_tasks, trips = trips_for(live, equipment, origin)
    tasks = session_tasks(live, requirements, origin) + move_tasks

    matched = _match(tasks, past.old.staff_tasks, past.from_venue, origin)
    frozen_done = {tid: (r.staff_id, to_minute(r.start, origin))
                   for tid, r in matched.items() if r.start <= now}
    kept_rows = set(matched.values())
    left_moves = {(m.staff_id, m.depart) for m in past.moves}
    frozen_rows = [r for r in past.old.staff_tasks if r.start <= now and (
        r in kept_rows or (r.task == "move" and (r.staff_id, r.start) in left_moves))]
    wish = {tid: (r.staff_id, to_minute(r.start, origin))
            for tid, r in matched.items() if r.start > now}
    ahead = [t if t.earliest >= minute else dataclasses.replace(t, earliest=minute)
             for t in tasks if t.task_id not in frozen_done and t.latest >= minute]
    weights = {sid: session_weight(live, sid) for sid in live.sessions}
    equipped = {sid for sid in live.sessions
                if all(equipment.serve.get((k, sid), past.state.present.get((k, sid), 0))
                       >= getattr(requirements[sid], REQUIREMENT_FIELD[k]) for k in STOCK_KINDS)}
    stages = list(equipment.stages)
    done = dict(frozen_done)
    by_day: dict[int, list[Task]] = defaultdict(list)
    for t in ahead:
        by_day[duty_day(t.earliest)].append(t)
    load: dict[str, int] = defaultdict(int)
    for r in old.staff_tasks:
        if r.start <= now:
            load[r.staff_id] += int((r.end - r.start).total_seconds() // 60)
    for n, day in enumerate(sorted(by_day)):
        if method == "greedy" and _untouched(live, day, by_day[day], wish, minute, origin):
            done.update({t.task_id: wish[t.task_id] for t in by_day[day]})
            continue
        share = budget.share(len(by_day[day]), sum(len(by_day[d]) for d in sorted(by_day)[n:]))
        found, day_stages = _staff_day(live, day, by_day[day], frozen_rows, wish, minute,
                                       weights, equipped, dict(load), seed, workers, budget,
                                       share, past.from_venue)
        done.update(found)
        stages += day_stages
        for t in by_day[day]:
            if t.task_id in found:
                load[found[t.task_id][0]] += t.duration

    history = Plan(assignments=past.assignments, moves=past.moves, staff_tasks=frozen_rows)
    plan = finish_plan(live, requirements, origin, equipment, tasks, move_tasks, trips, done,
                       stages, "greedy" if method == "greedy" else "replan",
                       budget.spent, seed, workers,
                       history=history, prefer=past.prefer, state=past.units,
                       coverage=coverage)
    plan.wall_seconds = round(time.perf_counter() - clock, 3)
    result = Replan(plan, live, now)
    if explain and coverage:
        result.changes = diff(live, old, plan, now, events, scenario)
        result.sessions = session_changes(live, scenario, old, plan, result.changes, events,
                                          now)
    if not coverage:
        return result
    plan.summary = dataclasses.replace(
        plan.summary, wall_guard_hit=budget.guard_hit, work_limit=budget.work,
        replan=ReplanFacts(now=stamp(now), events=len(events), changes=len(result.changes),
                           sessions_changed=len(result.sessions)))
    return result


class _Past:
    """What the previous plan has already done by ``now``, and where each unit stands.

    The log wins over the plan: a move that could not have left by now did not (its
    unit's session ran on, its carrier had been reported off duty, or the unit had
    failed), and neither did anything the plan had that unit do after it; work a person
    was to begin while reported off duty was not done."""

    def __init__(self, live: Scenario, old: Plan, now: dt.datetime, origin: dt.datetime):
        self.live, self.now, self.origin = live, now, origin
        setup = dt.timedelta(minutes=live.rules.setup_minutes)
        self.started = {sid for sid, s in live.sessions.items() if s.start - setup <= now}
        void = self._void_moves(old)
        # unit -> when the plan stopped being what happened to it
        cut: dict[str, dt.datetime] = {}
        for m in void:
            cut[m.item_id] = min(cut.get(m.item_id, m.depart), m.depart)
        self.old = dataclasses.replace(
            old,
            assignments=[a for a in old.assignments if a.start < cut.get(a.item_id, a.end)],
            moves=[m for m in old.moves if m.depart < cut.get(m.item_id, dt.datetime.max)],
            staff_tasks=self._staff_done(old, void))
        # history: sessions whose setup began and that are over kept their units as they
        # were, but for units that had failed by then; an overrun kept them longer
        self.assignments = [
            a if a.end >= live.sessions[a.session_id].end
            else dataclasses.replace(a, end=live.sessions[a.session_id].end)
            for a in self.old.assignments if a.session_id in self.started
            and live.sessions[a.session_id].end <= now
            and not a.start >= live.failed_since.get(a.item_id, a.end)]
        self.moves = [m for m in self.old.moves if m.depart <= now]
        self.from_venue = {(m.staff_id, m.depart): live.venue_at(m.from_room_id)
                           for m in old.moves}
        self.prefer: dict[tuple[str, str], list[str]] = defaultdict(list)
        for a in old.assignments:
            self.prefer[a.item_type, a.session_id].append(a.item_id)
        self._place_units()

    def _off(self, staff_id: str, at: dt.datetime) -> bool:
        """Reported off duty at ``at`` (work begun when the report came stands)."""
        return any(a < at < b for a, b in self.live.unavailable.get(staff_id, []))

    def _void_moves(self, old: Plan) -> set[Move]:
        """The plan's moves up to now that the log says did not leave."""
        live = self.live
        held: dict[str, list[tuple[dt.datetime, dt.datetime, Place]]] = defaultdict(list)
        for a in old.assignments:  # a unit is held until its session's end, as logged
            s = live.sessions.get(a.session_id)
            if s is not None:
                held[a.item_id].append((a.start, s.end, Place.room(a.room_id)))
        void = set()
        for m in old.moves:
            if m.depart > self.now:
                continue
            failed = live.failed_since.get(m.item_id)
            serving = any(room == m.from_room_id and start <= m.depart < end
                          for start, end, room in held[m.item_id])
            if serving or self._off(m.staff_id, m.depart) or (
                    failed is not None and failed <= m.depart):
                void.add(m)
        return void

    def _staff_done(self, old: Plan, void: set[Move]) -> list[StaffTask]:
        """The plan's staff rows less those the log rules out: work to begin while off
        duty, and move orders that carried nothing because none of their moves left."""
        left = {(m.staff_id, m.depart) for m in old.moves if m not in void}
        return [r for r in old.staff_tasks if r.start > self.now or (
            not self._off(r.staff_id, r.start)
            and (r.task != "move" or (r.staff_id, r.start) in left))]

    def _open(self, sid: str) -> bool:
        return sid in self.live.sessions and sid not in self.started

    def _place_units(self) -> None:
        live, now, origin = self.live, self.now, self.origin
        minute = to_minute(now, origin)
        serving: dict[str, list[Assignment]] = defaultdict(list)
        for a in sorted(self.old.assignments, key=lambda a: a.start):
            serving[a.item_id].append(a)
        moving: dict[str, list[Move]] = defaultdict(list)
        for m in sorted(self.old.moves, key=lambda m: m.depart):
            moving[m.item_id].append(m)
        stock: dict[tuple[str, str], int] = defaultdict(int)
        arrivals: list[tuple[str, str, int]] = []
        present: dict[tuple[str, str], int] = defaultdict(int)
        carried: dict[tuple[str, str], int] = defaultdict(int)
        pools: dict[str, dict[str, dict]] = {k: defaultdict(dict) for k in STOCK_KINDS}
        arrived: dict[str, dict[str, list[str]]] = {k: defaultdict(list) for k in STOCK_KINDS}
        for kind in STOCK_KINDS:
            for item in live.items_of(kind):
                unit = item.item_id
                if item.status != "ok":
                    continue  # failed (or never usable): out of the plan from now on
                spans = serving[unit]
                now_in = [a for a in spans if a.session_id in self.started
                          and live.sessions[a.session_id].end > now]
                if now_in:  # in a session under way: it stays till the end
                    present[kind, now_in[0].session_id] += 1
                    arrived[kind][now_in[0].session_id].append(unit)
                    continue
                gone = [m for m in moving[unit] if m.depart <= now]
                last_move = gone[-1] if gone else None
                if last_move is not None and self._open(last_move.session_id):
                    carried[kind, last_move.session_id] += 1  # on its way, or there already
                    arrived[kind][last_move.session_id].append(unit)
                    continue
                served = [a for a in spans if a.start <= now]
                after = [a for a in spans if a.start > now]
                if (served and after and after[0].room_id == served[-1].room_id
                        and self._open(after[0].session_id)
                        and not any(served[-1].end <= m.depart < after[0].start
                                    for m in moving[unit])):
                    # left in the room for the room's next session: it is there already
                    carried[kind, after[0].session_id] += 1
                    arrived[kind][after[0].session_id].append(unit)
                    continue
                place, free = Place.depot_of(item.venue_id), -(10**9)
                if served and (last_move is None or served[-1].start >= last_move.arrive):
                    place, free = Place.room(served[-1].room_id), to_minute(served[-1].end, origin)
                    if served[-1].session_id not in live.sessions:  # cancelled
                        free = min(free, minute)
                elif last_move is not None:
                    place, free = last_move.to_room_id, to_minute(last_move.arrive, origin)
                venue = live.venue_at(place)
                pools[kind][venue][unit] = (place, free)
                if free <= minute:
                    stock[kind, venue] += 1
                else:
                    arrivals.append((kind, venue, free))
        self.units = UnitStart(pools={k: dict(v) for k, v in pools.items()},
                               arrived={k: dict(v) for k, v in arrived.items()})
        self.state = LiveState(minute, dict(stock), arrivals, dict(present), dict(carried),
                               self.started, self._old_counts())

    def _old_counts(self) -> EquipmentPlan:
        """The previous plan's counts for what is ahead: moves not yet left, units staying."""
        kinds = {i.item_id: i.item_type for i in self.live.items.values()}
        serve: dict[tuple[str, str], int] = defaultdict(int)
        stay: dict[tuple[str, str], int] = defaultdict(int)
        bring: dict[tuple[str, str, str], int] = defaultdict(int)
        for a in self.old.assignments:
            serve[a.item_type, a.session_id] += 1
        for m in self.old.moves:
            if m.depart > self.now and m.item_id in kinds:
                bring[kinds[m.item_id], self.live.venue_at(m.from_room_id), m.session_id] += 1
        by_unit: dict[str, list[Assignment]] = defaultdict(list)
        for a in sorted(self.old.assignments, key=lambda a: a.start):
            by_unit[a.item_id].append(a)
        moved = {(m.item_id, m.session_id) for m in self.old.moves}
        for spans in by_unit.values():
            for a, b in itertools.pairwise(spans):
                if a.room_id == b.room_id and (b.item_id, b.session_id) not in moved:
                    stay[a.item_type, a.session_id] += 1
        return EquipmentPlan(serve=dict(serve), stay=dict(stay), bring=dict(bring))


def _match(tasks: list[Task], rows: list[StaffTask], from_venue: dict[tuple, str],
           origin: dt.datetime) -> dict[str, StaffTask]:
    """The previous plan's staff rows that are the same work as the new tasks: same
    session and kind, starting inside the task's window (a move: from the same venue,
    ``from_venue`` by (person, departure))."""
    open_rows: dict[tuple[str, str], list[StaffTask]] = defaultdict(list)
    for r in sorted(rows, key=attrgetter("start", "staff_id")):
        open_rows[r.session_id, r.task].append(r)
    out: dict[str, StaffTask] = {}
    crew: set[tuple[str, str, str]] = set()  # a crew is that many different people
    for t in sorted(tasks, key=attrgetter("session_id", "kind", "index", "task_id")):
        candidates = open_rows.get((t.session_id, t.kind), [])
        for r in candidates:
            start = to_minute(r.start, origin)
            if t.earliest <= start <= t.latest and (
                    t.kind != "move" or from_venue.get((r.staff_id, r.start)) == t.from_venue
            ) and (t.session_id, t.kind, r.staff_id) not in crew:
                out[t.task_id] = r
                candidates.remove(r)
                if t.kind in ("sweep", "cleanup"):
                    crew.add((t.session_id, t.kind, r.staff_id))
                break
    return out


def _untouched(live: Scenario, day: int, tasks: list[Task], wish: dict[str, tuple[str, int]],
               minute: int, origin: dt.datetime) -> bool:
    """A day ahead whose work is the same as in the previous plan, at the same times,
    with nobody off duty then: its orders stand as they are."""
    if day <= duty_day(minute) or not all(
            t.task_id in wish and wish[t.task_id][1] >= t.earliest for t in tasks):
        return False
    lo = to_time(day * DAY + DAY_CUTOFF, origin)
    hi = to_time((day + 1) * DAY + DAY_CUTOFF, origin)
    return not any(a < hi and b > lo for windows in live.unavailable.values()
                   for a, b in windows)


def _staff_day(live: Scenario, day: int, tasks: list[Task], frozen: list[StaffTask],
               wish: dict[str, tuple[str, int]], minute: int, weights: dict[str, int],
               equipped: set[str], load: dict[str, int], seed: int, workers: int,
               budget: Budget, work: float, move_from: dict) -> tuple[dict, list[StageResult]]:
    """One duty day's work ahead: keep the previous orders that still fit, give out the
    rest, and if work is still undone, re-solve the day (coverage, then orders kept)."""
    origin = epoch(live)
    roster = Roster(live, day, load)
    busy_rows, where = _book_frozen(live, roster, day, frozen, move_from)
    pinned = dict(roster.venue)  # for the staff model: posts with work under way or done
    late, past = _start_posts_now(roster, minute, where, pinned)
    crews = _crews(frozen)
    barred = {t.task_id: set(crews[t.session_id, t.kind]) for t in tasks
              if crews.get((t.session_id, t.kind))}
    done = _keep_orders(roster, tasks, wish, crews)
    post_people(roster, [t for t in tasks if t.task_id not in done])
    fill(roster, tasks, done, crews)
    wanted = {t.task_id for t in tasks if t.session_id in equipped}
    if wanted <= set(done) or min(work, budget.left()) < 0.01:
        return done, []
    # work is undone: the day's staff model around it (two hours either side); the work
    # under way and the orders outside that window stand as they are
    undone = [t for t in tasks if t.task_id in wanted - set(done)]
    lo = min(t.earliest for t in undone) - 120
    hi = max(t.latest + t.duration for t in undone) + 120
    ids = {t.task_id for t in tasks if t.earliest < hi and t.latest + t.duration > lo}
    off = _off_duty(live, [*busy_rows, *((p, a, minute) for p, a in late)], origin)
    _pin_outside(roster, pinned, lo, hi)
    model = StaffDayModel(dataclasses.replace(live, unavailable=off), tasks, day, weights,
                          equipped, load, seed, fixed_posts=pinned,
                          fixed={k: v for k, v in done.items() if k not in ids}, barred=barred)
    model.hint(done, {k: v for k, v in roster.venue.items() if k in pinned or k not in past},
               roster.transfer)
    model.keep_at_least(done)
    model.prefer(wish)
    try:
        found, _venues, _transfers, stages = model.solve(budget, work, workers, seed,
                                                         ("tasks_keep",))
    except NoSolution:
        return done, []
    return found, stages


def _book_frozen(live: Scenario, roster: Roster, day: int, frozen: list[StaffTask],
                 move_from: dict) -> tuple[list[tuple[str, int, int]], dict[str, str]]:
    """Book on ``roster`` the rows of ``day`` under way or done: busy till they end (a
    move: till its carrier is back), and their posts at their venues.

    Returns every frozen row's busy span (person, from, to minute), whatever its day, and
    the venue each person is at after their last row that day (with none: at home)."""
    origin = epoch(live)
    where: dict[str, str] = {p: live.staff[p].venue_id for p in live.staff}
    busy_rows = []
    for r in sorted(frozen, key=lambda r: r.start):
        a, b, venue = _frozen_span(live, r, origin, move_from)
        busy_rows.append((r.staff_id, a, b))
        if duty_day(a) != day:
            continue
        roster.mark_busy(r.staff_id, a, b)
        q = post_at(roster.posts[r.staff_id], a)
        if q is not None:
            roster.venue[r.staff_id, q.index] = venue
        where[r.staff_id] = venue
    return busy_rows, where


def _frozen_span(live: Scenario, r: StaffTask, origin: dt.datetime,
                 move_from: dict) -> tuple[int, int, str]:
    """The minutes row ``r`` keeps its person busy and the venue it leaves them at: a move
    (from the venue ``move_from`` gives by person and departure) takes them back there."""
    a, b = to_minute(r.start, origin), to_minute(r.end, origin)
    venue = move_from.get((r.staff_id, r.start)) if r.task == "move" else None
    venue = venue or live.venue_of(r.room_id)
    back = (live.network.whole_minutes(live.venue_of(r.room_id), venue)
            if r.task == "move" else 0)
    return a, b + back, venue


def _start_posts_now(roster: Roster, minute: int, where: dict[str, str],
                     pinned: dict[tuple[str, int], str]
                     ) -> tuple[list[tuple[str, int]], set[tuple[str, int]]]:
    """Posts over by ``minute`` stay where their person is (``where``); a post under way
    that has had no work yet starts from now, coming from there (pinned for the model).

    Returns the late posts as (person, start as planned) and the posts that are over."""
    late = []  # people whose post under way has had no work yet: they start from now
    past = set()
    for p, plist in roster.posts.items():
        for n, q in enumerate(plist):
            if q.end <= minute:
                past.add((p, q.index))
                roster.venue.setdefault((p, q.index), where[p])
            elif q.start < minute and (p, q.index) not in roster.venue:
                plist[n] = dataclasses.replace(q, start=minute)
                late.append((p, q.start))
                if q.index:  # they come from where they are
                    roster.venue.setdefault((p, q.index - 1), where[p])
                    pinned.setdefault((p, q.index - 1), where[p])
    return late, past


def _crews(frozen: list[StaffTask]) -> defaultdict[tuple[str, str], set[str]]:
    """Who did their part of each (session, sweep or cleanup) crew before now: a crew is
    that many different people, counting those."""
    crews: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for r in frozen:
        if r.task in ("sweep", "cleanup"):
            crews[r.session_id, r.task].add(r.staff_id)
    return crews


def _keep_orders(roster: Roster, tasks: list[Task], wish: dict[str, tuple[str, int]],
                 crews: defaultdict[tuple[str, str], set[str]]) -> dict[str, tuple[str, int]]:
    """The previous orders (``wish``: person and start by task) that still fit, in time
    order, taken on ``roster`` as they were; ``crews`` grows with those who join one."""
    done: dict[str, tuple[str, int]] = {}
    by_id = {t.task_id: t for t in tasks}
    for tid, (p, start) in sorted(wish.items(), key=lambda kv: kv[1][1]):
        t = by_id.get(tid)
        if t is None or p not in roster.posts or p in crews[t.session_id, t.kind]:
            continue
        q = post_at(roster.posts[p], start)
        if q is None or not t.earliest <= start <= t.latest:
            continue
        found = roster.option(p, q, dataclasses.replace(t, earliest=start, latest=start))
        if found is not None:
            roster.take(p, q, t, *found)
            done[tid] = (p, found[0])
            if t.kind in ("sweep", "cleanup"):
                crews[t.session_id, t.kind].add(p)
    return done


def _off_duty(live: Scenario, spans: list[tuple[str, int, int]],
              origin: dt.datetime) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """When people cannot be given new work: off duty as logged, and ``spans`` (person,
    from, to minute) taken already."""
    off = {p: list(v) for p, v in live.unavailable.items()}
    for p, a, b in spans:
        off.setdefault(p, []).append((to_time(a, origin), to_time(b, origin)))
    return off


def _pin_outside(roster: Roster, pinned: dict[tuple[str, int], str], lo: int, hi: int) -> None:
    """Pin the venues ``roster`` gave the posts wholly outside the minutes [lo, hi]."""
    for p, plist in roster.posts.items():
        for q in plist:
            if (q.end <= lo or q.start >= hi) and (p, q.index) in roster.venue:
                pinned.setdefault((p, q.index), roster.venue[p, q.index])


# -- what changed -------------------------------------------------------------------------------
def _span(a: dt.datetime, b: dt.datetime) -> str:
    return f"{a:%m-%d %H:%M}–{b:%H:%M}"


def _causes(live: Scenario, events: list[Event], now: dt.datetime,
            scenario: Scenario | None = None) -> dict[str, tuple[str, str]]:
    """What each logged event did, in words, keyed by the thing it touched (each type says
    what it touched); ``scenario``: the congress before the events (a cancelled session
    is named from it)."""
    out: dict[str, tuple[str, str]] = {}
    for e in events:
        if e.at <= now:
            out.update(e.kind.causes(scenario or live, live, e, f"{e.at:%H:%M}"))
    return out


def diff(live: Scenario, old: Plan, new: Plan, now: dt.datetime,
         events: list[Event], scenario: Scenario | None = None) -> list[Change]:
    """The orders that differ between the plans from ``now`` on, per person and per unit,
    in the order they must be acted on; their reasons name people, sessions and rooms."""
    causes = _causes(live, events, now, scenario)
    changes = (_staff_changes(live, old, new, now, causes)
               + _unit_changes(live, old, new, now, causes))
    return sorted(changes, key=lambda c: (c.act_at, c.who_kind, c.who, c.change))


def _first_cause(causes: dict[str, tuple[str, str]], *keys: str) -> tuple[str, str]:
    """The words of the event that touched the first of ``keys`` it touched; none: empty."""
    for k in keys:
        if k in causes:
            return causes[k]
    return ("", "")


# people
def _orders_ahead(plan: Plan, now: dt.datetime) -> dict[tuple, StaffTask]:
    """The plan's staff rows after ``now``, by person, work, session and start."""
    return {(t.staff_id, t.task, t.session_id, t.start): t for t in plan.staff_tasks
            if t.start > now}


def _staff_changes(live: Scenario, old: Plan, new: Plan, now: dt.datetime,
                   causes: dict[str, tuple[str, str]]) -> list[Change]:
    """People's orders after ``now``: those moved in time or dropped, then those added."""
    before, after = _orders_ahead(old, now), _orders_ahead(new, now)
    gone = {k: v for k, v in before.items() if k not in after}
    came = {k: v for k, v in after.items() if k not in before}
    by_work: dict[tuple[str, str], list[StaffTask]] = defaultdict(list)  # who does it now
    for t in came.values():
        by_work[t.session_id, t.task].append(t)
    changes = []
    paired = set()
    for t, same in _retimed(gone, came):
        if same is not None:
            paired.add(id(same))
            changes.append(_retimed_change(t, same, causes))
        else:
            changes.append(_removed_change(live, t, by_work, causes))
    for t in sorted(came.values(), key=lambda x: x.start):
        if id(t) not in paired:
            changes.append(_added_change(live, t, gone, causes))
    return changes


def _retimed(gone: dict[tuple, StaffTask], came: dict[tuple, StaffTask]
             ) -> list[tuple[StaffTask, StaffTask | None]]:
    """Each order dropped, in time order, with the new order that is the same work by the
    same person at another time, if there is one (each new order pairs once)."""
    paired = set()
    out: list[tuple[StaffTask, StaffTask | None]] = []
    for t in sorted(gone.values(), key=lambda x: x.start):
        same = next((x for x in came.values() if x.staff_id == t.staff_id and x.task == t.task
                     and x.session_id == t.session_id and id(x) not in paired), None)
        if same is not None:
            paired.add(id(same))
        out.append((t, same))
    return out


def _retimed_change(t: StaffTask, same: StaffTask,
                    causes: dict[str, tuple[str, str]]) -> Change:
    """Order ``t`` done at another time (``same``)."""
    zh, en = _first_cause(causes, t.staff_id, t.session_id, t.room_id)
    return Change(min(t.start, same.start), t.staff_id, "staff", "changed", t.task,
                  t.session_id, t.room_id, _span(t.start, t.end), _span(same.start, same.end),
                  zh or "时间调整", en or "time adjusted")


def _removed_change(live: Scenario, t: StaffTask,
                    by_work: dict[tuple[str, str], list[StaffTask]],
                    causes: dict[str, tuple[str, str]]) -> Change:
    """Order ``t`` dropped: for its cause, or because someone else now does the work."""
    zh, en = _first_cause(causes, t.staff_id, t.session_id, t.room_id)
    other = [x.staff_id for x in by_work.get((t.session_id, t.task), [])
             if x.staff_id != t.staff_id]
    if not zh and other:
        who = names.person(live, other[0])
        zh, en = f"改由 {who} 执行", f"now done by {who}"
    return Change(t.start, t.staff_id, "staff", "removed", t.task, t.session_id, t.room_id,
                  _span(t.start, t.end), "", zh or "任务已不需要", en or "no longer needed")


def _added_change(live: Scenario, t: StaffTask, gone: dict[tuple, StaffTask],
                  causes: dict[str, tuple[str, str]]) -> Change:
    """Order ``t`` new: for its cause, or instead of someone who had the work."""
    instead = [x.staff_id for x in gone.values() if x.session_id == t.session_id
               and x.task == t.task and x.staff_id != t.staff_id]
    zh, en = _first_cause(causes, t.session_id, t.room_id)
    if instead:
        # what kept them (a person's own cause names them): 接替 刘洋（P004） 08:10–12:00 不能到岗
        why = _first_cause(causes, instead[0])
        zh = f"接替 {why[0] or names.person(live, instead[0])}"
        en = f"instead of {why[1] or names.person(live, instead[0])}"
    return Change(t.start, t.staff_id, "staff", "added", t.task, t.session_id, t.room_id, "",
                  _span(t.start, t.end), zh or "新任务", en or "new task")


# units: which session each serves, and the moves that take it there
def _serving(plan: Plan, now: dt.datetime) -> dict[tuple[str, str], Assignment]:
    """The plan's assignments not over by ``now``, by unit and session."""
    return {(a.item_id, a.session_id): a for a in plan.assignments if a.end > now}


def _moves_ahead(plan: Plan, now: dt.datetime) -> dict[tuple[str, str], Move]:
    """The plan's moves leaving after ``now``, by unit and session."""
    return {(m.item_id, m.session_id): m for m in plan.moves if m.depart > now}


def _unit_changes(live: Scenario, old: Plan, new: Plan, now: dt.datetime,
                  causes: dict[str, tuple[str, str]]) -> list[Change]:
    """Units' orders after ``now``: sessions served for longer or no longer, then
    sessions newly served, then moves that take a unit to the same session another way."""
    was, now_is = _serving(old, now), _serving(new, now)
    new_moves, old_moves = _moves_ahead(new, now), _moves_ahead(old, now)
    changes = []
    for key, a in sorted(was.items(), key=lambda kv: kv[1].start):
        if key not in now_is:
            changes.append(_withdrawn_change(live, a, now_is, old_moves.get(key), causes))
        elif now_is[key].end != a.end:
            zh, en = _first_cause(causes, a.session_id)
            changes.append(Change(a.end, a.item_id, "unit", "changed", "serve", a.session_id,
                                  a.room_id, _span(a.start, a.end),
                                  _span(now_is[key].start, now_is[key].end), zh, en))
    for key, a in sorted(now_is.items(), key=lambda kv: kv[1].start):
        if key not in was:
            changes.append(_sent_change(live, new, a, was, now_is, new_moves.get(key), causes))
    return changes + _recarried(live, was, now_is, old_moves, new_moves)


def _withdrawn_change(live: Scenario, a: Assignment,
                      now_is: dict[tuple[str, str], Assignment],
                      move: Move | None, causes: dict[str, tuple[str, str]]) -> Change:
    """Unit ``a.item_id`` no longer serves ``a.session_id`` (``move``: the move that was to
    take it there): for its cause, or because it is sent to another session then."""
    zh, en = _first_cause(causes, a.item_id, a.session_id, a.room_id)
    if not zh:
        nxt = [b for (u, _s), b in now_is.items() if u == a.item_id and b.start < a.end
               and b.end > a.start]
        if nxt:
            session, room = names.session(live, nxt[0].session_id), names.room(live, nxt[0].room_id)
            zh = f"改派会议 {session}，{room}"
            en = f"sent to session {session} in {room} instead"
    return Change(move.depart if move else a.start, a.item_id, "unit", "removed", "serve",
                  a.session_id, a.room_id, _span(a.start, a.end), "", zh or "调整",
                  en or "rearranged")


def _sent_change(live: Scenario, new: Plan, a: Assignment,
                 was: dict[tuple[str, str], Assignment],
                 now_is: dict[tuple[str, str], Assignment], move: Move | None,
                 causes: dict[str, tuple[str, str]]) -> Change:
    """Unit ``a.item_id`` newly serves ``a.session_id`` (``move``: the move that takes it
    there): for its cause or in place of a unit withdrawn, and from where it comes."""
    lost = [u for (u, s) in was if s == a.session_id and (u, s) not in now_is]
    zh, en = _first_cause(causes, a.session_id, a.room_id)
    if lost:
        why = _first_cause(causes, lost[0])
        zh = f"替换 {lost[0]}" + (f"（{why[0]}）" if why[0] else "")
        en = f"replaces {lost[0]}" + (f" ({why[1]})" if why[1] else "")
    if move is not None:
        zh_from, en_from = _source(live, new, move)
        zh = "；".join(x for x in (zh, zh_from) if x)
        en = "; ".join(x for x in (en, en_from) if x)
    return Change(move.depart if move else a.start, a.item_id, "unit", "added", "serve",
                  a.session_id, a.room_id, "", _span(a.start, a.end), zh or "新安排",
                  en or "newly assigned")


def _recarried(live: Scenario, was: dict[tuple[str, str], Assignment],
               now_is: dict[tuple[str, str], Assignment],
               old_moves: dict[tuple[str, str], Move],
               new_moves: dict[tuple[str, str], Move]) -> list[Change]:
    """Units that serve the same session in both plans but come another way: carried at
    another time, from elsewhere or by someone else."""
    changes = []
    for key, m in new_moves.items():
        if key in was and key in now_is and key in old_moves and old_moves[key] != m:
            o = old_moves[key]
            changes.append(Change(min(o.depart, m.depart), m.item_id, "unit", "changed", "move",
                                  m.session_id, str(m.to_room_id), _carried(live, o),
                                  _carried(live, m), "搬运安排调整",
                                  "carried at another time or by someone else"))
    return changes


def _carried(live: Scenario, m: Move) -> str:
    """A move in words: from where, when, by whom (大会堂 13:20 王建国（P001）)."""
    return f"{names.place(live, m.from_room_id)} {m.depart:%H:%M} {names.person(live, m.staff_id)}"


def _source(live: Scenario, plan: Plan, move: Move) -> tuple[str, str]:
    """Where a unit comes from, in words: a depot, or a room whose session ends then."""
    source, who = move.from_room_id, names.person(live, move.staff_id)
    if source.is_depot:
        return (f"{move.depart:%H:%M} 由 {who} 从{names.place(live, source)}运来",
                f"{who} brings it from the {names.place(live, source)} at "
                f"{move.depart:%H:%M}")
    ended = [a for a in plan.assignments if a.item_id == move.item_id
             and a.room_id == source.room_id and a.end <= move.depart]
    end = max((a.end for a in ended), default=None)
    # the day too, when the room's session ended on an earlier day than the move
    when = "" if end is None else f"{end:%H:%M}" if end.date() == move.depart.date() else (
        f"{end:%m-%d %H:%M}")
    room = names.place(live, source)
    zh = f"{move.depart:%H:%M} 由 {who} 从{room}调来"
    en = f"{who} moves it from {room} at {move.depart:%H:%M}"
    if when:
        zh += f"（{room}的会议 {when} 结束）"
        en += f", where the session ended at {when}"
    return zh, en


def _counts(row) -> tuple | None:
    return None if row is None else (
        row.jammers_assigned, row.cabinet_units_assigned, row.patrols_assigned, row.sweep_done,
        row.cleanup_done, row.covered)


def session_changes(live: Scenario, scenario: Scenario, old: Plan, new: Plan,
                    changes: list[Change], events: list[Event],
                    now: dt.datetime) -> list[SessionChange]:
    """For each session whose coverage changed (or whose units or people did), why."""
    before = {r.session_id: r for r in old.coverage}
    after = {r.session_id: r for r in new.coverage}
    causes = _causes(live, events, now, scenario)
    touched: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        touched[c.session_id].append(c)
    out = []
    for sid in sorted(set(before) | set(after)):
        b, a = before.get(sid), after.get(sid)
        if _counts(b) == _counts(a) and not touched.get(sid):
            continue
        zh, en = [], []
        own = causes.get(sid) or (causes.get(live.sessions[sid].room_id) if sid in
                                  live.sessions else None)
        if own:
            zh.append(own[0])
            en.append(own[1])
        for c in touched.get(sid, []):
            if c.who_kind == "unit" and c.change != "changed":
                verb = ("撤下", "withdrawn") if c.change == "removed" else ("调入", "added")
                zh.append(f"{c.who} {verb[0]}：{c.reason}")
                en.append(f"{c.who} {verb[1]}: {c.reason_en}")
        people = [c for c in touched.get(sid, []) if c.who_kind == "staff"]
        if people:
            who = names.people(live, sorted({c.who for c in people}))
            zh.append("人员调整 " + who)
            en.append("people changed: " + who)
        if a is not None and not a.covered:
            zh.append("仍缺：" + a.shortfall_reason)
            en.append("still short: " + a.shortfall_reason_en)
        out.append(SessionChange(sid, None if b is None else b.covered,
                                 None if a is None else a.covered,
                                 "；".join(zh), "; ".join(en)))
    return out
