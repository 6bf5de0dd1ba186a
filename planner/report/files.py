"""The post-event report as files: a self-contained HTML page with charts (plotly.js
inside, for a machine with no network), an Excel workbook with one sheet per table, and
a Word document in the bureau's fonts (仿宋 body, 黑体 headings, 宋体 tables), plus
``figures.json`` for scripts. Written whole or not at all."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.styles import Alignment
from plotly.subplots import make_subplots

from planner.i18n import pick
from planner.io.plan_files import atomic_folder
from planner.io.sheets import safe_frame
from planner.model import names
from planner.model import vocabulary as vocab
from planner.model.scenario import Scenario
from planner.model.times import short
from planner.report.charts import page, table_html
from planner.report.statistics import FIGURES, PLANNED, WHAT, Report

MARKER = "report.html"
# table key -> (zh title, en title); the order of the workbook's sheets
TITLES = {
    "figures": ("主要数字", "Figures"),
    "by_day_venue": ("分日分驻地", "By day and venue"),
    "sessions": ("会议明细", "Sessions"),
    "gaps": ("计划与实际", "Plan against actual"),
    "paper": ("文件回收", "Paper recovered"),
    "documents": ("遗失文件", "Lost documents"),
    "documents_by_room": ("遗失文件按会场", "Lost documents by room"),
    "destroyed": ("监督销毁", "Destruction"),
    "faults": ("设备故障", "Equipment faults"),
    "staff": ("人员工作量", "Work by person"),
    "incidents": ("情况记录", "Incidents"),
    "voided": ("作废记录", "Voided entries"),
    "checkpoints": ("日志检查点", "Log checkpoints"),
}
COLUMNS = {
    "figure": ("项目", "figure"), "name": ("名称", "name"), "actual": ("实际", "actual"),
    "planned": ("计划", "planned"), "day": ("日期", "day"), "venue_id": ("驻地编号", "venue id"),
    "venue": ("驻地", "venue"), "room_id": ("会场编号", "room id"), "room": ("会场", "room"),
    "session_id": ("会议编号", "session"), "session": ("会议", "session"),
    "kind": ("类型", "kind"), "level": ("密级", "level"),
    "attendees": ("人数", "attendees"), "start": ("开始", "start"), "end": ("结束", "end"),
    "status": ("状态", "status"), "adhoc": ("临时会议", "ad hoc"), "served": ("已保障", "served"),
    "sessions_held": ("举行场次", "sessions held"),
    "sessions_served": ("保障场次", "sessions served"),
    "jammer_deployments": ("干扰器台次", "jammer deployments"),
    "cabinet_unit_deployments": ("屏蔽柜节次", "cabinet-unit deployments"),
    "patrols": ("巡查次数", "patrols"), "sweeps": ("会前检测场次", "sweeps"),
    "cleanups": ("休会清理场次", "clean-ups"), "paper_kg": ("回收文件（千克）", "paper (kg)"),
    "documents_found": ("发现遗失文件（件）", "documents found"),
    "jammers_planned": ("干扰器（计划）", "jammers planned"),
    "jammers_done": ("干扰器（实际）", "jammers set up"),
    "cabinet_units_planned": ("屏蔽柜节（计划）", "cabinet units planned"),
    "cabinet_units_done": ("屏蔽柜节（实际）", "cabinet units set up"),
    "patrols_planned": ("巡查（计划）", "patrols planned"),
    "patrols_done": ("巡查（实际）", "patrols done"),
    "sweep_planned": ("会前检测（计划）", "sweep planned"),
    "sweep_done": ("会前检测（实际）", "sweep done"),
    "cleanup_planned": ("休会清理（计划）", "clean-up planned"),
    "cleanup_done": ("休会清理（实际）", "clean-up done"),
    "plan_shortfall": ("方案缺口", "gap in the plan"), "what": ("项目", "what"),
    "done": ("实际", "done"), "missing": ("未完成", "missing"), "reason": ("原因", "reason"),
    "at": ("时间", "time"), "bag_set_id": ("销毁袋", "bag set"), "kg": ("千克", "kg"),
    "who": ("记录人", "logged by"), "note": ("说明", "note"),
    "top_secret": ("绝密", "top secret"), "secret": ("机密", "secret"),
    "confidential": ("秘密", "confidential"), "internal": ("内部", "internal"),
    "total": ("合计", "total"), "witnesses": ("见证人编号", "witnesses"),
    "witness_names": ("见证人", "witness names"), "item_id": ("设备编号", "unit"),
    "item_type": ("设备类型", "type"), "failed_at": ("故障时间", "failed at"),
    "restored_at": ("恢复时间", "restored at"), "hours_out": ("停用（小时）", "hours out"),
    "planned_sessions": ("原计划服务的会议", "sessions it was planned for"),
    "still_short": ("仍缺设备的会议", "sessions still short"),
    "staff_id": ("人员编号", "staff id"), "role": ("岗位", "role"),
    "units_set_up": ("布设设备（台次）", "units set up"), "type": ("事件", "event"),
    "detail": ("情况", "detail"),
    "seq": ("条目", "entry"), "voided_by": ("作废人", "voided by"),
    "voided_at": ("作废时间", "voided at"), "size": ("条数", "entries"),
    "hash": ("哈希", "hash"), "key": ("签名密钥", "signing key"),
    "checkpoint": ("检查点", "checkpoint"),
}
STATUS = {"held": ("举行", "held"), "cancelled": ("取消", "cancelled"),
          "unknown": ("不在场景中", "not in the scenario")}
VALUES = {"kind": vocab.KINDS, "level": vocab.LEVELS, "item_type": vocab.ITEM_TYPES,
          "role": vocab.ROLES, "type": vocab.EVENT_TYPES}
TEXT_EN = ("reason", "detail", "plan_shortfall", "name")  # columns with an _en twin
BODY, HEADING, TABLE, LATIN = "仿宋", "黑体", "宋体", "Times New Roman"



TIMES = ("at", "start", "end", "failed_at", "restored_at", "voided_at")  # 2021-11-27T09:10


def named(key: str, frame: pd.DataFrame, scenario: Scenario, lang: str,
          who: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Names where codes were (:mod:`planner.model.names`): rooms and venues by name,
    sessions and people by name with their id, days and times in the short form the
    pages use (11月27日, 11-27 09:10), writers by ``who`` (user name -> name, if known)."""
    out = frame.copy()
    for column in TIMES:
        if column in out:
            out[column] = [short(v) if isinstance(v, str) else v
                           for v in out[column]]
    if "day" in out:
        out["day"] = [_day(d, lang) if d else d for d in out["day"]]
    if key == "staff":
        out["name"] = [names.person(scenario, p) for p in out.staff_id]
        out = out.drop(columns=["staff_id"])
    if "session_id" in out:
        out["session_id"] = [names.session(scenario, s, lang) for s in out.session_id]
        out = out.drop(columns=["name"] if key == "sessions" else []).rename(
            columns={"session_id": "session"})
    for code, name, of in (("venue_id", "venue", names.venue), ("room_id", "room", names.room)):
        if code in out:
            if name not in out:  # in the code's place
                out.insert(out.columns.get_loc(code), name,
                           [of(scenario, v) if v else v for v in out[code]])
            out = out.drop(columns=[code])
    for column in ("planned_sessions", "still_short"):
        if column in out:
            out[column] = ["、".join(names.session(scenario, s, lang) for s in str(v).split())
                           for v in out[column]]
    if "witness_names" in out:
        out = out.drop(columns=["witnesses"], errors="ignore")
    for column in ("who", "voided_by"):
        if column in out and who:
            out[column] = [who.get(v, v) for v in out[column]]
    return out


