"""Tonnage: paper recovered per recess, venue and day, cumulative against what the rates
expect; each bag set's chain of custody, overdue ones flagged."""

import plotly.graph_objects as go
import streamlit as st

import ui
from planner.ops import views

st.title(ui.t("文件回收", "Tonnage"))
STATES = {"issued": ("已发放", "issued"), "collected": ("已收取", "collected"),
          "weighed": ("已称重", "weighed"), "destroyed": ("已销毁", "destroyed"),
          "overdue": ("逾期未称重", "overdue")}


@st.fragment(run_every=ui.REFRESH)
def tonnage() -> None:
    snap = ui.snap()
    live = snap.live
    en = ui.lang() == "en"
    now = ui.clock(snap)
    paper = views.weighed(snap)
    paper = paper[paper["at"] <= now]
    expected = views.expected_paper(live)
    figures = views.paper(snap, now)
    c = st.columns(4)
    c[0].metric(ui.t("已回收（千克）", "Recovered (kg)"), f"{figures.recovered:,.1f}")
    c[1].metric(ui.t("预计至今（千克）", "Expected so far (kg)"),
                f"{figures.expected_so_far:,.0f}",
                help=ui.t("按推演的回收率：人数 × 时长 × 会议类型系数",
                          "by the rehearsal's rates: attendees × hours × a rate per kind"))
    c[2].metric(ui.t("全会预计（千克）", "Expected in all (kg)"), f"{figures.expected:,.0f}")
    c[3].metric(ui.t("已监督销毁（千克）", "Destroyed (kg)"), f"{figures.destroyed:,.1f}")
    names = {v: venue.name for v, venue in live.venues.items()}
    if len(paper):
        by = paper.groupby(["day", "venue_id"]).kg.sum().reset_index()
        fig = go.Figure([go.Bar(x=by[by.venue_id == v].day, y=by[by.venue_id == v].kg,
                                name=names.get(v, v)) for v in sorted(by.venue_id.unique())])
        fig.update_layout(barmode="stack", title=ui.t("每日各驻地回收（千克）",
                                                      "Recovered per day and venue (kg)"))
        fig.update_xaxes(type="category")  # one bar a day, however few days
        ui.chart(fig, key="tn_days")
    got = paper.sort_values("at")
    want = expected.sort_values("end")
    fig = go.Figure([
        go.Scatter(x=got["at"], y=got.kg.cumsum() / 1000, mode="lines",
                   name=ui.t("实际回收（吨）", "recovered (t)"), line={"shape": "hv"}),
        go.Scatter(x=want["end"], y=want.kg.cumsum() / 1000, mode="lines",
                   name=ui.t("预计（吨）", "expected (t)"), line={"dash": "dot", "shape": "hv"})])
    fig.add_vline(x=now, line_dash="dash", line_color="black")
    fig.update_layout(title=ui.t("累计回收与预计", "Cumulative: recovered and expected"))
    ui.chart(fig, key="tn_cumulative")
    st.subheader(ui.t("每次休会回收", "Per recess"))
    recess = views.recesses(snap, now, views.account_names(ui.store(), ui.lang()))
    ui.table(recess.drop(columns=["session_id", "name"]).assign(
        at=[ui.when(x) for x in recess["at"]],
        venue_id=[names.get(v, v) for v in recess.venue_id]),
             {"at": ("时间", "time"), "session": ("会议", "session"),
              "venue_id": ("驻地", "venue"), "bag_set_id": ("销毁袋", "bag set"),
              "kg": ("千克", "kg"), "who": ("记录人", "logged by")}, height=260)
    st.subheader(ui.t("销毁袋流转（发放 → 收取 → 称重 → 销毁）",
                      "Bag sets: issued → collected → weighed → destroyed"))
    chain = views.bag_custody(snap, now)
    late = int(chain.overdue.sum())
    if late:
        st.error(ui.t(f"{late} 套销毁袋收取后超过 2 小时未称重",
                      f"{late} bag sets not weighed within 2 h of their collection"))
    shown = chain.assign(
        state=[STATES[x][en] for x in chain.state],
        holder=[views.holder_name(live, h) for h in chain.holder_id],
        issued=[ui.when(x) for x in chain.issued], collected=[ui.when(x) for x in chain.collected],
        weighed=[ui.when(x) for x in chain.weighed]).sort_values(["overdue", "bag_set_id"],
                                                                 ascending=[False, True])
    ui.table(shown[["bag_set_id", "holder", "issued", "collected", "weighed", "kg", "state"]],
             {"bag_set_id": ("销毁袋", "bag set"), "holder": ("持有", "held by"),
              "issued": ("发放", "issued"), "collected": ("最近收取", "last collected"),
              "weighed": ("最近称重", "last weighed"), "kg": ("累计千克", "kg"),
              "state": ("状态", "state")}, height=360)


tonnage()
