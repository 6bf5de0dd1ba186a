"""The congress as the event log says it now is: the scenario with the logged events applied.

Re-planning and the rehearsal read the world through :func:`apply_events`, so an
event means one thing everywhere. Events that record work done (patrols, sweeps,
clean-ups, bags weighed, documents found, destruction) change nothing here: they
are what the report counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from planner.events.types import Event, World, in_force, parsed
from planner.events.types import voided as voided  # re-exported: what a void means is types'
from planner.model.scenario import Scenario


def apply_events(scenario: Scenario, events: Sequence[Event | Mapping],
                 until: dt.datetime | None = None) -> Scenario:
    """A new scenario with ``events`` (checked ones, in log order; lines are parsed)
    applied.

    Only events logged at or before ``until`` count, when it is given; voided entries
    (and the voids) never do.
    """
    events = in_force(parsed(events))
    world = World(dict(scenario.sessions), dict(scenario.items), dict(scenario.rooms),
                  {k: list(v) for k, v in scenario.unavailable.items()},
                  dict(scenario.failed_since), dict(scenario.cancelled))
    for e in events:
        if until is None or e.at <= until:
            e.kind.apply(world, e)  # each type's own change (planner.events.types)
    ordered = dict(sorted(world.sessions.items(), key=lambda kv: (kv[1].start, kv[0])))
    return dataclasses.replace(scenario, sessions=ordered, items=world.items, rooms=world.rooms,
                               unavailable=world.unavailable, failed_since=world.failed_since,
                               cancelled=world.cancelled)
