"""Overview: what is going on now."""


import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from planner.model import names
from planner.model import vocabulary as vocab
from planner.ops import congress as ops
from planner.ops import views
from planner.report.statistics import INCIDENTS

st.title(ui.t("总览", "Overview"))
ui.show_flash()


@st.fragment(run_every=ui.REFRESH)
def overview() -> None:
    snap = ui.snap()
    now = ui.clock(snap)
    live, plan = snap.live, snap.plan
    running = views.in_progress(live, now)
    units = views.units_at(snap, now)
    people = views.on_duty(snap, now)
    paper = views.paper(snap, now)
    got, due = paper.recovered, paper.expected_so_far
    st.caption(ui.t(f"{now:%Y-%m-%d %H:%M} · 方案第 {snap.version} 版",
                    f"{now:%Y-%m-%d %H:%M} · plan version {snap.version}"))
    c = st.columns(5)
    c[0].metric(ui.t("进行中的会议", "Sessions in progress"), len(running))
    n1 = plan.summary.n1_protected
    c[1].metric(ui.t("方案完全保障", "Fully covered in the plan"),
                f"{sum(r.covered for r in plan.coverage)} / {len(live.sessions)}",
                help=ui.t("另有备用设备（N-1）：设备故障时可及时替换",
                          "N-1: a spare within reach should a unit fail"))
    if n1.get("of"):
        c[1].caption(ui.t(f"N-1 备用 {n1['protected']} / {n1['of']}（{100 * n1['share']:.0f}%）",
                          f"N-1 spare {n1['protected']} / {n1['of']} ({100 * n1['share']:.0f}%)"))
    state = units.state.value_counts()
    c[2].metric(ui.t("设备 在会场 / 库存 / 途中", "Units in rooms / stored / moving"),
                f"{state.get('room', 0)} / {state.get('depot', 0) + state.get('idle', 0)}"
                f" / {state.get('moving', 0)}",
                help=ui.t(f"故障 {state.get('failed', 0)} 台", f"{state.get('failed', 0)} failed"))
    on = people[people.on_shift & ~people.away]
    c[3].metric(ui.t("在岗人员", "Staff on duty"), f"{len(on)} / {len(people)}")
    c[4].metric(ui.t("回收文件（千克）", "Paper recovered (kg)"), f"{got:,.1f}",
                help=ui.t(f"按推演的回收率，预计至今 {due:,.0f} 千克",
                          f"the rehearsal's rates expect {due:,.0f} kg by now"))
    c[4].caption(ui.t(f"预计至今 {due:,.0f}", f"expected so far {due:,.0f}"))
    stale = [e for e in snap.since_plan() if e.type in INCIDENTS]
    if stale:
        st.warning(ui.t(f"方案第 {snap.version} 版之后记录了 {len(stale)} 条情况，"
                        "请在“现场记录”页预览重新规划",
                        f"{len(stale)} events were logged after plan version {snap.version}: "
                        "preview a re-plan on the Live log page"))
    st.subheader(ui.t("进行中的会议", "Sessions in progress"))
    rows = [{"session": names.session(live, s.session_id, ui.lang()),
             "room": live.rooms[s.room_id].name, "end": f"{s.end:%H:%M}",
             "level": vocab.display(vocab.LEVELS, s.level, ui.lang()),
             "covered": STATES[views.session_state(snap, s.session_id)][ui.lang() == "en"]}
            for s in running]
    if rows:
        ui.table(pd.DataFrame(rows), {"session": ("会议", "session"), "room": ("会场", "room"),
                                      "end": ("结束", "ends"), "level": ("密级", "level"),
                                      "covered": ("完全保障", "covered")})
    else:
        st.write(ui.t("此刻没有会议", "No session at this moment"))
    due_work(snap, now)
    day_chart(snap, now)
    st.subheader(ui.t("最新记录", "Latest entries"))
    latest = views.log_rows(snap, 8, ui.lang(), views.account_names(ui.store(), ui.lang()))
    for e in latest.itertuples():
        name = vocab.display(vocab.EVENT_TYPES, e.type, ui.lang())
        gone = ui.t("（已作废）", " (voided)") if e.voided else ""
        st.write(f"`{e.seq}` {e.at[5:]} · {name}{gone} · {e.detail} · {e.who}")


def due_work(snap: ops.Snapshot, now) -> None:
    """Orders come due and not reported, per venue: yellow while they can still be done,
    red once their time has passed, with who was ordered to do them."""
    st.subheader(ui.t("到时未报的任务", "Work due and not reported"))
    due = views.due_work(snap, now)
    if due.empty:
        st.write(ui.t("没有到时未报的任务", "Nothing due is unreported"))
        return
    lang = ui.lang()
    words = {"late": ("逾期", "late", st.error), "due": ("待报", "due", st.warning)}
    for venue, mine in due.groupby("venue_id", sort=True):
        for state, (zh, en, box) in words.items():
            rows = mine[mine.state == state]
            if len(rows):
                name = snap.live.venues[venue].name
                head = ui.t(f"{name} · {zh} {len(rows)} 项", f"{name} · {len(rows)} {en}")
                box(head + "".join(
                    f"\n- {r.start:%H:%M}–{r.end:%H:%M} "
                    f"{vocab.display(vocab.TASKS, r.task, lang)} · {r.session}（{r.room}）· "
                    f"{r.name}" for r in rows.itertuples()))


STATES = {views.COVERED: ("是", "yes", "#43a047"), views.SHORT: ("否", "no", "#e53935"),
          views.UNPLANNED: ("未列入方案", "not in the plan", "#9e9e9e")}
BARS = {views.COVERED: "完全保障", views.SHORT: "保障不足", views.UNPLANNED: "未列入方案"}


def day_chart(snap: ops.Snapshot, now) -> None:
    """The day's sessions hour by hour: covered by the plan, short, not in the plan."""
    counts = views.hour_by_hour(snap, now.date())
    en = ui.lang() == "en"
    words = {views.COVERED: "covered", views.SHORT: "short", views.UNPLANNED: "not in the plan"}
    fig = go.Figure([go.Bar(x=[f"{h:02d}:00" for h in counts.hour], y=counts[k],
                            name=words[k] if en else BARS[k], marker_color=STATES[k][2])
                     for k in STATES])
    fig.update_layout(barmode="stack", height=260, title=ui.t(
        f"{now:%m月%d日} 各时段会议", f"Sessions hour by hour on {now:%d %b}"))
    ui.chart(fig, key="ov_day")


overview()
