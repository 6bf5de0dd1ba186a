"""A real lower bound on the plan's objective, whatever the solver found in its budget.

The congress here is built by hand (the helpers of ``test_models``): three confidential
sessions at the same time in three rooms of V1, 10:00–11:00, needing 3, 2 and 2 jammers,
and five jammers in V1's depot. Weights (level weight 2 × (attendees + 10)): S1 with 40
people 100, S2 and S3 with 30 people 80 each; all weight 260.

- Integer optimum of the coverage level: five jammers cover S1 + S2 (or S1 + S3), 3 + 2,
  leaving 80 uncovered; S2 + S3 would leave 100. So 80.
- Its linear relaxation: the best weight per jammer first, S2 and S3 (40 a jammer) in full
  with 4 jammers, then a third of S1 (33.3 a jammer) with the fifth: uncovered 100 × 2/3 =
  66.7, rounded up to 67, a bound below 80.
- Units short, weighted by level: 7 needed, 5 in stock: 2 × 2 = 4, for any plan, and the
  relaxation (a flow) gives 4 exactly.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.model.requirements import derive
from planner.model.tasks import epoch
from planner.solve.equipment import EquipmentModel, session_weight
from planner.solve.equipment_plan import EquipmentPlan, StageResult
from planner.solve.orchestrate import _bound, make_plan
from planner.solve.relax import relaxation_bound
from planner.verify import verify
from tests.solve.test_models import congress, session


def three_sessions(tmp_path):
    return load_scenario(congress(
        tmp_path / "three", rooms=[("R1", "V1", 100), ("R2", "V1", 100), ("R3", "V1", 100)],
        sessions=[session("S1", "R1", "10:00", "11:00", 40, "confidential", jammers=3),
                  session("S2", "R2", "10:00", "11:00", 30, "confidential", jammers=2),
                  session("S3", "R3", "10:00", "11:00", 30, "confidential", jammers=2)],
        inventory=[(f"J{n}", "V1", "ok") for n in range(1, 6)],
        staff=[(p, "V1", "07:00", "19:00") for p in ("P1", "P2", "P3", "P4", "P5", "P6")]))


def test_the_weights_are_as_worked_out(tmp_path):
    sc = three_sessions(tmp_path)
    assert [session_weight(sc, s) for s in ("S1", "S2", "S3")] == [100, 80, 80]


def test_the_relaxation_bounds_coverage_below_the_integer_optimum(tmp_path):
    sc = three_sessions(tmp_path)
    model = EquipmentModel(sc, derive(sc), epoch(sc))
    weights = {"S1": 100, "S2": 80, "S3": 80}
    model.model.minimize(sum(weights[s] * (1 - f) for s, f in model.full.items()))
    assert relaxation_bound(model.model.proto) == 67
    solver = cp_model.CpSolver()
    assert solver.solve(model.model) == cp_model.OPTIMAL
    assert solver.objective_value == 80


def test_the_relaxation_of_units_short_is_exact(tmp_path):
    sc = three_sessions(tmp_path)
    model = EquipmentModel(sc, derive(sc), epoch(sc))
    model.model.minimize(sum(2 * (model.needs(k, s) - x) for (k, s), x in model.serve.items()))
    assert relaxation_bound(model.model.proto) == 4


def test_an_enforced_constraint_on_a_negated_literal_and_an_integral_value():
    """x in 0..10 must be at least 7; x <= 2 unless f; minimise 10·f. Relaxed: x >= 7 and
    x <= 2 + 8·f, so f >= 5/8 and the bound is 6.25, rounded up to 7 (the integer optimum
    is 10). Without the constraint on x the relaxation is 0; an objective already
    integral (here 4.0 from x in 0..3 needing 5 when f: f <= 3/5, 10·(1 - f) >= 4) is not
    rounded up past it."""
    m = cp_model.CpModel()
    x, f = m.new_int_var(0, 10, "x"), m.new_bool_var("f")
    m.add(x <= 2).only_enforce_if(~f)
    m.add(x >= 7)
    m.minimize(10 * f)
    assert relaxation_bound(m.proto) == 7
    m = cp_model.CpModel()
    x, f = m.new_int_var(0, 3, "x"), m.new_bool_var("f")
    m.add(x >= 5).only_enforce_if(f)
    m.minimize(10 * (1 - f))
    assert relaxation_bound(m.proto) == 4


def test_a_constraint_it_cannot_relax_is_left_out_and_the_bound_stays_below():
    """x + y >= 3 and x, y in 0..3 with x ≠ y (all-different, not linear): the integer
    optimum of x + y is 3 (0 and 3, or 1 and 2); the relaxation without the all-different
    is 3 too, and never more."""
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 3, "x"), m.new_int_var(0, 3, "y")
    m.add(x + y >= 3)
    m.add_all_different(x, y)
    m.minimize(x + y)
    assert relaxation_bound(m.proto) == 3


def test_a_stage_the_solver_found_nothing_for_is_still_bounded(tmp_path):
    """A coverage stage that found nothing (as on a large congress within a small budget)
    keeps its start's value, with the relaxation's bound: a start serving S1 and S2 in
    full leaves S3, 80, against 67. A units stage whose start has nothing short is
    proved at once: no plan has fewer than none."""
    sc = three_sessions(tmp_path)
    model = EquipmentModel(sc, derive(sc), epoch(sc))
    start = EquipmentPlan(serve={("jammer", "S1"): 3, ("jammer", "S2"): 2}, stay={},
                          bring={("jammer", "V1", "S1"): 3, ("jammer", "V1", "S2"): 2})
    uncovered = sum(w * (1 - model.full[s]) for s, w in (("S1", 100), ("S2", 80), ("S3", 80)))
    found = model.unsearched(StageResult("coverage", "UNKNOWN", math.nan, 0.0, 0.1),
                              uncovered, start)
    assert (found.status, found.objective, found.bound) == ("FEASIBLE", 80, 67)

    sc_full = load_scenario(congress(
        tmp_path / "one", rooms=[("R1", "V1", 100)],
        sessions=[session("S1", "R1", "10:00", "11:00", 40, "confidential", jammers=2)],
        inventory=[("J1", "V1", "ok"), ("J2", "V1", "ok")],
        staff=[("P1", "V1", "07:00", "19:00")]))
    model = EquipmentModel(sc_full, derive(sc_full), epoch(sc_full))
    nothing_short = EquipmentPlan(serve={("jammer", "S1"): 2}, stay={},
                                  bring={("jammer", "V1", "S1"): 2})
    short = 2 * (2 - model.serve["jammer", "S1"])
    found = model.unsearched(StageResult("units_first", "UNKNOWN", math.nan, 0.0, 0.1),
                              short, nothing_short)
    assert (found.status, found.objective, found.bound) == ("OPTIMAL", 0, 0.0)


def stage(name: str, status: str, objective: float, bound: float) -> StageResult:
    return StageResult(name, status, objective, bound, 0.1)


def test_a_lower_level_bound_counts_only_below_a_proved_level():
    """Scales s1 = 1000, s2 = 10; all weight 260.
    - coverage proved at 80, units proved at 4, moves bounded by 5: 80·1000 + 4·10 + 5;
    - coverage only bounded (67, not proved): 67·1000, and nothing below it counts;
    - moves not searched (bound 0): coverage and units count, moves add 0, not proved;
    - the greedy's: 0, with the coverage gap all it lost (80 of 260)."""
    proved = [stage("coverage", "OPTIMAL", 80, 80), stage("units", "OPTIMAL", 4, 4),
              stage("moves", "FEASIBLE", 7, 5)]
    assert _bound(proved, "cpsat", 80, 7, 260, 1000, 10) == (80_045, "FEASIBLE", 0.0,
                                                              round(2 / 7, 6))
    loose = [stage("coverage", "FEASIBLE", 80, 67), *proved[1:]]
    assert _bound(loose, "cpsat", 80, 7, 260, 1000, 10) == (67_000, "FEASIBLE",
                                                             round(13 / 260, 6), None)
    unsearched = [*proved[:2], stage("moves", "UNKNOWN", math.nan, 0.0)]
    assert _bound(unsearched, "cpsat", 80, 7, 260, 1000, 10)[:3] == (80_040, "FEASIBLE", 0.0)
    assert _bound([], "greedy", 80, 7, 260, 1000, 10) == (0.0, "GREEDY", round(80 / 260, 6),
                                                          None)
    optimal = [stage(n, "OPTIMAL", v, v) for n, v in (("coverage", 80), ("units", 4),
                                                     ("moves", 7))]
    assert _bound(optimal, "cpsat", 80, 7, 260, 1000, 10) == (80_047, "OPTIMAL", 0.0, 0.0)


def test_every_plan_says_how_far_its_coverage_can_be_from_optimal(tmp_path):
    """The CP-SAT plan covers S1 and one of S2, S3 (80 left, the optimum) and proves it:
    coverage gap 0. The greedy plan's coverage gap is what it lost against 0, recounted
    here from its coverage rows: every plan carries one, and both plans pass the checker."""
    sc = three_sessions(tmp_path)
    weights = {"S1": 100, "S2": 80, "S3": 80}
    for method in ("cpsat", "greedy"):
        plan = make_plan(sc, time_limit=1.0, seed=0, method=method)
        write_plan(plan, tmp_path / method)
        assert verify(sc, tmp_path / method)[0] == []
        lost = sum(weights[r.session_id] for r in plan.coverage if not r.covered)
        s = plan.summary
        assert s.objective >= s.best_bound
        if method == "cpsat":
            assert lost == 80 and s.coverage_gap == 0.0
        else:
            assert s.coverage_gap == round(lost / 260, 6) and s.best_bound == 0
