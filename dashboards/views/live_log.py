"""Live log: a form per event type, the log as it grows, and the re-plan: previewed with
its changes and their reasons, approved by the commander into a new plan version."""

import datetime as dt

import pandas as pd
import streamlit as st

import ui
from planner.errors import PlannerBug, ScenarioError
from planner.events.types import EVENT_TYPES, LIST, NUMBER, TIME
from planner.live import checkpoint
from planner.model import names
from planner.model import vocabulary as vocab
from planner.model.times import stamp
from planner.ops import congress as ops
from planner.ops import views
from planner.report.statistics import INCIDENTS

st.title(ui.t("现场记录", "Live log"))
ui.show_flash()
snap = ui.snap()
live = snap.live
lang = ui.lang()
now = ui.clock(snap)
BUG = ui.t("程序错误：新方案未能生成或未通过独立校验，未保存，原方案继续有效。请报告开发者。",
           "Bug: the new plan could not be made or failed the independent check; nothing "
           "was stored and the plan in force stays in force. Please report it.")


def moment(label: str, default: dt.datetime, key: str) -> dt.datetime:
    c = st.columns(2)
    day = c[0].date_input(f"{label} · {ui.t('日期', 'day')}", value=default.date(),
                          key=f"{key}_d")
    time = c[1].time_input(f"{label} · {ui.t('时刻', 'time')}", value=default.time(),
                           step=300, key=f"{key}_t")
    return dt.datetime.combine(day, time)


def pick(label: str, options: list, key: str, named=None):
    """A choice of ``options`` shown by ``named`` (their names), or as they are (units'
    and bag sets' ids, their labels)."""
    return st.selectbox(label, options, key=key, format_func=named or str)


def session_name(sid: str) -> str:
    return f"{names.session(live, sid, lang)} {live.sessions[sid].start:%m-%d %H:%M}"


sessions = sorted(live.sessions, key=lambda sid: (abs((live.sessions[sid].start - now)
                                                      .total_seconds()), sid))
staff = sorted(live.staff)
rooms = sorted(live.rooms)
units = sorted(i for i, item in live.items.items() if item.item_type != "shred_bag_set")
bags = sorted(i for i, item in live.items.items() if item.item_type == "shred_bag_set")
venues = sorted(live.venues)
levels = list(vocab.LEVELS)


def staff_name(p: str) -> str:
    return names.person(live, p)


def room_name(r: str) -> str:
    return names.room(live, r)


def level_field() -> str:
    return st.selectbox(ui.t("密级", "Level"), levels, key="f_level",
                        index=levels.index("secret"),  # the most common; not the highest
                        format_func=lambda v: vocab.display(vocab.LEVELS, v, lang))


def adhoc_fields() -> dict:
    n = 1 + sum(sid.startswith(f"AH{now:%m%d}") for sid in live.sessions)
    start = moment(ui.t("开始", "Start"), now + dt.timedelta(hours=1), "f_start")
    end = moment(ui.t("结束", "End"), now + dt.timedelta(hours=2), "f_end")
    default = f"AH{now:%m%d}{n:02d}"  # the key follows it: the next one after a save
    return {"session_id": st.text_input(ui.t("会议编号", "Session id"), value=default,
                                        key=f"f_sid_{default}"),
            "name": st.text_input(ui.t("会议名称", "Name"), key="f_name"),
            "room_id": pick(ui.t("会场（空闲的在前）", "Room (free ones first)"),
                            views.rooms_free_first(snap, start, end), "f_room", room_name),
            "start": stamp(start), "end": stamp(end),
            "kind": "adhoc",
            "attendees": int(st.number_input(ui.t("人数", "Attendees"), 1, 5000, 20,
                                             key="f_attendees")),
            "level": level_field()}


def voids_field(kind: str, got: dict) -> int:  # commanders only (the form lists it for them)
    shown = {e.seq: e for e in snap.log}

    def entry(n: int) -> str:
        e = shown[n]
        return (ui.t(f"第 {n} 条", f"entry {n}") + f" · {e.at:%m-%d %H:%M} "
                f"{vocab.display(vocab.EVENT_TYPES, e.type, lang)}")

    return pick(ui.t("作废第几条记录", "Entry to void"), views.voidable(snap), "f_voids", entry)


def kg_field(kind: str, got: dict) -> float:
    most, default = KG.get(kind, (100000.0, 10.0))
    return float(st.number_input(ui.t("重量（千克）", "Weight (kg)"), 0.0, most, default,
                                 step=0.1, key="f_kg"))


