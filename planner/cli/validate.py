"""What ``python -m planner validate`` tells a user before any solving.

Counts, the requirement totals the rules derive (against the published
figures when ``scenario.yaml`` gives them under ``published:``), and the peak
simultaneous demand for each kind of stock, overall and by venue, with the
times when demand exceeds the stock held.
"""

from __future__ import annotations

from collections import Counter

from planner.i18n import t
from planner.model import vocabulary as vocab
from planner.model.demand import peaks
from planner.model.requirements import bag_sets_for, derive
from planner.model.scenario import Scenario

TOTALS = ("sessions", "jammer_deployments", "cabinet_unit_deployments", "patrols", "sweeps",
          "cleanups", "bag_sets_to_groups")


def label(key: str, lang: str, **params: object) -> str:
    return t(f"sum_{key}", lang, **params)


def summarize(scenario: Scenario, lang: str = "en") -> dict:
    """Everything ``validate`` reports, as plain data (also printed with ``--json``)."""
    req = derive(scenario)
    sessions = scenario.sessions.values()
    counts = {"venues": len(scenario.venues), "rooms": len(scenario.rooms),
              "sessions": len(scenario.sessions), "days": len(scenario.days()),
              "staff": len(scenario.staff), "groups": len(scenario.groups)}
    stock: dict[str, int] = {}
    for kind in vocab.ITEM_TYPES:
        items = scenario.items_of(kind)
        stock[kind] = len(items)
        stock[f"{kind}_maint"] = sum(i.status != "ok" for i in items)
    totals = {
        "sessions": len(scenario.sessions),
        "jammer_deployments": sum(r.jammers for r in req.values()),
        "cabinet_unit_deployments": sum(r.cabinet_units for r in req.values()),
        "patrols": sum(r.patrols for r in req.values()),
        "sweeps": sum(r.sweep for r in req.values()),
        "cleanups": sum(r.cleanup for r in req.values()),
        "bag_sets_to_groups": sum(bag_sets_for(g, scenario.rules)
                                  for g in scenario.groups.values()),
    }
    return {
        "valid": True,
        "name": scenario.name, "title": scenario.title, "counts": counts, "stock": stock,
        "by_kind": dict(Counter(s.kind for s in sessions)),
        "by_level": dict(Counter(s.level for s in sessions)),
        "by_day": {d.isoformat(): n for d, n in sorted(Counter(s.start.date() for s in sessions)
                                                          .items())},
        "requirements": totals,
        "published": scenario.published,
        "peaks": [{"kind": p.kind, "venue_id": p.venue_id, "stock": p.stock,
                   "maintenance": p.maintenance, "peak": p.peak,
                   "peak_at": p.peak_at.isoformat(timespec="minutes") if p.peak_at else None,
                   "excess": [{"start": e.start.isoformat(timespec="minutes"),
                               "end": e.end.isoformat(timespec="minutes"), "peak": e.peak}
                              for e in p.excess]}
                  for p in peaks(scenario, req)],
        "bag_sets": bag_balance(scenario),
        "warnings": [w.text(lang) for w in scenario.warnings],
    }


def _span(start: str, end: str) -> str:
    """11-27 14:00–17:30, or with both dates when it runs past midnight."""
    tail = end[11:] if end[:10] == start[:10] else end[5:].replace("T", " ")
    return f"{start[5:].replace('T', ' ')}–{tail}"


def bag_balance(scenario: Scenario) -> dict:
    """Shred-bag sets the groups need against usable sets, overall and by venue."""
    by_venue: dict[str, list[int]] = {v: [0, 0] for v in scenario.venues}
    for g in scenario.groups.values():
        by_venue[g.venue_id][0] += bag_sets_for(g, scenario.rules)
    usable = [i for i in scenario.items_of("shred_bag_set") if i.status == "ok"]
    for i in usable:
        by_venue[i.venue_id][1] += 1
    return {"wanted": sum(w for w, _ in by_venue.values()), "usable": len(usable),
            "by_venue": {v: tuple(x) for v, x in by_venue.items()}}


def format_summary(scenario: Scenario, summary: dict, lang: str) -> str:
    """The summary as a user reads it on the terminal."""
    colon, comma = ("：", "，") if lang == "zh" else (": ", ", ")

    def names(vocabulary: dict, counts: dict) -> str:
        return comma.join(f"{vocab.display(vocabulary, k, lang)} {counts[k]}"
                          for k in vocabulary if k in counts)

    out = [label("title", lang, title=summary["title"], name=summary["name"]), "",
           label("counts", lang), "  " + label("count_line", lang, **summary["counts"]),
           "  " + label("stock_line", lang, **summary["stock"]),
           "  " + label("by_kind", lang) + colon + names(vocab.KINDS, summary["by_kind"]),
           "  " + label("by_level", lang) + colon + names(vocab.LEVELS, summary["by_level"]),
           "  " + label("by_day", lang) + colon
           + comma.join(f"{d[5:]} {n}" for d, n in summary["by_day"].items()),
           "", label("requirements", lang)]
    published = summary["published"]
    for key in TOTALS:
        value = summary["requirements"][key]
        line = f"  {label(key, lang)}{colon}{value}"
        if key in published:
            ref = published[key]
            line += f"   ({label('published', lang)} {ref}, {100 * (value - ref) / ref:+.1f}%)"
        out.append(line)
    out += ["", label("peaks", lang)]
    for p in summary["peaks"]:
        where = label("overall", lang) if p["venue_id"] is None else (
            f"{p['venue_id']} {scenario.venues[p['venue_id']].name}")
        kind = vocab.display(vocab.ITEM_TYPES, p["kind"], lang)
        at = (p["peak_at"] or "-").replace("T", " ")
        out.append("  " + label("peak_line", lang, kind=kind, where=where, peak=p["peak"], at=at,
                                stock=p["stock"]))
        if p["excess"]:
            spans = comma.join(f"{_span(e['start'], e['end'])} ({e['peak']})"
                               for e in p["excess"])
            out.append("  " + label("excess", lang, spans=spans))
            out.append("  " + label("excess_overall" if p["venue_id"] is None else "excess_venue",
                                    lang))
    bags = summary["bag_sets"]
    out.append("  " + label("bags_line", lang, wanted=bags["wanted"], usable=bags["usable"]))
    for v, (wanted, held) in bags["by_venue"].items():
        if wanted > held:
            out.append("    " + label("bags_venue", lang, venue=v, wanted=wanted, held=held))
    if bags["wanted"] > bags["usable"]:
        out.append("  " + label("bags_short", lang, n=bags["wanted"] - bags["usable"]))
    if scenario.warnings:
        out += ["", label("warnings", lang)]
        out += [f"  - {w.text(lang)}" for w in scenario.warnings]
    return "\n".join(out)
