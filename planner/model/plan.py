"""A plan: the day's orders, one row type per contract file (assignments, moves,
staff_tasks, bags, coverage) and the summary. :mod:`planner.io.plan_files` writes and
reads them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from planner.model.place import Place


@dataclass(frozen=True)
class Assignment:
    item_id: str
    item_type: str
    session_id: str
    room_id: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Move:
    item_id: str
    from_room_id: Place  # a room or a depot (moves.csv writes a depot as depot:<venue_id>)
    to_room_id: Place
    depart: dt.datetime
    arrive: dt.datetime
    staff_id: str
    session_id: str = ""


@dataclass(frozen=True)
class StaffTask:
    staff_id: str
    task: str
    session_id: str
    room_id: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class BagHolding:
    bag_set_id: str
    holder_id: Place | str  # a depot, or a group (delegation) by its id
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class CoverageRow:
    session_id: str
    jammers_required: int
    jammers_assigned: int
    cabinet_units_required: int
    cabinet_units_assigned: int
    patrols_required: int
    patrols_assigned: int
    sweep_done: bool
    cleanup_done: bool
    covered: bool
    shortfall_reason: str
    shortfall_reason_en: str = ""
    sweep_required: bool = False
    cleanup_required: bool = True


class Status(StrEnum):
    """How far a plan is from the best the equipment model can prove (``solver_status``)."""

    OPTIMAL = "OPTIMAL"  # every equipment stage proved optimal, and the staff carried it out
    FEASIBLE = "FEASIBLE"  # a solution, not proved optimal (or some stage found nothing)
    GREEDY = "GREEDY"  # made by the greedy baseline (``method`` greedy): no bound
    GREEDY_BETTER = "GREEDY_BETTER"  # the solver ran; the greedy plan it started from won


@dataclass
class ReplanFacts:
    """What a re-plan adds to its summary: when, after how many events, what changed."""

    now: str
    events: int
    changes: int
    sessions_changed: int


@dataclass
class PlanSummary:
    """summary.json, field by field in the order it is written. The bound and the gap are
    always there: ``best_bound`` is 0 where no solver proved one (the greedy), so ``gap``
    is then the whole objective's share."""

    sessions: int = 0
    sessions_covered: int = 0
    jammer_deployments: int = 0
    cabinet_unit_deployments: int = 0
    patrols: int = 0
    sweeps: int = 0
    cleanups: int = 0
    moves: int = 0
    moves_between_venues: int = 0
    solver_status: Status = Status.GREEDY
    objective: int = 0
    best_bound: float = 0.0
    gap: float = 0.0
    coverage_gap: float | None = None  # weighted coverage lost against its bound, or None
    moves_gap: float | None = None  # move cost against its bound, when coverage is proved
    # uncovered_weight, units_short_weighted, move_cost, uncovered_scale, units_scale
    objective_terms: dict[str, int] = field(default_factory=dict)
    staff_load_minutes: dict[str, int] = field(default_factory=dict)  # max, min
    stages: list[dict] = field(default_factory=list)  # each solver stage: name, status, ...
    n1_protected: dict = field(default_factory=dict)  # planner.solve.reserve.protection
    solve_seconds: float = 0.0  # deterministic seconds used, not the clock
    model_errors: int = 0
    method: str = ""
    seed: int = 0
    workers: int = 0
    scenario: str = ""
    wall_guard_hit: bool = False
    work_limit: float = 0.0
    replan: ReplanFacts | None = None  # written as its own keys, after the others
    # keys of a summary.json this version does not know (an older or newer tool's): kept
    others: dict = field(default_factory=dict)

    def rank(self) -> tuple[int, int, int]:
        """The lexicographic objective: uncovered weight, units short, move cost."""
        t = self.objective_terms
        return (t["uncovered_weight"], t["units_short_weighted"], t["move_cost"])

    def to_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if f.name not in ("replan", "others")}
        out["solver_status"] = str(self.solver_status)
        if self.replan is not None:
            out.update(dataclasses.asdict(self.replan))
        return {**out, **self.others}

    @classmethod
    def from_json(cls, data: dict) -> PlanSummary:
        """A summary read back; keys it does not know are kept in ``others``."""
        names = {f.name for f in dataclasses.fields(cls)} - {"replan", "others"}
        facts = [f.name for f in dataclasses.fields(ReplanFacts)]
        known = {k: v for k, v in data.items() if k in names}
        if "solver_status" in known:
            known["solver_status"] = Status(known["solver_status"])
        replan = (ReplanFacts(**{k: data[k] for k in facts})
                  if all(k in data for k in facts) else None)
        taken = names | (set(facts) if replan else set())
        return cls(**known, replan=replan,
                   others={k: v for k, v in data.items() if k not in taken})


@dataclass
class Plan:
    assignments: list[Assignment] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    staff_tasks: list[StaffTask] = field(default_factory=list)
    bags: list[BagHolding] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    summary: PlanSummary = field(default_factory=PlanSummary)
    wall_seconds: float = 0.0  # how long making it took on the clock: said, never written


FILES = {"assignments": Assignment, "moves": Move, "staff_tasks": StaffTask, "bags": BagHolding,
         "coverage": CoverageRow}








# Every folder this tool writes holds this file: what kind of folder it is and every file
# written into it. ``--out`` replaces only a folder of the same kind that still holds
# nothing else (not a user's notes, not another kind's files, not an older tool's folder).
























