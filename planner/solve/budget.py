"""Solver budgets: deterministic work, with the wall clock only as an outer guard.

CP-SAT counts its work in *deterministic seconds* (``max_deterministic_time``), a
measure of the search done rather than of the clock. Every solve of the planner is
limited by such a budget and runs an interleaved search (``interleave_search``),
which is deterministic for a given number of workers; budgets are shared out from
the deterministic seconds the earlier solves really used. So the same scenario,
events, seed and worker count give the same plan on an idle or a loaded machine.

The wall clock stops only a run that goes on far longer than it should (a machine
many times slower than expected). A run that hits that guard says so in its summary
(``wall_guard_hit``): from that point on it is no longer reproducible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads the defaults without loading the solver
    from ortools.sat.python import cp_model

# The defaults, in deterministic seconds (on the 2-core reference machine one is about
# ten seconds of the clock for the staff models, less for the equipment model), and the
# solver threads. With interleaved search one thread does more per deterministic second
# than two on these models, and the answer is the same however many cores the machine has.
PLAN_WORK = 1.0
REPLAN_WORK = 0.5
SOLVER_WORKERS = 1

# Wall-clock seconds allowed per deterministic second, and on top: generous on
# purpose, so that a loaded machine (two other CPU-bound processes on two cores
# make a solve about three times slower) never hits it.
WALL_PER_WORK = 30.0
WALL_SLACK = 120.0

# Models with more variables than this are solved without CP-SAT's presolve: on them its
# dual reductions, which do not watch the clock, ran for minutes past any limit (the
# equipment model of a ×100 congress, 660,000 variables; a ×30 one has 199,000).
PRESOLVE_MAX_VARIABLES = 300_000
# The equipment model with more variables than this is not searched at all: without its
# presolve CP-SAT found nothing in any stage within the budget (×10 connected, 500,000
# variables, 2.5 GB), so the greedy's equipment stands, bounded without search
# (planner.solve.equipment.EquipmentModel.unsearched).
SEARCH_MAX_VARIABLES = PRESOLVE_MAX_VARIABLES


@dataclass
class Budget:
    """Deterministic solver seconds to share among the solves of one plan or re-plan.

    ``work`` is the whole budget; :meth:`solver` hands out part of what is left, and
    :meth:`charge` books what a solve used. ``wall`` is the outer guard in seconds
    (by default ``WALL_PER_WORK × work + WALL_SLACK``).
    """

    work: float
    wall: float | None = None
    spent: float = 0.0
    guard_hit: bool = False
    _started: float = field(default_factory=time.perf_counter, repr=False)

    def __post_init__(self) -> None:
        if self.wall is None:
            self.wall = WALL_PER_WORK * self.work + WALL_SLACK

    def left(self) -> float:
        """Deterministic seconds not yet used (0 once the wall-clock guard is hit)."""
        if self.guard_hit or self.wall_left() <= 0:
            self.guard_hit = self.guard_hit or self.work > 0
            return 0.0
        return max(0.0, self.work - self.spent)

    def wall_left(self) -> float:
        assert self.wall is not None  # set in __post_init__
        return self.wall - (time.perf_counter() - self._started)

    def solver(self, work: float, workers: int, seed: int,
               variables: int = 0) -> cp_model.CpSolver:
        """A CP-SAT solver limited to ``work`` deterministic seconds (at most what is
        left), deterministic for ``workers`` threads, under the wall-clock guard, for a
        model of ``variables`` variables."""
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_deterministic_time = max(0.01, min(work, self.left()))
        params.max_time_in_seconds = max(0.1, self.wall_left())
        params.num_workers = max(1, workers)
        params.interleave_search = workers > 1
        params.random_seed = seed
        # Probing and symmetry detection in presolve cost these models far more clock
        # than their deterministic count says (ten times, on the staff days), and with
        # them the wider staff models found nothing within their budget; without them
        # the same models solve to optimality. The equipment model is a flow: its LP
        # is all it needs.
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        params.cp_model_presolve = variables <= PRESOLVE_MAX_VARIABLES
        return solver

    def charge(self, solver: cp_model.CpSolver) -> float:
        """Book the deterministic seconds a solve used; note a hit of the wall guard."""
        used = solver.deterministic_time
        self.spent += used
        if solver.wall_time >= solver.parameters.max_time_in_seconds - 1e-3:
            self.guard_hit = True
        return used

    def share(self, part: float, of: float) -> float:
        """``part / of`` of what is left: a fair share for one of several solves."""
        return self.left() * part / of if of > 0 else 0.0
