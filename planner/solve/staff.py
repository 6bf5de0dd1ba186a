"""The staff model: who does which sweep, patrol, clean-up, bag collection and move, when.

Solved one duty day at a time (days are independent for people: shifts end at
night). Each person's shift is cut into posts (岗) of ``post_minutes``; in a
post a person works at one venue. Between two posts at different venues the
person travels (a transfer of the road time, placed by the solver). So every
person does one task at a time, inside the shift, with travel between venues.
A move leaves from its source venue; a person who drives units to another
venue is away for the return trip too.

Objective per day, in strict order: (1) weighted sessions whose every task is
done, then weighted tasks done; (2) the heaviest cumulative load as light as
possible (even load). Afterwards each patrol slides, inside its window and the
person's free time, towards a time drawn from the seed, so patrol times cannot
be learned while coverage and the person stay the same (:func:`scatter_patrols`).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.budget import Budget
from planner.scenario import Scenario
from planner.solve.equipment import ModelError, StageResult
from planner.tasks import Task, epoch, to_minute

DAY = 1440
DAY_CUTOFF = 4 * 60  # a duty day runs from 04:00 to 04:00: night shifts belong to their evening


@dataclass(frozen=True)
class Post:
    staff_id: str
    day: int
    index: int
    start: int
    end: int
    shift_end: int


def teams(scenario: Scenario) -> list[tuple[list[str], set[str]]]:
    """People and venues that can never meet another such group (no one's reach links them):
    each team is planned on its own, which keeps large congresses tractable."""
    import networkx as nx

    radius = scenario.rules.staff_radius_minutes
    g = nx.Graph()
    g.add_nodes_from(("v", v) for v in scenario.venues)
    for p, person in scenario.staff.items():
        for v in scenario.venues:
            if scenario.network.travel_minutes(person.venue_id, v) <= radius:
                g.add_edge(("p", p), ("v", v))
    out = []
    for part in nx.connected_components(g):
        people = sorted(x for k, x in part if k == "p")
        venues = {x for k, x in part if k == "v"}
        out.append((people, venues))
    return sorted(out, key=lambda t: sorted(t[1]))


def duty_day(minute: int) -> int:
    return (minute - DAY_CUTOFF) // DAY


def posts_of(scenario: Scenario, staff_id: str, day: int) -> list[Post]:
    """The posts of a person's shift that starts on duty day ``day``."""
    p = scenario.staff[staff_id]
    a = day * DAY + p.shift_start.hour * 60 + p.shift_start.minute
    if a < day * DAY + DAY_CUTOFF:
        a += DAY
    b = a - (a % DAY) + p.shift_end.hour * 60 + p.shift_end.minute
    if b <= a:
        b += DAY
    length = scenario.rules.post_minutes
    cuts = [*list(range(a, b, length)), b]
    if len(cuts) > 2 and cuts[-1] - cuts[-2] < length // 2:
        del cuts[-2]  # a short last stretch joins the post before it
    return [Post(staff_id, day, i, lo, hi, b)
            for i, (lo, hi) in enumerate(itertools.pairwise(cuts))]


def post_at(posts: list[Post], minute: int) -> Post | None:
    """The post a task starting at ``minute`` belongs to."""
    return next((q for q in posts if q.start <= minute < q.end), None)


class StaffDayModel:
    def __init__(self, scenario: Scenario, tasks: list[Task], day: int,
                 session_weight: dict[str, int], full_possible: set[str],
                 prior_load: dict[str, int], seed: int,
                 fixed_posts: dict[tuple[str, int], str] | None = None,
                 people: list[str] | None = None,
                 fixed: dict[str, tuple[str, int]] | None = None,
                 barred: dict[str, set[str]] | None = None) -> None:
        """``fixed_posts`` pins the venue of some posts (the greedy's, by workload): the
        model then reassigns work among the people posted there and fills open posts,
        which keeps it small enough to solve in seconds. ``fixed`` tasks are done by the
        person at the minute given (re-planning: orders outside the part re-solved).
        ``barred`` names, per task, people who may not do it (re-planning: those already
        in its crew before now, since a crew is that many different people)."""
        fixed = fixed or {}
        barred = barred or {}
        self.kept = (0, 0)  # orders kept, and how many could be (see prefer)
        origin = epoch(scenario)
        fixed_posts = fixed_posts or {}
        people = list(people) if people is not None else list(scenario.staff)
        self.scenario, self.tasks, self.day = scenario, tasks, day
        self.model = m = cp_model.CpModel()
        net = scenario.network
        radius = scenario.rules.staff_radius_minutes
        self.options: dict[str, list[tuple[str, cp_model.IntVar, cp_model.IntVar]]] = {}
        self.done: dict[str, cp_model.IntVar] = {}
        per_staff: dict[str, list] = defaultdict(list)
        self.load_terms: dict[str, list] = defaultdict(list)
        posts = {p: posts_of(scenario, p, day) for p in people}
        reach = {p: [v for v in scenario.venues
                     if net.travel_minutes(scenario.staff[p].venue_id, v) <= radius]
                 for p in people}
        self.z = z = {}
        for p, plist in posts.items():
            for q in plist:
                pinned = fixed_posts.get((p, q.index))
                venues = [pinned] if pinned else reach[p]
                here = [m.new_bool_var(f"z_{p}_{q.index}_{v}") for v in venues]
                for v, var in zip(venues, here, strict=True):
                    z[p, q.index, v] = var
                m.add_at_most_one(here)
        self.transfers = transfers = {}
        self.option_post: dict[int, Post] = {}
        for p, plist in posts.items():
            far = max((net.whole_minutes(a, b) for a in reach[p] for b in reach[p]), default=0)
            for q, q2 in itertools.pairwise(plist):
                start = m.new_int_var(q.end, q2.end, f"tr_s_{p}_{q.index}")
                size = m.new_int_var(0, int(far), f"tr_d_{p}_{q.index}")
                end = m.new_int_var(q.end, q2.end + int(far), f"tr_e_{p}_{q.index}")
                interval = m.new_interval_var(start, size, end, f"tr_{p}_{q.index}")
                for a in reach[p]:
                    for b in reach[p]:
                        minutes = net.whole_minutes(a, b)
                        if a != b and minutes and (p, q.index, a) in z and (p, q2.index, b) in z:
                            m.add(size >= minutes * (z[p, q.index, a] + z[p, q2.index, b] - 1))
                transfers[p, q2.index] = (start, size)
                per_staff[p].append(interval)
        for t in tasks:
            where = t.from_venue or t.venue_id
            opts = []
            for p, plist in posts.items():
                if where not in reach[p] or (t.task_id in fixed and fixed[t.task_id][0] != p) or (
                        p in barred.get(t.task_id, ())):
                    continue
                for q in plist:
                    if (p, q.index, where) not in z:
                        continue
                    lo = max(t.earliest, q.start)
                    hi = min(t.latest, q.end - 1, q.shift_end - t.duration)
                    if t.task_id in fixed:
                        lo = hi = fixed[t.task_id][1] if lo <= fixed[t.task_id][1] <= hi else -1
                        if lo < 0:
                            continue
                    if lo > hi:
                        continue
                    x = m.new_bool_var(f"x_{t.task_id}_{p}_{q.index}")
                    self.option_post[x.index] = q
                    s = m.new_int_var(lo, hi, f"s_{t.task_id}_{p}_{q.index}")
                    size = t.duration + t.busy_after
                    per_staff[p].append(m.new_optional_fixed_size_interval_var(
                        s, size, x, f"i_{t.task_id}_{p}_{q.index}"))
                    m.add_implication(x, z[p, q.index, where])
                    if (p, q.index) in transfers:
                        tr_start, tr_size = transfers[p, q.index]
                        m.add(s >= tr_start + tr_size).only_enforce_if(x)
                    self.load_terms[p].append(t.duration * x)
                    opts.append((p, x, s))
            self.options[t.task_id] = opts
            done = m.new_bool_var(f"done_{t.task_id}")
            m.add(sum(x for _, x, _ in opts) == done)
            if t.task_id in fixed:
                m.add(done == 1)
            self.done[t.task_id] = done
        for p in people:  # logged as unavailable: those times are taken
            for a, b in scenario.unavailable.get(p, []):
                lo, hi = to_minute(a, origin), to_minute(b, origin)
                if hi > lo:
                    per_staff[p].append(m.new_fixed_size_interval_var(lo, hi - lo, f"off_{p}"))
        for intervals in per_staff.values():
            m.add_no_overlap(intervals)
        by_session: dict[str, list[str]] = defaultdict(list)
        crews: dict[tuple[str, str], list[str]] = defaultdict(list)
        for t in tasks:
            by_session[t.session_id].append(t.task_id)
            if t.kind in ("sweep", "cleanup"):
                crews[t.session_id, t.kind].append(t.task_id)
        for crew in crews.values():  # crew members are alike: fill them in order
            for a, b in itertools.pairwise(crew):
                m.add_implication(self.done[b], self.done[a])
            by_person: dict[str, list] = defaultdict(list)
            for tid in crew:
                for p, x, _s in self.options[tid]:
                    by_person[p].append(x)
            for mine in by_person.values():  # and a crew is that many different people
                if len(mine) > 1:
                    m.add_at_most_one(mine)
        full_terms = []
        for sid, ids in by_session.items():
            if sid not in full_possible:
                continue
            full = m.new_bool_var(f"full_{sid}")
            for tid in ids:
                m.add_implication(full, self.done[tid])
            full_terms.append(session_weight[sid] * full)
        # a session with all its work done outweighs any amount of work done in part:
        # coverage is counted by whole sessions, the tasks only lead the way to them
        self._full_bonus = 1 + sum(session_weight[t.session_id] for t in tasks)
        self.coverage = (self._full_bonus * sum(full_terms)
                         + sum(session_weight[t.session_id] * self.done[t.task_id] for t in tasks))
        self._weights = {sid: session_weight[sid] for sid in by_session if sid in full_possible}
        self._by_session = by_session
        self._task_weight = {t.task_id: session_weight[t.session_id] for t in tasks}
        horizon = sum(t.duration for t in tasks) + max(prior_load.values(), default=0)
        self.max_load = m.new_int_var(0, horizon, "max_load")
        for p in people:
            m.add(self.max_load >= prior_load.get(p, 0) + sum(self.load_terms[p]))

    def solve(self, budget: Budget, work: float, workers: int, seed: int,
              stages: tuple[str, ...] = ("tasks", "load")) -> tuple[dict, dict, dict, list]:
        """Run the named stages in order within ``work`` deterministic seconds of ``budget``
        (each fixes its result for the next); returns the tasks done, post venues,
        transfers and the stage results. Raises :class:`NoSolution` when the first stage
        finds nothing within its budget, :class:`ModelError` when the model is infeasible
        or invalid (a bug: the hint it is given is always a solution)."""
        m = self.model
        results = []
        solver = None
        kept, wishes = self.kept
        goals = {"tasks": (self.coverage, "max"), "load": (self.max_load, "min"),
                 # coverage first, then orders kept, as one objective: one solve, all the time
                 "tasks_keep": (self.coverage * (wishes + 1) + kept, "max")}
        for name in stages:
            objective, sense = goals[name]
            if sense == "max":
                m.maximize(objective)
            else:
                m.minimize(objective)
            trial = budget.solver(work / len(stages), workers, seed)
            status = trial.solve(m)
            results.append(StageResult.of(f"{name}:{self.day}", trial, status, budget))
            if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                raise ModelError(f"staff model, day {self.day}, {name}: "
                                 f"{trial.status_name(status)}", results[-1])
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if solver is None:
                    raise NoSolution(f"staff model, day {self.day}: nothing within the budget")
                break  # the stage before stands
            solver = trial
            value = results[-1].objective
            if sense == "max":
                m.add(objective >= value)
            else:
                m.add(objective <= value)
            m.clear_hints()
            for opts in self.options.values():
                for _, x, s in opts:
                    m.add_hint(x, solver.value(x))
                    m.add_hint(s, solver.value(s))
        assert solver is not None
        done = {}
        for tid, opts in self.options.items():
            for p, x, s in opts:
                if solver.value(x):
                    done[tid] = (p, solver.value(s))
        transfers = {key: (solver.value(a), solver.value(b))
                     for key, (a, b) in self.transfers.items()}
        venues = {(p, qi): v for (p, qi, v), var in self.z.items() if solver.value(var)}
        return done, venues, transfers, results

    def prefer(self, old: dict[str, tuple[str, int]]) -> None:
        """Re-planning: the ``tasks_keep`` goal also counts the tasks left with the person
        and the time the previous plan gave them (so fewest orders change)."""
        kept = []
        for tid, (p, start) in old.items():
            for person, x, s in self.options.get(tid, []):
                q = self.option_post.get(x.index)
                if person == p and q is not None and q.start <= start < q.end:
                    same = self.model.new_bool_var(f"keep_{tid}")
                    self.model.add(s == start).only_enforce_if(same)
                    self.model.add_implication(same, x)
                    kept.append(same)
        self.kept = (sum(kept), len(kept))

    def keep_at_least(self, done: dict[str, tuple[str, int]]) -> None:
        """Never do less than ``done`` does: its coverage value becomes a floor."""
        value = sum(self._task_weight[tid] for tid in done if tid in self._task_weight)
        value += self._full_bonus * sum(w for sid, w in self._weights.items()
                            if all(tid in done for tid in self._by_session[sid]))
        self.model.add(self.coverage >= value)

    def hint(self, done: dict[str, tuple[str, int]], venues: dict[tuple[str, int], str],
             transfers: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Start from a known day (the greedy's, or an earlier solve): every option, post
        venue and transfer hinted."""
        m = self.model
        for tid, opts in self.options.items():
            chosen = done.get(tid)
            for p, x, s in opts:
                q = self.option_post.get(x.index)
                hit = (chosen is not None and chosen[0] == p and q is not None
                       and q.start <= chosen[1] < q.end)
                m.add_hint(x, int(hit))
                if hit:
                    m.add_hint(s, chosen[1])
        for (p, qi, v), var in self.z.items():
            m.add_hint(var, int(venues.get((p, qi)) == v))
        for key, (start, size) in self.transfers.items():
            if key in transfers:
                m.add_hint(start, transfers[key][0])
                m.add_hint(size, transfers[key][1])


class NoSolution(Exception):
    """The staff model found no solution within its budget: the roster it started from stands."""


def scatter_patrols(scenario: Scenario, day: int, tasks: list[Task],
                    done: dict[str, tuple[str, int]], transfers: dict[tuple[str, int],
                                                                     tuple[int, int]],
                    seed: int) -> dict[str, tuple[str, int]]:
    """Slide each patrol towards a seeded random time, inside its window, its post and
    the person's free time; who does what, and so coverage, does not change."""
    busy: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    by_id = {t.task_id: t for t in tasks}
    for tid, (p, start) in done.items():
        t = by_id[tid]
        busy[p].append((start, start + t.duration + t.busy_after, tid))
    for (p, _qi), (start, size) in transfers.items():
        if size:
            busy[p].append((start, start + size, ""))
    origin = epoch(scenario)
    for p in list(busy):  # logged as unavailable: no patrol slides into that time
        for a, b in scenario.unavailable.get(p, []):
            busy[p].append((to_minute(a, origin), to_minute(b, origin), ""))
    out = dict(done)
    for p, items in busy.items():
        items.sort()
        posts = posts_of(scenario, p, day)
        for n, (start, _end, tid) in enumerate(items):
            t = by_id.get(tid)
            if t is None or t.kind != "patrol":
                continue
            post = post_at(posts, start)
            target = random.Random(f"{seed}:{tid}").randint(t.earliest, t.latest)
            lo = max(t.earliest, post.start, items[n - 1][1] if n else post.start)
            after = items[n + 1][0] if n + 1 < len(items) else post.shift_end
            hi = min(t.latest, post.end - 1, after - t.duration)
            new = min(max(target, lo), hi) if lo <= hi else start
            items[n] = (new, new + t.duration, tid)
            out[tid] = (p, new)
    return out
