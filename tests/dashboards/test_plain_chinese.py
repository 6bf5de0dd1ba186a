"""Plain Chinese on every page (issue 16, point 5): a commander, and a field person on
their phone, walk every page in Chinese at a moment of the congress when sessions are in
progress, with a log of many kinds of events, a re-plan previewed, a rehearsal run and
the report made. Every text a user sees is read (titles, headings, markdown, captions,
alerts, metrics, the labels and shown options of every widget, expanders, tables'
columns and cells, HTML, and the charts' titles, axes, legends, trace names, texts,
hovers and category labels) and any Latin word in it that is not a code of
:data:`ALLOWED` fails the test, with the page, where, and the text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from planner.ops import accounts
from planner.ops import congress as ops
from tests.dashboards import test_dashboard as dashboard
from tests.dashboards.test_dashboard import PASSWORD, people, signed_in

env = dashboard.env  # the fixture: a store holding the reference congress, planned

NAME = "provincial_congress"
CLOCK = dt.datetime(2021, 11, 27, 10, 0)  # the opening plenary (09:00–11:30) is on
PAGES = ("overview", "coverage", "equipment", "staff", "live_log", "tonnage", "rehearsal",
         "report", "admin")

# The codes a Chinese page may show, and only these. Each is a code the user reads or
# types as it is, with no Chinese name to show instead:
ALLOWED = {
    "English",  # the language switch, in the language it switches to
    "N-1",  # the planners' term for a spare within reach of every unit (the overview)
    "Excel", "Word",  # the report's files, named by the programs that open them
    "A4",  # the paper the rooms' QR sheets are printed on
    "PLANNER_PUBLIC_URL",  # the server setting a commander asks for (the QR codes' address)
    "test",  # the fixtures' writer, no account (the real first start's is 系统)
}
CODES = re.compile(r"[JCB]\d{3}")  # a jammer, cabinet unit, bag set: the label on it is its name
# The ids of sessions and staff, and user names, only in full-width brackets right after
# the name they belong to (王建国（P001）, 开幕大会（S0020）, 王指挥（chief）): session names
# repeat (监票人会议 19 times), people's may, and the ids are what order sheets, event
# files and the sign-in carry. Rooms, depots, venues and groups are named by their names
# alone (no code anywhere), and so is a congress (by its title).
USERNAMES = ("chief", "op1", "view1", "tech1")
BRACKETED = re.compile(r"(?<=\S)（(?:S\d{4}|AH\d{6,}|P\d{3}|" + "|".join(USERNAMES)
                       + r")(?=[，）])")
# a user name in the column of user names, in a table or on a phone's card (用户名：chief)
NAMED_BY_CODE = {"table cell [用户名]": USERNAMES}
USERNAME = re.compile(r"(?<=用户名：)\s*(?:" + "|".join(USERNAMES) + r")\b")
URL = re.compile(r"https?://\S+")  # an address the user types: a code as a whole
FILE = re.compile(r"[\w.-]*\.(?:xlsx|zip|yaml|csv|json|html|docx)\b")  # a file's name
COMMAND = re.compile(r"python -m planner [a-z ]+")  # typed at the server as it is
HASH = re.compile(r"(?<=哈希 )[A-Za-z0-9+/=]+")  # the log's checkpoint: a hash is a code
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
PLACEHOLDER = re.compile(r"%\{[^}]*\}")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Streamlit's own words, which a page cannot set, are not read: the table toolbar's
# tooltips (Download as CSV, Search, Fullscreen), the chart toolbar's, "Press Enter to
# apply" under text inputs; AppTest does not render them either.


def offending(text: str, where: str = "") -> list[str]:
    """The Latin words of ``text`` (shown at ``where``) that are not allowed codes."""
    if text in NAMED_BY_CODE.get(where, ()):
        return []
    for code in (BRACKETED, USERNAME, URL, FILE, COMMAND, HASH):
        text = code.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED and not CODES.fullmatch(w)]


def strip_html(body: str) -> str:
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def chart_texts(spec: str) -> list[tuple[str, str]]:
    """What a Plotly chart shows in words: its title, axes' titles, legend's title,
    annotations, trace names, texts, hovers (without their placeholders), and the
    category labels along its axes."""
    fig = json.loads(spec)
    layout = fig.get("layout", {})
    out = []

    def title(value) -> str:
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    out.append(("title", title(layout.get("title"))))
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
            out.append((f"{key} title", title(axis.get("title"))))
            out += [(f"{key} tick", str(x)) for x in axis.get("ticktext", [])]
    out.append(("legend title", title(layout.get("legend", {}).get("title"))))
    out += [("annotation", a.get("text", "")) for a in layout.get("annotations", [])]
    for n, trace in enumerate(fig.get("data", [])):
        where = f"trace {n}"
        out.append((f"{where} name", str(trace.get("name", ""))))  # in its hover too
        for key in ("text", "hovertext", "customdata", "x", "y"):
            value = trace.get(key)
            if isinstance(value, dict):  # a typed array: numbers
                continue
            values = value if isinstance(value, list) else [value]
            for v in _flat(values):
                if isinstance(v, str) and not DATE.match(v):
                    out.append((f"{where} {key}", v))
        template = trace.get("hovertemplate")
        if template:
            text = PLACEHOLDER.sub(" ", template).replace("<extra></extra>", "")
            out.append((f"{where} hovertemplate", strip_html(text)))
    return [(w, t) for w, t in out if t]


def _flat(values):
    for v in values:
        if isinstance(v, list):
            yield from _flat(v)
        else:
            yield v


def shown(at: AppTest) -> list[tuple[str, str, str]]:
    """Every text on the page and in the sidebar: (the element's kind, where, text)."""
    out: list[tuple[str, str, str]] = []
    for node in (*at.main, *at.sidebar):
        kind = node.type
        proto = getattr(node, "proto", None)
        if kind in ("expander", "tab", "status", "popover"):
            out.append((kind, kind, node.label))
            continue
        if isinstance(node, Block) or not hasattr(proto, "DESCRIPTOR"):
            continue
        fields = proto.DESCRIPTOR.fields_by_name
        if kind in ("arrow_data_frame", "dataframe"):
            frame = node.value
            out += [(kind, "table column", str(c)) for c in frame.columns]
            out += [(kind, f"table cell [{c}]", v) for c in frame.columns for v in frame[c]
                    if isinstance(v, str)]
        elif kind == "plotly_chart":
            out += [(kind, f"chart {w}", t) for w, t in chart_texts(proto.spec)]
        elif kind == "html":
            out.append((kind, kind, strip_html(proto.body)))
        else:
            out += [(kind, f"{kind} {name}", getattr(proto, name))
                    for name in ("label", "body", "help", "placeholder", "text", "caption")
                    if name in fields and isinstance(getattr(proto, name), str)]
            if "options" in fields:
                out += [(kind, f"{kind} option", str(o)) for o in proto.options]
    return [(k, w, t) for k, w, t in out if t and t.strip()]


def problems(at: AppTest, page: str, keep=lambda kind: True
             ) -> list[tuple[str, str, str, list[str]]]:
    """(page, where, text, its words not allowed) for each text that has some (of the
    elements whose kind ``keep`` keeps)."""
    return [(page, where, text, words) for kind, where, text in shown(at)
            if keep(kind) and (words := offending(text, where))]


def said(found: list[tuple[str, str, str, list[str]]], examples: int = 3) -> str:
    """The texts found, grouped by page and place (each text once, on the first page it
    is on), a few of each with how many more, long ones cut."""
    seen: set[tuple[str, str]] = set()
    groups: dict[tuple[str, str], list[str]] = {}
    for page, where, text, words in found:
        if (where, text) in seen:
            continue
        seen.add((where, text))
        cut = text if len(text) < 160 else text[:160] + "…"
        groups.setdefault((page, re.sub(r"trace \d+", "trace", where)), []).append(
            f"{cut!r} ← {', '.join(dict.fromkeys(words))}")
    return "\n".join(
        f"{page} · {where}: " + " | ".join(texts[:examples])
        + (f" (and {len(texts) - examples} more)" if len(texts) > examples else "")
        for (page, where), texts in groups.items())


def logged(store) -> None:
    """A morning of the second day, one entry of each kind (and a void)."""
    day = "2021-11-27"
    entries = [
        ({"at": f"{day}T07:30", "type": "adhoc_session", "session_id": "AH112701",
          "room_id": "R0102", "start": f"{day}T10:30", "end": f"{day}T11:30", "kind": "adhoc",
          "attendees": 20, "level": "secret", "name": "临时协调会"}, "op1"),
        ({"at": f"{day}T08:00", "type": "unit_failed", "item_id": "J001"}, "op1"),
        ({"at": f"{day}T08:05", "type": "unit_failed", "item_id": "J002"}, "op1"),
        ({"at": f"{day}T08:07", "type": "unit_restored", "item_id": "J002"}, "op1"),
        ({"at": f"{day}T08:10", "type": "staff_unavailable", "staff_id": "P004",
          "until": f"{day}T12:00"}, "op1"),
        ({"at": f"{day}T08:20", "type": "booster_found", "room_id": "R0203"}, "op1"),
        ({"at": f"{day}T08:30", "type": "extend_session", "session_id": "S0224",
          "new_end": f"{day}T11:15"}, "op1"),
        ({"at": f"{day}T08:40", "type": "cancel_session", "session_id": "S0246"}, "op1"),
        ({"at": f"{day}T09:00", "type": "bag_weighed", "bag_set_id": "B001", "kg": 4.5,
          "venue_id": "V02", "session_id": "S0198"}, "op1"),
        ({"at": f"{day}T09:05", "type": "destroyed", "kg": 4.5, "venue_id": "V02",
          "witnesses": ["P001", "P002"]}, "op1"),
        ({"at": f"{day}T09:10", "type": "document_found", "room_id": "R0101",
          "level": "secret", "note": "座位下一份文件"}, "op1"),
        ({"at": f"{day}T09:20", "type": "patrol_done", "session_id": "S0020",
          "staff_id": "P016"}, "op1"),
        ({"at": f"{day}T09:25", "type": "sweep_done", "session_id": "S0224",
          "staff_id": "P015"}, "op1"),
        ({"at": f"{day}T09:30", "type": "order_skipped", "session_id": "S0224",
          "staff_id": "P012", "task": "patrol", "reason": "会场门锁着"}, "op1"),
        ({"at": f"{day}T09:40", "type": "void", "voids": 6, "reason": "误报"}, "chief"),
    ]
    for event, who in entries:
        ops.log_event(store, NAME, event, who)


def at_the_clock(at: AppTest) -> AppTest:
    at.toggle(key="fix_clock").set_value(True).run()
    at.date_input(key="clock_day").set_value(CLOCK.date())
    at.time_input(key="clock_time").set_value(CLOCK.time()).run()
    assert not at.exception, at.exception
    return at


REPORT_PARTS = ("html", "plotly_chart")  # the report's paragraphs, tables and charts


def walk(at: AppTest, page: str) -> list[tuple[str, str, str, list[str]]]:
    """Open ``page``, do what shows its every part, and read it (the report's own parts
    are read by :func:`test_the_reports_parts_speak_plain_chinese`)."""
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, at.exception)
    found = problems(at, page)
    if page == "live_log":
        at.selectbox(key="f_type").set_value("adhoc_session").run()  # a refused event
        at.selectbox(key="f_room").set_value("R0101")
        at.button(key="FormSubmitter:event_adhoc_session-记录").click().run()
        assert at.error, "the ad-hoc session in the plenary's room is refused"
        found += problems(at, "live_log: a refused event")
        for kind in ("void", "destroyed", "staff_unavailable", "bag_weighed"):
            at.selectbox(key="f_type").set_value(kind).run()
            found += problems(at, f"live_log: the {kind} form")
        at.button(key="preview").click().run(timeout=180)
        assert not at.exception, at.exception
        assert len(at.expander) > 1, "the preview lists the changes person by person"
        found += problems(at, "live_log: the re-plan's preview")
    elif page == "rehearsal":
        at.number_input(key="rh_runs").set_value(2)
        at.number_input(key="rh_sizing").set_value(1)
        at.button(key="FormSubmitter:rehearse-开始推演").click().run(timeout=300)
        assert not at.exception, at.exception
        assert len(at.get("plotly_chart")) >= 4  # with the reserve's sizing
        found += problems(at, "rehearsal: after a run")
    elif page == "report":
        at.button(key="rp_make").click().run(timeout=180)
        assert not at.exception, at.exception
        found += problems(at, "report: made", keep=lambda kind: kind not in REPORT_PARTS)
    return found


