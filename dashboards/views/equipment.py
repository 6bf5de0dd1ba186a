"""Equipment: a Gantt per unit for a day, the moves, and where each unit is now."""


import plotly.express as px
import streamlit as st

import ui
from planner.model import vocabulary as vocab
from planner.ops import views

st.title(ui.t("设备", "Equipment"))
STATES = {"room": ("在会场", "in a room"), "moving": ("搬运途中", "moving"),
          "idle": ("留在会场待用", "standing in a room"), "depot": ("库存", "at a depot"),
          "failed": ("故障", "failed")}
WHAT = {"use": ("使用", "in use"), "move": ("搬运", "moving")}
HOVER = {"what": ("用途", "what"), "start": ("开始", "start"), "end": ("结束", "end"),
         "unit": ("设备", "unit"), "detail": ("说明", "detail")}  # the Gantt's hover


@st.fragment(run_every=ui.REFRESH)
def equipment() -> None:
    snap = ui.snap()
    live = snap.live
    en = int(ui.lang() == "en")
    now = ui.clock(snap)
    c = st.columns(3)
    kind = c[0].selectbox(ui.t("设备类型", "Type"), ["jammer", "cabinet_unit"], key="eq_kind",
                          format_func=lambda k: vocab.ITEM_TYPES[k][en])
    venue = ui.venue_picker(snap, "eq_venue", c[1])
    day = ui.day_picker(snap, now, "eq_day", c[2])
    bars = views.unit_timeline(snap, kind, venue, day)
    if len(bars):
        frame = bars.assign(what=[WHAT[x][en] for x in bars.what])
        fig = px.timeline(frame, x_start="start", x_end="end", y="unit", color="what",
                          hover_data=["detail"], labels={k: v[en] for k, v in HOVER.items()},
                          color_discrete_sequence=["#1e88e5", "#fb8c00"])
        fig.update_yaxes(categoryorder="category descending", title=None)
        fig.add_vline(x=now, line_dash="dash", line_color="black")
        fig.update_layout(height=160 + 18 * bars.unit.nunique(), legend_title_text="",
                          title=ui.t(f"{live.venues[venue].name} 各设备的使用与搬运",
                                     f"Units at {live.venues[venue].name}: in use and moving"))
        ui.chart(fig, key="eq_gantt")
    else:
        st.write(ui.t("当天此驻地没有该类设备的安排", "No such unit is used here that day"))
    st.subheader(ui.t(f"设备此刻所在（{now:%m-%d %H:%M}）",
                      f"Where each unit is ({now:%m-%d %H:%M})"))
    where = views.units_at(snap, now)
    where = where[where.item_type == kind].drop(columns=["venue_id", "session_id"])
    counts = where.state.value_counts()
    st.write(" · ".join(f"{STATES[k][en]} {counts.get(k, 0)}" for k in STATES))
    where = where.assign(state=[STATES[x][en] for x in where.state],
                         item_type=[vocab.display(vocab.ITEM_TYPES, x, ui.lang())
                                    for x in where.item_type])
    ui.table(where, {"item_id": ("设备", "unit"), "item_type": ("类型", "type"),
                     "state": ("状态", "state"), "venue": ("驻地", "venue"),
                     "where": ("位置", "where"), "session": ("会议", "session")}, height=300)
    st.subheader(ui.t("当天的搬运", "Moves that day"))
    moves = views.day_moves(snap, kind, day)
    ui.table(moves.assign(depart=[f"{x:%H:%M}" for x in moves.depart],
                          arrive=[f"{x:%H:%M}" for x in moves.arrive]),
             {"item_id": ("设备", "unit"), "from": ("从", "from"), "to": ("到", "to"),
              "depart": ("出发", "departs"), "arrive": ("到达", "arrives"),
              "staff": ("搬运人", "moved by"), "session": ("为会议", "for session")},
             height=300)


equipment()
