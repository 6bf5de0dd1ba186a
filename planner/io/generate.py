"""Congress scenarios in the contract's format: the reference congress and K-times larger ones.

``generate(scale=1, seed=0)`` is the bundled reference congress
(``scenarios/provincial_congress``), modelled on seed document 000: 4 venues,
46 rooms, 16 delegations with 714 delegates, 256 sessions over five days,
17 staff, 53 jammers, 93 cabinet units, 100 shred-bag sets (72 held by groups).
``scale=K`` builds K such congress areas (会区), each with its own venues, rooms,
delegations, agenda, stock and staff; ``seed`` varies the delegation sizes, room
sizes and the ad-hoc meetings. The ``layout`` says how the areas are joined:
``areas`` (the default) as congresses in several cities, their centres 80 minutes
and more apart; ``city`` as one metropolitan congress, every venue within 10–45
minutes of every other over one road network. At scale 1 both are the reference.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
import shutil
import tempfile
from pathlib import Path

import yaml

from planner.io.sheets import safe_text
from planner.model.times import stamp

FIRST_DAY = dt.date(2021, 11, 26)
DAYS = 5
DELEGATIONS = [
    "江北市", "江南市", "河东市", "河西市", "山前市", "山后市", "湖滨市", "林海市",
    "松原市", "北岭市", "南岭市", "东港市", "西川市", "省直机关", "驻省企业", "省军区",
]
DELEGATION_SIZES = [57, 48, 48, 46, 45, 43, 41, 40, 39, 38, 37, 36, 35, 72, 30, 59]  # sum 714
NON_VOTING = 50  # 列席 attendees at plenaries
PRESIDIUM = 61
STANDING_COMMITTEE = 15
HOTELS = [("迎宾馆", 6), ("友谊宾馆", 5), ("国际饭店", 5)]  # delegations housed per hotel
WORKING_GROUPS = [("秘书组", 20), ("组织组", 16), ("宣传组", 12), ("会务组", 18),
                  ("保卫组", 10), ("选举工作组", 14), ("简报组", 8), ("文印组", 11)]
CENTRE_ROOMS = [  # name, m², capacity, signal
    ("大会堂", 1600, 1000, "normal"), ("主席团会议室", 280, 80, "strong"),
    ("贵宾厅", 150, 40, "normal"), ("第一会议室", 120, 50, "normal"),
    ("第二会议室", 120, 50, "normal"), ("第三会议室", 90, 36, "normal"),
    ("第四会议室", 90, 36, "strong"), ("新闻发布厅", 200, 120, "normal"),
    ("监票室", 60, 20, "normal"), ("秘书组会议室", 70, 25, "normal"),
]
JAMMERS, CABINETS, BAG_SETS = 53, 93, 100
BAG_KG = 30
# What 000 reports for this congress: the figures the reference is calibrated against.
PUBLISHED = {"sessions": 256, "jammer_deployments": 340, "cabinet_unit_deployments": 499,
             "patrols": 520, "bag_sets_to_groups": 72, "paper_tonnes": 5, "documents_found": 32}
LAYOUTS = ("areas", "city")
# The city layout: area centres spread over a disk around the main conference centre, each
# area's hotels near its centre, and a road's time from the straight-line distance: loading
# and parking, then city traffic. 8 min + 2 × (5.5 + 3) km × 2 min/km is 42 min, so every
# direct road is within CITY_MINUTES and the sparse network is completed with direct roads
# where a path is longer.
CITY_RADIUS_KM = 5.5  # area centres within this distance of the main conference centre
HOTEL_KM = (1.0, 3.0)  # an area's hotels at this distance from its centre
ROAD_MINUTES = (8, 2.0)  # minutes to set off and arrive, and per km (30 km/h)
CITY_MINUTES = (10, 45)  # shortest and longest road time between two venues
NEAREST_ROADS = 3  # each venue's roads to the nearest venues of other areas


def _t(day: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(h, m))


class _Congress:
    """Builds the rows of every file for one or more congress areas."""

    def __init__(self, scale: int, seed: int, layout: str = "areas") -> None:
        self.scale, self.seed, self.rng = scale, seed, random.Random(seed)
        self.city = layout == "city" and scale > 1  # a one-area city is the reference
        self.place_rng = random.Random(f"city:{seed}")  # leaves the agenda's draws as they are
        self.places: dict[str, tuple[float, float]] = {}  # venue -> (x, y) km, city layout
        self.area_of: dict[str, int] = {}  # venue -> its area
        self.centres: list[str] = []  # each area's conference centre
        self.turn = 0.0  # the spiral's seeded rotation
        self.vary = False  # the reference area (scale 1, seed 0) keeps its published figures
        self.files: dict[str, list[dict]] = {k: [] for k in (
            "venues", "rooms", "travel", "sessions", "inventory", "staff", "groups")}
        self.busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
        self.counters: dict[str, int] = {}
        self.first_centre: str  # the first area's centre, set by roads() for area 0

    def next_id(self, prefix: str, width: int) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def build(self) -> dict[str, list[dict]]:
        for area in range(self.scale):
            self.area(area)
        if self.city:
            self.city_roads()
        return self.files

    # -- places -------------------------------------------------------------------------------
    def venue(self, name: str, destruction: bool) -> str:
        vid = self.next_id("V", 2)
        self.files["venues"].append(
            {"venue_id": vid, "name": name, "has_destruction": str(destruction).lower()})
        return vid

    def room(self, vid: str, name: str, area: float, capacity: int, signal: str) -> str:
        rid = f"R{vid[1:]}{sum(r['venue_id'] == vid for r in self.files['rooms']) + 1:02d}"
        area = round(area * self.rng.uniform(0.92, 1.08)) if self.vary else area
        self.files["rooms"].append({"room_id": rid, "venue_id": vid, "name": name,
                                    "area_m2": area, "capacity": capacity, "signal": signal})
        self.busy[rid] = []
        return rid

    # -- the agenda ---------------------------------------------------------------------------
    def session(self, rid: str, start: dt.datetime, end: dt.datetime, kind: str, attendees: int,
                level: str, name: str, group: str = "") -> None:
        self.busy[rid].append((start, end))
        self.files["sessions"].append({
            "session_id": self.next_id("S", 4), "room_id": rid, "start": stamp(start),
            "end": stamp(end), "kind": kind, "attendees": attendees, "level": level,
            "name": name, "group_id": group})

    def free(self, rid: str, start: dt.datetime, end: dt.datetime) -> bool:
        return all(end <= s or start >= e for s, e in self.busy[rid])

    def roads(self, area: int, centre: str, hotels: list[str]) -> None:
        """The roads inside an area, and (areas layout) from the first area's centre to
        this one's; in a city, the area's places, joined to the others by city_roads()."""
        venues = [centre, *hotels]
        for a, b, minutes in [(0, 1, 12), (0, 2, 15), (1, 2, 10), (2, 3, 18), (0, 3, 25)]:
            self.files["travel"].append(
                {"from_venue": venues[a], "to_venue": venues[b], "minutes": minutes})
        if area == 0:
            self.first_centre = centre
        elif not self.city:
            self.files["travel"].append(
                {"from_venue": self.first_centre, "to_venue": centre, "minutes": 70 + 10 * area})
        self.centres.append(centre)
        for vid in venues:
            self.area_of[vid] = area
        if self.city:
            self.place(area, centre, hotels)

    def place(self, area: int, centre: str, hotels: list[str]) -> None:
        """Coordinates in the city: the first centre in the middle, the others on a
        sunflower spiral over the disk (evenly spread for any K), hotels around each."""
        rng = self.place_rng
        if area == 0:
            self.turn = rng.uniform(0, 2 * math.pi)
            x = y = 0.0
        else:
            r = CITY_RADIUS_KM * math.sqrt(area / (self.scale - 1)) * rng.uniform(0.85, 1.0)
            angle = self.turn + area * math.pi * (3 - math.sqrt(5)) + rng.uniform(-0.2, 0.2)
            x, y = r * math.cos(angle), r * math.sin(angle)
        self.places[centre] = (x, y)
        for hid in hotels:
            r, angle = rng.uniform(*HOTEL_KM), rng.uniform(0, 2 * math.pi)
            self.places[hid] = (x + r * math.cos(angle), y + r * math.sin(angle))

    def direct_minutes(self, a: str, b: str) -> int:
        (xa, ya), (xb, yb) = self.places[a], self.places[b]
        km = math.hypot(xa - xb, ya - yb)
        minutes = max(CITY_MINUTES[0], round(ROAD_MINUTES[0] + ROAD_MINUTES[1] * km))
        assert minutes <= CITY_MINUTES[1], (a, b, minutes)  # the disk's size ensures it
        return minutes

    def city_roads(self) -> None:
        """Roads between the areas of one city: from each venue to the nearest venues of
        other areas, and between every two centres; then a direct road for each pair whose
        shortest path is still over CITY_MINUTES[1]. An area's own roads stay as they are."""
        from planner.model.network import VenueNetwork  # networkx: not at the CLI's start

        venues, centres = [v["venue_id"] for v in self.files["venues"]], self.centres
        roads: set[tuple[str, str]] = set()
        for a in venues:
            others = sorted((self.direct_minutes(a, b), b) for b in venues
                            if self.area_of[b] != self.area_of[a])
            roads.update((min(a, b), max(a, b)) for _, b in others[:NEAREST_ROADS])
        roads.update((a, b) for i, a in enumerate(centres) for b in centres[i + 1:])
        internal = [(r["from_venue"], r["to_venue"], r["minutes"]) for r in self.files["travel"]]
        while True:
            edges = internal + [(a, b, self.direct_minutes(a, b)) for a, b in sorted(roads)]
            network = VenueNetwork(venues, edges)
            far = [(a, b) for i, a in enumerate(venues) for b in venues[i + 1:]
                   if network.travel_minutes(a, b) > CITY_MINUTES[1]]
            if not far:
                break
            # a road for each venue's first far pair, then look again, as one road may
            # bring several pairs within reach
            firsts: dict[str, tuple[str, str]] = {}
            for a, b in far:
                firsts.setdefault(a, (a, b))
            roads.update(firsts.values())
        self.files["travel"] += [{"from_venue": a, "to_venue": b,
                                  "minutes": self.direct_minutes(a, b)} for a, b in sorted(roads)]

    def delegation_sizes(self) -> list[int]:
        """The delegations' sizes: the published ones, or (when varied) with delegates
        moved between delegations, keeping the total."""
        rng = self.rng
        sizes = list(DELEGATION_SIZES)
        if self.vary:
            for _ in range(20):  # move delegates between delegations, keeping the total
                i, j = rng.sample(range(len(sizes)), 2)
                shift = rng.randint(1, 4)
                if sizes[i] - shift >= 24:
                    sizes[i] -= shift
                    sizes[j] += shift
        return sizes

    def area(self, area: int) -> None:
        self.vary = area > 0 or self.seed != 0
        label = "" if self.scale == 1 else f"（第{area + 1}会区）"
        if self.city:  # one main conference centre in the city, a centre of its own per area
            centre = self.venue("省会议中心" if area == 0 else f"第{area + 1}会区会议中心", True)
        else:
            centre = self.venue(f"省会议中心{label}", True)
        hotels = [self.venue(f"{name}{label}", i == 0) for i, (name, _) in enumerate(HOTELS)]
        self.roads(area, centre, hotels)
        centre_rooms = [self.room(centre, *r) for r in CENTRE_ROOMS]
        hall, presidium, vip, *meeting, press, tally, secretariat = centre_rooms

        sizes = self.delegation_sizes()
        delegations = []  # (name, size, hotel venue, delegation room, group room, group id)
        k = 0
        extra_rooms: dict[str, list[str]] = {}
        for (hname, count), hid in zip(HOTELS, hotels, strict=True):
            for n in range(count):
                name, size = DELEGATIONS[k], sizes[k]
                big = self.room(hid, f"{hname}{n + 1}号会议室（{name}代表团）",
                                80 + size, size + 20,
                                "strong" if (k % 8 == 1) else "normal")
                small = self.room(hid, f"{hname}{n + 1}号小会议室", 60, 40,
                                  "booster" if (hid == hotels[1] and n == 2) else "normal")
                gid = self.next_id("G", 2)
                self.files["groups"].append({"group_id": gid, "name": f"{name}代表团随团工作组",
                                             "venue_id": hid, "members": 6 + (size >= 45)})
                delegations.append((name, size, hid, big, small, gid))
                k += 1
            extra_rooms[hid] = [self.room(hid, f"{hname}{x}厅", 80, 30, "normal")
                                for x in ("贵宾", "多功能")[: 12 - 2 * count]]
        for name, members in WORKING_GROUPS:
            self.files["groups"].append({"group_id": self.next_id("G", 2), "name": f"大会{name}",
                                         "venue_id": centre, "members": members})

        delegates = sum(sizes)
        plenary = delegates + NON_VOTING
        # day 0: delegations meet, preparatory plenary, first presidium meetings
        for name, size, _, big, _, gid in delegations:
            self.session(big, _t(0, "14:30"), _t(0, "15:30"), "delegation", size, "secret",
                         f"{name}代表团第一次全体会议", gid)
        self.session(hall, _t(0, "16:00"), _t(0, "16:40"), "plenary", plenary, "secret", "预备会议")
        self.session(presidium, _t(0, "17:00"), _t(0, "18:00"), "presidium", PRESIDIUM, "secret",
                     "主席团第一次会议")
        self.session(vip, _t(0, "19:30"), _t(0, "20:30"), "presidium", STANDING_COMMITTEE,
                     "top_secret", "主席团常务委员会第一次会议")
        # day 1: opening plenary, group discussions of the report
        self.session(hall, _t(1, "09:00"), _t(1, "11:30"), "plenary", plenary, "secret", "开幕大会")
        self.session(presidium, _t(1, "12:30"), _t(1, "13:30"), "presidium", PRESIDIUM, "secret",
                     "主席团第二次会议")
        for day, (start, end) in [(1, ("14:30", "17:30")), (2, ("08:30", "11:30")),
                                  (2, ("14:30", "17:30"))]:
            for i, (name, size, _, big, small, gid) in enumerate(delegations):
                late = 30 * ((i + day) % 3 == 0)  # some groups run late
                stop = _t(day, end) + dt.timedelta(minutes=late - 30 * (i % 5 == 4))
                half = size // 2
                self.session(big, _t(day, start), stop, "group", size - half, "confidential",
                             f"{name}代表团第一小组讨论", gid)
                self.session(small, _t(day, start), stop, "group", half, "confidential",
                             f"{name}代表团第二小组讨论", gid)
        # day 2 evening: presidium and delegations deliberate the candidate lists
        self.session(presidium, _t(2, "19:00"), _t(2, "20:00"), "presidium", PRESIDIUM,
                     "top_secret", "主席团第三次会议")
        self.session(vip, _t(2, "18:00"), _t(2, "18:50"), "presidium", STANDING_COMMITTEE,
                     "top_secret", "主席团常务委员会第二次会议")
        for name, size, _, big, _, gid in delegations:
            self.session(big, _t(2, "20:30"), _t(2, "21:20"), "delegation", size, "secret",
                         f"{name}代表团会议（酝酿候选人）", gid)
        # day 3: delegations, preliminary election, presidium
        for name, size, _, big, _, gid in delegations:
            self.session(big, _t(3, "08:00"), _t(3, "09:00"), "delegation", size, "secret",
                         f"{name}代表团会议（讨论预选办法）", gid)
        self.session(hall, _t(3, "10:00"), _t(3, "12:00"), "election", delegates, "top_secret",
                     "大会预选")
        self.session(vip, _t(3, "13:30"), _t(3, "14:20"), "presidium", STANDING_COMMITTEE,
                     "top_secret", "主席团常务委员会第三次会议")
        self.session(presidium, _t(3, "15:00"), _t(3, "16:00"), "presidium", PRESIDIUM,
                     "top_secret", "主席团第四次会议")
        for name, size, _, big, _, gid in delegations:
            self.session(big, _t(3, "16:30"), _t(3, "17:40"), "delegation", size, "secret",
                         f"{name}代表团会议（通报预选结果）", gid)
        # day 4: election and closing
        self.session(vip, _t(4, "07:30"), _t(4, "08:10"), "presidium", STANDING_COMMITTEE,
                     "top_secret", "主席团常务委员会第四次会议")
        self.session(presidium, _t(4, "08:15"), _t(4, "08:50"), "presidium", PRESIDIUM, "secret",
                     "主席团第五次会议")
        self.session(hall, _t(4, "09:30"), _t(4, "12:00"), "election", delegates, "top_secret",
                     "选举大会")
        self.session(hall, _t(4, "15:00"), _t(4, "16:30"), "plenary", plenary, "secret", "闭幕大会")
        for day in range(DAYS):  # liaison briefing every day, press on the first and last
            self.session(meeting[0], _t(day, "12:40"), _t(day, "13:20"), "briefing", 40,
                         "internal", "联络员情况通报会")
        self.session(press, _t(0, "10:00"), _t(0, "11:00"), "briefing", 100, "internal",
                     "新闻发布会")
        self.session(press, _t(4, "17:00"), _t(4, "18:00"), "briefing", 100, "internal",
                     "新闻发布会")
        self.adhoc_sessions(delegations, extra_rooms, [tally, secretariat, *meeting[1:]])
        self.stock(centre, hotels)
        self.team(centre, hotels)

    def adhoc_sessions(self, delegations, extra_rooms, centre_rooms) -> None:
        """临时性会议: delegation leaders, tellers, working-group stand-ups, at odd hours."""
        rng = self.rng
        slots = [("07:30", 40), ("12:30", 50), ("13:00", 40), ("18:00", 50), ("19:00", 60),
                 ("20:00", 50), ("21:00", 40), ("14:00", 45), ("10:00", 60), ("16:00", 50)]
        kinds = [("代表团团长临时会议", "secret", 12), ("临时党支部会议", "confidential", 20),
                 ("监票人会议", "top_secret", 12), ("工作组碰头会", "internal", 10),
                 ("代表团临时会议", "secret", 24), ("候选人情况通报会", "secret", 10),
                 ("随团工作组会议", "confidential", 8)]
        made, tries = 0, 0
        while made < 75 and tries < 5000:
            tries += 1
            day = rng.randrange(DAYS)
            hhmm, minutes = rng.choice(slots)
            start = _t(day, hhmm)
            end = start + dt.timedelta(minutes=minutes)
            what, level, people = rng.choice(kinds)
            if what == "监票人会议":
                rid, group = rng.choice(centre_rooms), ""
            else:
                name, _size, hid, _big, small, gid = rng.choice(delegations)
                rid = rng.choice([small, *extra_rooms[hid]])
                what, group = f"{name}{what}", gid
            gap = dt.timedelta(minutes=30)
            if not self.free(rid, start - gap, end + gap):
                continue
            self.session(rid, start, end, "adhoc", people + rng.randint(-3, 6), level, what, group)
            made += 1

    def stock(self, centre: str, hotels: list[str]) -> None:
        # Where units are kept at the start: the centre holds what the plenaries need.
        jammers = [17, 13, 12, 11]
        cabinets = [38, 21, 17, 17]
        for vid, n in zip([centre, *hotels], jammers, strict=True):
            for _ in range(n):
                last_jammer = self.item("J", "jammer", vid, 150, "ok")
        last_jammer["status"] = "maintenance"  # one jammer of each area is under repair
        for vid, n in zip([centre, *hotels], cabinets, strict=True):
            for _ in range(n):
                self.item("C", "cabinet_unit", vid, 24, "ok")
        held = [(g["venue_id"], g["group_id"]) for g in self.files["groups"][-24:]]
        for n in range(BAG_SETS):
            vid = held[n % len(held)][0] if n < 72 else [centre, *hotels][n % 4]
            self.item("B", "shred_bag_set", vid, BAG_KG, "ok")

    def item(self, prefix: str, item_type: str, vid: str, capacity: float, status: str) -> dict:
        row = {"item_id": self.next_id(prefix, 3), "item_type": item_type,
               "venue_id": vid, "capacity": capacity, "status": status}
        self.files["inventory"].append(row)
        return row

    def team(self, centre: str, hotels: list[str]) -> None:
        names = ["王建国", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周强",
                 "吴昊", "徐敏", "孙浩", "马超", "朱琳", "胡军", "郭涛", "何平"]
        early, late = ("06:00", "18:00"), ("10:30", "22:30")
        posts = [(centre, "lead", "07:00", "22:00"), (centre, "tech", *early),
                 (centre, "tech", *late), (centre, "patrol", *early), (centre, "patrol", *early)]
        for hid in hotels:
            posts += [(hid, "tech", *early), (hid, "tech", *late),
                      (hid, "patrol", *early), (hid, "patrol", *late)]
        for n, (vid, role, start, end) in enumerate(posts):
            self.files["staff"].append({"staff_id": self.next_id("P", 3), "name": names[n],
                                        "role": role, "venue_id": vid,
                                        "shift_start": start, "shift_end": end})


