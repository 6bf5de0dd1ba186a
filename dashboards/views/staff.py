"""Staff: everyone's day on one chart, and each person's printable order sheet."""

import datetime as dt
import html

import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from planner.model import names
from planner.model import vocabulary as vocab
from planner.ops import views
from planner.report.charts import page, table_html

st.title(ui.t("人员", "Staff"))
HOVER = {"task": ("任务", "task"), "start": ("开始", "start"), "end": ("结束", "end"),
         "who": ("人员", "who"), "session": ("会议", "session"), "room": ("地点", "where"),
         "detail": ("说明", "detail")}  # the Gantt's hover


@st.fragment(run_every=ui.REFRESH)
def staff() -> None:
    snap = ui.snap()
    live = snap.live
    en = ui.lang() == "en"
    now = ui.clock(snap)
    c = st.columns(2)
    day = ui.day_picker(snap, now, "st_day", c[0])
    person = c[1].selectbox(ui.t("人员", "Person"), sorted(live.staff), key="st_person",
                            format_func=lambda p: names.person(live, p))
    orders = views.orders(snap, day)
    if len(orders):
        frame = orders.assign(task=[vocab.display(vocab.TASKS, x, ui.lang()) for x in orders.task],
                              who=[names.person(live, p) for p in orders.staff_id])
        fig = px.timeline(frame, x_start="start", x_end="end", y="who", color="task",
                          hover_data=["session", "room", "detail"],
                          labels={k: v[en] for k, v in HOVER.items()})
        on_chart = set(frame.who)
        fig.update_yaxes(categoryorder="array", title=None,  # by id, the first on top
                         categoryarray=[w for w in (names.person(live, p) for p in
                                                    sorted(live.staff, reverse=True))
                                        if w in on_chart])
        fig.add_vline(x=now, line_dash="dash", line_color="black")
        fig.update_layout(height=160 + 24 * frame.who.nunique(), legend_title_text="",
                          title=ui.t("当天各人任务", "Everyone's orders that day"))
        ui.chart(fig, key="st_gantt")
    duty = views.on_duty(snap, now)
    on = duty[duty.on_shift & ~duty.away]
    st.caption(ui.t(f"{now:%H:%M} 在岗 {len(on)} 人：", f"On duty at {now:%H:%M}: {len(on)}: ")
               + "、".join(f"{r.name}" + (f"（{vocab.display(vocab.TASKS, r.task, ui.lang())} · "
                                          f"{names.session(live, r.session_id, ui.lang())}）"
                                          if r.task else "") for r in on.itertuples()))
    mine = views.order_sheet(snap, person, day)
    p = live.staff[person]
    st.subheader(ui.t(f"{p.name} 的任务单（{day:%m月%d日}）", f"Orders for {p.name} ({day})"))
    columns = {"start": ("开始", "start"), "end": ("结束", "end"), "task": ("任务", "task"),
             "session": ("会议", "session"), "room": ("地点", "where"),
             "detail": ("说明", "detail")}
    sheet = pd.DataFrame({
        "start": [f"{t:%H:%M}" for t in mine.start], "end": [f"{t:%H:%M}" for t in mine.end],
        "task": [vocab.display(vocab.TASKS, x, ui.lang()) for x in mine.task],
        "session": mine.session, "room": mine.room, "detail": mine.detail})
    ui.table(sheet, columns)
    shown = sheet.rename(columns={k: v[en] for k, v in columns.items()})
    title = ui.t(f"任务单 · {p.name}（{p.staff_id}）· {day:%Y年%m月%d日}",
                 f"Orders · {p.name} ({p.staff_id}) · {day}")
    made = dt.datetime.now()
    doc = page(title, [f"<p>{html.escape(live.venues[p.venue_id].name)} · "
                       f"{p.shift_start:%H:%M}–{p.shift_end:%H:%M}</p>",
                       "<p>" + ui.t(f"方案第 {snap.version} 版 · 打印于 {made:%Y-%m-%d %H:%M}"
                                    "（以最新方案为准）",
                                    f"Plan version {snap.version} · printed "
                                    f"{made:%Y-%m-%d %H:%M} (the latest plan prevails)")
                       + "</p>", table_html(shown),
                       "<p>" + ui.t("签收：＿＿＿＿＿＿", "Received: ________") + "</p>"],
               ui.lang())
    st.download_button(ui.t("下载任务单（可打印）", "Download the order sheet (printable)"),
                       doc, file_name=f"orders_{p.staff_id}_{day}.html", mime="text/html",
                       key="st_sheet")


staff()
