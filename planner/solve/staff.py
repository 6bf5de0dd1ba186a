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

from ortools.sat.python import cp_model

from planner.model.posts import (
    DAY as DAY,  # re-exported: duty days and posts are planner.model.posts'
)
from planner.model.posts import DAY_CUTOFF as DAY_CUTOFF
from planner.model.posts import Post, post_at, posts_of
from planner.model.posts import duty_day as duty_day
from planner.model.scenario import Scenario
from planner.model.tasks import Task, epoch, to_minute
from planner.solve.budget import Budget
from planner.solve.districts import reach
from planner.solve.equipment import ModelError, StageResult


def teams(scenario: Scenario) -> list[tuple[list[str], set[str]]]:
    """People and venues that can never meet another such group (no one's reach links them,
    :func:`planner.solve.districts.reach`): each team is planned on its own, which keeps
    large congresses tractable."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(("v", v) for v in scenario.venues)
    for p, venues in reach(scenario).items():
        for v in venues:
            g.add_edge(("p", p), ("v", v))
    out = []
    for part in nx.connected_components(g):
        people = sorted(x for k, x in part if k == "p")
        venues = {x for k, x in part if k == "v"}
        out.append((people, venues))
    return sorted(out, key=lambda t: sorted(t[1]))


def _window(t: Task, q: Post, fixed: dict[str, tuple[str, int]]) -> tuple[int, int] | None:
    """The starts ``t`` may have in post ``q`` (the one minute given, when ``fixed``)."""
    lo = max(t.earliest, q.start)
    hi = min(t.latest, q.end - 1, q.shift_end - t.duration)
    if t.task_id in fixed:
        lo = hi = fixed[t.task_id][1] if lo <= fixed[t.task_id][1] <= hi else -1
        if lo < 0:
            return None
    if lo > hi:
        return None
    return lo, hi


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
        # orders kept, and how many could be (see prefer)
        self.kept: tuple[cp_model.LinearExpr | int, int] = (0, 0)
        people = list(people) if people is not None else list(scenario.staff)
        self.scenario, self.tasks, self.day = scenario, tasks, day
        self.model = cp_model.CpModel()
        self.options: dict[str, list[tuple[str, cp_model.IntVar, cp_model.IntVar]]] = {}
        self.done: dict[str, cp_model.IntVar] = {}
        self.load_terms: dict[str, list] = defaultdict(list)
        self.z: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.transfers: dict[tuple[str, int], tuple[cp_model.IntVar, cp_model.IntVar]] = {}
        self.option_post: dict[int, Post] = {}
        self._people = people
        self._posts = {p: posts_of(scenario, p, day) for p in people}
        where = reach(scenario)
        self._reach = {p: [v for v in scenario.venues if v in where[p]] for p in people}
        self._by_session: dict[str, list[str]] = defaultdict(list)
        for t in tasks:
            self._by_session[t.session_id].append(t.task_id)
        self._per_staff: dict[str, list] = defaultdict(list)  # each person's intervals
        # The variables, then the constraints family by family, then the objective terms.
        # CP-SAT's search follows the order of the variables and of the constraints: each
        # family adds its own in the order they always had, so the model stays the same.
        self._post_vars(fixed_posts or {})
        self._transfer_vars()
        self._option_vars(fixed, barred)
        self._full_vars(full_possible)
        self._load_var(prior_load)
        self._one_venue_per_post()
        self._travel_between_posts()
        self._options_and_done(fixed)
        self._unavailable_times()
        self._one_thing_at_a_time()
        self._crews()
        self._full_sessions()
        self._heaviest_load(prior_load)
        self._coverage_terms(session_weight)

    # -- variables ------------------------------------------------------------------------
    def _post_vars(self, fixed_posts: dict[tuple[str, int], str]) -> None:
        """``z[p, post, venue]``: the venue a person works at in a post (at most one)."""
        self._post_choice: dict[tuple[str, int], list[cp_model.IntVar]] = {}
        for p, plist in self._posts.items():
            for q in plist:
                pinned = fixed_posts.get((p, q.index))
                venues = [pinned] if pinned else self._reach[p]
                here = [self.model.new_bool_var(f"z_{p}_{q.index}_{v}") for v in venues]
                for v, var in zip(venues, here, strict=True):
                    self.z[p, q.index, v] = var
                self._post_choice[p, q.index] = here

    def _transfer_vars(self) -> None:
        """The travel between two posts of a person: start, size (road time) and end."""
        m, net = self.model, self.scenario.network
        self._transfer_end: dict[tuple[str, int], cp_model.IntVar] = {}
        for p, plist in self._posts.items():
            venues = self._reach[p]
            far = max((net.whole_minutes(a, b) for a in venues for b in venues), default=0)
            for q, q2 in itertools.pairwise(plist):
                start = m.new_int_var(q.end, q2.end, f"tr_s_{p}_{q.index}")
                size = m.new_int_var(0, int(far), f"tr_d_{p}_{q.index}")
                end = m.new_int_var(q.end, q2.end + int(far), f"tr_e_{p}_{q.index}")
                self.transfers[p, q2.index] = (start, size)
                self._transfer_end[p, q2.index] = end

    def _option_vars(self, fixed: dict[str, tuple[str, int]],
                     barred: dict[str, set[str]]) -> None:
        """Per task, its options (who, in which post, from when) and whether it is done."""
        self._task_rows: list[tuple[Task, list, cp_model.IntVar]] = []
        for t in self.tasks:
            opts = self._task_options(t, fixed, barred)
            self.options[t.task_id] = opts
            done = self.model.new_bool_var(f"done_{t.task_id}")
            self.done[t.task_id] = done
            self._task_rows.append((t, opts, done))

    def _task_options(self, t: Task, fixed: dict[str, tuple[str, int]],
                      barred: dict[str, set[str]]) -> list:
        """``x`` (this person does ``t`` in this post) and ``s`` (its start), per option."""
        m = self.model
        where = t.from_venue or t.venue_id
        opts = []
        for p, plist in self._posts.items():
            if where not in self._reach[p] or (t.task_id in fixed and fixed[t.task_id][0] != p) or (
                    p in barred.get(t.task_id, ())):
                continue
            for q in plist:
                window = _window(t, q, fixed) if (p, q.index, where) in self.z else None
                if window is None:
                    continue
                x = m.new_bool_var(f"x_{t.task_id}_{p}_{q.index}")
                self.option_post[x.index] = q
                s = m.new_int_var(*window, f"s_{t.task_id}_{p}_{q.index}")
                self.load_terms[p].append(t.duration * x)
                opts.append((p, x, s))
        return opts

    def _full_vars(self, full_possible: set[str]) -> None:
        """``full[session]``: all the session's work done (where its equipment can be)."""
        self._full = {sid: self.model.new_bool_var(f"full_{sid}")
                      for sid in self._by_session if sid in full_possible}

    def _load_var(self, prior_load: dict[str, int]) -> None:
        horizon = sum(t.duration for t in self.tasks) + max(prior_load.values(), default=0)
        self.max_load = self.model.new_int_var(0, horizon, "max_load")

    # -- constraints ----------------------------------------------------------------------
    def _one_venue_per_post(self) -> None:
        for here in self._post_choice.values():
            self.model.add_at_most_one(here)

    def _travel_between_posts(self) -> None:
        """A transfer is at least the road time between the venues of its two posts."""
        m, net, z = self.model, self.scenario.network, self.z
        for p, plist in self._posts.items():
            reach = self._reach[p]
            for q, q2 in itertools.pairwise(plist):
                start, size = self.transfers[p, q2.index]
                interval = m.new_interval_var(start, size, self._transfer_end[p, q2.index],
                                              f"tr_{p}_{q.index}")
                for a in reach:
                    for b in reach:
                        minutes = net.whole_minutes(a, b)
                        if a != b and minutes and (p, q.index, a) in z and (p, q2.index, b) in z:
                            m.add(size >= minutes * (z[p, q.index, a] + z[p, q2.index, b] - 1))
                self._per_staff[p].append(interval)

    def _options_and_done(self, fixed: dict[str, tuple[str, int]]) -> None:
        """An option takes the person's time, at the post's venue, after the transfer into
        the post; a task is done by at most one option (by its own, when ``fixed``)."""
        m = self.model
        for t, opts, done in self._task_rows:
            where = t.from_venue or t.venue_id
            size = t.duration + t.busy_after
            for p, x, s in opts:
                q = self.option_post[x.index]
                self._per_staff[p].append(m.new_optional_fixed_size_interval_var(
                    s, size, x, f"i_{t.task_id}_{p}_{q.index}"))
                m.add_implication(x, self.z[p, q.index, where])
                if (p, q.index) in self.transfers:
                    tr_start, tr_size = self.transfers[p, q.index]
                    m.add(s >= tr_start + tr_size).only_enforce_if(x)
            m.add(sum(x for _, x, _ in opts) == done)
            if t.task_id in fixed:
                m.add(done == 1)

    def _unavailable_times(self) -> None:
        """Logged as unavailable (and, re-planning, taken by work under way): those times
        are taken, as fixed intervals that must not overlap one another either."""
        origin = epoch(self.scenario)
        for p in self._people:
            spans = [(to_minute(a, origin), to_minute(b, origin))
                     for a, b in self.scenario.unavailable.get(p, [])]
            for lo, hi in disjoint([(lo, hi) for lo, hi in spans if hi > lo]):
                self._per_staff[p].append(
                    self.model.new_fixed_size_interval_var(lo, hi - lo, f"off_{p}"))

    def _one_thing_at_a_time(self) -> None:
        for intervals in self._per_staff.values():
            self.model.add_no_overlap(intervals)

    def _crews(self) -> None:
        m = self.model
        crews: dict[tuple[str, str], list[str]] = defaultdict(list)
        for t in self.tasks:
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

    def _full_sessions(self) -> None:
        for sid, full in self._full.items():
            for tid in self._by_session[sid]:
                self.model.add_implication(full, self.done[tid])

    def _heaviest_load(self, prior_load: dict[str, int]) -> None:
        for p in self._people:
            self.model.add(self.max_load >= prior_load.get(p, 0) + sum(self.load_terms[p]))

    # -- objective terms ------------------------------------------------------------------
    def _coverage_terms(self, session_weight: dict[str, int]) -> None:
        tasks = self.tasks
        full_terms = [session_weight[sid] * full for sid, full in self._full.items()]
        # a session with all its work done outweighs any amount of work done in part:
        # coverage is counted by whole sessions, the tasks only lead the way to them
        self._full_bonus = 1 + sum(session_weight[t.session_id] for t in tasks)
        self.coverage = (self._full_bonus * sum(full_terms)
                         + sum(session_weight[t.session_id] * self.done[t.task_id] for t in tasks))
        self._weights = {sid: session_weight[sid] for sid in self._full}
        self._task_weight = {t.task_id: session_weight[t.session_id] for t in tasks}

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
                    assert chosen is not None  # a hit is the option chosen
                    m.add_hint(s, chosen[1])
        for (p, qi, v), var in self.z.items():
            m.add_hint(var, int(venues.get((p, qi)) == v))
        for key, (start, size) in self.transfers.items():
            if key in transfers:
                m.add_hint(start, transfers[key][0])
                m.add_hint(size, transfers[key][1])


def disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` as they are when none overlaps another; else their union, in order (an
    absence logged over work already under way: two fixed intervals that overlap would
    make the day's model infeasible)."""
    ordered = sorted(spans)
    if all(b[0] >= a[1] for a, b in itertools.pairwise(ordered)):
        return spans
    merged: list[tuple[int, int]] = []
    for lo, hi in ordered:
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


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
        task = by_id[tid]
        busy[p].append((start, start + task.duration + task.busy_after, tid))
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
            assert post is not None  # a task done starts within one of its person's posts
            target = random.Random(f"{seed}:{tid}").randint(t.earliest, t.latest)
            lo = max(t.earliest, post.start, items[n - 1][1] if n else post.start)
            after = items[n + 1][0] if n + 1 < len(items) else post.shift_end
            hi = min(t.latest, post.end - 1, after - t.duration)
            new = min(max(target, lo), hi) if lo <= hi else start
            items[n] = (new, new + t.duration, tid)
            out[tid] = (p, new)
    return out
