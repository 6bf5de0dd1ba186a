"""Charts as one self-contained HTML page: plotly.js is written into the page, so it opens
on a machine with no network. Text in Chinese or English."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.i18n import pick
from planner.model import names
from planner.model import vocabulary as vocab
from planner.model.scenario import Scenario
from planner.model.times import short
from planner.rehearse.runs import SLOT

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"
RESOURCE_NAMES = {"jammer": ("信号干扰器", "jammers"),
                  "cabinet_unit": ("屏蔽柜（节）", "cabinet units"), "staff": ("人员", "people")}
FIGURE_NAMES = {"sessions": ("会议场次", "sessions"),
                "jammer_deployments": ("干扰器台次", "jammer deployments"),
                "cabinet_unit_deployments": ("屏蔽柜节次", "cabinet-unit deployments"),
                "patrols": ("巡查次数", "patrols"), "paper_tonnes": ("回收文件（吨）", "paper (t)"),
                "documents_found": ("发现遗失文件（件）", "documents found")}
AGAINST = {"figure": ("项目", "figure"), "published": ("公布数字", "published"),
           "mean": ("推演均值", "rehearsal mean"), "p5": ("5% 分位", "5th percentile"),
           "p95": ("95% 分位", "95th percentile"), "off": ("与公布数字相比", "against published")}


def styled(fig: go.Figure, lang: str | None = None) -> go.Figure:
    """A figure in the product's look, with fonts that draw Chinese; given ``lang``, its
    time axes read 11-26 09:00 in either language (plotly's own is "Nov 26, 2021")."""
    fig.update_layout(font_family=FONT, template="plotly_white")
    if lang is not None and _has_times(fig):
        fig.update_xaxes(tickformat="%m-%d %H:%M", hoverformat="%m-%d %H:%M")
    return fig


def _has_times(fig: go.Figure) -> bool:
    """Is the figure's x axis one of times (a timeline, or times along x)?"""
    if fig.layout.xaxis.type == "date":
        return True
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is not None and len(xs) and isinstance(xs[0], dt.datetime | pd.Timestamp):
            return True
    return False


def page(title: str, parts: list[str | go.Figure], lang: str = "zh") -> str:
    """An HTML page of paragraphs (strings, already HTML) and figures, plotly.js inline."""
    body, first = [], True
    for part in parts:
        if isinstance(part, go.Figure):
            body.append(styled(part).to_html(full_html=False, include_plotlyjs=first,
                                     config={"displaylogo": False}))
            first = False
        else:
            body.append(part)
    return (f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>body{{font-family:{FONT};margin:2em;max-width:1200px}}'
            'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}'
            f'</style></head><body><h1>{html.escape(title)}</h1>\n'
            + "\n".join(body) + "\n</body></html>\n")


def table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, na_rep="")


def rehearsal_html(scenario: Scenario, found: dict[str, pd.DataFrame], info: dict,
                   lang: str = "zh") -> str:
    return page(pick(lang, "保密服务保障推演结果", "Rehearsal results"),
                rehearsal_parts(scenario, found, info, lang), lang)


