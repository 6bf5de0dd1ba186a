"""Report: the post-event report from the log, on screen and as HTML, Excel and Word."""

import tempfile
from pathlib import Path

import streamlit as st

import ui
from planner.io.plan_files import plan_from_files
from planner.ops import views
from planner.report.files import report_parts, write_report
from planner.report.statistics import build

st.title(ui.t("统计报告", "Report"))
snap = ui.snap()
lang = ui.lang()
versions = [v["version"] for v in snap.versions]
if not versions:
    st.warning(ui.t("该大会还没有方案", "This congress has no plan yet"))
    st.stop()
version = st.selectbox(ui.t("按哪一版方案对照计划与实际", "Plan version to compare with"),
                       list(reversed(versions)), key="rp_version",
                       format_func=(lambda v: f"version {v}") if lang == "en"
                       else (lambda v: f"第 {v} 版"))
st.caption(ui.t(f"数字来自事件日志（{snap.seq} 条），不来自方案。",
                f"The figures come from the event log ({snap.seq} entries), not the plan."))
if st.button(ui.t("生成报告", "Make the report"), type="primary", key="rp_make"):
    with st.spinner(ui.t("正在生成……", "Making the report…")):
        stored = ui.store().plan(snap.name, version)
        plan = plan_from_files(stored[1])
        report = build(snap.scenario, plan, snap.log)  # the whole log: voids are listed
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_report(Path(tmp) / "report", report, snap.scenario, lang,
                                  views.account_names(ui.store(), lang))
            files = {name: (folder / name).read_bytes()
                     for name in ("report.html", "report.xlsx", "report.docx")}
        st.session_state.report = (snap.seq, version, lang, report, files)
made = st.session_state.get("report")
if made:
    seq, version_used, made_lang, report, files = made
    if seq != snap.seq:
        st.info(ui.t(f"报告基于前 {seq} 条记录，之后又有新记录", f"The report covers the first "
                     f"{seq} entries; more have been logged since"))
    mimes = {"report.html": "text/html",
             "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "report.docx": "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document"}
    c = st.columns(3)
    labels = {"report.html": ui.t("下载网页版", "Download HTML"),
              "report.xlsx": ui.t("下载 Excel", "Download Excel"),
              "report.docx": ui.t("下载 Word", "Download Word")}
    for col, (name, data) in zip(c, files.items(), strict=True):
        col.download_button(labels[name], data, file_name=f"{snap.name}_{name}",
                            mime=mimes[name], key=f"rp_{name}")
    for part in report_parts(report, snap.scenario, made_lang,
                             views.account_names(ui.store(), made_lang)):
        if isinstance(part, str):
            st.html(part)
        else:
            ui.chart(part)