KG = {"bag_weighed": (1000.0, 5.0), "destroyed": (100000.0, 10.0)}  # the most, the default
FORMS = {"adhoc_session": adhoc_fields}  # the types with a form of their own
# one form field per event field: name -> widget(type, the fields so far) -> its value
FORM_FIELDS = {
    "session_id": lambda kind, got: pick(ui.t("会议", "Session"), sessions, "f_sid",
                                         session_name),
    "new_end": lambda kind, got: stamp(moment(
        ui.t("新的结束时间", "New end"),
        live.sessions[got["session_id"]].end + dt.timedelta(minutes=30), "f_new_end")),
    "item_id": lambda kind, got: pick(ui.t("设备", "Unit"), units, "f_item"),
    "staff_id": lambda kind, got: pick(ui.t("人员", "Person"), staff, "f_staff", staff_name),
    "until": lambda kind, got: stamp(moment(ui.t("至", "Until"), now + dt.timedelta(hours=2),
                                            "f_until")),
    "room_id": lambda kind, got: pick(ui.t("会场", "Room"), rooms, "f_room", room_name),
    "bag_set_id": lambda kind, got: pick(ui.t("销毁袋", "Bag set"), bags, "f_bag"),
    "kg": kg_field,
    "venue_id": lambda kind, got: pick(ui.t("驻地", "Venue"), venues, "f_venue",
                                       lambda v: names.venue(live, v)),
    "level": lambda kind, got: level_field(),
    "note": lambda kind, got: st.text_input(ui.t("说明（何处发现、何物）", "Note (where, what)"),
                                            key="f_note"),
    "witnesses": lambda kind, got: st.multiselect(
        ui.t("见证人", "Witnesses"), staff, key="f_witnesses", format_func=staff_name),
    "voids": voids_field,
    "reason": lambda kind, got: st.text_input(ui.t("作废原因", "Why"), key="f_reason"),
}


def recess_field(kind: str, got: dict) -> str:
    """The recess a bag set was collected at: the session just ended, by default."""
    recent = views.recent_sessions(snap, now)
    return st.selectbox(ui.t("回收自哪场会议（休会清理）", "Collected at which session"),
                        [*recent, ""], key="f_recess",
                        format_func=lambda x: session_name(x) if x
                        else ui.t("（不指定）", "(none)"))


# an optional event field the form asks for: name -> widget; an empty answer leaves it out
OPTIONAL_FIELDS = {"session_id": recess_field}


def plain_field(name: str, what: str):
    """A field the form has no field of its own for: an input for its kind."""
    if what == TIME:
        return stamp(moment(name, now, f"f_{name}"))
    if what == NUMBER:
        return float(st.number_input(name, value=0.0, key=f"f_{name}"))
    if what == LIST:
        return st.text_input(name, key=f"f_{name}").split()
    return st.text_input(name, key=f"f_{name}")


def fields(kind: str) -> dict:
    """The form's fields for one event type: its class's required fields, each with its
    form field (planner.events.types); returns the event's own fields."""
    if kind in FORMS:
        return FORMS[kind]()
    got: dict = {}
    for name, what in EVENT_TYPES[kind].fields.items():
        widget = FORM_FIELDS.get(name)
        got[name] = widget(kind, got) if widget else plain_field(name, what)
    for name in EVENT_TYPES[kind].optional:
        if name in OPTIONAL_FIELDS and name not in got:
            value = OPTIONAL_FIELDS[name](kind, got)
            if value:
                got[name] = value
    return got


left, right = st.columns([2, 3])
with left:
    st.subheader(ui.t("记录一条情况", "Log an event"))
    kinds = [k for k in vocab.EVENT_TYPES if k != "void" or ui.may("commander")]
    kind = st.selectbox(ui.t("类型", "Type"), kinds, key="f_type",
                        format_func=lambda k: vocab.display(vocab.EVENT_TYPES, k, lang))
    with st.form(f"event_{kind}", clear_on_submit=False):
        at = moment(ui.t("发生时间", "When"), now, "f_at")
        event = {"at": stamp(at), "type": kind, **fields(kind)}
        if st.form_submit_button(ui.t("记录", "Log it"), type="primary"):
            try:
                seq = ops.log_event(ui.store(), snap.name, event, ui.user()["username"])
            except ScenarioError as error:
                st.error(ui.t("未记录：", "Not logged: ")
                         + ui.t("；", "; ").join(p.message(lang) for p in error.problems))
            except PermissionError:
                st.error(ui.t("只有指挥可以作废记录", "Only a commander may void an entry"))
            else:
                ui.flash(ui.t(f"已记录为第 {seq} 条", f"Logged as entry {seq}"))


@st.fragment(run_every=ui.REFRESH)
def the_log() -> None:
    s = ui.snap()
    st.subheader(ui.t(f"事件日志（共 {s.seq} 条）", f"The event log ({s.seq} entries)"))
    rows = views.log_rows(s, lang=lang, who=views.account_names(ui.store(), lang))
    rows = rows.assign(type=[vocab.display(vocab.EVENT_TYPES, x, lang)
                             + (ui.t("（已作废）", " (voided)") if gone else "")
                             for x, gone in zip(rows.type, rows.voided, strict=True)])
    ui.table(rows.drop(columns="voided"),
             {"seq": ("序号", "#"), "at": ("时间", "time"), "type": ("类型", "type"),
              "detail": ("内容", "detail"), "who": ("记录人", "logged by")}, height=320)
    waiting = [e for e in s.since_plan() if e.type in INCIDENTS]
    if waiting:
        st.warning(ui.t(f"方案第 {s.version} 版之后有 {len(waiting)} 条情况需重新规划",
                        f"{len(waiting)} events since plan version {s.version} call for a "
                        "re-plan"))
    try:
        cp = checkpoint.current(ui.store(), s.name)
    except checkpoint.CheckpointError as error:
        st.error(error.text(lang))
    else:
        st.caption(checkpoint.describe(cp, lang))
        if cp.signatures:
            st.download_button(ui.t("下载日志检查点", "Download the log checkpoint"),
                               cp.text(), file_name=f"{s.name}_checkpoint_{cp.size}.txt",
                               mime="text/plain", key="ll_checkpoint")


