"""What an equipment plan is, and the rules every move keeps: where a session's units may
come from (:func:`sources`), when a move must leave (:func:`departure`), the counts a
plan gives (:class:`EquipmentPlan`) and, re-planning, where the units stand
(:class:`LiveState`).

Shared by the greedy baseline (:mod:`planner.solve.greedy`) and the equipment model
(:mod:`planner.solve.equipment`); it imports neither of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.model.requirements import Requirement
from planner.model.scenario import Scenario
from planner.model.tasks import to_minute
from planner.solve.budget import Budget


def move_minutes(scenario: Scenario, from_venue: str, to_venue: str) -> int:
    """Door-to-door minutes to move a unit (:meth:`Scenario.move_minutes`)."""
    return scenario.move_minutes(from_venue, to_venue)


def max_move_cost(scenario: Scenario, requirements: dict[str, Requirement]) -> int:
    """The move cost if every unit needed came from the dearest source: the scale that
    keeps the objective's levels apart."""
    rules = scenario.rules
    total = 0
    for sid, req in requirements.items():
        venue = scenario.venue_of(scenario.sessions[sid].room_id)
        dearest = max((rules.move_cost_within_venue if v == venue
                       else rules.move_cost_between_venues) for v in sources(scenario, venue))
        total += dearest * (req.jammers + req.cabinet_units)
    return total


def sources(scenario: Scenario, venue: str) -> list[str]:
    """Venues whose units may be brought to ``venue`` (within ``move_radius_minutes``)."""
    radius = scenario.rules.move_radius_minutes
    net = scenario.network
    return [v for v in scenario.venues if net.travel_minutes(v, venue) <= radius]


def departure(scenario: Scenario, origin: dt.datetime, v: str, sid: str) -> tuple[int, int]:
    """Earliest and latest minute a move from venue ``v`` to session ``sid`` may leave."""
    s = scenario.sessions[sid]
    rules = scenario.rules
    latest = (to_minute(s.start, origin) - rules.setup_minutes
              - move_minutes(scenario, v, scenario.venue_of(s.room_id)))
    return latest - rules.move_slack_minutes, latest


@dataclass
class StageResult:
    """One solve: its objective and bound, and the deterministic seconds it used."""

    name: str
    status: str
    objective: float
    bound: float
    work: float

    @classmethod
    def of(cls, name: str, solver: cp_model.CpSolver, status: cp_model.CpSolverStatus,
           budget: Budget,
           objective: float = float("nan")) -> StageResult:
        """The result of ``solver``'s last solve, its work booked on ``budget``."""
        used = budget.charge(solver)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            objective = round(solver.objective_value)
        return cls(name, solver.status_name(status), objective, solver.best_objective_bound,
                   round(used, 3))


@dataclass
class EquipmentPlan:
    """Counts per (type, session) and per (type, venue, session) move, from the solver."""

    serve: dict[tuple[str, str], int]
    stay: dict[tuple[str, str], int]
    bring: dict[tuple[str, str, str], int]
    stages: list[StageResult] = field(default_factory=list)
    max_move_cost: int = 0
    spare: dict[tuple[str, str], int] = field(default_factory=dict)  # (type, session): N-1


@dataclass
class LiveState:
    """Where the units stand at minute ``now``, for re-planning only what is still ahead:
    sessions whose setup has begun keep the units they have, units on their way stay
    on their way, and the previous plan's counts are what a change is measured against."""

    now: int
    stock: dict[tuple[str, str], int]          # (type, venue) -> usable units idle at now
    arrivals: list[tuple[str, str, int]]       # (type, venue, minute): a unit joins a pool
    present: dict[tuple[str, str], int]        # (type, session under way) -> its units
    carried: dict[tuple[str, str], int]        # (type, session ahead) -> units already sent
    started: set[str] = field(default_factory=set)  # sessions whose setup has begun
    old: EquipmentPlan | None = None