def rehearsal_parts(scenario: Scenario, found: dict[str, pd.DataFrame], info: dict,
                    lang: str = "zh") -> list[str | go.Figure]:
    """The rehearsal's paragraphs (HTML) and charts, in order."""
    n = info["runs"]
    en = lang == "en"
    parts: list[str | go.Figure] = [
        "<p>" + html.escape(pick(
            lang,
            f"{scenario.title}：推演 {n} 次（种子 {info['seed']}）。"
            f"{info['runs_with_shortfall']} 次出现至少一场会议保障不足"
            f"（{info['p_run_shortfall']:.1%}）；平均每次 {info['uncovered_mean']:.2f} 场，"
            f"即每场会议不足的机会 {info['session_short_share']:.2%}。",
            f"{scenario.title}: {n} runs (seed {info['seed']}). "
            f"{info['runs_with_shortfall']} runs had at least one session short "
            f"({info['p_run_shortfall']:.1%}); {info['uncovered_mean']:.2f} sessions per run "
            f"on average, a {info['session_short_share']:.2%} chance for a session.")) + "</p>"]
    lines = []
    for resource, a in info["sizing"].items():
        name = RESOURCE_NAMES[resource][1 if en else 0]
        if a["extra_for_under_1pct"] is None:
            lines.append(pick(lang, f"{name}：+10 以内无法使缺{name}的机会降到 1% 以下"
                                  f"（+0 时 {a['share_at_0']:.2%}）",
                            f"{name}: no reserve up to +10 brings the chance of a session "
                            f"short of {name} under 1% (at +0: {a['share_at_0']:.2%})"))
        elif a["extra_for_under_1pct"] == 0:
            sure = a["extra_for_under_1pct_95"]
            lines.append(pick(lang, f"{name}：缺{name}的机会已低于 1%（{a['share_at_0']:.2%}）"
                                  + ("" if sure is None else f"；有 95% 把握需 +{sure}"),
                            f"{name}: the chance of a session short of {name} is under 1% "
                            f"already ({a['share_at_0']:.2%})"
                            + ("" if sure is None else f"; with 95% confidence: +{sure}")))
        else:
            sure = a["extra_for_under_1pct_95"]
            lines.append(pick(lang, f"{name}：增加 {a['extra_for_under_1pct']} 即可使缺{name}的机会"
                                  f"从 {a['share_at_0']:.2%} 降到 {a['share_then']:.2%}"
                                  + ("" if sure is None
                                     else f"；有 95% 把握降到 1% 以下需 +{sure}"),
                            f"{name}: +{a['extra_for_under_1pct']} brings the chance of a "
                            f"session short of {name} from {a['share_at_0']:.2%} to "
                            f"{a['share_then']:.2%}"
                            + ("" if sure is None else
                               f"; under 1% with 95% confidence: +{sure}")))
    if lines:
        parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>")
    # the riskiest sessions
    top = found["sessions"].head(25)
    top = top[top.runs_short > 0]
    if not top.empty:
        fig = go.Figure(go.Bar(
            x=[names.session(scenario, sid, lang) for sid in top.session_id], y=top.p_short,
            error_y={"type": "data", "symmetric": False,
                     "array": top.ci_high - top.p_short, "arrayminus": top.p_short - top.ci_low},
            hovertext=[f"{short(str(r.start))} {names.room(scenario, r.room_id)} "
                       f"{vocab.LEVELS.get(r.level, (r.level, r.level))[en]}"
                       for r in top.itertuples()]))
        fig.update_layout(title=pick(lang, "最易保障不足的会议（不足概率，95% 区间）",
                                   "Sessions most at risk (chance of a shortfall, 95% interval)"),
                          yaxis_tickformat=".0%")
        parts.append(fig)
    # uncovered per run
    unc = found["uncovered"]
    fig = go.Figure(go.Bar(x=unc.uncovered, y=unc.runs))
    fig.update_layout(title=pick(lang, "每次推演保障不足的会议数", "Sessions short per run"),
                      xaxis_title=pick(lang, "场次", "sessions"),
                      yaxis_title=pick(lang, "推演次数", "runs"))
    parts.append(fig)
    # sizing
    sizing = found["sizing"]
    if len(sizing) and sizing.runs.iloc[0]:
        fig = go.Figure()
        for resource in sizing.resource.unique():
            rows = sizing[sizing.resource == resource]
            fig.add_trace(go.Scatter(x=rows.extra, y=rows.session_short_share,
                                     mode="lines+markers",
                                     name=RESOURCE_NAMES[resource][1 if en else 0]))
        fig.add_hline(y=0.01, line_dash="dash", annotation_text="1%")
        fig.update_layout(
            title=pick(lang, f"增加储备后会议不足的机会（{int(sizing.runs.iloc[0])} 次推演）",
                     f"Chance a session is short, with a reserve "
                     f"({int(sizing.runs.iloc[0])} runs)"),
            xaxis_title=pick(lang, "增加数量", "extra"), yaxis_tickformat=".1%")
        parts.append(fig)
    # peak use: one colour per venue, the 95th percentile as a line and the most as dots
    use = found["peak_use"]
    if len(use):
        kinds = list(dict.fromkeys(use.item_type))
        times = list(pd.date_range(use.time.min(), use.time.max(), freq=f"{SLOT}min")
                     .strftime("%Y-%m-%dT%H:%M"))  # every half hour, the idle ones too
        colours = px.colors.qualitative.Plotly
        fig = make_subplots(rows=len(kinds), cols=1, shared_xaxes=True,
                            subplot_titles=[RESOURCE_NAMES[k][1 if en else 0] for k in kinds])
        for row, kind in enumerate(kinds, start=1):
            for n, venue in enumerate(sorted(use.venue_id.unique())):
                part = (use[(use.item_type == kind) & (use.venue_id == venue)]
                        .set_index("time")[["p95", "max"]].reindex(times, fill_value=0))
                name = scenario.venues[venue].name if venue in scenario.venues else venue
                colour = colours[n % len(colours)]
                fig.add_trace(go.Scatter(x=times, y=part.p95, mode="lines", name=name,
                                         line={"color": colour, "shape": "hv"},
                                         legendgroup=venue, showlegend=row == 1),
                              row=row, col=1)
                fig.add_trace(go.Scatter(x=times, y=part["max"], mode="markers",
                                         marker={"color": colour, "size": 3},
                                         name=pick(lang, f"{name} 最多", f"{name} most"),
                                         legendgroup=venue,
                                         showlegend=False), row=row, col=1)
        fig.update_layout(title=pick(lang, "各驻地在用设备（半小时；线为 95% 分位，点为最多）",
                                   "Units in rooms per venue (half-hourly; line p95, dots most)"),
                          height=350 * len(kinds))
        parts.append(fig)
    # figures against published
    figs = found["figures"]
    fig = go.Figure(go.Bar(
        x=[FIGURE_NAMES.get(f, (f, f))[1 if en else 0] for f in figs.figure],
        y=[m / p if p else None for m, p in zip(figs["mean"], figs.published, strict=True)],
        error_y={"type": "data", "symmetric": False,
                 "array": [(h - m) / p if p else 0 for h, m, p in
                           zip(figs.p95, figs["mean"], figs.published, strict=True)],
                 "arrayminus": [(m - lo) / p if p else 0 for lo, m, p in
                                zip(figs.p5, figs["mean"], figs.published, strict=True)]}))
    fig.add_hline(y=1.0, line_dash="dash")
    fig.update_layout(title=pick(lang, "推演结果与公布数字之比（均值，5%–95%）",
                               "Rehearsal against the published figures (mean, 5–95%)"),
                      yaxis_tickformat=".0%")
    parts.append(fig)
    parts.append("<h2>" + pick(lang, "公布数字对照", "Against the published figures") + "</h2>"
                 + table_html(against_published(figs, lang)))
    return parts


def against_published(figs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The rehearsal's figures against the published ones as a reader reads them: each
    figure by name, the numbers as numbers, the difference in words (高 4.1%)."""
    def number(v) -> str:
        return "" if pd.isna(v) else f"{v:,.2f}".rstrip("0").rstrip(".")

    def off(v) -> str:
        if pd.isna(v):
            return ""
        if round(v, 3) == 0:
            return pick(lang, "持平", "level")
        return pick(lang, f"{'高' if v > 0 else '低'} {abs(v):.1%}",
                    f"{abs(v):.1%} {'above' if v > 0 else 'below'}")

    en = lang == "en"
    shown = pd.DataFrame({
        "figure": [FIGURE_NAMES.get(f, (f, f))[en] for f in figs.figure],
        **{c: [number(v) for v in figs[c]] for c in ("published", "mean", "p5", "p95")},
        "off": [off(v) for v in figs["off"]]})
    return shown.rename(columns={c: AGAINST[c][en] for c in shown.columns})
