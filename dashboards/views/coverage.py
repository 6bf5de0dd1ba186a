"""Coverage: a room × time map per venue and day; a session's needs and shortfall."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from planner.model import vocabulary as vocab
from planner.model.requirements import derive

st.title(ui.t("保障覆盖", "Coverage"))
SLOT = 30  # minutes per cell


@st.fragment(run_every=ui.REFRESH)
def coverage() -> None:
    snap = ui.snap()
    live, plan = snap.live, snap.plan
    en = ui.lang() == "en"
    now = ui.clock(snap)
    c = st.columns(2)
    venue = ui.venue_picker(snap, "cov_venue", c[0])
    day = ui.day_picker(snap, now, "cov_day", c[1])
    rows = {r.session_id: r for r in plan.coverage}
    rooms = sorted(r for r, room in live.rooms.items() if room.venue_id == venue)
    start = dt.datetime.combine(day, dt.time(7, 0))
    slots = [start + dt.timedelta(minutes=SLOT * k) for k in range(34)]  # 07:00–24:00
    z = [[None] * len(slots) for _ in rooms]
    text = [[""] * len(slots) for _ in rooms]
    sessions = [s for s in live.sessions.values()
                if s.start.date() == day and live.venue_of(s.room_id) == venue]
    for s in sessions:
        row = rows.get(s.session_id)
        state = 2 if row is not None and row.covered else 1 if row is not None else 0
        for k, t in enumerate(slots):
            if s.start < t + dt.timedelta(minutes=SLOT) and t < s.end:
                y = rooms.index(s.room_id)
                z[y][k] = state
                text[y][k] = f"{s.session_id} {s.name}"
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{t:%H:%M}" for t in slots], y=[live.rooms[r].name for r in rooms],
        text=text, hovertemplate="%{y} %{x}<br>%{text}<extra></extra>", zmin=0, zmax=2,
        colorscale=[[0, "#9e9e9e"], [0.33, "#9e9e9e"], [0.34, "#e53935"], [0.66, "#e53935"],
                    [0.67, "#43a047"], [1, "#43a047"]], showscale=False, xgap=1, ygap=1))
    fig.update_layout(title=ui.t("绿：完全保障　红：保障不足　灰：未列入方案",
                                 "green: covered, red: short, grey: not in the plan"),
                      height=120 + 28 * len(rooms), yaxis={"autorange": "reversed"})
    ui.chart(fig, key="cov_map")
    if not sessions:
        st.write(ui.t("当天此驻地没有会议", "No session at this venue that day"))
        return
    order = sorted(sessions, key=lambda s: (rows.get(s.session_id) is not None
                                            and rows[s.session_id].covered, s.start))
    sid = st.selectbox(ui.t("会议", "Session"), [s.session_id for s in order], key="cov_session",
                       format_func=lambda x: f"{x} {live.sessions[x].name} "
                                             f"{live.sessions[x].start:%H:%M}")
    s = live.sessions[sid]
    need = derive(live)[sid]
    row = rows.get(sid)
    st.markdown(f"**{sid} {s.name}** · {live.rooms[s.room_id].name} · "
                f"{s.start:%m-%d %H:%M}–{s.end:%H:%M} · "
                f"{vocab.display(vocab.LEVELS, s.level, ui.lang())} · "
                f"{s.attendees} {ui.t('人', 'attending')}")
    lines = [(ui.t("信号干扰器", "jammers"), need.jammers,
              row.jammers_assigned if row else 0),
             (ui.t("屏蔽柜（节）", "cabinet units"), need.cabinet_units,
              row.cabinet_units_assigned if row else 0),
             (ui.t("巡查", "patrols"), need.patrols, row.patrols_assigned if row else 0),
             (ui.t("会前检测", "sweep"), int(need.sweep), int(bool(row and row.sweep_done))),
             (ui.t("休会清理", "clean-up"), int(need.cleanup),
              int(bool(row and row.cleanup_done)))]
    ui.table(pd.DataFrame(lines, columns=["what", "need", "planned"]),
             {"what": ("项目", "what"), "need": ("需要", "needed"),
              "planned": ("方案安排", "planned")})
    if row is None:
        st.warning(ui.t("该会议不在当前方案中：请在“现场记录”页重新规划",
                        "This session is not in the plan in force: re-plan on the Live log page"))
    elif not row.covered:
        st.error(row.shortfall_reason_en if en else row.shortfall_reason)
    else:
        st.success(ui.t("方案完全保障此会议", "The plan covers this session fully"))
    units = [a.item_id for a in plan.assignments if a.session_id == sid]
    people = [f"{t.staff_id} {t.task} {t.start:%H:%M}" for t in plan.staff_tasks
              if t.session_id == sid]
    st.caption(ui.t("设备：", "Units: ") + " ".join(units))
    st.caption(ui.t("人员：", "People: ") + "；".join(people))


coverage()