def generate(scale: int = 1, seed: int = 0, layout: str = "areas") -> dict[str, list[dict]]:
    """Rows of every scenario file for a congress ``scale`` times the reference, its
    areas joined as ``layout`` says (``areas`` or ``city``)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    return _Congress(scale, seed, layout).build()


def settings(scale: int, seed: int, layout: str = "areas") -> dict:
    city = layout == "city" and scale > 1
    name = ("provincial_congress" if scale == 1 and seed == 0
            else f"city_congress_x{scale}_s{seed}" if city else f"congress_x{scale}_s{seed}")
    title = ("省党代会保密服务保障（参考场景）" if scale == 1
             else f"同城扩大规模场景 ×{scale}（种子 {seed}）" if city
             else f"扩大规模场景 ×{scale}（种子 {seed}）")
    command = "python -m planner generate --layout city" if city else "python -m planner generate"
    published = {key: value * scale for key, value in PUBLISHED.items()}
    return {"name": name, "title": title, "timezone": "Asia/Shanghai",
            "description": f"Generated by `{command}`; modelled on seed 000.",
            "published": published, "rules": {}}


def settings_yaml(scale: int, seed: int, layout: str = "areas") -> str:
    """scenario.yaml with every rule and disruption rate written out and explained, so a
    user can edit it."""
    from planner.model.rules import Rules
    from planner.model.scenario import Disruptions

    head = settings(scale, seed, layout)
    del head["rules"]
    lines = [yaml.safe_dump(head, allow_unicode=True, sort_keys=False).rstrip()]
    for zh_title, en_title, section, table in (
            ("规划规则（可修改；删除某项即用默认值）",
             "Planning rules: edit freely; a removed key takes its default.", "rules", Rules),
            ("推演扰动（推演时随机抽取；可修改）",
             "Rehearsal disruptions: the rates `simulate` draws from; edit freely.",
             "disruptions", Disruptions)):
        lines += [f"# {zh_title}", f"# {en_title}", f"{section}:"]
        for key, default, zh, en, source in table.documented():
            value = yaml.safe_dump({key: default}, default_flow_style=True, allow_unicode=True)
            lines += [f"  # {zh} / {en}", f"  # source: {source}", f"  {value.strip()[1:-1]}"]
    return "\n".join(lines) + "\n"


def write(out: str | Path, scale: int = 1, seed: int = 0, layout: str = "areas") -> Path:
    """Write a generated scenario folder (CSV as UTF-8 with BOM, which Chinese Excel opens);
    ``layout`` as for :func:`generate`.

    The folder is written whole or not at all: files go to a temporary folder
    that is renamed into place. ``out`` must not exist or be empty.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder")
    files = generate(scale, seed, layout)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".generate-", dir=out.parent))
    try:
        for name, rows in files.items():
            with open(tmp / f"{name}.csv", "w", newline="", encoding="utf-8-sig") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows({k: safe_text(v) for k, v in row.items()} for row in rows)
        (tmp / "scenario.yaml").write_text(settings_yaml(scale, seed, layout), encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
