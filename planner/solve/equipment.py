"""The equipment model: jammers and cabinet units flowing between rooms, as a CP-SAT model.

Units of one type are interchangeable while planning, so the model counts them
and the plan names them afterwards (:mod:`planner.solve.units`). For each type:

- ``serve[s]``: units serving session *s* (at most what it needs);
- ``stay[s]``: units that stay in the room from *s* to the room's next session
  needing this type (no move);
- ``bring[v, s]``: units brought to *s* from venue *v*'s pool: units released
  by sessions in *v* that ended, plus the venue's depot. Each is one move, and
  leaves the pool ``move_slack_minutes`` before the latest moment it could
  leave (travel time, loading and setup included);
- the pool of each venue never goes below zero.

Objective, in strict order (solved as three stages, each fixing the one before):
(1) weighted sessions whose equipment is complete, (2) units short, weighted by
level, (3) move cost, a move between venues costing more than one within a venue.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from typing import Any

from ortools.sat.python import cp_model

from planner.errors import PlannerBug
from planner.model.demand import REQUIREMENT_FIELD, STOCK_KINDS
from planner.model.requirements import Requirement
from planner.model.scenario import Scenario
from planner.model.tasks import to_minute
from planner.solve.budget import SEARCH_MAX_VARIABLES, Budget
from planner.solve.equipment_plan import (  # shared with the greedy; still importable from here
    EquipmentPlan,
    LiveState,
    StageResult,
    departure,
    max_move_cost,
    sources,
)
from planner.solve.equipment_plan import move_minutes as move_minutes
from planner.solve.relax import relaxation_bound


def session_weight(scenario: Scenario, session_id: str) -> int:
    """How much an uncovered session matters: its level's weight times (attendees + 10)."""
    s = scenario.sessions[session_id]
    return int(scenario.rules.level_weight[s.level]) * (s.attendees + 10)


