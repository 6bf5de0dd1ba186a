"""What every page shares: the language, the store, the signed-in user, the congress as
the store has it now, the clock, and charts with Chinese fonts.

Pages hold no logic of their own: they lay out what :mod:`planner.ops.views` reads and call
the commands of :mod:`planner.ops.congress` and :mod:`planner.ops.accounts`.
"""

from __future__ import annotations

import datetime as dt
import os
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from planner.i18n import pick
from planner.live.store import Store, default_url
from planner.ops import congress as ops
from planner.ops import views
from planner.ops.accounts import at_least
from planner.report.charts import styled

REFRESH = "5s"  # parts that change redraw this often: a new event shows within 10 s


def lang() -> str:
    return st.session_state.get("lang", os.environ.get("PLANNER_LANG", "zh"))


def t(zh: str, en: str) -> str:
    return pick(lang(), zh, en)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    return _store(default_url())


@st.cache_resource(show_spinner=False)
def _congress(url: str) -> str:
    name = ops.bootstrap(_store(url), who="system")
    _warm_up()
    return name


def _warm_up() -> None:
    """Load the chart code once per server, at start, not on someone's first page."""
    import plotly.express as px

    frame = pd.DataFrame({"a": [dt.datetime(2021, 1, 1)], "b": [dt.datetime(2021, 1, 2)],
                          "y": ["x"], "c": ["c"]})
    px.timeline(frame, x_start="a", x_end="b", y="y", color="c").to_json()


def congress() -> str:
    """The congress shown: the first in the store (the reference, planned on first start)."""
    if "congress" not in st.session_state:
        with st.spinner(t("首次启动：载入参考场景并制定方案（约 15 秒）……",
                          "First start: loading the reference congress and planning it "
                          "(about 15 s)…")):
            st.session_state.congress = _congress(default_url())
    return st.session_state.congress


def user() -> dict | None:
    return st.session_state.get("user")


def me() -> str | None:
    """The staff member the signed-in account is, if it is linked to one."""
    u = user()
    return store().staff_of(u["username"]) if u else None


def may(role: str) -> bool:
    u = user()
    return bool(u) and at_least(u["role"], role)


def snap() -> ops.Snapshot:
    return ops.snapshot(store(), congress())


def clock(s: ops.Snapshot | None = None) -> dt.datetime:
    """The moment the views show: the one chosen in the sidebar, else the congress clock."""
    chosen = st.session_state.get("clock")
    return chosen or views.congress_clock(s or snap())


def day_picker(snap: ops.Snapshot, now: dt.datetime, key: str, where=st) -> dt.date:
    """A congress day, today's by default."""
    days = sorted({s.start.date() for s in snap.live.sessions.values()})
    return where.selectbox(t("日期", "Day"), days, key=key,
                           index=days.index(now.date()) if now.date() in days else 0)


def venue_picker(snap: ops.Snapshot, key: str, where=st) -> str:
    venues = snap.live.venues
    return where.selectbox(t("驻地", "Venue"), sorted(venues), key=key,
                           format_func=lambda v: venues[v].name)


def chart(fig: go.Figure, key: str | None = None, **kwargs) -> None:
    """A chart in the reader's language: times as 11-26 09:00 (never "Nov 26, 2021"), the
    legend below the plot (full width on a phone), no logo."""
    styled(fig, lang()).update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10},
                                      legend={"orientation": "h", "y": -0.15, "x": 0})
    st.plotly_chart(fig, width="stretch", key=key, **kwargs)


STYLE = """<style>
/* the chart library loads behind the sign-in form, out of sight (see warm_charts) */
[class*="st-key-warm-charts"] {position: absolute; left: -10000px; width: 300px}
@media (max-width: 640px) {
  .modebar-container {display: none !important}  /* it would sit on the charts' titles */
  [class*="st-key-wide-"] {display: none !important}  /* tables become cards */
}
@media (min-width: 641px) {[class*="st-key-cards-"] {display: none !important}}
.card {border: 1px solid rgba(128, 128, 128, .35); border-radius: .5rem;
       padding: .4rem .7rem; margin-bottom: .5rem; font-size: .9rem; line-height: 1.45}
.card b {display: block}
.card span {color: rgba(128, 128, 128, 1)}
</style>"""
CARDS = 60  # rows a phone shows as cards; the rest on a desk


