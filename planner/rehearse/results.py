"""What a rehearsal's runs say: the tables (CSV) and the charts (one HTML file that works
offline, plotly.js inside), in Chinese or English.

- ``sessions.csv``: each session of the agenda, how often it fell short and of what;
- ``uncovered.csv``: how many sessions fell short in a run, and in how many runs;
- ``peak_use.csv``: jammers and cabinet units in rooms per venue and half hour (mean,
  95th percentile, most);
- ``sizing.csv``: the share of sessions covered, and short of jammers, cabinet units or
  people's work, with a reserve of +0, +1, +2, +3, +5, +10 of that resource;
- ``figures.csv``: a run's totals against the figures the scenario publishes;
- ``runs.csv``: every run's totals and disruptions; ``summary.json``: the answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io.plan_files import atomic_folder, write_plan
from planner.io.sheets import plain_frame, safe_frame
from planner.model.demand import STOCK_KINDS
from planner.model.scenario import Scenario
from planner.model.tasks import epoch
from planner.rehearse.runs import EXTRAS, RESOURCES, SLOT, RunResult
from planner.report.charts import rehearsal_html

TARGET = 0.01  # the chance of a shortfall the sizing answer aims under
FIGURES = (("sessions", "sessions", 1), ("jammer_deployments", "jammer_deployments", 1),
           ("cabinet_unit_deployments", "cabinet_unit_deployments", 1),
           ("patrols", "patrols", 1), ("paper_kg", "paper_tonnes", 1000),
           ("documents", "documents_found", 1))


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson interval of a share k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def tables(scenario: Scenario, results: list[RunResult]) -> dict[str, pd.DataFrame]:
    n = len(results)
    out: dict[str, pd.DataFrame] = {}
    # each session of the agenda
    rows = []
    for sid, s in scenario.sessions.items():
        lacks = [r.short.get(sid) for r in results]
        k = sum(x is not None for x in lacks)
        lo, hi = wilson(k, n)
        rows.append({"session_id": sid, "name": s.name, "venue_id": scenario.venue_of(s.room_id),
                     "room_id": s.room_id, "start": s.start.strftime("%Y-%m-%dT%H:%M"),
                     "end": s.end.strftime("%Y-%m-%dT%H:%M"), "kind": s.kind, "level": s.level,
                     "runs": n, "runs_short": k, "p_short": round(k / n, 4) if n else 0.0,
                     "ci_low": round(lo, 4), "ci_high": round(hi, 4),
                     **{f"short_{r}": sum(x is not None and r in x for x in lacks)
                        for r in RESOURCES}})
    out["sessions"] = pd.DataFrame(rows).sort_values(
        ["p_short", "start", "session_id"], ascending=[False, True, True], kind="stable")
    # runs
    out["runs"] = pd.DataFrame([{"run": r.run, **r.counts, "uncovered": len(r.short),
                                 **{f"events_{k}": v for k, v in sorted(r.events.items())}}
                                for r in results]).fillna(0)
    # how many sessions short per run
    counts = pd.Series([len(r.short) for r in results]).value_counts().sort_index()
    out["uncovered"] = pd.DataFrame({"uncovered": counts.index, "runs": counts.values,
                                     "share": (counts.values / n).round(4),
                                     "cumulative_share": (counts.values.cumsum() / n).round(4)})
    out["peak_use"] = peak_use(scenario, results)
    out["sizing"] = sizing_table(results)
    # a run's totals against the published figures
    rows = []
    for key, published_key, scale in FIGURES:
        values = np.array([r.counts[key] for r in results], dtype=float) / scale
        published = scenario.published.get(published_key)
        rows.append({"figure": published_key, "published": published,
                     "mean": round(float(values.mean()), 3),
                     "p5": round(float(np.percentile(values, 5)), 3),
                     "p95": round(float(np.percentile(values, 95)), 3),
                     "off": (round(float(values.mean()) / published - 1, 4)
                             if published else None)})
    out["figures"] = pd.DataFrame(rows)
    return out


def peak_use(scenario: Scenario, results: list[RunResult]) -> pd.DataFrame:
    venues = sorted(scenario.venues)
    slots = max(r.use.shape[2] for r in results)
    stack = np.zeros((len(results), len(STOCK_KINDS), len(venues), slots), dtype=np.int32)
    for n, r in enumerate(results):
        stack[n, :, :, :r.use.shape[2]] = r.use
    origin = epoch(scenario)
    rows = []
    for k, kind in enumerate(STOCK_KINDS):
        for v, venue in enumerate(venues):
            series = stack[:, k, v, :]
            for slot in range(slots):
                col = series[:, slot]
                if not col.any():
                    continue
                rows.append({"item_type": kind, "venue_id": venue,
                             "time": (origin + dt.timedelta(minutes=slot * SLOT)).strftime(
                                 "%Y-%m-%dT%H:%M"),
                             "mean": round(float(col.mean()), 2),
                             "p95": float(np.percentile(col, 95, method="lower")),
                             "max": int(col.max())})
    return pd.DataFrame(rows, columns=["item_type", "venue_id", "time", "mean", "p95", "max"])


def sizing_table(results: list[RunResult]) -> pd.DataFrame:
    sized = [r for r in results if r.sizing is not None]
    rows = []
    for resource in RESOURCES:
        for k in (0, *EXTRAS):
            short = runs_short = runs_any = 0
            sessions: float = 0  # RunResult.counts are floats
            for r in sized:
                if k == 0:
                    mine = sum(resource in x for x in r.short.values())
                    anything = len(r.short)
                else:
                    assert r.sizing is not None  # ``sized``: only runs that have one
                    mine, anything = r.sizing[resource, k]
                short += mine
                sessions += r.counts["sessions"]
                runs_short += mine > 0
                runs_any += anything > 0
            lo, hi = wilson(short, sessions)
            rows.append({"resource": resource, "extra": k, "runs": len(sized),
                         "session_covered_share": round(1 - short / sessions, 5)
                         if sessions else None,
                         "session_short_share": round(short / sessions, 5) if sessions else None,
                         "ci_low": round(lo, 5), "ci_high": round(hi, 5),
                         "runs_short_share": round(runs_short / len(sized), 4) if sized else None,
                         "runs_any_short_share": round(runs_any / len(sized), 4)
                         if sized else None})
    return pd.DataFrame(rows)


def answers(sizing: pd.DataFrame) -> dict[str, dict]:
    """Per resource: the smallest reserve that brings the chance that a session is short of
    it under TARGET (None: not within +10), with the share at +0 and at that reserve, and
    the smallest that does so with 95% confidence (the interval's top under TARGET)."""
    out = {}
    for resource in RESOURCES:
        rows = sizing[sizing.resource == resource].sort_values("extra")
        if rows.empty or rows.runs.iloc[0] == 0:
            continue
        base = float(rows.session_short_share.iloc[0])
        under = rows[rows.session_short_share < TARGET]
        sure = rows[rows.ci_high < TARGET]  # under 1% even at the top of its 95% interval
        out[resource] = {"share_at_0": base,
                         "extra_for_under_1pct": None if under.empty else int(under.extra.iloc[0]),
                         "share_then": None if under.empty
                         else float(under.session_short_share.iloc[0]),
                         "extra_for_under_1pct_95": None if sure.empty
                         else int(sure.extra.iloc[0])}
    return out


def summary(scenario: Scenario, results: list[RunResult], found: dict[str, pd.DataFrame],
            seed: int) -> dict:
    n = len(results)
    sessions = found["sessions"]
    at_risk = sessions[sessions.p_short >= 0.05]
    adhoc = sum(r.counts["adhoc_drawn"] for r in results)
    short_runs = sum(bool(r.short) for r in results)
    return {
        "scenario": scenario.name, "runs": n, "seed": seed,
        "sizing_runs": int(found["sizing"].runs.iloc[0]) if len(found["sizing"]) else 0,
        "runs_with_shortfall": short_runs,
        "p_run_shortfall": round(short_runs / n, 4),
        "uncovered_mean": round(float(np.mean([len(r.short) for r in results])), 3),
        "session_short_share": round(sum(len(r.short) for r in results)
                                     / sum(r.counts["sessions"] for r in results), 5),
        "sessions_at_risk": len(at_risk),
        "riskiest": at_risk.head(10)[["session_id", "name", "start", "p_short"]].to_dict(
            "records"),
        "adhoc_drawn": adhoc,
        "adhoc_short_share": round(sum(r.counts["adhoc_short"] for r in results) / adhoc, 4)
        if adhoc else None,
        "figures": found["figures"].to_dict("records"),
        "sizing": answers(found["sizing"]),
        "disruptions": dataclasses.asdict(scenario.disruptions),
    }


def write_rehearsal(out: str | Path, scenario: Scenario, results: list[RunResult], seed: int,
                    base_plan, lang: str = "zh") -> tuple[Path, dict]:
    """The rehearsal folder, written whole or not at all (a temporary folder renamed into
    place). An earlier rehearsal folder there is replaced; any other non-empty folder is
    refused."""
    found = tables(scenario, results)
    info = summary(scenario, results, found, seed)
    with atomic_folder(out, "rehearsal") as tmp:
        for name, frame in found.items():
            safe_frame(frame).to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
        (tmp / "summary.json").write_text(json.dumps(info, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        write_plan(base_plan, tmp / "base_plan")
        for r in results:
            if r.log is not None:
                folder = tmp / "runs" / f"run_{r.run:04d}"
                folder.mkdir(parents=True)
                with open(folder / "events.jsonl", "w", encoding="utf-8") as f:
                    for e in r.log:
                        f.write(json.dumps(e, ensure_ascii=False) + "\n")
                assert r.plan is not None  # a run's plan is kept with its log
                write_plan(r.plan, folder / "plan")
        (tmp / "rehearsal.html").write_text(rehearsal_html(scenario, found, info, lang),
                                            encoding="utf-8")
    return Path(out), info


def read_rehearsal(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """A rehearsal folder's tables and summary, read back (the dashboard shows them)."""
    folder = Path(folder)
    info = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    found = {f.stem: plain_frame(pd.read_csv(f, encoding="utf-8-sig"))
             for f in sorted(folder.glob("*.csv"))}
    return found, info
