"""What a reader calls the congress's things: one place for the names every page, chart,
reason and report line uses, so that no one of them shows a bare code.

People and sessions are named with their id in brackets after the name, 王建国（P001）,
开幕大会（S0020）: names repeat (监票人会议 is held 19 times; two people may share a name)
and the ids are what order sheets, event files and the log carry. Rooms, depots,
venues and groups have names of their own and are named by them alone; units and bag
sets have none, their id is the label on them.
"""

from __future__ import annotations

from planner.model import vocabulary as vocab
from planner.model.place import Place
from planner.model.scenario import Scenario


def person(live: Scenario, staff_id: str) -> str:
    """王建国（P001）; an id the scenario does not know, as it is."""
    p = live.staff.get(staff_id)
    return f"{p.name}（{staff_id}）" if p else staff_id


def people(live: Scenario, staff_ids) -> str:
    return "、".join(person(live, p) for p in staff_ids)


def session(live: Scenario, sid: str, lang: str = "zh", before: Scenario | None = None) -> str:
    """开幕大会（S0020）; one with no name by its kind (临时会议（AH112701））; a cancelled
    one as ``before`` (the congress before the log) has it; an id neither knows, as it is."""
    s = live.sessions.get(sid) or (before.sessions.get(sid) if before else None)
    if s is None:
        return sid
    name = s.name or (vocab.display(vocab.KINDS, s.kind, lang) if s.kind in vocab.KINDS
                      else "")
    return f"{name}（{sid}）" if name else sid


def room(live: Scenario, room_id: str) -> str:
    r = live.rooms.get(room_id)
    return r.name if r else room_id


def venue(live: Scenario, venue_id: str) -> str:
    v = live.venues.get(venue_id)
    return v.name if v else venue_id


def place(live: Scenario, where: Place | str) -> str:
    """A room's name, or the depot's: its venue's name and 库房."""
    where = where if isinstance(where, Place) else Place.parse(where)
    if where.is_depot:
        v = live.venues.get(where.depot)
        return f"{v.name}库房" if v else str(where)
    return room(live, where.room_id)


def holder(live: Scenario, holder_id: str) -> str:
    """A bag set's holder: the group's name, or the depot's."""
    if holder_id in live.groups:
        return live.groups[holder_id].name
    return place(live, holder_id)
