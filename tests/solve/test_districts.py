"""A connected team too large for one model is split into districts of nearby venues.

The congress, by hand: venues A1, A2, A3 10 minutes apart from each other, B1, B2, B3 the
same, and every A 40 minutes from every B (within the 60-minute staff radius, so anyone
could work anywhere); five people live at each venue, 30 in all.

- ``staff_team_max`` 30: one district, everyone reaches all six venues.
- 15: closest first, A1 + A2 (10 min, 10 people), then A1A2 + A3 (15 people), the same for
  the Bs; A + B would be 30 people, over 15: districts {A1, A2, A3} and {B1, B2, B3}.
- 10: A1 + A2 (10 min, 10 people) and B1 + B2; then A3 and B3 can join neither pair
  within 10 people, but each other (40 min, 10 people): {A1, A2}, {B1, B2}, {A3, B3}.
"""

from __future__ import annotations

import dataclasses

import pytest

from planner.io.plan_files import write_plan
from planner.io.scenario_files import load_scenario
from planner.solve.districts import reach
from planner.solve.orchestrate import make_plan
from planner.solve.staff import teams
from planner.verify import verify
from tests.solve.test_models import congress, session

A, B = ("A1", "A2", "A3"), ("B1", "B2", "B3")


def city(tmp_path, team_max: int, b_shift: tuple[str, str] = ("07:00", "19:00")):
    travel = [(x, y, 10) for group in (A, B) for i, x in enumerate(group) for y in group[i + 1:]]
    travel += [(a, b, 40) for a in A for b in B]
    sc = load_scenario(congress(
        tmp_path / f"city{team_max}", venues=A + B, travel=travel,
        rooms=[(f"R{v}", v, 100) for v in A + B],
        sessions=[session("S1", "RA1", "10:00", "11:00", 30, "confidential"),
                  session("S2", "RB3", "10:00", "11:00", 30, "confidential"),
                  session("S3", "RA3", "14:00", "15:00", 30, "confidential")],
        inventory=[(f"J{v}", v, "ok") for v in A + B],
        staff=[(f"P{v}{n}", v, *(b_shift if v in B else ("07:00", "19:00")))
               for v in A + B for n in range(5)]))
    return dataclasses.replace(sc, rules=dataclasses.replace(sc.rules, staff_team_max=team_max))


@pytest.mark.parametrize(("team_max", "expected"), [
    (30, [A + B]),
    (15, [A, B]),
    (10, [("A1", "A2"), ("B1", "B2"), ("A3", "B3")]),
])
def test_districts_are_the_closest_venues_within_the_team_limit(tmp_path, team_max, expected):
    sc = city(tmp_path, team_max)
    where = reach(sc)
    for district in expected:
        for v in district:
            for n in range(5):
                assert where[f"P{v}{n}"] == set(district)
    assert sorted(tuple(sorted(venues)) for _people, venues in teams(sc)) == sorted(expected)


def test_a_team_within_the_limit_is_left_whole_and_reaches_by_radius_alone(tmp_path):
    """The rule only splits: with 30 allowed, each person reaches every venue within the
    60-minute radius, as before districts existed (A to B is 40 minutes)."""
    sc = city(tmp_path, 30)
    assert all(venues == set(A + B) for venues in reach(sc).values())


@pytest.mark.parametrize("method", ["greedy", "cpsat"])
def test_people_work_only_in_their_district_and_the_plan_checks(tmp_path, method):
    """Districts {A1, A2, A3} and {B1, B2, B3}, and the Bs' people off by 08:00: S2 in
    B3 at 10:00 has nobody in its district, and the As, 40 minutes away and idle, may not
    go (without districts they would, and S2 would be covered). So S1 and S3 are covered,
    S2 is not, no order is at a B venue, every order goes to someone of the room's
    district (recounted from the plan's rows and the homes above), and the plan passes
    the independent checker."""
    sc = city(tmp_path, 15, b_shift=("07:00", "08:00"))
    plan = make_plan(sc, time_limit=0.5, seed=0, method=method)
    write_plan(plan, tmp_path / "plan")
    assert verify(sc, tmp_path / "plan")[0] == []
    assert plan.staff_tasks
    for t in plan.staff_tasks:
        home = t.staff_id[1:3]  # P<venue><n>
        venue = sc.rooms[str(t.room_id)].venue_id
        assert home in A and venue in A, t
    covered = {r.session_id for r in plan.coverage if r.covered}
    assert covered == {"S1", "S3"}
