"""What the dashboard's pages show, read from one :class:`~planner.ops.congress.Snapshot`:
every figure, table and chart's data is computed here, the pages only lay them out.

"Where is everything now": sessions in progress, where each unit stands, who is on duty,
the paper recovered against what the rates expect, each bag set's chain of custody;
and per page, the coverage map, the day hour by hour, the log, the order sheets.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from planner.events.answers import DONE, answers
from planner.events.types import voided
from planner.i18n import pick
from planner.live.replan import Replan
from planner.live.store import Store
from planner.model import names
from planner.model.place import Place
from planner.model.scenario import Scenario, Session
from planner.model.times import stamp
from planner.ops.accounts import ACTIONS, AUDIT, ROLE_NAMES
from planner.ops.congress import Snapshot, congress_title
from planner.report.statistics import destroyed_kg


# -- where everything is now -----------------------------------------------------------------
def congress_clock(snap: Snapshot, wall: dt.datetime | None = None) -> dt.datetime:
    """'Now' for the views: the wall clock during the congress; otherwise the latest
    logged time, or an hour before the first session."""
    wall = wall or dt.datetime.now().replace(second=0, microsecond=0)
    sessions = snap.live.sessions.values()
    if sessions:
        first = min(s.start for s in sessions)
        last = max(s.end for s in sessions)
        if first - dt.timedelta(hours=6) <= wall <= last + dt.timedelta(hours=12):
            return wall
    times = [e.at for e in snap.events]
    if times:
        return max(times)
    return (min(s.start for s in sessions) - dt.timedelta(hours=1)) if sessions else wall


def in_progress(live: Scenario, at: dt.datetime) -> list:
    return [s for s in live.sessions.values() if s.start <= at < s.end]


def units_at(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each jammer and cabinet unit at ``at``: in a room (for which session), on the
    move, standing in a room after its session, at a depot, or failed; its venue, place
    and session also by name (``venue``, ``where``, ``session``)."""
    plan, live = snap.plan, snap.live
    rows = []
    marks: dict[str, list] = {}
    for a in plan.assignments:
        marks.setdefault(a.item_id, []).append((a.start, a.end, "room", Place.room(a.room_id),
                                                a.session_id))
    for m in plan.moves:
        marks.setdefault(m.item_id, []).append((m.depart, m.arrive, "moving", m.to_room_id,
                                                m.session_id))
    for item in live.items.values():
        if item.item_type == "shred_bag_set":
            continue
        state, where, session = "depot", Place.depot_of(item.venue_id), ""
        for start, end, kind, place, sid in sorted(marks.get(item.item_id, [])):
            if start > at:
                break
            if start <= at < end:
                state, where, session = kind, place, sid
            else:  # over: it stands where it went
                state, where, session = "depot" if place.is_depot else "idle", place, ""
        failed = live.failed_since.get(item.item_id)
        if item.status == "maintenance" and (failed is None or failed <= at):
            state = "failed"
        venue = where.depot if where.is_depot else (
            live.rooms[where.room_id].venue_id if where.room_id in live.rooms else "")
        rows.append({"item_id": item.item_id, "item_type": item.item_type, "state": state,
                     "venue_id": venue, "venue": names.venue(live, venue),
                     "where": names.place(live, where), "session_id": session,
                     "session": names.session(live, session, before=snap.scenario)})
    return pd.DataFrame(rows, columns=["item_id", "item_type", "state", "venue_id", "venue",
                                       "where", "session_id", "session"])


def on_duty(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each person: on shift or not, off duty as logged, and the order in hand."""
    live = snap.live
    doing = {t.staff_id: t for t in snap.plan.staff_tasks if t.start <= at < t.end}
    rows = []
    minute = dt.timedelta(minutes=1)
    for p in live.staff.values():
        away = any(a <= at < b for a, b in live.unavailable.get(p.staff_id, []))
        task = doing.get(p.staff_id)
        rows.append({"staff_id": p.staff_id, "name": p.name, "role": p.role,
                     "venue_id": p.venue_id, "on_shift": p.on_shift(at, at + minute), "away": away,
                     "task": task.task if task else "",
                     "session_id": task.session_id if task else "",
                     "room_id": task.room_id if task else ""})
    return pd.DataFrame(rows)


def expected_paper(live: Scenario) -> pd.DataFrame:
    """Per session: the paper the rehearsal's rates expect (kg = attendees × hours × the
    rate for its kind), by the session's end, venue and day."""
    rows = [{"session_id": s.session_id, "end": s.end, "day": str(s.start.date()),
             "venue_id": live.venue_of(s.room_id), "kg": live.disruptions.paper_kg(s)}
            for s in live.sessions.values()]
    return pd.DataFrame(rows, columns=["session_id", "end", "day", "venue_id", "kg"])


