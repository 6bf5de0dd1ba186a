"""The road network between venues (驻地) and the time a unit or a person takes to move.

Travel between two venues is the shortest path over the undirected edges of
``travel.csv``; within one venue a move takes the rule's within-venue time.
"""

from __future__ import annotations

import math

import networkx as nx


class VenueNetwork:
    """Shortest travel minutes between every pair of venues."""

    def __init__(self, venues: list[str], edges: list[tuple[str, str, float]]) -> None:
        self.graph = nx.Graph()
        self.graph.add_nodes_from(venues)
        for a, b, minutes in edges:
            self.graph.add_edge(a, b, minutes=minutes)
        self._minutes = dict(nx.all_pairs_dijkstra_path_length(self.graph, weight="minutes"))

    def components(self) -> list[list[str]]:
        """Groups of venues that can reach each other; one group when the network is sound."""
        return sorted(sorted(c) for c in nx.connected_components(self.graph))

    def travel_minutes(self, a: str, b: str) -> float:
        """Road minutes from venue ``a`` to venue ``b`` (0 for the same venue)."""
        return self._minutes[a][b]

    def whole_minutes(self, a: str, b: str) -> int:
        """Travel minutes rounded up, for schedules kept in whole minutes."""
        return math.ceil(self._minutes[a][b] - 1e-9)

    def route(self, a: str, b: str) -> list[str]:
        """The venues passed on the fastest road from ``a`` to ``b``."""
        return nx.shortest_path(self.graph, a, b, weight="minutes")