class EquipmentModel:
    def __init__(self, scenario: Scenario, requirements: dict[str, Requirement],
                 origin: dt.datetime, live: LiveState | None = None) -> None:
        self.scenario, self.req, self.origin, self.live = scenario, requirements, origin, live
        self.change_terms: list = []
        self.model = cp_model.CpModel()
        self.serve: dict[tuple[str, str], cp_model.IntVar] = {}
        self.stay: dict[tuple[str, str], cp_model.IntVar] = {}
        self.bring: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self.full: dict[str, cp_model.IntVar] = {}
        self.cost_terms: list = []
        # (type, venue) -> (minute, the pool's level from then on: a constant or a variable)
        self.pools: dict[tuple[str, str], list[tuple[int, int | cp_model.IntVar]]] = {}
        self.spare: dict[tuple[str, str], cp_model.IntVar] = {}
        for kind in STOCK_KINDS:
            self._build_kind(kind)
        self._build_coverage()
        self._build_reserve()
        if live is not None and live.old is not None:
            self._build_changes()

    # -- structure ----------------------------------------------------------------------------
    def needs(self, kind: str, sid: str) -> int:
        return getattr(self.req[sid], REQUIREMENT_FIELD[kind])

    def _build_kind(self, kind: str) -> None:
        sc, m = self.scenario, self.model
        live = self.live
        sessions = [s for s in sc.sessions.values() if self.needs(kind, s.session_id) > 0
                    and (live is None or to_minute(s.end, self.origin) > live.now)]
        by_room: dict[str, list] = {}
        for s in sessions:
            by_room.setdefault(s.room_id, []).append(s)
        previous: dict[str, str] = {}
        for room_sessions in by_room.values():
            for a, b in itertools.pairwise(room_sessions):
                previous[b.session_id] = a.session_id
        for s in sessions:
            sid = s.session_id
            top = max(self.needs(kind, sid), live.carried.get((kind, sid), 0) if live else 0)
            self.serve[kind, sid] = m.new_int_var(0, top, f"serve_{kind}_{sid}")
        for room_sessions in by_room.values():
            for a, b in itertools.pairwise(room_sessions):
                cap = min(self.needs(kind, a.session_id), self.needs(kind, b.session_id))
                st = m.new_int_var(0, cap, f"stay_{kind}_{a.session_id}")
                self.stay[kind, a.session_id] = st
                m.add(st <= self.serve[kind, a.session_id])
        events: dict[str, list[tuple[int, int, cp_model.LinearExpr | int]]] = {
            v: [] for v in sc.venues}
        for s in sessions:
            sid = s.session_id
            venue = sc.venue_of(s.room_id)
            if live is not None and sid in live.started:
                # under way: it keeps the units it has; they leave when it ends
                m.add(self.serve[kind, sid] == min(live.present.get((kind, sid), 0),
                                                   self.needs(kind, sid)))
                released = self.serve[kind, sid] - self.stay.get((kind, sid), 0)
                events[venue].append((to_minute(s.end, self.origin), 0, released))
                continue
            brought = self._bring_vars(kind, sid, venue, events)
            came = self.stay.get((kind, previous[sid])) if sid in previous else None
            sent = live.carried.get((kind, sid), 0) if live else 0
            m.add(self.serve[kind, sid]
                  == sum(brought) + (came if came is not None else 0) + sent)
            released = self.serve[kind, sid] - self.stay.get((kind, sid), 0)
            events[venue].append((to_minute(s.end, self.origin), 0, released))
        if live is not None:
            for k, v, minute in live.arrivals:
                if k == kind:
                    events[v].append((minute, 0, 1))
        self._build_pools(kind, events)

    def _bring_vars(self, kind: str, sid: str, venue: str,
                    events: dict[str, list[tuple[int, int, cp_model.LinearExpr | int]]]) -> list:
        """``bring[kind, v, sid]`` from each venue ``v`` that can still send units in time,
        each a cost and a unit leaving ``v``'s pool."""
        sc, m, live = self.scenario, self.model, self.live
        rules = sc.rules
        brought = []
        for v in sources(sc, venue):
            early, latest = departure(sc, self.origin, v, sid)
            if live is not None:
                if latest < live.now:
                    continue  # too late to send anything from there
                early = max(early, live.now)
            x = m.new_int_var(0, self.needs(kind, sid), f"bring_{kind}_{v}_{sid}")
            self.bring[kind, v, sid] = x
            brought.append(x)
            cost = (rules.move_cost_within_venue if v == venue
                    else rules.move_cost_between_venues)
            self.cost_terms.append(cost * x)
            events[v].append((early, 1, -x))
        return brought

    def _build_pools(self, kind: str,
                     events: dict[str, list[tuple[int, int, cp_model.LinearExpr | int]]]) -> None:
        """Each venue's pool of ``kind`` after each of its events, in time order."""
        sc, m, live = self.scenario, self.model, self.live
        for v, evs in events.items():
            stock = (live.stock.get((kind, v), 0) if live is not None else
                     sum(1 for i in sc.items_of(kind) if i.venue_id == v and i.status == "ok"))
            total = len(sc.items_of(kind))
            level: int | cp_model.IntVar = stock
            timeline = self.pools[kind, v] = [(-(10**9), stock)]
            for n, (t, _order, delta) in enumerate(sorted(evs, key=lambda e: (e[0], e[1]))):
                nxt = m.new_int_var(0, total, f"pool_{kind}_{v}_{n}")
                m.add(nxt == level + delta)
                level = nxt
                timeline.append((t, nxt))

    def _build_reserve(self) -> None:
        """N-1: before each session at a level in ``reserve_levels``, one idle unit of
        every type it needs in the pool of a venue it could come from in time (at the
        latest moment a unit may leave there for it). ``spare[type, session]`` says so."""
        sc, m, live = self.scenario, self.model, self.live
        levels = set(sc.rules.reserve_levels)
        times = {key: [t for t, _ in timeline] for key, timeline in self.pools.items()}
        for (kind, sid), _serve in self.serve.items():
            s = sc.sessions[sid]
            if s.level not in levels or (live is not None and sid in live.started):
                continue
            ways = []
            for v in sources(sc, sc.venue_of(s.room_id)):
                _early, latest = departure(sc, self.origin, v, sid)
                if live is not None and latest < live.now:
                    continue
                timeline = self.pools[kind, v]
                level = timeline[bisect.bisect_right(times[kind, v], latest) - 1][1]
                if isinstance(level, int):
                    ways.append(m.new_constant(int(level >= 1)))
                    continue
                way = m.new_bool_var(f"spare_{kind}_{sid}_{v}")
                m.add(level >= 1).only_enforce_if(way)
                ways.append(way)
            spare = m.new_bool_var(f"spare_{kind}_{sid}")
            m.add(sum(ways) >= spare)
            self.spare[kind, sid] = spare

    def _build_changes(self) -> None:
        """|new − old| for every count the previous plan had or this one may have."""
        assert self.live is not None and self.live.old is not None  # as __init__ checks
        old = self.live.old
        # keys (type, venue, session) and (type, session): a table and its variables agree
        tables: tuple[tuple[dict[Any, int], dict[Any, cp_model.IntVar]], ...] = (
            (old.bring, self.bring), (old.stay, self.stay))
        for table, mine in tables:
            for key, var in mine.items():
                before = table.get(key, 0)
                d = self.model.new_int_var(0, max(before, 10**4), "change")
                self.model.add(d >= var - before)
                self.model.add(d >= before - var)
                self.change_terms.append(d)

    def _build_coverage(self) -> None:
        for sid in self.scenario.sessions:
            parts = [(k, sid) for k in STOCK_KINDS if (k, sid) in self.serve]
            if not parts:
                continue
            full = self.model.new_bool_var(f"full_{sid}")
            for key in parts:
                self.model.add(self.serve[key] >= self.needs(key[0], sid)).only_enforce_if(full)
            self.full[sid] = full

    # -- solving ------------------------------------------------------------------------------
    def solve(self, budget: Budget, work: float, workers: int, seed: int,
              hint: EquipmentPlan | None = None,
              start: EquipmentPlan | None = None) -> EquipmentPlan:
        """Solve the stages in order within ``work`` deterministic seconds of ``budget``;
        a stage that finds nothing keeps the answer before it (at worst ``hint``, the
        greedy plan, which must fit the model). ``start``, when given, is hinted instead
        (re-planning: the previous plan's counts, which need not fit any more). A model
        the solver finds invalid or infeasible is a bug: raised."""
        m = self.model
        previous = start
        first = start if start is not None else hint
        if first is not None:
            self._hint(first)
        weights = {sid: session_weight(self.scenario, sid) for sid in self.full}
        level_weight = self.scenario.rules.level_weight
        # sessions under way keep what they have: a constant, left out so that "nothing
        # short" can still be proven at once
        fixed = self._fixed()
        uncovered = sum(weights[sid] * (1 - f) for sid, f in self.full.items()
                        if sid not in fixed)
        short = sum(int(level_weight[self.scenario.sessions[sid].level])
                    * (self.needs(kind, sid) - x) for (kind, sid), x in self.serve.items()
                    if sid not in fixed)
        moves = sum(self.cost_terms)
        stages: list[StageResult] = []
        best = hint
        begin = budget.spent
        # Units short first: it is a flow problem the LP solves at once, and when nothing is
        # short every session is complete, so the coverage stage has nothing left to prove.
        # the reserve after coverage, so that it never costs a session; before the moves
        unprotected = sum(weights.get(sid, 0) * (1 - x) for (_k, sid), x in self.spare.items())
        plan = [("units_first", short, 0.3), ("coverage", uncovered, 0.3), ("units", short, 0.1),
                ("reserve", unprotected, 0.2), ("moves", moves, 0.3)]
        if not self.spare:
            del plan[3]
        if self.change_terms:  # re-planning: fewest changes before cheapest moves
            plan.insert(len(plan) - 1, ("changes", sum(self.change_terms), 0.2))
        for n, (name, objective, share) in enumerate(plan):
            if n in (1, 2) and stages and stages[0].objective == 0:
                stages.append(StageResult(name, stages[0].status, 0, 0.0, 0.0))
                continue
            m.minimize(objective)
            if len(m.proto.variables) > SEARCH_MAX_VARIABLES:  # too large to search
                stages.append(self.unsearched(StageResult(name, "UNKNOWN", math.nan, 0.0, 0.0),
                                              objective, best))
                continue
            if name == "changes" and previous is not None:
                m.clear_hints()  # the fewest changes: from the previous plan's own counts
                self._hint(previous)
            left = work - (budget.spent - begin)
            solver = budget.solver(max(share * work, left * share * 2), workers, seed,
                                   len(m.proto.variables))
            status = solver.solve(m)
            stages.append(StageResult.of(name, solver, status, budget))
            if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                raise ModelError(f"equipment model, stage {name}: {solver.status_name(status)}",
                                 stages[-1])
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # nothing found within the budget: keep the answer so far, and still say
                # how good it is where that can be told without the search
                stages[-1] = self.unsearched(stages[-1], objective, best)
                continue
            value = stages[-1].objective
            if name != "units_first" or value == 0:
                # units_first only settles the order when nothing is short; otherwise
                # coverage comes first and this stage is only the coverage stage's hint
                m.add(objective <= value)
            self._hint_from(solver)
            spares = {k: solver.value(v) for k, v in self.spare.items()}
            best = EquipmentPlan(
                serve={k: solver.value(v) for k, v in self.serve.items()},
                stay={k: solver.value(v) for k, v in self.stay.items()},
                bring={k: solver.value(v) for k, v in self.bring.items() if solver.value(v)},
                spare=spares)
        if best is None:
            raise ModelError("equipment model: no plan found within the budget")
        best.stages = stages
        best.max_move_cost = max_move_cost(self.scenario, self.req)
        return best

    def unsearched(self, stage: StageResult, objective, start: EquipmentPlan | None
                    ) -> StageResult:
        """A units or coverage stage the solver found nothing for: the start plan's value,
        proved optimal when nothing is short in it (no plan does better than none short),
        and kept so for the stages after it; otherwise the bound of the linear relaxation
        (:mod:`planner.solve.relax`)."""
        if stage.name not in ("units_first", "coverage", "units") or start is None:
            return stage
        units = stage.name != "coverage"
        value = self._short(start) if units else self._uncovered(start)
        if value == 0:
            self.model.add(objective <= 0)
            return StageResult(stage.name, "OPTIMAL", 0, 0.0, stage.work)
        self.model.minimize(objective)  # the stage's own (as it was solved)
        bound = relaxation_bound(self.model.proto)
        best = max(stage.bound if stage.bound == stage.bound else 0.0, bound or 0.0)
        return StageResult(stage.name, "FEASIBLE", value, best, stage.work)

    def _short(self, plan: EquipmentPlan) -> int:
        """Units short in ``plan``, weighted by level, as the units stages count them."""
        level_weight, fixed = self.scenario.rules.level_weight, self._fixed()
        return sum(int(level_weight[self.scenario.sessions[sid].level])
                   * (self.needs(kind, sid) - plan.serve.get((kind, sid), 0))
                   for kind, sid in self.serve if sid not in fixed)

    def _uncovered(self, plan: EquipmentPlan) -> int:
        """The weight of sessions ``plan`` leaves short, as the coverage stage counts it."""
        fixed = self._fixed()
        return sum(session_weight(self.scenario, sid) for sid in self.full if sid not in fixed
                   and any(plan.serve.get((kind, sid), 0) < self.needs(kind, sid)
                           for kind in STOCK_KINDS if (kind, sid) in self.serve))

    def _fixed(self) -> set[str]:
        """Sessions under way, which keep what they have (re-planning)."""
        return self.live.started if self.live is not None else set()

    def _hint_from(self, solver: cp_model.CpSolver) -> None:
        self.model.clear_hints()
        for var in (*self.serve.values(), *self.stay.values(), *self.bring.values(),
                    *self.full.values()):
            self.model.add_hint(var, solver.value(var))

    def _hint(self, plan: EquipmentPlan) -> None:
        for key, var in self.serve.items():
            self.model.add_hint(var, plan.serve.get(key, 0))
        for key, var in self.stay.items():
            self.model.add_hint(var, plan.stay.get(key, 0))
        for move, var in self.bring.items():
            self.model.add_hint(var, plan.bring.get(move, 0))


class ModelError(PlannerBug):
    """A model the solver calls invalid or infeasible: a bug in the model, never a
    shortfall (shortfalls are soft, and the start it is given is a solution). Raised and
    never caught by the planner: no plan is made, and the user is told to report it."""

    def __init__(self, message: str, stage: StageResult | None = None) -> None:
        super().__init__(message)
        self.stage = stage
