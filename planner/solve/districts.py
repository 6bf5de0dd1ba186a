"""Where each person may work: within ``staff_radius_minutes`` of home and, on a connected
congress whose team outgrows ``staff_team_max``, within their own district.

A district is a group of nearby venues, found by complete-linkage clustering on road
time: venues, then groups of venues, are joined closest first (the closeness of two
groups is their two furthest venues' road time) while the people living in the joined
group stay within ``staff_team_max``. Each person belongs to the district of their home
venue and works only there, so every district's day is a model of the reference's size,
planned on its own (:func:`planner.solve.staff.teams`). Teams of people who can never
meet (the areas of a generated ×10 congress) are districts already; a team within the
limit (the reference's 17) is left whole.
"""

from __future__ import annotations

from planner.model.scenario import Scenario

_CACHE: dict[tuple, tuple[object, dict[str, set[str]]]] = {}  # see reach
_CACHE_SIZE = 16


def reach(scenario: Scenario) -> dict[str, set[str]]:
    """Each person's venues: within the staff radius of home, and in their district."""
    key = (id(scenario.network), scenario.rules.staff_radius_minutes,
           scenario.rules.staff_team_max, tuple(sorted(scenario.venues)),
           tuple(sorted((p, s.venue_id) for p, s in scenario.staff.items())))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is scenario.network:  # the key's id still that network
        return cached[1]
    radius = scenario.rules.staff_radius_minutes
    net = scenario.network
    near = {p: {v for v in scenario.venues if net.travel_minutes(s.venue_id, v) <= radius}
            for p, s in scenario.staff.items()}
    district = districts(scenario, near)
    found = {p: {v for v in venues if district[v] == district[scenario.staff[p].venue_id]}
             for p, venues in near.items()}
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (scenario.network, found)
    return found


def districts(scenario: Scenario, near: dict[str, set[str]]) -> dict[str, tuple[int, int]]:
    """A district number per venue (venues that share one work together)."""
    limit = scenario.rules.staff_team_max
    living: dict[str, int] = {v: 0 for v in scenario.venues}
    for s in scenario.staff.values():
        if s.venue_id in living:
            living[s.venue_id] += 1
    out: dict[str, tuple[int, int]] = {}
    for n, team in enumerate(_teams(scenario, near)):
        if sum(living[v] for v in team) <= limit:
            for v in team:
                out[v] = (n, 0)
            continue
        for k, group in enumerate(_linkage(scenario, sorted(team), living, limit)):
            for v in group:
                out[v] = (n, k)
    return out


def _teams(scenario: Scenario, near: dict[str, set[str]]) -> list[set[str]]:
    """Venues that people's reach links, each set on its own (a venue nobody reaches is
    a set of its own)."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(scenario.venues)
    for venues in near.values():
        ordered = sorted(venues)
        for v in ordered[1:]:
            g.add_edge(ordered[0], v)
    return sorted((set(c) for c in nx.connected_components(g)), key=min)


def _linkage(scenario: Scenario, venues: list[str], living: dict[str, int],
             limit: int) -> list[list[str]]:
    """Complete-linkage clusters of ``venues`` with at most ``limit`` people living in each
    (a venue with more on its own), closest pair first, ties by the venues' ids."""
    net = scenario.network
    groups: list[list[str]] = [[v] for v in venues]
    people = [living[v] for v in venues]
    far = [[net.travel_minutes(a, b) for b in venues] for a in venues]  # group to group
    while True:
        best = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if people[i] + people[j] > limit:
                    continue
                key = (far[i][j], groups[i][0], groups[j][0])
                if best is None or key < best[0]:
                    best = (key, i, j)
        if best is None:
            break
        _, i, j = best
        groups[i] = sorted(groups[i] + groups[j])
        people[i] += people[j]
        for k in range(len(groups)):
            far[i][k] = far[k][i] = max(far[i][k], far[j][k])
        far[i][i] = 0
        for row in far:
            del row[j]
        del far[j], groups[j], people[j]
    return sorted(groups)
