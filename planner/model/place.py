"""Where a unit or a bag set is: a room, or a venue's depot (库房).

The contract's files write a room as its id and a depot as ``depot:<venue_id>``
(moves.csv's ``from_room_id`` / ``to_room_id``, bags.csv's ``holder_id``). Inside the
library a place is a :class:`Place`; :meth:`Place.parse` and ``str(place)`` are the only
reader and writer of the file form (the independent checker reads the files itself)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

DEPOT = "depot:"


@functools.total_ordering
@dataclass(frozen=True)
class Place:
    """A room (``room_id``) or the depot of a venue (``depot``, its venue id). Places sort
    as their file form does, so that anything ordered by place keeps its order."""

    room_id: str = ""
    depot: str = ""

    @classmethod
    def room(cls, room_id: str) -> Place:
        return cls(room_id=room_id)

    @classmethod
    def depot_of(cls, venue_id: str) -> Place:
        return cls(depot=venue_id)

    @classmethod
    def parse(cls, text: str) -> Place:
        """A place as the files write it."""
        if is_depot(text):
            return cls(depot=text.removeprefix(DEPOT))
        return cls(room_id=text)

    @property
    def is_depot(self) -> bool:
        return bool(self.depot)

    def __str__(self) -> str:
        return DEPOT + self.depot if self.depot else self.room_id

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Place):
            return NotImplemented
        return str(self) < str(other)


def is_depot(text: str) -> bool:
    """Does a file's place or holder name a depot?"""
    return text.startswith(DEPOT)
