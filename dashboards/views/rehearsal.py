"""Rehearsal: run a simulation with a progress bar and see its charts; earlier ones stay."""

import datetime as dt

import streamlit as st

import ui
from planner.io.paths import rehearsal_folder
from planner.io.plan_files import plan_from_files
from planner.ops import views
from planner.ops.accounts import audit
from planner.rehearse.results import read_rehearsal, write_rehearsal
from planner.rehearse.runs import Context, simulate
from planner.report.charts import rehearsal_parts

st.title(ui.t("推演", "Rehearsal"))
snap = ui.snap()
lang = ui.lang()
folder = rehearsal_folder(snap.name)
st.caption(ui.t("以会前方案（第 1 版）为基础，按 scenario.yaml 中的扰动频率随机重演大会，"
                "看保障在哪里出现缺口、增加多少储备可以补上。",
                "Replays the congress from the pre-congress plan (version 1) with random "
                "disruptions at the rates in scenario.yaml: where coverage breaks, and what "
                "reserve would fix it."))
if ui.may("operator"):
    with st.form("rehearse"):
        c = st.columns(4)
        runs = c[0].number_input(ui.t("推演次数", "Runs"), 1, 1000, 20, key="rh_runs")
        seed = c[1].number_input(ui.t("随机种子", "Seed"), 0, 10**6, 0, key="rh_seed")
        sizing = c[2].number_input(ui.t("储备测算次数", "Sizing runs"), 0, 50, 0,
                                   key="rh_sizing")
        workers = c[3].number_input(ui.t("进程数", "Processes"), 1, 8, 2, key="rh_workers")
        first = ui.store().plan(snap.name, 1)
        if first is None:
            st.warning(ui.t("该大会还没有方案", "This congress has no plan yet"))
        elif st.form_submit_button(ui.t("开始推演", "Run"), type="primary"):
            base = plan_from_files(first[1])
            ctx = Context(snap.scenario, base, seed=int(seed), keep=1,
                          sizing_runs=min(int(sizing), int(runs)))
            bar = st.progress(0.0, text=ui.t("推演中……", "Rehearsing…"))
            done = [0]

            def step(n: int = 1) -> None:
                done[0] += n
                bar.progress(done[0] / runs, text=ui.t(f"已完成 {done[0]} / {runs} 次",
                                                       f"{done[0]} of {runs} runs"))

            results = simulate(ctx, int(runs), workers=int(workers), progress=step)
            out = folder / f"{dt.datetime.now():%Y%m%d-%H%M%S}-seed{int(seed)}-{int(runs)}"
            write_rehearsal(out, snap.scenario, results, int(seed), base, lang)
            audit(ui.store(), ui.user()["username"], "rehearsal_run", scenario=snap.name,
                  runs=int(runs), seed=int(seed), folder=out.name)
            st.session_state.rehearsal = out.name
            bar.empty()
earlier = sorted((p.name for p in folder.glob("*") if (p / "summary.json").exists()),
                 reverse=True) if folder.exists() else []
if not earlier:
    st.info(ui.t("还没有推演结果", "No rehearsal yet"))
else:
    chosen = st.selectbox(ui.t("推演结果", "Rehearsal"), earlier, key="rh_chosen",
                          index=earlier.index(st.session_state["rehearsal"])
                          if st.session_state.get("rehearsal") in earlier else 0,
                          format_func=lambda x: views.rehearsal_label(x, lang))
    found, info = read_rehearsal(folder / chosen)
    for n, part in enumerate(rehearsal_parts(snap.scenario, found, info, lang)):
        if isinstance(part, str):
            st.html(part)
        else:
            ui.chart(part, key=f"rh_{n}")
