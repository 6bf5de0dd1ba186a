"""A true lower bound on a CP-SAT model's objective: its linear relaxation, solved by GLOP.

The equipment model is a flow of units through time with an all-or-nothing coverage
flag per session; its linear relaxation (every variable continuous, each enforced
constraint written with a big M from the variables' bounds) is solved by OR-Tools' own
simplex in seconds even where CP-SAT finds nothing in its budget, and its optimum is a
lower bound on the model's: every solution of the model is one of the relaxation. On
the flow alone (units short) the relaxation is exact; on coverage it is the bound the
summary shows when the solver has not proved better.

Only linear constraints are kept (with at most one enforcement literal, as the
equipment model writes them); any other constraint is left out, which can only make the
relaxation looser, never the bound false. GLOP's simplex is deterministic: the same
model gives the same bound on any machine.
"""

from __future__ import annotations

import math

from ortools.linear_solver import linear_solver_pb2, pywraplp

# A bound within this of an integer is that integer (the simplex works in floating point);
# otherwise it is rounded up, since the model's objective is integral.
TOLERANCE = 1e-6


def relaxation_bound(proto, seconds: float = 600.0) -> float | None:
    """The optimum of the linear relaxation of ``proto`` (a ``CpModel.proto``, its
    objective set), rounded up to an integer: a lower bound on the model's objective.
    ``None`` if GLOP did not finish within ``seconds`` (wall clock: an outer guard only)
    or the relaxation is infeasible."""
    request = linear_solver_pb2.MPModelRequest(
        model=_linear(proto),
        solver_type=linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING,
        solver_time_limit_seconds=seconds)
    response = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    if response.status != linear_solver_pb2.MPSOLVER_OPTIMAL:
        return None
    value = response.objective_value
    nearest = round(value)
    return float(nearest if abs(value - nearest) <= TOLERANCE else math.ceil(value))


def _linear(proto) -> linear_solver_pb2.MPModelProto:
    lp = linear_solver_pb2.MPModelProto()
    bounds = [_span(v.domain) for v in proto.variables]
    for lo, hi in bounds:
        lp.variable.add(lower_bound=lo, upper_bound=hi)
    for c in proto.constraints:
        if not c.has_linear() or len(c.enforcement_literal) > 1:
            continue
        terms, constant = _positive(c.linear.vars, c.linear.coeffs)
        lo, hi = (end - constant for end in _span(c.linear.domain))
        if not c.enforcement_literal:
            _row(lp, terms, lo, hi)
            continue
        # lo <= a·x <= hi only if b: each side relaxed by how far a·x can reach past it
        least = sum(a * bounds[x][0 if a > 0 else 1] for x, a in terms)
        most = sum(a * bounds[x][1 if a > 0 else 0] for x, a in terms)
        [(b, one)], shift = _positive(c.enforcement_literal, [1])  # literal = one·b + shift
        if lo > least:  # a·x >= lo - (lo - least)·(1 - literal)
            m = lo - least
            _row(lp, [*terms, (b, -m * one)], lo - m + m * shift, math.inf)
        if hi < most:  # a·x <= hi + (most - hi)·(1 - literal)
            m = most - hi
            _row(lp, [*terms, (b, m * one)], -math.inf, hi + m - m * shift)
    if proto.objective.scaling_factor not in (0, 1):
        raise ValueError("only a minimized integer objective has a relaxation here")
    terms, constant = _positive(proto.objective.vars, proto.objective.coeffs)
    for x, a in terms:
        lp.variable[x].objective_coefficient += a
    lp.objective_offset = proto.objective.offset + constant
    return lp


def _span(domain) -> tuple[int, int]:
    """A domain's least and greatest value (its holes ignored: a relaxation)."""
    return domain[0], domain[len(domain) - 1]  # the proto's lists take no negative index


def _positive(refs, coeffs) -> tuple[list[tuple[int, int]], int]:
    """Terms on variables, and the constant: a negated reference ``-x - 1`` stands for
    ``1 - x``."""
    terms, constant = [], 0
    for ref, a in zip(refs, coeffs, strict=True):
        if ref >= 0:
            terms.append((ref, a))
        else:
            terms.append((-ref - 1, -a))
            constant += a
    return terms, constant


def _row(lp: linear_solver_pb2.MPModelProto, terms, lo: float, hi: float) -> None:
    row = lp.constraint.add(lower_bound=lo, upper_bound=hi)
    for x, a in terms:
        row.var_index.append(x)
        row.coefficient.append(a)
