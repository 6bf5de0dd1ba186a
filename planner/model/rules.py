"""The planning rules: every parameter, its default, and where the default comes from.

A scenario's ``scenario.yaml`` may override any of these under ``rules:``;
unknown keys are an error. ``python -m planner rules`` prints this table.
Per-session override columns in sessions.csv (``jammers_required``,
``cabinet_units_required``, ``patrols_required``) win over what the rules derive.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TypeGuard

from planner.errors import Problems
from planner.limits import setting_too_large as too_large
from planner.model.vocabulary import LEVELS, SIGNALS, lookup


def rule(default, zh: str, en: str, source: str):
    factory: Callable[[], dict | list] | None = (
        (lambda: dict(default)) if isinstance(default, dict)
        else (lambda: list(default)) if isinstance(default, list) else None)
    meta = {"zh": zh, "en": en, "source": source}
    if factory:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Rules:
    """Planning parameters. Durations in minutes, areas in m²."""

    setup_minutes: int = rule(
        30, "设备在会议开始前多少分钟到位（布设）",
        "minutes before the start a unit must be in place",
        "000: equipment is in place before delegates enter; halls open ~30 min before a session")
    move_within_venue_minutes: int = rule(
        10, "同一驻地内搬移一件设备的时间", "minutes to move a unit between rooms of one venue",
        "field estimate: one floor-to-floor trolley move in a hotel")
    loading_minutes: int = rule(
        15, "跨驻地搬移时装车和卸车的时间", "minutes to load and unload a vehicle between venues",
        "field estimate: load at the depot, unload at the hotel")
    patrol_minutes: int = rule(
        10, "一次巡查在会场停留的时间", "minutes one patrol visit spends in a room",
        "000: 520 patrols by a 17-person team across 256 sessions; a short visit")
    sweep_minutes: int = rule(
        20, "会前安全检测一个会场的时间", "minutes for a pre-session security sweep of a room",
        "000: all 46 rooms security-checked before the opening")
    sweep_lead_minutes: int = rule(
        120, "安全检测最早可在会前多少分钟进行", "earliest a sweep may end before the session",
        "004 §九: the room is checked before the meeting; a sweep older than 2 h is stale")
    cleanup_minutes: int = rule(
        15, "休会清理检查一个会场的时间", "minutes for a recess clean-up and paper recovery",
        "000: every recess the room is cleaned and papers recovered")
    cleanup_window_minutes: int = rule(
        45, "清理检查须在散会后多少分钟内开始",
        "a clean-up starts within this many minutes of the end",
        "004 §九: papers are recovered at the end, before the room is reused")
    jammer_area_m2: float = rule(
        150.0, "一台干扰器按标称可覆盖的面积（㎡）",
        "nominal m² one jammer covers when sizing a room",
        "typical desk-top jammer in a meeting room; calibrated so the reference congress "
        "needs ~340 jammer deployments as in 000")
    signal_factor: dict = rule(
        {"normal": 1.0, "strong": 1.5, "booster": 2.0},
        "信号环境系数（放大器附近需加倍）", "jamming multiplier by signal environment",
        "000 (Guizhou): a carrier amplifier nearby made shielding fail; treated as double")
    jammer_levels: list = rule(
        ["top_secret", "secret", "confidential"], "需要干扰器的密级",
        "levels whose sessions need jammers", "004 §九: classified meetings; internal ones do not")
    top_secret_extra_jammers: int = rule(
        1, "绝密会议额外增加的干扰器台数", "extra jammers at a top-secret session (redundancy)",
        "004: top-secret handling doubles safeguards (二人护送制); one spare unit")
    cabinet_slots_per_unit: int = rule(
        24, "每节手机屏蔽柜的格数", "phone slots in one cabinet unit",
        "common 24-slot cabinet section; calibrated to ~499 unit deployments as in 000")
    phones_per_attendee: float = rule(
        1.0, "每位参会人员存放的手机数", "phones each attendee deposits",
        "000: delegates put their phones into the cabinets (photo caption)")
    cabinet_levels: list = rule(
        ["top_secret", "secret", "confidential"], "需要手机屏蔽柜的密级",
        "levels whose sessions need cabinet units", "004 §九: classified meetings")
    patrol_interval_minutes: dict = rule(
        {"top_secret": 40, "secret": 60, "confidential": 90, "internal": 120},
        "开会后即巡查一次，之后按密级每隔多少分钟再巡查一次",
        "a patrol soon after the start, then one more every this many minutes, by level",
        "calibrated so the reference congress needs ~520 patrols as in 000")
    min_patrols: int = rule(
        1, "每场会议至少巡查次数", "patrols every session gets at least",
        "000: every session is patrolled")
    sweep_levels: list = rule(
        ["top_secret"], "每场都需会前检测的密级", "levels whose every session needs a sweep",
        "contract: before every top_secret session")
    members_per_bag_set: int = rule(
        8, "每套文件销毁袋服务的工作组人数", "group members one shred-bag set serves",
        "field estimate: one more set for every 8 members beyond the minimum")
    min_bag_sets_per_group: int = rule(
        3, "每个工作组至少配发的销毁袋套数", "bag sets every group gets at least",
        "000: 72 sets for the 24 congress and delegation working groups, 3 each")
    sweep_m2_per_person: float = rule(
        400.0, "一人一次安全检测可覆盖的会场面积（㎡），大会场需多人同时检测",
        "m² one person sweeps; a large hall is swept by a crew",
        "field estimate: the 1,600 m² main hall takes a crew of four in 20 min")
    cleanup_attendees_per_person: int = rule(
        100, "休会清理时一人负责的参会人数，大会场需多人同时清理",
        "attendees one person's clean-up covers; a plenary needs a crew",
        "field estimate: a plenary of ~760 is cleared by a crew of eight in 15 min")
    collect_minutes: int = rule(
        10, "收取工作组文件销毁袋的时间", "minutes to collect a group's shred bags",
        "000: bags are recovered from the working groups")
    collect_window_minutes: int = rule(
        120, "工作组当天最后一场会议结束后多少分钟内收取销毁袋",
        "a group's bags are collected within this many minutes of its last session of the day",
        "000: papers recovered daily; every recess the room itself is cleared by the clean-up")
    units_per_trip: int = rule(
        6, "一人一趟可搬运的设备件数", "units one person carries in one trip",
        "field estimate: one trolley or car boot of jammers and cabinet sections")
    move_slack_minutes: int = rule(
        30, "搬运可提前出发的时间窗（分钟）",
        "how much earlier than the latest moment a move may leave",
        "planning choice: gives the team room to fit moves between other tasks")
    move_cost_within_venue: int = rule(
        1, "驻地内搬移一件设备的代价", "cost of moving one unit within a venue",
        "planning choice: moves are work and risk; fewer is better")
    move_cost_between_venues: int = rule(
        3, "跨驻地搬移一件设备的代价", "cost of moving one unit between venues",
        "planning choice: a road move takes a car, loading and longer exposure")
    move_radius_minutes: int = rule(
        60, "设备最远从多少分钟车程外调入", "furthest road time a unit is brought from",
        "planning choice: keeps large congresses tractable; the reference spans 33 min")
    staff_radius_minutes: int = rule(
        60, "工作人员最远支援多少分钟车程外的驻地", "furthest road time from home a person works",
        "planning choice: people serve their own area")
    staff_team_max: int = rule(
        24, "一个片区最多多少名工作人员（超过则按车程把驻地分成片区，各自安排）",
        "most people in one district: a larger connected team is split into districts of "
        "nearby venues, each planned on its own, people working in their own",
        "planning choice: a day of 17 people (the reference) solves in seconds; a city of "
        "170 in one model found nothing within its budget")
    post_minutes: int = rule(
        240, "工作人员在一个驻地连续值守的时长（岗）",
        "length of a post: time a person stays at one venue",
        "000: tasks are assigned to posts and persons (分解落实到岗、责任到人)")
    reserve_levels: list = rule(
        ["top_secret", "secret"],
        "保留备用设备（N-1）的会议密级：每场会议开始前，在可及时运到的驻地留一台同类空闲设备，"
        "以备故障替换；留空（[]）则不保留",
        "levels whose sessions keep an N-1 reserve: before each, one idle unit of every type "
        "it needs at a venue close enough to replace a failed one in time; [] for none",
        "000: about one unit fails a day; 004 §九: a classified meeting is not left unprotected")
    level_weight: dict = rule(
        {"top_secret": 8, "secret": 4, "confidential": 2, "internal": 1},
        "覆盖优先级的密级权重", "coverage weight by level (attendees also count)",
        "the higher the level, the worse an uncovered session")

    @classmethod
    def documented(cls) -> list[tuple[str, object, str, str, str]]:
        return documented(cls)


def documented(cls) -> list[tuple[str, object, str, str, str]]:
    """(key, default, Chinese meaning, English meaning, source) for every field of a
    settings class made with :func:`rule`."""
    out = []
    for f in fields(cls):
        default = f.default_factory() if callable(f.default_factory) else f.default
        out.append((f.name, default, f.metadata["zh"], f.metadata["en"], f.metadata["source"]))
    return out


MAPPING_KEYS = {"signal_factor": SIGNALS, "patrol_interval_minutes": LEVELS, "level_weight": LEVELS}
LEVEL_LISTS = ("jammer_levels", "cabinet_levels", "sweep_levels", "reserve_levels")
NON_NEGATIVE = {"top_secret_extra_jammers", "setup_minutes", "move_within_venue_minutes",
                "loading_minutes", "min_patrols", "min_bag_sets_per_group"}


def parse_rules(raw: object, file: str, problems: Problems) -> Rules:
    """Rules from the ``rules:`` mapping, every bad key or value reported to ``problems``."""
    return parse_section(raw, Rules, "rules", _parse_value, file, problems)


def parse_section(raw: object, cls, section: str, parse, file: str, problems: Problems):
    """A settings section of scenario.yaml (``rules:``, ``disruptions:``) as ``cls``, the
    defaults for what is left out. ``parse(key, value, default)`` gives (why the value is
    wrong, or "", the value); every unknown key (with the closest known one) and bad
    value goes to ``problems``."""
    base = cls()
    if raw is None:
        return base
    if not isinstance(raw, dict):
        problems.add(file, "bad_setting", key=section, value=raw, why="must be a mapping")
        return base
    known = [f.name for f in fields(cls)]
    changes = {}
    for key, value in raw.items():
        key = str(key)
        if key not in known:
            problems.unknown_key(file, key, known, prefix=f"{section}.")
            continue
        why, parsed = parse(key, value, getattr(base, key))
        why = why or too_large(key, parsed)
        if why:
            problems.add(file, "bad_setting", key=f"{section}.{key}", value=value, why=why)
        else:
            changes[key] = parsed
    return replace(base, **changes)


def finite_number(v: object) -> TypeGuard[int | float]:
    return not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)


def _parse_value(key: str, value: object, default: object) -> tuple[str, object]:
    """(why it is wrong, or "", the parsed value)."""
    if key in MAPPING_KEYS:
        if not isinstance(value, dict):
            return "must be a mapping", None
        assert isinstance(default, dict)  # the Rules field of a mapping key is a dict
        merged = dict(default)
        for k, v in value.items():
            name = lookup(MAPPING_KEYS[key], str(k))  # 绝密 means top_secret here too
            if name is None:
                return f"unknown key {k}; use {', '.join(MAPPING_KEYS[key])}", None
            if not finite_number(v) or v <= 0:
                return f"{k} must be a positive number", None
            merged[name] = v
        return "", merged
    if key in LEVEL_LISTS:
        names = [lookup(LEVELS, str(v)) for v in value] if isinstance(value, list) else [None]
        if None in names:
            return f"must be a list of {', '.join(LEVELS)}", None
        return "", names
    assert isinstance(default, int | float)  # every other Rules field is a number
    kind = type(default)
    if not finite_number(value):
        return "must be a number", None
    if kind is int and not float(value).is_integer():
        return "must be a whole number", None
    if value < 0 or (value == 0 and key not in NON_NEGATIVE):
        return "must be positive", None
    return "", kind(value)