with right:
    the_log()

st.divider()
st.subheader(ui.t("重新规划", "Re-plan"))
st.caption(ui.t(f"以第 {snap.version} 版方案为基础，按截至 {now:%m-%d %H:%M} 记录的情况修复，"
                "已发生的不变，尽量少改动。",
                f"Repairs plan version {snap.version} after what is logged up to "
                f"{now:%m-%d %H:%M}: the past stays, as little as possible changes."))
if st.button(ui.t("预览重新规划", "Preview the re-plan"), key="preview"):
    with st.spinner(ui.t("正在重新规划（约 5–10 秒）……", "Re-planning (5–10 s)…")):
        try:
            st.session_state.replan_preview = (snap, ops.preview_replan(snap, at=now))
        except PlannerBug:
            st.error(BUG)
preview = st.session_state.get("replan_preview")
if preview and preview[0].name != snap.name:  # made for another congress
    st.session_state.pop("replan_preview")
    preview = None
if preview:
    based, result = preview
    current = (based.version, based.seq) == (snap.version, snap.seq)
    if not current:
        st.warning(ui.t("预览之后日志或方案已有变化，请重新预览",
                        "The log or the plan changed since this preview: preview again"))
    covered = sum(r.covered for r in result.plan.coverage)
    before = sum(r.covered for r in based.plan.coverage)
    en = lang == "en"
    damage = views.replan_damage(result, lang)
    if len(damage):  # what gets worse comes first, by name, with its reason
        st.error(ui.t(f"新方案有 {len(damage)} 场会议将不能完全保障：",
                      f"{len(damage)} sessions would no longer be fully covered:")
                 + "".join(f"\n- {r.name}（{r.session_id}，{r.room}，{r.start:%m-%d %H:%M}）："
                           f"{r.reason}" for r in damage.itertuples()))
    st.write(ui.t(f"完全保障：{before} → {covered} / {len(result.live.sessions)} 场；"
                  f"变更 {len(result.changes)} 项",
                  f"Fully covered: {before} → {covered} of {len(result.live.sessions)}; "
                  f"{len(result.changes)} changes"))
    words = {"added": ("新增", "add"), "removed": ("取消", "drop"), "changed": ("调整", "change")}
    tasks = {**vocab.TASKS, "serve": ("使用", "in use", ())}
    orders = views.replan_orders(result, before=based.scenario)
    people = [(g.iloc[0]["label"], g) for _who, g in
              orders[orders.who_kind == "staff"].groupby("who", sort=False)]
    units = orders[orders.who_kind != "staff"]
    groups = people + ([(ui.t("设备", "Units"), units)] if len(units) else [])
    for label, mine in groups:  # each person, then the units together
        with st.expander(f"{label} · {len(mine)} "
                         + ui.t("项 · 最早 ", "changes · first at ")
                         + f"{mine.act_at.min():%m-%d %H:%M}"):
            ui.table(pd.DataFrame({
                "who": list(mine.label),
                "act_at": [f"{x:%m-%d %H:%M}" for x in mine.act_at],
                "change": [words[x][en] for x in mine.change],
                "what": [tasks[x][en] if x in tasks else x for x in mine.what],
                "session": list(mine.session), "room": list(mine.room),
                "from_to": list(mine.from_to),
                "reason": list(mine.reason_en if en else mine.reason)}),
                {"who": ("人员/设备", "who"), "act_at": ("执行时间", "act at"),
                 "change": ("变更", "change"),
                 "what": ("任务", "what"), "session": ("会议", "session"),
                 "room": ("地点", "where"), "from_to": ("原 → 新", "from → to"),
                 "reason": ("原因", "reason")})
    if ui.may("commander"):
        if st.button(ui.t("批准为新方案版本", "Approve as the new plan version"), type="primary",
                     key="approve", disabled=not current):
            try:
                new = ops.approve(ui.store(), based, result, ui.user()["username"])
            except RuntimeError:  # another version approved, or an entry logged, since
                st.error(ui.t("未批准：预览之后已有新的方案版本或新的记录，请重新预览",
                              "Not approved: a plan version was approved or an entry logged "
                              "since this preview; preview again"))
            except PlannerBug:
                st.error(BUG)
            else:
                st.session_state.pop("replan_preview", None)
                ui.flash(ui.t(f"已批准为方案第 {new} 版", f"Approved as plan version {new}"))
    else:
        st.info(ui.t("重新规划须由指挥批准", "A commander approves re-plans"))