def display(key: str, frame: pd.DataFrame, lang: str, scenario: Scenario | None = None,
            who: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A table as a reader sees it: words in their language, names for codes (given the
    ``scenario``: :func:`named`), headers named, a total."""
    en = lang == "en"
    out = frame.copy() if scenario is None else named(key, frame, scenario, lang, who)
    for column in TEXT_EN:
        if f"{column}_en" in out:
            if en:
                out[column] = out[f"{column}_en"]
            out = out.drop(columns=[f"{column}_en"])
    for column, words in VALUES.items():
        if column in out:
            out[column] = [vocab.display(words, v, lang) if v in words else v for v in out[column]]
    if "status" in out:
        out["status"] = [STATUS[v][en] for v in out.status]
    if "what" in out:
        out["what"] = [WHAT[v][en] for v in out.what]
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = [pick(lang, "是", "yes") if v else pick(lang, "否", "no")
                           for v in out[column]]
    if key == "figures":
        out = out.drop(columns=["figure"])
        out["actual"] = [cell_text(v) for v in out.actual]
        out["planned"] = [cell_text(v) for v in out.planned]
    if key in ("by_day_venue", "documents_by_room", "staff") and len(out):
        numbers = out.select_dtypes("number").columns
        total = {c: out[c].sum() for c in numbers}
        total[out.columns[0]] = pick(lang, "合计", "total")
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
        if "paper_kg" in out:
            out["paper_kg"] = out.paper_kg.round(1)
    return out.rename(columns={c: COLUMNS[c][en] for c in out.columns if c in COLUMNS})


def write_report(out: str | Path, report: Report, scenario: Scenario, lang: str = "zh",
                 who: Mapping[str, str] | None = None) -> Path:
    """The report folder: report.html, report.xlsx, report.docx and figures.json."""
    with atomic_folder(out, "report") as tmp:
        (tmp / "figures.json").write_text(json.dumps(
            {"title": report.title, "first_day": report.first_day,
             "last_day": report.last_day, "actual": report.figures,
             "planned": report.planned, "summary": report.text},
            ensure_ascii=False, indent=2), encoding="utf-8")
        _xlsx(tmp / "report.xlsx", report, scenario, lang, who)
        _docx(tmp / "report.docx", report, scenario, lang, who)
        (tmp / MARKER).write_text(report_html(report, scenario, lang, who), encoding="utf-8")
    return Path(out)


def _title(lang: str) -> str:
    return pick(lang, "保密服务保障工作统计报告", "Secrecy support: the post-event report")


def _period(report: Report, lang: str) -> str:
    return pick(lang, f"{report.title}（{report.first_day} 至 {report.last_day}）",
              f"{report.title} ({report.first_day} to {report.last_day})")


def _paragraphs(report: Report, lang: str) -> list[str]:
    """The summary in the reader's language (figures.json keeps both), then the log's
    checkpoints."""
    return [report.text[lang], *report.checkpoint_lines(lang)]


# -- HTML ---------------------------------------------------------------------------------------
HTML_TABLES = ("figures", "by_day_venue", "gaps", "documents", "documents_by_room",
               "destroyed", "faults", "staff", "incidents", "voided")


def report_html(report: Report, scenario: Scenario, lang: str = "zh",
                who: Mapping[str, str] | None = None) -> str:
    return page(_title(lang), report_parts(report, scenario, lang, who), lang)


def report_parts(report: Report, scenario: Scenario, lang: str = "zh",
                 who: Mapping[str, str] | None = None) -> list[str | go.Figure]:
    """The report's paragraphs and tables (HTML) and charts, in order; ``who``: the
    writers' names by user name."""
    parts: list[str | go.Figure] = [f"<p><b>{html.escape(_period(report, lang))}</b></p>"]
    parts += [f"<p>{html.escape(p)}</p>" for p in _paragraphs(report, lang)]
    parts += charts(report, scenario, lang)
    for key in HTML_TABLES:
        frame = report.tables[key]
        parts.append(f"<h2>{html.escape(TITLES[key][lang == 'en'])}</h2>")
        parts.append(table_html(display(key, frame, lang, report.live or scenario, who))
                     if len(frame) else f"<p>{pick(lang, '无', 'none')}</p>")
    parts.append("<p>" + pick(lang, "逐场会议和每次称重的明细见 report.xlsx。",
                            "Every session and every weighing is listed in report.xlsx.")
                 + "</p>")
    return parts


def _day(day: str, lang: str) -> str:
    d = pd.Timestamp(day)
    return f"{d:%d %b}" if lang == "en" else f"{d.month}月{d.day}日"


def charts(report: Report, scenario: Scenario, lang: str) -> list[go.Figure]:
    en = lang == "en"
    venues = {v: venue.name for v, venue in scenario.venues.items()}
    colours = dict(zip(sorted(venues), px.colors.qualitative.Plotly, strict=False))
    table = report.tables["by_day_venue"].copy()
    table["day"] = [_day(d, lang) for d in table.day]  # in order: the table is sorted by day
    figures: list[go.Figure] = []
    # the work of each day
    work = ["jammer_deployments", "cabinet_unit_deployments", "patrols", "sweeps", "cleanups"]
    daily = table.groupby("day", sort=False)[work].sum()
    fig = go.Figure([go.Bar(x=daily.index, y=daily[c], name=COLUMNS[c][en])
                     for c in daily.columns])
    fig.update_layout(title=pick(lang, "每日保障工作量", "Work by day"), barmode="group")
    figures.append(fig)
    # sessions served and paper, per venue per day; paper also cumulative
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        pick(lang, "各驻地保障会议（场次）", "Sessions served by venue"),
        pick(lang, "回收文件资料（千克）与累计（吨）", "Paper recovered (kg) and cumulative (t)")),
        specs=[[{}, {"secondary_y": True}]])
    for venue in sorted(table.venue_id.unique()):
        rows = table[table.venue_id == venue]
        name = venues.get(venue, venue)
        fig.add_trace(go.Bar(x=rows.day, y=rows.sessions_served, name=name, legendgroup=venue,
                             marker_color=colours.get(venue)), row=1, col=1)
        fig.add_trace(go.Bar(x=rows.day, y=rows.paper_kg, name=name, legendgroup=venue,
                             marker_color=colours.get(venue), showlegend=False), row=1, col=2)
    kg = table.groupby("day", sort=False).paper_kg.sum().cumsum() / 1000
    fig.add_trace(go.Scatter(x=kg.index, y=kg.values, mode="lines+markers",
                             name=pick(lang, "累计（吨）", "cumulative (t)"),
                             line={"color": "black"}), row=1, col=2, secondary_y=True)
    fig.update_layout(barmode="stack", title=pick(lang, "分日分驻地", "By day and venue"))
    fig.update_yaxes(rangemode="tozero", tickformat=".1f", showgrid=False, row=1, col=2,
                     secondary_y=True)
    figures.append(fig)
    # lost documents by level and venue
    docs = report.tables["documents"]
    if len(docs):
        fig = go.Figure()
        for venue in sorted(docs.venue_id.unique()):
            counts = (docs[docs.venue_id == venue].level.value_counts()
                      .reindex(vocab.LEVEL_ORDER, fill_value=0))
            fig.add_trace(go.Bar(x=[vocab.display(vocab.LEVELS, v, lang) for v in counts.index],
                                 y=counts.values, name=venues.get(venue, venue),
                                 marker_color=colours.get(venue)))
        fig.update_layout(title=pick(lang, "发现遗失文件（按密级、驻地）",
                                   "Lost documents found, by level and venue"),
                          barmode="stack")
        figures.append(fig)
    # plan against actual
    names = [FIGURES[k][en] for k in PLANNED]
    fig = go.Figure([
        go.Bar(x=names, y=[report.planned[k] for k in PLANNED], name=pick(lang, "计划", "planned")),
        go.Bar(x=names, y=[report.figures[k] for k in PLANNED], name=pick(lang, "实际", "actual"))])
    fig.update_layout(title=pick(lang, "计划与实际", "Plan against actual"), barmode="group")
    figures.append(fig)
    return figures