def warm_charts() -> None:
    """A chart out of sight: the browser loads the chart library (plotly.js, 4.6 MB, one
    download and compile per tab) while the sign-in form is filled in, not after it."""
    with st.container(key="warm-charts"):
        st.plotly_chart(go.Figure(layout={"height": 50}), key="warm_chart",
                        config={"staticPlot": True})


def table(frame: pd.DataFrame, names: dict[str, tuple[str, str]] | None = None,
          height: int | None = None) -> None:
    """A table with its columns named in the reader's language: on a desk a table, on a
    phone (640 px or narrower) one card per row (the first column its heading)."""
    en = lang() == "en"
    if frame.empty:  # not Streamlit's own "empty"
        st.caption(t("（无）", "(none)"))
        return
    shown = frame.rename(columns={c: v[en] for c, v in (names or {}).items() if c in frame})
    kwargs = {"height": height} if height else {}
    n = st.session_state["tables"] = st.session_state.get("tables", 0) + 1
    with st.container(key=f"wide-{n}"):
        st.dataframe(shown, hide_index=True, width="stretch", **kwargs)
    with st.container(key=f"cards-{n}"):
        st.html(cards(shown.head(CARDS)))
        if len(shown) > CARDS:
            st.caption(t(f"仅列出前 {CARDS} 行，共 {len(shown)} 行：全部请在电脑上查看",
                         f"The first {CARDS} of {len(shown)} rows: all of them on a desk"))


def cards(frame: pd.DataFrame) -> str:
    """``frame``'s rows as cards: the first column bold, then "column: value" lines."""
    out = []
    for row in frame.itertuples(index=False):
        first, *rest = (cell(v) for v in row)
        lines = "".join(f"<div><span>{escape(str(c))}：</span>{v}</div>"
                        for c, v in zip(frame.columns[1:], rest, strict=True) if v)
        out.append(f'<div class="card"><b>{first}</b>{lines}</div>')
    return "".join(out)


def cell(value) -> str:
    """A table cell as a card shows it (escaped)."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return when(value)
    if pd.api.types.is_bool(value):
        return t("是", "yes") if value else t("否", "no")
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return "" if value is None else escape(str(value))


def when(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return f"{value:%m-%d %H:%M}"


FOLD = """<script>(() => {
// On a phone the menu covers the page: fold it once a page was chosen (only then, so
// that the language switch and the clock below it stay open while they are used).
const page = "%s";
if (window.innerWidth <= 640 && sessionStorage.getItem("planner-page") !== page) {
  const bar = document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]');
  const fold = bar && bar.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (fold) fold.click();
}
sessionStorage.setItem("planner-page", page);
})()</script>"""


def fold_menu_on_phone(page: str) -> None:
    """After a page is chosen on a phone, the menu folds away."""
    script(FOLD % page.replace('"', ""))


COOKIE = """<script>(() => {
const secure = location.protocol === "https:" ? "; Secure" : "";
document.cookie = "%s=%s; Max-Age=%d; Path=/; SameSite=Strict" + secure;
})()</script>"""


def set_cookie(name: str, value: str, seconds: int) -> None:
    """Set a cookie of the browser (``seconds`` 0: delete it); read back at the next
    browser session from ``st.context.cookies``. ``value``: URL-safe characters only."""
    script(COOKIE % (name, value, seconds))


def script(code: str) -> None:
    """Run ``code`` (our own, never a user's text) in the page."""
    st.html(code, unsafe_allow_javascript=True)


def say(message: str, kind: str = "success") -> None:
    """Say ``message`` (``kind``: success, warning or error) when the page is next drawn
    (from a button's callback, or before a rerun)."""
    st.session_state.flash = (kind, message)


def flash(message: str, kind: str = "success") -> None:
    """Say ``message`` after the rerun that follows, now."""
    say(message, kind)
    st.rerun()


def show_flash() -> None:
    kind, message = st.session_state.pop("flash", (None, None))
    if message:
        {"warning": st.warning, "error": st.error}.get(kind, st.success)(message)
