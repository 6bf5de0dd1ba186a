"""Which order of the plan each logged entry answers: the one reading behind the
overview's work due and not reported, a person's orders on their phone, and the report's
plan against actual, so that the three never disagree.

An entry answers an order of a session and a task when it reports that work done
(``patrol_done``, ``sweep_done``, ``cleanup_done``; ``unit_deployed`` by the person for a
move, one move however many units it carried; ``bag_weighed`` with the session for a
collection) or skipped with a reason (``order_skipped``). Per session and task, a
person's entries answer their own orders first, earliest first; then the entries left
(by someone not ordered, or more than they were ordered) answer the orders still open,
earliest first, if they report work done: a skip answers only its person's own order.
So two patrols planned and one reported leave the second open, whoever reported the
first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from planner.events.types import Event
from planner.model.plan import StaffTask

DONE = {"patrol": "patrol_done", "sweep": "sweep_done", "cleanup": "cleanup_done"}


@dataclass(frozen=True)
class Answer:
    """What an entry says of an order: its session, task and person (None: anyone)."""

    session_id: str
    task: str
    staff_id: str | None
    event: Event

    @property
    def skipped(self) -> bool:
        return self.event.type == "order_skipped"


def answer(e: Event) -> Answer | None:
    """The order ``e`` answers, if it answers one."""
    sid, staff = e.get("session_id"), e.get("staff_id")
    if not sid:
        return None
    if e.type == "order_skipped":
        return Answer(sid, e["task"], staff, e)
    task = next((task for task, kind in DONE.items() if kind == e.type), None)
    if task:
        return Answer(sid, task, staff, e)
    if e.type == "unit_deployed" and staff:
        return Answer(sid, "move", staff, e)
    if e.type == "bag_weighed":
        return Answer(sid, "collect", None, e)
    return None


def answers(orders: Iterable[StaffTask], events: Iterable[Event]
            ) -> dict[StaffTask, Answer | None]:
    """Each order and the entry that answers it (None: none does), by the rule above."""
    given: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    moves = set()  # a move's units are set up at once: one answer per person and moment
    for e in events:
        a = answer(e)
        if a is None:
            continue
        if a.task == "move" and not a.skipped:
            if (a.session_id, a.staff_id, e.at) in moves:
                continue
            moves.add((a.session_id, a.staff_id, e.at))
        given[a.session_id, a.task].append(a)
    by_key: dict[tuple[str, str], list[StaffTask]] = defaultdict(list)
    for t in orders:
        by_key[t.session_id, t.task].append(t)
    out: dict[StaffTask, Answer | None] = {}
    for key, tasks in by_key.items():
        tasks.sort(key=lambda t: (t.start, t.staff_id))
        left = sorted(given.get(key, []), key=lambda a: a.event.at)
        for t in tasks:  # their own first
            own = next((a for a in left if a.staff_id == t.staff_id), None)
            if own is not None:
                left.remove(own)
            out[t] = own
        done = [a for a in left if not a.skipped]  # a skip answers one's own order only
        for t in tasks:  # then anyone's work, to the orders still open
            if out[t] is None and done:
                out[t] = done.pop(0)
    return out
