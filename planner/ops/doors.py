"""A QR code on every door: a printable A4 sheet per venue, one code per room, whose
address opens that room's orders for whoever is signed in on the phone that scans it.

The address is the dashboard's own on the bureau's network, from configuration:
``PLANNER_PUBLIC_URL`` (for example ``http://10.1.2.3:8501``), else the local one.
"""

from __future__ import annotations

import html
import os
from urllib.parse import quote

import segno

from planner.i18n import pick
from planner.model.scenario import Scenario

LOCAL = "http://localhost:8501"
PAGE = "mine"  # the dashboard page a code opens (my orders, filtered to the room)


def public_url() -> str:
    return os.environ.get("PLANNER_PUBLIC_URL", "").strip() or LOCAL


def room_address(room_id: str, base: str | None = None) -> str:
    """The address a room's code carries: my orders, in that room."""
    return f"{(base or public_url()).rstrip('/')}/{PAGE}?room={quote(room_id, safe='')}"


def door_sheet(scenario: Scenario, venue_id: str, lang: str = "zh",
               base: str | None = None) -> str:
    """One venue's rooms, each a card with its name, its code and the address in words,
    laid out to print on A4 (three cards a row, none split across pages)."""
    venue = scenario.venues[venue_id]
    rooms = sorted((r for r in scenario.rooms.values() if r.venue_id == venue_id),
                   key=lambda r: r.room_id)
    title = pick(lang, f"{venue.name} · 会场二维码（扫码查看本会场任务）",
                 f"{venue.name} · room codes (scan for this room's orders)")
    cards = []
    for room in rooms:
        address = room_address(room.room_id, base)
        code = segno.make(address, error="m").svg_inline(scale=4, border=2)
        cards.append(f'<div class="card"><div class="name">{html.escape(room.name)}</div>'
                     f'{code}<div class="small">{html.escape(room.room_id)} · '
                     f'{html.escape(address)}</div></div>')
    lang_attr = "en" if lang == "en" else "zh-CN"
    return (f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>"
            "@page{size:A4;margin:12mm}"
            'body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0}'
            "h1{font-size:16pt}.grid{display:flex;flex-wrap:wrap;gap:6mm}"
            ".card{width:56mm;border:1px solid #999;padding:3mm;text-align:center;"
            "break-inside:avoid;page-break-inside:avoid}"
            ".name{font-size:14pt;font-weight:bold}.small{font-size:7pt;word-break:break-all}"
            f"</style></head><body><h1>{html.escape(title)}</h1>"
            f'<div class="grid">{"".join(cards)}</div></body></html>\n')
