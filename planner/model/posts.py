"""Duty days and posts (岗): a person's shift cut into stretches worked at one venue.

Shared by the greedy baseline (:mod:`planner.solve.greedy`), the staff model
(:mod:`planner.solve.staff`) and re-planning; it imports neither of them.
Times are whole minutes since :func:`planner.model.tasks.epoch`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from planner.model.scenario import Scenario

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
