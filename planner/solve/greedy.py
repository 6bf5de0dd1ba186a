"""The greedy baseline: first come first served, nearest free unit, nearest free person.

It makes the same kind of decisions as the CP-SAT model, so it serves three
ends: a baseline to compare the model against (``bench/``), a plan when no
solver time is given, and the starting point (hint) of the staff model.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.posts import Post, post_at, posts_of
from planner.model.requirements import Requirement
from planner.model.scenario import Scenario
from planner.model.tasks import Task, epoch, to_minute
from planner.solve.districts import reach
from planner.solve.equipment_plan import (  # shared with the models
    EquipmentPlan,
    LiveState,
    departure,
    max_move_cost,
    sources,
)


class _Pool:
    """Units of one type at one venue over time: a level that must never go below zero."""

    def __init__(self, stock: int) -> None:
        self.times: list[int] = [-(10**9)]
        self.levels: list[int] = [stock]

    def _point(self, t: int) -> int:
        i = bisect.bisect_right(self.times, t) - 1
        if self.times[i] != t:
            self.times.insert(i + 1, t)
            self.levels.insert(i + 1, self.levels[i])
            i += 1
        return i

    def available(self, t: int, until: int | None = None) -> int:
        """Units that can leave at ``t`` without leaving the pool short later (before
        ``until``, when they come back to this pool then)."""
        i = bisect.bisect_right(self.times, t) - 1
        j = len(self.levels) if until is None else max(i + 1, bisect.bisect_left(self.times,
                                                                                  until))
        return min(self.levels[i:j])

    def add(self, t: int, n: int) -> None:
        for j in range(self._point(t), len(self.levels)):
            self.levels[j] += n


def greedy_equipment(scenario: Scenario, requirements: dict[str, Requirement],
                     origin, live: LiveState | None = None) -> EquipmentPlan:
    """Sessions in start order; each takes the units already in its room, then the nearest.

    With ``live`` (re-planning) only what is ahead is allocated, from where the units stand
    then: sessions under way keep their units, units on their way count for their session,
    and each session first takes what the previous plan (``live.old``) gave it: the units
    staying from the room's previous session and the loads from the same venues, as far
    as the pools still allow; only what is missing then is found anew, nearest first.
    """
    serve: dict = {}
    stay: dict = {}
    bring: dict = {}
    old = live.old if live is not None and live.old is not None else EquipmentPlan({}, {}, {})
    near_of = {venue: _nearest_first(scenario, venue) for venue in scenario.venues}
    for kind in STOCK_KINDS:
        _allocate(scenario, requirements, origin, live, old, kind, near_of, serve, stay, bring)
    return EquipmentPlan(serve=serve, stay=stay, bring=bring,
                         max_move_cost=max_move_cost(scenario, requirements))


def _nearest_first(scenario: Scenario, venue: str) -> list[str]:
    """The venues whose units may be brought to ``venue``, nearest first."""
    return sorted(sources(scenario, venue),
                  key=lambda v: scenario.network.travel_minutes(v, venue))


def _pools(scenario: Scenario, live: LiveState | None, kind: str) -> dict[str, _Pool]:
    """Each venue's pool of ``kind`` units: the usable units kept there or, re-planning,
    those free there now and those that become free there later."""
    if live is None:
        return {v: _Pool(sum(1 for i in scenario.items_of(kind)
                             if i.venue_id == v and i.status == "ok"))
                for v in scenario.venues}
    pools = {v: _Pool(live.stock.get((kind, v), 0)) for v in scenario.venues}
    for k, v, minute in live.arrivals:
        if k == kind:
            pools[v].add(minute, 1)
    return pools


def _allocate(scenario: Scenario, requirements: dict[str, Requirement], origin,
              live: LiveState | None, old: EquipmentPlan, kind: str,
              near_of: dict[str, list[str]], serve: dict, stay: dict, bring: dict) -> None:
    """One type of unit, session by session in start order (see greedy_equipment)."""
    pools = _pools(scenario, live, kind)

    def needs(sid: str) -> int:
        return getattr(requirements[sid], REQUIREMENT_FIELD[kind])

    ahead = [s for s in scenario.sessions.values() if needs(s.session_id) > 0
             and (live is None or to_minute(s.end, origin) > live.now)]
    last_in_room: dict[str, str] = {}
    for s in ahead:
        sid = s.session_id
        need = needs(sid)
        end = to_minute(s.end, origin)
        venue = scenario.venue_of(s.room_id)
        before = last_in_room.get(s.room_id)
        last_in_room[s.room_id] = sid
        if live is not None and sid in live.started:
            # under way: it keeps the units it has; they leave when it ends
            serve[kind, sid] = min(live.present.get((kind, sid), 0), need)
            pools[venue].add(end, serve[kind, sid])
            continue
        got = live.carried.get((kind, sid), 0) if live is not None else 0
        near = near_of[venue]
        # re-planning: what the previous plan gave the session first (as far as the
        # pools still allow), then whatever is missing, nearest first
        passes = [(need, [(v, need) for v in near])]
        if live is not None:
            passes.insert(0, (old.stay.get((kind, before), 0) if before is not None else 0,
                              [(v, old.bring.get((kind, v, sid), 0)) for v in near]))
        for stays, loads in passes:
            if before is not None and got < need:
                prev = to_minute(scenario.sessions[before].end, origin)
                # units of the previous session in this room stay, if nobody took them
                kept = min(serve.get((kind, before), 0) - stay.get((kind, before), 0),
                           need - got, stays, pools[venue].available(prev, end))
                if kept > 0:
                    pools[venue].add(prev, -kept)
                    stay[kind, before] = stay.get((kind, before), 0) + kept
                    got += kept
            for v, most in loads:
                if got >= need:
                    break
                early, latest = departure(scenario, origin, v, sid)
                if live is not None:
                    if latest < live.now:
                        continue  # too late to send anything from there
                    early = max(early, live.now)
                # a unit from this venue's own pool comes back to it when the session ends
                n = min(need - got, most,
                        pools[v].available(early, end if v == venue else None))
                if n > 0:
                    pools[v].add(early, -n)
                    bring[kind, v, sid] = bring.get((kind, v, sid), 0) + n
                    got += n
        serve[kind, sid] = got
        pools[venue].add(end, got)


STAY_NEAR, GO_FAR = 10, 30  # minutes a greedy choice is willing to wait to keep people put


class Roster:
    """People's days as the greedy fills them: busy times, post venues, arrivals."""

    def __init__(self, scenario: Scenario, day: int, prior_load: dict[str, int]) -> None:
        self.scenario = scenario
        self.posts: dict[str, list[Post]] = {p: posts_of(scenario, p, day)
                                             for p in scenario.staff}
        self.venue: dict[tuple[str, int], str] = {}
        self.arrival: dict[tuple[str, int], int] = {}
        self.transfer: dict[tuple[str, int], tuple[int, int]] = {}
        self.busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.load = dict(prior_load)
        self.reach = reach(scenario)
        origin = epoch(scenario)
        for p, windows in scenario.unavailable.items():  # logged as unavailable
            for a, b in windows:
                self.mark_busy(p, to_minute(a, origin), to_minute(b, origin))

    def _travel(self, a: str, b: str) -> int:
        return self.scenario.network.whole_minutes(a, b)

    def _fit(self, p: str, lo: int, hi: int, size: int) -> int | None:
        """Earliest start in [lo, hi] when ``p`` is free for ``size`` minutes."""
        s = lo
        for a, b in self.busy[p]:
            if s + size <= a:
                break
            if b > s:
                s = b
            if s > hi:
                return None
        return s if s <= hi else None

    def option(self, p: str, q: Post, t: Task) -> tuple[int, int | None] | None:
        """(start, transfer start or None) for task ``t`` by ``p`` in post ``q``, if possible."""
        where = t.from_venue or t.venue_id
        if where not in self.reach[p]:
            return None
        here = self.venue.get((p, q.index))
        lo = max(t.earliest, q.start)
        hi = min(t.latest, q.end - 1, q.shift_end - t.duration)
        transfer = None
        if here is None:
            before = self.venue.get((p, q.index - 1))
            if before is not None and before != where:
                spill = max((b for a, b in self.busy[p] if a < q.start), default=q.start)
                transfer = max(q.start, spill)
                lo = max(lo, transfer + self._travel(before, where))
            after = self.venue.get((p, q.index + 1))
            if after is not None and after != where:
                return None  # keep it simple: never squeeze a post between two others
        elif here != where:
            return None
        else:
            lo = max(lo, self.arrival.get((p, q.index), lo))
        if lo > hi:
            return None
        if transfer is not None:
            # the transfer itself must be free time too
            length = lo - transfer
            if self._fit(p, transfer, transfer, length) is None:
                return None
        start = self._fit(p, lo, hi, t.duration + t.busy_after)
        return None if start is None else (start, transfer)

    def take(self, p: str, q: Post, t: Task, start: int, transfer: int | None) -> None:
        where = t.from_venue or t.venue_id
        if (p, q.index) not in self.venue:
            self.venue[p, q.index] = where
            before = self.venue.get((p, q.index - 1))
            if transfer is not None and before is not None:
                size = self._travel(before, where)
                self.transfer[p, q.index] = (transfer, size)
                self.mark_busy(p, transfer, transfer + size)
                self.arrival[p, q.index] = transfer + size
        self.mark_busy(p, start, start + t.duration + t.busy_after)
        self.load[p] = self.load.get(p, 0) + t.duration

    def used_posts(self, done: dict[str, tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The venue of every post in which someone was given work; idle posts are left out."""
        used = set()
        for p, start in done.values():
            q = post_at(self.posts[p], start)
            if q is not None:
                used.add((p, q.index))
        return {key: v for key, v in self.venue.items() if key in used}

    def post(self, p: str, q: Post, where: str) -> None:
        """Post ``p`` at ``where`` for post ``q``. Coming from another venue in the post
        before, they leave when the work they began before the post is done (re-planning)."""
        self.venue[p, q.index] = where
        before = self.venue.get((p, q.index - 1))
        if before is not None and before != where:
            leave = max([q.start, *(b for a, b in self.busy[p] if a < q.start)])
            size = self._travel(before, where)
            self.transfer[p, q.index] = (leave, size)
            self.mark_busy(p, leave, leave + size)
            self.arrival[p, q.index] = leave + size

    def mark_busy(self, p: str, a: int, b: int) -> None:
        """``p`` is busy from minute ``a`` to ``b`` (nothing when the span is empty)."""
        if b > a:
            bisect.insort(self.busy[p], (a, b))


SLOT = 30  # minutes: the grain at which work and people are matched when posting


def post_people(roster: Roster, tasks: list[Task]) -> None:
    """Send people where the work is: each post, in time order, goes to the venue with the
    most work not yet matched by people posted there (staying put or at home on a tie)."""
    demand: dict[tuple[str, int], float] = defaultdict(float)
    for t in tasks:
        where = t.from_venue or t.venue_id
        a, b = t.earliest, t.latest + t.duration + t.busy_after
        for slot in range(a // SLOT, (b - 1) // SLOT + 1):
            overlap = min(b, (slot + 1) * SLOT) - max(a, slot * SLOT)
            demand[where, slot] += (t.duration + t.busy_after) * overlap / (b - a)
    supply: dict[tuple[str, int], float] = defaultdict(float)
    home = {p: roster.scenario.staff[p].venue_id for p in roster.posts}
    for q in sorted((q for plist in roster.posts.values() for q in plist),
                    key=lambda q: (q.start, q.staff_id)):
        p = q.staff_id
        slots = range(q.start // SLOT, (q.end - 1) // SLOT + 1)
        if (p, q.index) in roster.venue:  # posted already (re-planning: where people are)
            for k in slots:
                supply[roster.venue[p, q.index], k] += SLOT
            continue
        before = roster.venue.get((p, q.index - 1))

        def unmet(v: str, slots=slots) -> float:
            return sum(max(0.0, demand[v, k] - supply[v, k]) for k in slots)

        best = max(sorted(roster.reach[p]),
                   key=lambda v: (round(unmet(v)), v == before, v == home[p]))
        if unmet(best) <= 0:
            continue  # nothing to do anywhere: leave the post open
        after = roster.venue.get((p, q.index + 1))
        if after is not None and after != best:
            continue  # the next post is set (re-planning): no transfer into it is planned
        roster.post(p, q, best)
        for k in slots:
            supply[best, k] += SLOT


def greedy_staff(scenario: Scenario, tasks: list[Task], day: int,
                 prior_load: dict[str, int]) -> tuple[dict[str, tuple[str, int]], Roster]:
    """People posted where the work is; then the most urgent task first, each to the
    person who can start it soonest (then the least loaded)."""
    roster = Roster(scenario, day, prior_load)
    post_people(roster, tasks)
    done: dict[str, tuple[str, int]] = {}
    fill(roster, tasks, done)
    return done, roster


def fill(roster: Roster, tasks: list[Task], done: dict[str, tuple[str, int]],
         crews: dict[tuple[str, str], set[str]] | None = None) -> None:
    """Give every task not in ``done`` yet, most urgent first, to the person who can start
    it soonest (then the least loaded); ``done`` grows in place. ``crews`` names who is
    in a (session, sweep or cleanup) crew already (re-planning: before now)."""
    scenario = roster.scenario
    home = {p: scenario.staff[p].venue_id for p in scenario.staff}
    crew_of: dict[tuple[str, str], set[str]] = defaultdict(set)  # who is in each crew
    for crew_key, people in (crews or {}).items():
        crew_of[crew_key] |= people
    kinds = {t.task_id: t for t in tasks}
    for tid, (p, _start) in done.items():
        if tid in kinds and kinds[tid].kind in ("sweep", "cleanup"):
            crew_of[kinds[tid].session_id, kinds[tid].kind].add(p)
    for t in sorted(tasks, key=lambda t: (t.latest, t.earliest, t.task_id)):
        if t.task_id in done:
            continue
        best = None
        crew = crew_of[t.session_id, t.kind] if t.kind in ("sweep", "cleanup") else set()
        where = t.from_venue or t.venue_id
        for p, plist in roster.posts.items():
            if p in crew or where not in roster.reach[p]:
                continue
            for q in plist:
                found = roster.option(p, q, t)
                if found is None:
                    continue
                start, transfer = found
                # someone already posted there first, then someone whose home it is: people
                # spread over the venues instead of all flocking to the first one
                settled = roster.venue.get((p, q.index)) == where
                penalty = 0 if settled else (STAY_NEAR if home[p] == where else GO_FAR)
                key = (start + penalty, roster.load.get(p, 0), p)
                if best is None or key < best[0]:
                    best = (key, p, q, start, transfer)
        if best is not None:
            _, p, q, start, transfer = best
            roster.take(p, q, t, start, transfer)
            done[t.task_id] = (p, start)
            crew.add(p)