def morning(store) -> None:
    """The accounts (a technician's linked to 徐敏 P011, who has a move, patrols and
    clean-ups ahead) and the morning's log."""
    people(store)
    accounts.create_user(store, "tech1", "周技术", "field", PASSWORD, "chief")
    accounts.link_staff(store, "tech1", "P011", "chief")
    logged(store)


# the pages in groups of about equal work, so that the test workers share the walk; the
# groups together are every page (checked below)
GROUPS = (("overview", "coverage", "equipment", "staff", "tonnage", "admin"), ("live_log",),
          ("rehearsal",), ("report",))


def test_the_groups_are_every_page_once():
    assert sorted(p for group in GROUPS for p in group) == sorted(PAGES)


@pytest.mark.parametrize("pages", GROUPS, ids=lambda group: group[0])
def test_every_page_speaks_plain_chinese(env, pages):
    morning(env)
    at = at_the_clock(signed_in("chief"))
    found = []
    for page in pages:
        found += walk(at, page)
    if pages == GROUPS[0]:  # and the field person's own page, on the phone
        phone = at_the_clock(signed_in("tech1"))
        assert [t.value for t in phone.title] == ["我的任务"]
        assert [b for b in phone.button if (b.key or "").startswith("done_")], "orders shown"
        found += problems(phone, "mine")
    assert not found, "Latin words on Chinese pages:\n" + said(found)


def test_the_reports_parts_speak_plain_chinese(env):
    morning(env)
    at = at_the_clock(signed_in("chief"))
    at.switch_page("views/report.py").run()
    at.button(key="rp_make").click().run(timeout=180)
    if at.exception or not at.get("download_button"):  # not the failure expected
        raise RuntimeError(f"the report was not made: {at.exception}")
    found = problems(at, "report", keep=lambda kind: kind in REPORT_PARTS)
    assert not found, "Latin words in the report's parts:\n" + said(found)
