"""Simultaneous demand for stock over time, before any solving.

A unit serving a session is in its room from ``start - setup_minutes`` to
``end``; the sum over sessions of what they need at each moment, against the
usable stock, shows where a plan must fall short (overall) or must bring units
in from another venue (by venue).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from planner.model.requirements import Requirement
from planner.model.scenario import Scenario

STOCK_KINDS = ("jammer", "cabinet_unit")
REQUIREMENT_FIELD = {"jammer": "jammers", "cabinet_unit": "cabinet_units"}


@dataclass(frozen=True)
class Excess:
    """A stretch of time when demand is above the stock held."""

    start: dt.datetime
    end: dt.datetime
    peak: int


@dataclass(frozen=True)
class Peak:
    """Peak demand for one kind of stock, overall (``venue_id`` None) or at one venue."""

    kind: str
    venue_id: str | None
    stock: int
    maintenance: int
    peak: int
    peak_at: dt.datetime | None
    excess: list[Excess]


def demand_curve(scenario: Scenario, requirements: dict[str, Requirement], kind: str,
                 venue_id: str | None = None, sessions: list | None = None
                 ) -> list[tuple[dt.datetime, int]]:
    """(time, units in use from then on) at every change of demand (of ``sessions``, by
    default those at ``venue_id`` or everywhere)."""
    setup = dt.timedelta(minutes=scenario.rules.setup_minutes)
    field = REQUIREMENT_FIELD[kind]
    changes: dict[dt.datetime, int] = {}
    if sessions is None:
        sessions = [s for s in scenario.sessions.values()
                    if venue_id is None or scenario.venue_of(s.room_id) == venue_id]
    for s in sessions:
        n = getattr(requirements[s.session_id], field)
        if n:
            changes[s.start - setup] = changes.get(s.start - setup, 0) + n
            changes[s.end] = changes.get(s.end, 0) - n
    curve, level = [], 0
    for t in sorted(changes):
        level += changes[t]
        curve.append((t, level))
    return curve


def peak(scenario: Scenario, requirements: dict[str, Requirement], kind: str,
         venue_id: str | None = None, sessions: list | None = None,
         items: list | None = None) -> Peak:
    """Peak demand of ``kind`` and the stretches when it exceeds the usable stock held there
    (``sessions`` and ``items`` there, when the caller has them at hand)."""
    if items is None:
        items = [i for i in scenario.items_of(kind) if venue_id is None or i.venue_id == venue_id]
    stock = sum(i.status == "ok" for i in items)
    curve = demand_curve(scenario, requirements, kind, venue_id, sessions)
    top, top_at = 0, None
    excess: list[Excess] = []
    for n, (t, level) in enumerate(curve):
        if level > top:
            top, top_at = level, t
        if level > stock:
            end = curve[n + 1][0] if n + 1 < len(curve) else t
            if excess and excess[-1].end == t:
                last = excess.pop()
                excess.append(Excess(last.start, end, max(last.peak, level)))
            else:
                excess.append(Excess(t, end, level))
    return Peak(kind, venue_id, stock, len(items) - stock, top, top_at, excess)


def peaks(scenario: Scenario, requirements: dict[str, Requirement]) -> list[Peak]:
    """Overall peaks for each kind of stock, then each venue's."""
    out = [peak(scenario, requirements, k) for k in STOCK_KINDS]
    sessions, items = defaultdict(list), defaultdict(list)  # by venue, read once
    for s in scenario.sessions.values():
        sessions[scenario.venue_of(s.room_id)].append(s)
    for i in scenario.items.values():
        items[i.venue_id, i.item_type].append(i)
    for vid in scenario.venues:
        out += [peak(scenario, requirements, k, vid, sessions[vid], items[vid, k])
                for k in STOCK_KINDS]
    return out
