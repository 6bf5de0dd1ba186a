"""The bundled reference congress matches seed 000, and the generator scales it."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter

import pytest

from planner.cli.validate import summarize
from planner.io.generate import generate, write
from planner.io.scenario_files import load_scenario
from planner.model.demand import peak
from planner.model.requirements import derive
from tests.conftest import MINI, REFERENCE, run_cli

PUBLISHED = {"jammer_deployments": 340, "cabinet_unit_deployments": 499, "patrols": 520}


@pytest.fixture(scope="module")
def reference():
    return load_scenario(REFERENCE)


def test_reference_congress_has_the_size_000_reports(reference):
    s = reference
    assert (len(s.venues), len(s.rooms), len(s.sessions), len(s.staff)) == (4, 46, 256, 17)
    stock = Counter(i.item_type for i in s.items.values())
    assert stock == {"jammer": 53, "cabinet_unit": 93, "shred_bag_set": 100}
    delegations = {x.group_id: x.attendees for x in s.sessions.values()
                   if x.kind == "delegation" and "第一次全体会议" in x.name}
    assert sum(delegations.values()) == 714
    assert {x.kind for x in s.sessions.values()} == {
        "plenary", "presidium", "delegation", "group", "election", "briefing", "adhoc"}
    assert any("选举大会" in x.name for x in s.sessions.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.name) for r in s.rooms.values())


def test_reference_requirements_are_within_five_percent_of_the_published_figures(reference):
    totals = summarize(reference)["requirements"]
    for key, published in PUBLISHED.items():
        assert abs(totals[key] - published) <= 0.05 * published, (key, totals[key])
    assert totals["bag_sets_to_groups"] == 72


def test_validate_prints_the_totals_against_the_published_figures():
    result = run_cli("validate", str(REFERENCE))
    assert result.returncode == 0, result.stderr
    assert "256 sessions over 5 days" in result.stdout
    for key, label in [("jammer_deployments", "jammer deployments"),
                       ("cabinet_unit_deployments", "cabinet-unit deployments"),
                       ("patrols", "patrols")]:
        line = next(x for x in result.stdout.splitlines() if x.strip().startswith(label + ":"))
        assert f"published {PUBLISHED[key]}" in line
    assert "Peak simultaneous demand against stock" in result.stdout


def test_validate_json_is_machine_readable_and_matches_the_library():
    result = run_cli("validate", str(REFERENCE), "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["requirements"] == summarize(load_scenario(REFERENCE))["requirements"]


def test_validate_names_the_times_when_a_venue_needs_units_brought_in():
    result = run_cli("validate", str(MINI))
    assert result.returncode == 0
    out = result.stdout
    assert "jammer | V2 迎宾馆: peak 3 at 2021-11-26 14:00, usable stock 2" in out
    assert "demand exceeds stock: 11-26 14:00–17:00 (3), 11-26 19:00–20:30 (3)" in out
    assert "no plan can cover these times in full" in out  # cabinets overall: 16 > 4


def test_peak_demand_counts_setup_time_and_leaves_out_units_in_maintenance():
    s = load_scenario(MINI)
    req = derive(s)
    p = peak(s, req, "jammer", "V3")
    assert (p.stock, p.maintenance, p.peak) == (0, 1, 3)
    assert p.peak_at.strftime("%H:%M") == "08:00"  # S5 starts 08:30, units set up 30 min ahead
    overall = peak(s, req, "cabinet_unit")
    assert overall.peak == 16 and overall.stock == 4


def test_venue_network_uses_the_shortest_road():
    s = load_scenario(MINI)
    assert s.network.travel_minutes("V1", "V3") == 18  # V1–V2–V3, there is no direct road
    assert s.network.route("V1", "V3") == ["V1", "V2", "V3"]
    assert s.network.travel_minutes("V2", "V2") == 0


def test_reference_network_prefers_a_shorter_detour():
    s = load_scenario(REFERENCE)
    # V01–V04 direct is 25 min; via V03 it is 15 + 18 = 33, so the road is direct
    assert s.network.travel_minutes("V01", "V04") == 25
    assert s.network.travel_minutes("V02", "V04") == 28  # V02–V03–V04


def test_generator_at_scale_one_reproduces_the_bundled_reference(tmp_path):
    out = write(tmp_path / "again")
    for f in REFERENCE.iterdir():
        assert (out / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.parametrize("scale", [2, 3])
def test_generator_scales_every_count(tmp_path, scale):
    s = load_scenario(write(tmp_path / f"x{scale}", scale=scale, seed=7))
    assert len(s.venues) == 4 * scale and len(s.rooms) == 46 * scale
    assert len(s.sessions) == 256 * scale and len(s.staff) == 17 * scale
    assert len(s.items) == (53 + 93 + 100) * scale
    assert len(s.network.components()) == 1
    totals = summarize(s)["requirements"]
    for key, published in PUBLISHED.items():
        assert abs(totals[key] - scale * published) <= 0.08 * scale * published, key


def test_generator_is_deterministic_for_a_seed_and_varies_between_seeds():
    assert generate(1, 5) == generate(1, 5)
    a, b = generate(1, 5), generate(1, 6)
    assert a["sessions"] != b["sessions"]
    assert len(a["sessions"]) == len(b["sessions"]) == 256


def test_generate_command_writes_a_folder_that_validates(tmp_path):
    out = tmp_path / "x2"
    result = run_cli("generate", "--out", str(out), "--scale", "2", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert run_cli("validate", str(out)).returncode == 0
    assert (out / "sessions.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel-friendly BOM


def test_generate_refuses_to_overwrite_a_folder_and_writes_nothing(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run_cli("generate", "--out", str(out))
    assert result.returncode == 1
    assert "exists and is not an empty folder" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no temporary folder left behind


def _rows(folder, name):
    with open(folder / f"{name}.csv", newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _shortest_minutes(folder) -> dict[tuple[str, str], float]:
    """Floyd–Warshall over travel.csv as written: every pair's shortest road time."""
    venues = [v["venue_id"] for v in _rows(folder, "venues")]
    far = {(a, b): 0.0 if a == b else math.inf for a in venues for b in venues}
    for road in _rows(folder, "travel"):
        a, b, minutes = road["from_venue"], road["to_venue"], float(road["minutes"])
        far[a, b] = far[b, a] = min(far[a, b], minutes)
    for k in venues:
        for a in venues:
            for b in venues:
                far[a, b] = min(far[a, b], far[a, k] + far[k, b])
    return {(a, b): m for (a, b), m in far.items() if a < b}