def weighed(snap: Snapshot) -> pd.DataFrame:
    rows = [{"at": e.at, "bag_set_id": e["bag_set_id"], "venue_id": e["venue_id"],
             "kg": float(e["kg"]), "session_id": e.get("session_id", ""), "who": e.who}
            for e in snap.events if e.type == "bag_weighed"]
    frame = pd.DataFrame(rows, columns=["at", "bag_set_id", "venue_id", "kg", "session_id",
                                        "who"])
    frame["day"] = [str(t.date()) for t in frame["at"]]
    return frame


OVERDUE = dt.timedelta(hours=2)  # a collection with no weighing this long after it is late


def bag_custody(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """Each bag set's chain by ``at``: issued (to whom, when) → collected (the plan's
    last collection from its holder) → weighed (logged) → destroyed (a destruction logged
    after the last weighing, at the venue where it was weighed or at the destruction site
    nearest to it, where paper from there is taken).

    Bags are weighed when a room is cleaned up, which may come a little before the
    holder's collection: a collection is overdue when two hours have passed since it and
    none of the holder's bags was weighed from two hours before it on."""
    live, plan = snap.live, snap.plan
    collections: dict[Place | str, list[dt.datetime]] = {}
    for task in plan.staff_tasks:
        if task.task == "collect" and task.session_id in live.sessions:
            holder = live.sessions[task.session_id].group_id
            collections.setdefault(holder, []).append(task.end)
    weighings: dict[str, list[tuple[dt.datetime, float, str]]] = {}
    burnt_at: dict[str, list[dt.datetime]] = {}  # venue -> destructions
    for e in snap.events:
        t = e.at
        if t > at:
            continue
        if e.type == "bag_weighed":
            weighings.setdefault(e["bag_set_id"], []).append((t, float(e["kg"]),
                                                              e["venue_id"]))
        elif e.type == "destroyed":
            burnt_at.setdefault(e["venue_id"], []).append(t)
    holder_weighed: dict[Place | str, list[dt.datetime]] = {}
    for b in plan.bags:
        holder_weighed.setdefault(b.holder_id, []).extend(
            t for t, _kg, _v in weighings.get(b.bag_set_id, []))
    rows = []
    for b in plan.bags:
        if b.start > at:
            continue
        mine = weighings.get(b.bag_set_id, [])
        done = [t for t in collections.get(b.holder_id, []) if t <= at]
        last_collect = max(done) if done else None
        last_weigh, _kg, venue = max(mine) if mine else (None, 0.0, "")
        overdue = bool(last_collect and at - last_collect > OVERDUE
                       and not any(t >= last_collect - OVERDUE
                                   for t in holder_weighed.get(b.holder_id, [])))
        burnt = last_weigh is not None and any(
            t >= last_weigh for site in {venue, live.destruction_site(venue)}
            for t in burnt_at.get(site, []))
        state = ("destroyed" if burnt else "overdue" if overdue else
                 "weighed" if last_weigh is not None else
                 "collected" if last_collect else "issued")
        rows.append({"bag_set_id": b.bag_set_id, "holder_id": str(b.holder_id),
                     "issued": b.start, "collected": last_collect, "weighed": last_weigh,
                     "kg": round(sum(kg for _t, kg, _v in mine), 1), "state": state,
                     "overdue": overdue})
    return pd.DataFrame(rows, columns=["bag_set_id", "holder_id", "issued", "collected",
                                       "weighed", "kg", "state", "overdue"])


def orders(snap: Snapshot, day: dt.date) -> pd.DataFrame:
    """Everyone's orders that day (and time logged off duty, as task ``away``): who,
    what, for which session (``session``: by name), where, when, and for moves which
    units from where to where."""
    live, plan = snap.live, snap.plan
    lo = dt.datetime.combine(day, dt.time(0))
    hi = lo + dt.timedelta(days=1)
    carried: dict[tuple[str, dt.datetime], list[str]] = {}
    for m in plan.moves:
        carried.setdefault((m.staff_id, m.depart), []).append(
            f"{m.item_id} {place_name(live, m.from_room_id)}→{place_name(live, m.to_room_id)}")
    rows = [{"staff_id": t.staff_id, "task": t.task, "session_id": t.session_id,
             "session": names.session(live, t.session_id, before=snap.scenario),
             "room_id": t.room_id, "room": place_name(live, Place.room(t.room_id)),
             "start": t.start,
             "end": t.end, "detail": "；".join(carried.get((t.staff_id, t.start), []))
             if t.task == "move" else ""}
            for t in plan.staff_tasks if t.start < hi and lo < t.end]
    for person, spans in live.unavailable.items():
        for a, b in spans:
            if a < hi and lo < b:
                rows.append({"staff_id": person, "task": "away", "session_id": "",
                             "session": "", "room_id": "", "room": "", "start": max(a, lo),
                             "end": min(b, hi), "detail": ""})
    frame = pd.DataFrame(rows, columns=["staff_id", "task", "session_id", "session", "room_id",
                                        "room", "start", "end", "detail"])
    return frame.sort_values(["staff_id", "start"]).reset_index(drop=True)


place_name = names.place  # a room's name, or the venue's name for its depot
holder_name = names.holder  # a bag set's holder: the group's name, or the depot's


# -- the overview and the coverage map ------------------------------------------------------------
SLOT = 30  # minutes per cell of the coverage map
MAP_START = dt.time(7, 0)
MAP_CELLS = 34  # 07:00–24:00
COVERED, SHORT, UNPLANNED = "covered", "short", "unplanned"


def session_state(snap: Snapshot, sid: str) -> str:
    """A session against the plan in force: covered, short, or not in it (logged since)."""
    row = snap.coverage.get(sid)
    return UNPLANNED if row is None else COVERED if row.covered else SHORT


def hour_by_hour(snap: Snapshot, day: dt.date, hours: range = range(7, 24)) -> pd.DataFrame:
    """The day's sessions under way in each hour (a session counts in every hour it
    touches), by their state against the plan: columns hour, covered, short, unplanned."""
    counts = {k: [0] * len(hours) for k in (COVERED, SHORT, UNPLANNED)}
    for s in snap.live.sessions.values():
        if s.start.date() != day:
            continue
        state = session_state(snap, s.session_id)
        for n, h in enumerate(hours):
            lo = dt.datetime.combine(day, dt.time(h))
            if s.start < lo + dt.timedelta(hours=1) and lo < s.end:
                counts[state][n] += 1
    return pd.DataFrame({"hour": list(hours), **counts})


@dataclass(frozen=True)
class CoverageMap:
    """Rooms (rows) × half hours (columns) of one venue and day: each cell the state of
    the session in the room then (covered, short, unplanned) or None, and its label."""

    room_ids: list[str]
    rooms: list[str]  # the rooms' names
    slots: list[dt.datetime]
    state: list[list[str | None]]
    label: list[list[str]]


def coverage_map(snap: Snapshot, venue: str, day: dt.date) -> CoverageMap:
    live = snap.live
    rooms = sorted(r for r, room in live.rooms.items() if room.venue_id == venue)
    first = dt.datetime.combine(day, MAP_START)
    slots = [first + dt.timedelta(minutes=SLOT * k) for k in range(MAP_CELLS)]
    state: list[list[str | None]] = [[None] * len(slots) for _ in rooms]
    label = [[""] * len(slots) for _ in rooms]
    for s in sessions_of(snap, venue, day):
        y = rooms.index(s.room_id)
        for k, t in enumerate(slots):
            if s.start < t + dt.timedelta(minutes=SLOT) and t < s.end:
                state[y][k] = session_state(snap, s.session_id)
                label[y][k] = names.session(live, s.session_id)
    return CoverageMap(rooms, [live.rooms[r].name for r in rooms], slots, state, label)


def sessions_of(snap: Snapshot, venue: str, day: dt.date) -> list[Session]:
    """The venue's sessions that day, those not fully covered first, then by start."""
    live = snap.live
    found = [s for s in live.sessions.values()
             if s.start.date() == day and live.venue_of(s.room_id) == venue]
    return sorted(found, key=lambda s: (session_state(snap, s.session_id) == COVERED, s.start))


def rooms_free_first(snap: Snapshot, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Every room, those with no session between ``start`` and ``end`` first (an ad-hoc
    session's room: a free one by default)."""
    taken = {s.room_id for s in snap.live.sessions.values() if s.start < end and start < s.end}
    return sorted(snap.live.rooms, key=lambda r: (r in taken, r))


def recent_sessions(snap: Snapshot, at: dt.datetime, hours: int = 4) -> list[str]:
    """The sessions ended in the ``hours`` before ``at``, the latest first (the recess a
    bag set was just collected at)."""
    lo = at - dt.timedelta(hours=hours)
    ended = [s for s in snap.live.sessions.values() if lo <= s.end <= at]
    return [s.session_id for s in sorted(ended, key=lambda s: (-s.end.timestamp(), s.session_id))]


NEEDS = ("jammer", "cabinet_unit", "patrol", "sweep", "cleanup")


def session_needs(snap: Snapshot, sid: str) -> pd.DataFrame:
    """What a session needs by the rules and what the plan in force gives it: one row per
    need (``what``: jammer, cabinet_unit, patrol, sweep, cleanup), needed and planned."""
    need = snap.requirements[sid]
    row = snap.coverage.get(sid)
    planned = (row.jammers_assigned, row.cabinet_units_assigned, row.patrols_assigned,
               int(row.sweep_done), int(row.cleanup_done)) if row else (0,) * len(NEEDS)
    needed = (need.jammers, need.cabinet_units, need.patrols, int(need.sweep),
              int(need.cleanup))
    return pd.DataFrame({"what": NEEDS, "need": needed, "planned": planned})


def session_orders(snap: Snapshot, sid: str) -> tuple[list[str], pd.DataFrame]:
    """The units the plan in force gives a session, and its people's orders (staff_id,
    name, task, start)."""
    plan, live = snap.plan, snap.live
    units = [a.item_id for a in plan.assignments if a.session_id == sid]
    people = pd.DataFrame(
        [{"staff_id": t.staff_id, "name": live.staff[t.staff_id].name
          if t.staff_id in live.staff else t.staff_id, "task": t.task, "start": t.start}
         for t in plan.staff_tasks if t.session_id == sid],
        columns=["staff_id", "name", "task", "start"])
    return units, people


# -- paper ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Paper:
    """Paper recovered (weighed) by ``at``, what the rehearsal's rates expect by then and
    in all, and what was destroyed under supervision (kg)."""

    recovered: float
    expected_so_far: float
    expected: float
    destroyed: float


def paper(snap: Snapshot, at: dt.datetime) -> Paper:
    got = weighed(snap)
    want = expected_paper(snap.live)
    return Paper(float(got[got["at"] <= at].kg.sum()),
                 float(want[want["end"] <= at].kg.sum()), float(want.kg.sum()),
                 destroyed_kg([e for e in snap.events if e.at <= at]))


def recesses(snap: Snapshot, at: dt.datetime, who: dict[str, str] | None = None
             ) -> pd.DataFrame:
    """Each weighing of a session's bags by ``at``: when, the session, its name and
    both (``session``, 开幕大会（S0020）), the venue, the bag set, kg and who logged it (by
    ``who``'s names: :func:`account_names`)."""
    live, who = snap.live, who or {}
    got = weighed(snap)
    got = got[(got["at"] <= at) & (got.session_id != "")]
    return got.assign(name=[live.sessions[s].name if s in live.sessions else ""
                            for s in got.session_id],
                      session=[names.session(live, s, before=snap.scenario)
                               for s in got.session_id],
                      who=[who.get(w, w) for w in got.who])[
        ["at", "session_id", "name", "session", "venue_id", "bag_set_id", "kg", "who"]]




# -- the log ------------------------------------------------------------------------------------
ACTORS = {"system": ("系统", "system"), "sign-in": ("登录页", "sign-in")}  # writers, no account


def account_names(store: Store, lang: str = "zh") -> dict[str, str]:
    """Who wrote an entry, as a reader knows them: each account's full name, and the
    writers that are no account in words (the first start's ``system``)."""
    out = {who: pick(lang, *words) for who, words in ACTORS.items()}
    out.update({u.username: u.name or u.username for u in store.users()})
    return out


def log_rows(snap: Snapshot, last: int = 200, lang: str = "zh",
             who: dict[str, str] | None = None) -> pd.DataFrame:
    """The log's last ``last`` entries, newest first: seq, at, type, voided (a later entry
    voids it), detail (the entry in words, as its type describes it), who (by
    ``who``'s names: :func:`account_names`)."""
    gone = set(voided(snap.log))
    who = who or {}
    rows = [{"seq": e.seq, "at": f"{e.at:%Y-%m-%d %H:%M}", "type": e.type,
             "voided": e.seq in gone,
             "detail": pick(lang, *e.kind.describe(snap.scenario, snap.live, e)),
             "who": who.get(e.who, e.who)}
            for e in reversed(snap.log[-last:])]
    return pd.DataFrame(rows, columns=["seq", "at", "type", "voided", "detail", "who"])


def voidable(snap: Snapshot) -> list[int]:
    """The entries a commander may still void, newest first: in force and not voids."""
    gone = set(voided(snap.log))
    return [e.seq for e in reversed(snap.log) if e.type != "void" and e.seq not in gone]


# -- units and people ---------------------------------------------------------------------------
def unit_timeline(snap: Snapshot, kind: str, venue: str, day: dt.date) -> pd.DataFrame:
    """The units of ``kind`` used at ``venue`` that day: each use (``what`` use) and each
    move of those units (``what`` move), with unit, start, end and a detail in words."""
    plan, live = snap.plan, snap.live
    lo = dt.datetime.combine(day, dt.time(0))
    hi = lo + dt.timedelta(days=1)
    bars = [{"unit": a.item_id, "start": a.start, "end": a.end, "what": "use",
             "detail": f"{names.session(live, a.session_id, before=snap.scenario)} "
                       f"{live.rooms[a.room_id].name}"}
            for a in plan.assignments if a.item_type == kind and a.start < hi and lo < a.end
            and live.venue_of(a.room_id) == venue]
    units = {b["unit"] for b in bars}
    bars += [{"unit": m.item_id, "start": m.depart, "end": m.arrive, "what": "move",
              "detail": f"{place_name(live, m.from_room_id)} → "
                        f"{place_name(live, m.to_room_id)} · {names.person(live, m.staff_id)}"}
             for m in plan.moves if m.item_id in units and m.depart < hi and lo < m.arrive]
    return pd.DataFrame(bars, columns=["unit", "start", "end", "what", "detail"])


def day_moves(snap: Snapshot, kind: str, day: dt.date) -> pd.DataFrame:
    """The moves of units of ``kind`` leaving that day, by departure: unit, from, to
    (names), depart, arrive, who carries and for which session (by name)."""
    plan, live = snap.plan, snap.live
    lo = dt.datetime.combine(day, dt.time(0))
    hi = lo + dt.timedelta(days=1)
    rows = [{"item_id": m.item_id, "from": place_name(live, m.from_room_id),
             "to": place_name(live, m.to_room_id), "depart": m.depart, "arrive": m.arrive,
             "staff": names.person(live, m.staff_id),
             "session": names.session(live, m.session_id, before=snap.scenario)}
            for m in sorted(plan.moves, key=lambda m: m.depart)
            if lo <= m.depart < hi and live.items[m.item_id].item_type == kind]
    return pd.DataFrame(rows, columns=["item_id", "from", "to", "depart", "arrive", "staff",
                                       "session"])


def order_sheet(snap: Snapshot, person: str, day: dt.date) -> pd.DataFrame:
    """One person's orders that day, in time order: start, end, task, session (its id,
    and by name), where (a name), detail."""
    mine = orders(snap, day)
    mine = mine[mine.staff_id == person]
    return pd.DataFrame({"start": list(mine.start), "end": list(mine.end),
                         "task": list(mine.task), "session_id": list(mine.session_id),
                         "session": list(mine.session), "room": list(mine.room),
                         "detail": list(mine.detail)})


# -- accounts -----------------------------------------------------------------------------------
AUDIT_FIELDS = {  # an audit entry's fields, in words
    "username": ("账户", "account"), "role": ("角色", "role"),
    "staff_id": ("工作人员", "staff member"), "scenario": ("大会", "congress"),
    "plan_version": ("方案版本", "plan version"), "version": ("方案版本", "plan version"),
    "after_event": ("截至记录", "after entry"), "changes": ("变更", "changes"),
    "runs": ("推演次数", "runs"), "seed": ("随机种子", "seed"), "folder": ("结果", "results"),
    "address": ("地址", "address"), "failures": ("失败次数", "failures"),
    "reason": ("原因", "reason"), "until": ("至", "until"), "hours": ("小时", "hours"),
}
AUDIT_WORDS = {"locked": ("已锁定", "locked"), "wait": ("须等待", "must wait"),
               "unknown": ("未知", "unknown")}


def audit_rows(store: Store, last: int = 50, lang: str = "zh",
               live: Scenario | None = None) -> pd.DataFrame:
    """The audit log's last ``last`` entries, newest first: seq, at (to the second), who
    (by name), type (the action, in words) and detail (its fields in words: accounts by
    name, roles, the staff member of ``live``, the congress by its title)."""
    entries = store.entries(AUDIT)[-last:]
    who = account_names(store, lang)

    def value(key: str, v) -> str:
        if key == "username":
            return f"{who[v]}（{v}）" if v in who and who[v] != v else str(v)
        if key == "role" and v in ROLE_NAMES:
            return pick(lang, *ROLE_NAMES[v])
        if key == "staff_id" and live is not None:
            return names.person(live, str(v))
        if key == "scenario":
            return congress_title(store, str(v))
        if key == "folder":
            return rehearsal_label(str(v), lang)
        if key == "until":
            return str(v)[:16].replace("T", " ")
        return pick(lang, *AUDIT_WORDS[v]) if v in AUDIT_WORDS else str(v)

    def detail(payload: dict) -> str:
        return pick(lang, "；", "; ").join(
            f"{pick(lang, *AUDIT_FIELDS.get(k, (k, k)))} {value(k, v)}" for k, v in payload.items())

    return pd.DataFrame([{"seq": e.seq, "at": e.at[:19].replace("T", " "),
                          "who": who.get(e.who, e.who),
                          "type": pick(lang, *ACTIONS.get(e.type, (e.type, e.type))),
                          "detail": detail(e.payload)}
                         for e in reversed(entries)],
                        columns=["seq", "at", "who", "type", "detail"])


def rehearsal_label(folder: str, lang: str = "zh") -> str:
    """A rehearsal's folder (``20211120-093000-seed0-20``, as the rehearsal page names
    it) in words: when it ran, how many runs, its seed; any other name as it is."""
    found = re.fullmatch(r"(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)\d\d-seed(\d+)-(\d+)", folder)
    if not found:
        return folder
    _y, mo, d, h, mi, seed, runs = found.groups()
    return pick(lang, f"{mo}-{d} {h}:{mi} · 推演 {runs} 次 · 随机种子 {seed}",
                f"{mo}-{d} {h}:{mi} · {runs} runs · seed {seed}")


# -- a re-plan's preview ---------------------------------------------------------------------
def replan_damage(result: Replan, lang: str) -> pd.DataFrame:
    """What a re-plan makes worse, first: each session the plan in force covered (or a
    new one) that the new plan leaves short, by name, with the new plan's own reason for
    it. Columns session_id, name, room, start, reason."""
    live = result.live
    rows_after = {r.session_id: r for r in result.plan.coverage}
    rows = []
    for x in result.sessions:
        s = live.sessions.get(x.session_id)
        row = rows_after.get(x.session_id)
        if s is None or x.covered_after or x.covered_before is False:
            continue
        reason = "" if row is None else pick(lang, row.shortfall_reason, row.shortfall_reason_en)
        rows.append({"session_id": s.session_id, "name": s.name,
                     "room": live.rooms[s.room_id].name, "start": s.start,
                     "reason": reason or pick(lang, x.reason, x.reason_en)})
    frame = pd.DataFrame(rows, columns=["session_id", "name", "room", "start", "reason"])
    return frame.sort_values(["start", "session_id"]).reset_index(drop=True)


def replan_orders(result: Replan, before: Scenario | None = None) -> pd.DataFrame:
    """What changes for whom, person by person (then unit by unit), in the order they
    must act, never before the re-plan's moment: who, name, label (a person as
    王建国（P001）, a unit's id), who_kind, act_at, change, what, session_id, session (by
    name; ``before``: the congress before the log, which names a cancelled one), room,
    from_to, reason, reason_en."""
    live = result.live
    rows = []
    for c in result.changes:
        if c.who_kind == "staff":
            name = live.staff[c.who].name if c.who in live.staff else c.who
        else:
            name = c.who
        label = names.person(live, c.who) if c.who_kind == "staff" else c.who
        room = live.rooms[c.room_id].name if c.room_id in live.rooms else c.room_id
        rows.append({"who": c.who, "name": name, "label": label, "who_kind": c.who_kind,
                     "act_at": max(c.act_at, result.now), "change": c.change, "what": c.what,
                     "session_id": c.session_id,
                     "session": names.session(live, c.session_id, before=before),
                     "room": room,
                     "from_to": f"{c.old or ''}{' → ' if c.old and c.new else ''}{c.new or ''}",
                     "reason": c.reason, "reason_en": c.reason_en})
    frame = pd.DataFrame(rows, columns=["who", "name", "label", "who_kind", "act_at", "change",
                                        "what", "session_id", "session", "room", "from_to",
                                        "reason", "reason_en"])
    order = frame.assign(unit=frame.who_kind != "staff")
    return order.sort_values(["unit", "who", "act_at"]).drop(columns="unit").reset_index(
        drop=True)


# -- work due and not reported ----------------------------------------------------------------
REPORTED = DONE  # the orders that are reported done one by one: patrol, sweep, clean-up
GRACE = dt.timedelta(minutes=15)  # an order still "due" this long after its planned end


def due_work(snap: Snapshot, at: dt.datetime) -> pd.DataFrame:
    """The patrols, sweeps and clean-ups the plan in force ordered to start by ``at`` that
    no entry logged by ``at`` answers (done, or skipped with a reason: the rule of
    :mod:`planner.events.answers`, which the report's plan against actual reads too):
    ``due`` while they can still be done (until their planned end and a quarter of an
    hour), ``late`` after that. Columns staff_id, name, task, session_id, session,
    venue_id, room, start, end, state; late ones first, then by start."""
    live = snap.live
    orders = [t for t in snap.plan.staff_tasks if t.task in REPORTED
              and t.session_id in live.sessions]
    found = answers(orders, (e for e in snap.events if e.at <= at))
    rows = []
    for t in sorted(orders, key=lambda t: (t.start, t.staff_id)):
        if t.start > at or found[t] is not None:
            continue
        s = live.sessions[t.session_id]
        rows.append({"staff_id": t.staff_id, "name": live.staff[t.staff_id].name
                     if t.staff_id in live.staff else t.staff_id, "task": t.task,
                     "session_id": t.session_id, "session": s.name,
                     "venue_id": live.venue_of(s.room_id), "room": live.rooms[s.room_id].name,
                     "start": t.start, "end": t.end,
                     "state": "late" if at > t.end + GRACE else "due"})
    frame = pd.DataFrame(rows, columns=["staff_id", "name", "task", "session_id", "session",
                                        "venue_id", "room", "start", "end", "state"])
    return frame.sort_values(["state", "start"], ascending=[False, True]).reset_index(drop=True)


# -- one person's orders, on their phone ---------------------------------------------------
@dataclass(frozen=True)
class Order:
    """One order of one person, as their phone shows it: what, where, when, what to carry,
    with whom, and whether it is reported already."""

    staff_id: str
    task: str
    session_id: str
    session: str
    room_id: str
    room: str
    start: dt.datetime
    end: dt.datetime
    units: tuple[str, ...] = ()  # a move: the units carried
    carry: str = ""  # a move: the units, from where to where
    crew: tuple[str, ...] = ()  # the others ordered to the same work (names)
    reported: bool = False

    @property
    def key(self) -> str:
        return f"{self.task}:{self.session_id}:{self.start:%Y%m%d%H%M}"


def my_orders(snap: Snapshot, staff_id: str, at: dt.datetime, room: str | None = None,
              ahead: dt.timedelta = dt.timedelta(hours=12)) -> list[Order]:
    """The person's orders from the one in hand to those starting within ``ahead`` of
    ``at`` (or, given ``room``, only that room's), in time order; those already over and
    reported are left out."""
    live, plan = snap.live, snap.plan
    mine = [t for t in plan.staff_tasks if t.staff_id == staff_id
            and t.session_id in live.sessions and t.end + GRACE >= at and t.start <= at + ahead
            and t.task != "away" and (room is None or t.room_id == room)]
    sessions = {t.session_id for t in mine}
    found = answers([t for t in plan.staff_tasks if t.session_id in sessions], snap.events)
    out = []
    for t in sorted(mine, key=lambda t: (t.start, t.task)):
        s = live.sessions[t.session_id]
        moves = [m for m in plan.moves if m.staff_id == staff_id and m.depart == t.start]
        crew = sorted({live.staff[x.staff_id].name for x in plan.staff_tasks
                       if x.session_id == t.session_id and x.task == t.task
                       and x.staff_id != staff_id and x.start < t.end and t.start < x.end
                       and x.staff_id in live.staff})
        order = Order(staff_id, t.task, t.session_id, s.name, t.room_id,
                      live.rooms[t.room_id].name, t.start, t.end,
                      units=tuple(m.item_id for m in moves),
                      carry="；".join(f"{m.item_id} {place_name(live, m.from_room_id)}→"
                                     f"{place_name(live, m.to_room_id)}" for m in moves),
                      crew=tuple(crew))
        reported = found[t] is not None
        if reported and order.end + GRACE < at:
            continue
        out.append(dataclasses.replace(order, reported=reported))
    return out


def report_events(snap: Snapshot, order: Order, at: dt.datetime,
                  kg: float | None = None) -> list[dict]:
    """The contract's events that say ``order`` was done at ``at``, its person, room and
    session filled in: ``patrol_done`` / ``sweep_done`` / ``cleanup_done``; for a move,
    ``unit_deployed`` for each unit carried; for a bag collection, ``bag_weighed`` of the
    set its group holds (``kg`` weighed) with its session."""
    when = stamp(at)
    if order.task in REPORTED:
        return [{"at": when, "type": REPORTED[order.task], "session_id": order.session_id,
                 "staff_id": order.staff_id}]
    if order.task == "move":
        return [{"at": when, "type": "unit_deployed", "item_id": unit,
                 "session_id": order.session_id, "staff_id": order.staff_id}
                for unit in order.units]
    if order.task == "collect":
        live = snap.live
        s = live.sessions[order.session_id]
        holder = s.group_id or str(Place.depot_of(live.venue_of(s.room_id)))
        bags = sorted(b.bag_set_id for b in snap.plan.bags if str(b.holder_id) == holder
                      and b.start <= at <= b.end) or sorted(
                          b.bag_set_id for b in snap.plan.bags if str(b.holder_id) == holder)
        if not bags:
            return []
        return [{"at": when, "type": "bag_weighed", "bag_set_id": bags[0],
                 "kg": float(kg or 0.0), "venue_id": live.venue_of(s.room_id),
                 "session_id": order.session_id}]
    return []


def skip_event(order: Order, at: dt.datetime, reason: str) -> dict:
    """The ``order_skipped`` event for an order its person could not carry out."""
    return {"at": stamp(at), "type": "order_skipped", "session_id": order.session_id,
            "staff_id": order.staff_id, "task": order.task, "reason": reason}
