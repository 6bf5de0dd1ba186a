"""Coverage: a room × time map per venue and day; a session's needs and shortfall."""

import plotly.graph_objects as go
import streamlit as st

import ui
from planner.model import names
from planner.model import vocabulary as vocab
from planner.ops import views

st.title(ui.t("保障覆盖", "Coverage"))
CELL = {None: None, views.UNPLANNED: 0, views.SHORT: 1, views.COVERED: 2}  # the map's colours
NEED = {"jammer": ("信号干扰器", "jammers"), "cabinet_unit": ("屏蔽柜（节）", "cabinet units"),
        "patrol": ("巡查", "patrols"), "sweep": ("会前检测", "sweep"),
        "cleanup": ("休会清理", "clean-up")}


@st.fragment(run_every=ui.REFRESH)
def coverage() -> None:
    snap = ui.snap()
    live = snap.live
    en = ui.lang() == "en"
    now = ui.clock(snap)
    c = st.columns(2)
    venue = ui.venue_picker(snap, "cov_venue", c[0])
    day = ui.day_picker(snap, now, "cov_day", c[1])
    cells = views.coverage_map(snap, venue, day)
    fig = go.Figure(go.Heatmap(
        z=[[CELL[x] for x in row] for row in cells.state],
        x=[f"{t:%H:%M}" for t in cells.slots], y=cells.rooms, text=cells.label,
        hovertemplate="%{y} %{x}<br>%{text}<extra></extra>", zmin=0, zmax=2,
        colorscale=[[0, "#9e9e9e"], [0.33, "#9e9e9e"], [0.34, "#e53935"], [0.66, "#e53935"],
                    [0.67, "#43a047"], [1, "#43a047"]], showscale=False, xgap=1, ygap=1))
    fig.update_layout(title=ui.t("绿：完全保障　红：保障不足　灰：未列入方案",
                                 "green: covered, red: short, grey: not in the plan"),
                      height=120 + 28 * len(cells.rooms), yaxis={"autorange": "reversed"})
    ui.chart(fig, key="cov_map")
    order = views.sessions_of(snap, venue, day)
    if not order:
        st.write(ui.t("当天此驻地没有会议", "No session at this venue that day"))
        return
    sid = st.selectbox(ui.t("会议", "Session"), [s.session_id for s in order], key="cov_session",
                       format_func=lambda x: f"{names.session(live, x, ui.lang())} "
                                             f"{live.sessions[x].start:%H:%M}")
    s = live.sessions[sid]
    st.markdown(f"**{names.session(live, sid, ui.lang())}** · {live.rooms[s.room_id].name} · "
                f"{s.start:%m-%d %H:%M}–{s.end:%H:%M} · "
                f"{vocab.display(vocab.LEVELS, s.level, ui.lang())} · "
                f"{s.attendees} {ui.t('人', 'attending')}")
    needs = views.session_needs(snap, sid)
    ui.table(needs.assign(what=[NEED[x][en] for x in needs.what]),
             {"what": ("项目", "what"), "need": ("需要", "needed"),
              "planned": ("方案安排", "planned")})
    row = snap.coverage.get(sid)
    if row is None:
        st.warning(ui.t("该会议不在当前方案中：请在“现场记录”页重新规划",
                        "This session is not in the plan in force: re-plan on the Live log page"))
    elif not row.covered:
        st.error(row.shortfall_reason_en if en else row.shortfall_reason)
    else:
        st.success(ui.t("方案完全保障此会议", "The plan covers this session fully"))
    units, people = views.session_orders(snap, sid)
    st.caption(ui.t("设备：", "Units: ") + " ".join(units))
    st.caption(ui.t("人员：", "People: ") + "；".join(
        f"{names.person(live, p.staff_id)} {vocab.display(vocab.TASKS, p.task, ui.lang())} "
        f"{p.start:%H:%M}" for p in people.itertuples()))


coverage()