def test_a_one_area_city_is_the_bundled_reference(tmp_path):
    out = tmp_path / "city"
    result = run_cli("generate", "--out", str(out), "--layout", "city", "--scale", "1")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in REFERENCE.iterdir())
    for f in REFERENCE.iterdir():
        assert (out / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.parametrize("scale", [3, 10])
def test_city_layout_puts_every_venue_within_10_to_45_minutes_of_every_other(tmp_path, scale):
    out = write(tmp_path / f"city{scale}", scale=scale, seed=scale, layout="city")
    minutes = _shortest_minutes(out)
    assert len(minutes) == 4 * scale * (4 * scale - 1) // 2
    assert min(minutes.values()) >= 10 and max(minutes.values()) <= 45
    roads = _rows(out, "travel")
    assert len(roads) <= 6 * 4 * scale  # to the nearest few, not every pair
    area_roads = [(r["from_venue"], r["to_venue"], r["minutes"]) for r in roads[:5]]
    assert area_roads == [(a, b, str(m)) for a, b, m in  # the first area's, as in the reference
                          [("V01", "V02", 12), ("V01", "V03", 15), ("V02", "V03", 10),
                           ("V03", "V04", 18), ("V01", "V04", 25)]]


def test_city_layout_scales_every_count_and_keeps_the_areas_agenda(tmp_path):
    scale = 3
    out = write(tmp_path / "city", scale=scale, seed=7, layout="city")
    count = {name: len(_rows(out, name)) for name in (
        "venues", "rooms", "sessions", "staff", "inventory", "groups")}
    assert count == {"venues": 4 * scale, "rooms": 46 * scale, "sessions": 256 * scale,
                     "staff": 17 * scale, "inventory": (53 + 93 + 100) * scale,
                     "groups": 24 * scale}
    stock = Counter((r["item_type"], r["status"]) for r in _rows(out, "inventory"))
    assert stock == {("jammer", "ok"): 52 * scale, ("jammer", "maintenance"): scale,
                     ("cabinet_unit", "ok"): 93 * scale, ("shred_bag_set", "ok"): 100 * scale}
    names = [v["name"] for v in _rows(out, "venues")]
    assert names[0] == "省会议中心" and names[4] == "第2会区会议中心"
    assert names[9] == "迎宾馆（第3会区）" and len(set(names)) == len(names)
    city, areas = generate(scale, 7, "city"), generate(scale, 7)
    for name in ("rooms", "sessions", "inventory", "staff", "groups"):
        assert city[name] == areas[name], name  # only the places and roads differ


def test_city_layout_is_deterministic_for_a_seed_and_varies_between_seeds():
    assert generate(4, 2, "city") == generate(4, 2, "city")
    assert generate(4, 2, "city")["travel"] != generate(4, 3, "city")["travel"]
    with pytest.raises(ValueError, match="layout"):
        generate(2, 0, "town")


def test_generate_city_command_writes_a_folder_that_validates(tmp_path):
    out = tmp_path / "city"
    result = run_cli("generate", "--out", str(out), "--scale", "3", "--layout", "city",
                     lang="zh")
    assert result.returncode == 0, result.stderr
    assert "同城" in result.stdout and "10–45 分钟" in result.stdout
    checked = run_cli("validate", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "768 sessions over 5 days" in checked.stdout


def test_generate_refuses_an_unknown_layout(tmp_path):
    result = run_cli("generate", "--out", str(tmp_path / "x"), "--layout", "town")
    assert result.returncode == 2
    assert "invalid choice: 'town'" in result.stderr
    assert list(tmp_path.iterdir()) == []