# -- Excel --------------------------------------------------------------------------------------
def _xlsx(path: Path, report: Report, scenario: Scenario, lang: str,
          who: Mapping[str, str] | None) -> None:
    en = lang == "en"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        head = pd.DataFrame({pick(lang, "内容", "text"): [_title(lang), _period(report, lang),
                                                        *_paragraphs(report, lang)]})
        safe_frame(head).to_excel(writer, sheet_name=pick(lang, "摘要", "Summary"), index=False)
        sheet = writer.sheets[pick(lang, "摘要", "Summary")]
        sheet.column_dimensions["A"].width = 120
        for row in sheet.iter_rows(min_row=2):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
        for key, (zh, english) in TITLES.items():
            name = english if en else zh
            frame = display(key, report.tables[key], lang, report.live or scenario, who)
            safe_frame(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(60, 4 + 1.6 * width)


# -- Word ---------------------------------------------------------------------------------------
def _font(element, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's fonts: Chinese in ``east_asia``, Latin in Times New Roman."""
    element.font.name = LATIN
    if size is not None:
        element.font.size = Pt(size)
    if bold is not None:
        element.font.bold = bold
    fonts = element.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asia)


DOCX_TABLES = ("figures", "by_day_venue", "documents_by_room", "destroyed", "faults", "gaps",
               "staff", "voided")
DOCX_ROWS = 60  # rows per table in Word; the workbook has them all


def _docx(path: Path, report: Report, scenario: Scenario, lang: str,
          who: Mapping[str, str] | None) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    _font(doc.styles["Normal"], BODY, 14)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        _font(style, HEADING, 16 if level == 1 else 14, bold=False)
        style.font.color.rgb = None
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(_title(lang)), HEADING, 22)
    period = doc.add_paragraph(_period(report, lang))
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading(pick(lang, "一、总体情况", "1. Summary"), level=1)
    for text in _paragraphs(report, lang):
        p = doc.add_paragraph(text)
        p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.5
    for n, key in enumerate(DOCX_TABLES, start=2):
        frame = display(key, report.tables[key], lang, report.live or scenario, who)
        number = pick(lang, "二三四五六七八九十"[n - 2] + "、", f"{n}. ")
        doc.add_heading(number + TITLES[key][lang == "en"], level=1)
        if frame.empty:
            doc.add_paragraph(pick(lang, "无。", "None."))
            continue
        shown = frame.head(DOCX_ROWS)
        table = doc.add_table(rows=1, cols=len(shown.columns))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, shown.columns, strict=True):
            _cell(cell, str(name), bold=True)
        for values in shown.itertuples(index=False):
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                _cell(cell, cell_text(value))
        if len(frame) > DOCX_ROWS:
            doc.add_paragraph(pick(lang, f"（共 {len(frame)} 行，其余见 report.xlsx）",
                                 f"({len(frame)} rows; the rest are in report.xlsx)"))
    doc.core_properties.title = _title(lang)
    doc.core_properties.language = "en-GB" if lang == "en" else "zh-CN"
    doc.save(str(path))  # python-docx documents a str path or a stream


def cell_text(value) -> str:
    """A number as a reader expects it: 1,234 or 5,171.2; nothing for no value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _cell(cell, text: str, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    _font(run, TABLE, 9, bold=bold)
