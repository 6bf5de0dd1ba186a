"""Requirements are derived from the documented rules; override columns and scenario.yaml win."""

from __future__ import annotations

import dataclasses

import pytest

from planner.io.scenario_files import load_scenario
from planner.model.requirements import (
    bag_sets_for,
    cabinet_units_for,
    derive,
    jammers_for,
    patrols_for,
    sweeps_due,
)
from planner.model.rules import Rules
from planner.model.scenario import Group, Room
from tests.conftest import MINI, copy_scenario

RULES = Rules()


def room(area: float, signal: str = "normal") -> Room:
    return Room("R", "V", "room", area, 100, signal)


@pytest.mark.parametrize(("area", "signal", "level", "expected"), [
    (150, "normal", "secret", 1),
    (151, "normal", "secret", 2),
    (120, "strong", "confidential", 2),      # 180 m² of jamming
    (60, "booster", "secret", 1),            # 120 m²
    (100, "booster", "secret", 2),           # 200 m²: a booster nearby doubles it
    (1600, "normal", "secret", 11),
    (1600, "normal", "top_secret", 12),      # one spare at a top-secret session
    (300, "normal", "internal", 0),          # internal meetings are not jammed
])
def test_jammers_follow_area_signal_and_level(area, signal, level, expected):
    assert jammers_for(room(area, signal), level, RULES) == expected


@pytest.mark.parametrize(("attendees", "level", "expected"), [
    (24, "secret", 1), (25, "secret", 2), (774, "secret", 33), (12, "top_secret", 1),
    (200, "internal", 0)])
def test_cabinet_units_follow_attendees_and_slots(attendees, level, expected):
    assert cabinet_units_for(attendees, level, RULES) == expected


@pytest.mark.parametrize(("minutes", "level", "expected"), [
    (180, "confidential", 3), (150, "confidential", 2), (60, "secret", 2), (50, "secret", 1),
    (40, "top_secret", 2), (60, "internal", 1), (10, "internal", 1)])
def test_patrols_follow_duration_and_level(minutes, level, expected):
    assert patrols_for(minutes, level, RULES) == expected


def test_a_group_holds_at_least_the_minimum_of_bag_sets_and_more_when_large():
    assert bag_sets_for(Group("G", "g", "V", 6), RULES) == 3
    assert bag_sets_for(Group("G", "g", "V", 40), RULES) == 5
    assert bag_sets_for(Group("G", "g", "V", 40, bag_sets=1), RULES) == 1


def test_sweeps_are_due_before_a_rooms_first_session_of_each_day_and_every_top_secret():
    s = load_scenario(MINI)
    due = sweeps_due(s)
    # S2 is R2's first of the day, S4 is R2's second but top secret; S6 is R1 on a new day
    assert due == {"S1", "S2", "S3", "S4", "S5", "S6"}
    later = dataclasses.replace(s.rules, sweep_levels=[])
    assert "S4" not in sweeps_due(dataclasses.replace(s, rules=later))


def test_a_session_override_column_wins_over_the_rules():
    s = load_scenario(MINI)
    req = derive(s)
    assert req["S5"].jammers == 3          # jammers_required=3 in sessions.csv
    assert jammers_for(s.rooms["R4"], "secret", s.rules) == 1
    assert req["S5"].overridden == ("jammers_required",)
    assert req["S1"].overridden == ()


def test_an_override_of_zero_means_none_needed(mini_copy):
    f = mini_copy / "sessions.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("G2,3", "G2,0"), encoding="utf-8")
    assert derive(load_scenario(mini_copy))["S5"].jammers == 0


def test_rules_in_scenario_yaml_change_what_is_derived(mini_copy):
    (mini_copy / "scenario.yaml").write_text(
        "name: mini\nrules:\n  jammer_area_m2: 300\n  cabinet_slots_per_unit: 50\n"
        "  patrol_interval_minutes: {secret: 30}\n", encoding="utf-8")
    s = load_scenario(mini_copy)
    req = derive(s)
    assert req["S1"].jammers == 2            # 600 m² / 300
    assert req["S1"].cabinet_units == 8      # 380 / 50
    assert req["S1"].patrols == 6            # 1 + 150 // 30
    assert s.rules.patrol_interval_minutes["confidential"] == 90  # untouched keys keep defaults


def test_every_rule_says_what_it_means_and_where_its_default_comes_from():
    documented = Rules.documented()
    assert len(documented) == len(dataclasses.fields(Rules))
    for key, _default, zh, en, source in documented:
        assert zh and en and len(source) > 10, key


def test_the_rules_command_lists_every_rule_with_its_source():
    from planner.rehearse.disruptions import Disruptions
    from tests.conftest import run_cli

    result = run_cli("rules")
    assert result.returncode == 0
    for key, *_ in Rules.documented() + Disruptions.documented():
        assert f"{key} = " in result.stdout
    assert result.stdout.count("source:") == len(Rules.documented()) + len(
        Disruptions.documented()) + 3  # and the three solver budgets
    for line in ("plan --time-limit = 1.0", "replan --time-limit = 0.5", "--workers = 1"):
        assert line in result.stdout  # the defaults the README states


def test_mini_totals_match_a_hand_count():
    req = derive(load_scenario(MINI))
    # jammers: S1 600/150=4, S2 120×1.5→2, S3 60×2→1, S4 2+1 spare, S5 override 3, S6 internal 0
    assert sum(r.jammers for r in req.values()) == 13
    # cabinets: 380→16, 50→3, 25→2, 12→1, 35→2, internal 0
    assert sum(r.cabinet_units for r in req.values()) == 24
    # patrols: 150′ secret 3, 180′ conf 3, 150′ conf 2, 60′ TS 2, 180′ secret 4, 60′ internal 1
    assert sum(r.patrols for r in req.values()) == 15


def test_unknown_level_in_a_rule_list_is_refused(tmp_path):
    folder = copy_scenario(MINI, tmp_path / "m")
    (folder / "scenario.yaml").write_text("name: m\nrules:\n  jammer_levels: [secret, 高度机密]\n",
                                          encoding="utf-8")
    from planner.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"rules\.jammer_levels"):
        load_scenario(folder)
