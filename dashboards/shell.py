"""The frame around every page: sign-in, the first commander, the sidebar, and the menu
of the signed-in person's role (``st.navigation``). ``app.py`` runs :func:`main`."""

from __future__ import annotations

import datetime as dt
import functools
import os

import streamlit as st

import ui
from planner.ops import accounts
from planner.ops.accounts import ROLE_NAMES, AccountError, create_user


def first_commander() -> None:
    """No account yet: the environment's, or the form's, which asks for the set-up code
    the server printed to its console (so only someone at the server makes it)."""
    store = ui.store()
    name, password = os.environ.get("PLANNER_ADMIN_USER"), os.environ.get(
        "PLANNER_ADMIN_PASSWORD")
    if name and password:
        try:
            create_user(store, name, name, "commander", password, who="PLANNER_ADMIN_USER",
                        first=True)
        except AccountError as error:  # said; the form below still needs the code
            st.error(ui.t("环境变量 PLANNER_ADMIN_USER / PLANNER_ADMIN_PASSWORD 被拒绝：",
                          "PLANNER_ADMIN_USER / PLANNER_ADMIN_PASSWORD refused: ")
                     + error.text(ui.lang()) + ui.t(
                         "。请改正后重启服务器，或在下方用设置码创建。",
                         ". Correct it and restart the server, or use the set-up code "
                         "below."))
        else:
            st.rerun()
    accounts.setup_code()  # printed to the server's console once
    st.title(ui.t("创建第一个指挥账户", "Create the first commander account"))
    st.info(ui.t("系统中还没有任何账户。第一个账户为指挥角色，可管理其他账户。没有默认密码。"
                 "请输入服务器控制台上显示的一次性设置码。",
                 "There is no account yet. The first one is a commander, who manages the "
                 "others. There is no default password. Type the one-time set-up code the "
                 "server printed on its console."))
    with st.form("first"):
        code = st.text_input(ui.t("设置码", "Set-up code"), type="password", key="first_code")
        username = st.text_input(ui.t("用户名", "User name"), key="first_username")
        full = st.text_input(ui.t("姓名", "Full name"), key="first_name")
        password = st.text_input(ui.t("密码（至少 8 位）", "Password (8 characters or more)"),
                                 type="password", key="first_password")
        again = st.text_input(ui.t("再次输入密码", "Password again"), type="password",
                              key="first_again")
        if st.form_submit_button(ui.t("创建", "Create")):
            if password != again:
                st.error(ui.t("两次输入的密码不一致", "the passwords differ"))
                return
            try:
                accounts.create_first_commander(store, username, full, password, code)
            except AccountError as error:
                st.error(error.text(ui.lang()))
                return
            st.success(ui.t("已创建，请登录", "Created: sign in"))
            st.rerun()


def address() -> str:
    """The client's address as Streamlit sees it ("unknown" on localhost or in tests).
    Sign-in counts failures per address only for a real one (not unknown or loopback,
    which every client would share): :func:`planner.ops.accounts.counted_address`."""
    try:
        ip = st.context.ip_address
    except Exception:  # no client context (a bare script run)
        return "unknown"
    return ip if isinstance(ip, str) and ip else "unknown"  # AppTest gives a mock


def sign_in() -> None:
    st.title(ui.t("保密服务保障规划器", "Secrecy-support operations planner"))
    if not ui.store().users():
        first_commander()
        return
    if st.session_state.pop("ended", False):
        st.warning(ui.t("您的密码或角色已更改，请重新登录", "your password or role was changed: "
                        "sign in again"))
    with st.form("login"):
        st.text_input(ui.t("用户名", "User name"), key="login_username")
        st.text_input(ui.t("密码", "Password"), type="password", key="login_password")
        hours = accounts.REMEMBER_HOURS
        st.checkbox(ui.t(f"在此设备上保持登录 {hours} 小时（仅限本人手机）",
                         f"Stay signed in on this device for {hours} hours "
                         "(your own phone only)"), key="login_keep")
        # checked in the button's callback: signed in, this same run draws the first page
        st.form_submit_button(ui.t("登录", "Sign in"), on_click=check)
    refused = st.session_state.pop("login_refused", None)
    if refused:
        st.error(refused)
    ui.warm_charts()  # while the form is filled in: the chart library, and the congress
    ui.snap()  # as the store has it (the first page after signing in then only draws)


def check() -> None:
    """The sign-in form sent: in, or told why not (under the form, at this run)."""
    state = st.session_state
    try:
        found = accounts.sign_in(ui.store(), state.login_username, state.login_password,
                                 address())
    except AccountError as error:  # too many failures: wait, or locked
        state.login_refused = error.text(ui.lang())
        return
    if found is None:
        state.login_refused = ui.t("用户名或密码不正确", "wrong user name or password")
        return
    state.user = found
    state.login_password = ""  # not kept in the session once it has done its work
    if state.login_keep:  # the phone's cookie keeps the key; a room's code then opens directly
        key = accounts.remember(ui.store(), found)
        state.device_key = key
        state.cookie = (key, accounts.REMEMBER_HOURS * 3600)


def recall() -> None:
    """A device kept signed in: its cookie signs it in, once per browser session (so that
    signing out stays signed out)."""
    if ui.user() or st.session_state.get("recalled"):
        return
    st.session_state.recalled = True
    try:
        key = st.context.cookies.get(COOKIE)
    except Exception:  # no client context (a bare script run)
        return
    found = accounts.recall(ui.store(), key) if isinstance(key, str) else None  # AppTest: a mock
    if found is not None:
        st.session_state.user = found
        st.session_state.device_key = key


def sign_out() -> None:
    accounts.forget(ui.store(), st.session_state.pop("device_key", None))
    st.session_state.cookie = ("", 0)  # and the phone forgets it
    for key in ("user", "clock"):
        st.session_state.pop(key, None)
    st.rerun()


@st.fragment(run_every=ui.REFRESH)
def status() -> None:
    """The congress, its plan version and the log's length: redrawn as the log grows,
    whoever logged (not only on this page's own reruns)."""
    snap = ui.snap()
    st.caption(ui.t(f"{snap.scenario.title} · 方案第 {snap.version} 版 · 日志 {snap.seq} 条",
                    f"{snap.scenario.title} · plan version {snap.version} · "
                    f"{snap.seq} log entries"))


def sidebar() -> None:
    with st.sidebar:
        english = st.toggle("English", value=ui.lang() == "en", key="english")
        st.session_state.lang = "en" if english else "zh"
        u = ui.user()
        if u:
            role = ROLE_NAMES[u["role"]][ui.lang() == "en"]
            st.caption(f"{u['name']}（{u['username']}）· {role}")
            status()
            auto = ui.clock(ui.snap())
            fixed = st.toggle(ui.t("指定查看时刻", "Show another moment"), key="fix_clock")
            if fixed:
                day = st.date_input(ui.t("日期", "Day"), value=auto.date(), key="clock_day")
                time = st.time_input(ui.t("时刻", "Time"), value=auto.time(), step=900,
                                     key="clock_time")
                st.session_state.clock = dt.datetime.combine(day, time)
            else:
                st.session_state.pop("clock", None)
                st.caption(ui.t(f"当前时刻 {auto:%m-%d %H:%M}", f"now {auto:%m-%d %H:%M}"))
            if st.button(ui.t("退出登录", "Sign out"), key="logout"):
                sign_out()


PAGES = {  # file, zh, en, icon, the least role that sees it ("mine": a linked account)
    "mine": ("views/mine.py", "我的任务", "My orders", ":material/task_alt:", "field"),
    "overview": ("views/overview.py", "总览", "Overview", ":material/dashboard:", "viewer"),
    "coverage": ("views/coverage.py", "保障覆盖", "Coverage", ":material/grid_on:", "viewer"),
    "equipment": ("views/equipment.py", "设备", "Equipment", ":material/router:", "viewer"),
    "staff": ("views/staff.py", "人员", "Staff", ":material/badge:", "viewer"),
    "live": ("views/live_log.py", "现场记录", "Live log", ":material/edit_note:", "operator"),
    "tonnage": ("views/tonnage.py", "文件回收", "Tonnage", ":material/scale:", "viewer"),
    "rehearsal": ("views/rehearsal.py", "推演", "Rehearsal", ":material/casino:", "viewer"),
    "report": ("views/report.py", "统计报告", "Report", ":material/summarize:", "viewer"),
    "admin": ("views/admin.py", "账户与场景", "Accounts and scenarios",
              ":material/admin_panel_settings:", "commander"),
}


COOKIE = "planner_device"  # a device kept signed in: the key planner.ops.accounts.recall reads


def closed_page(first) -> None:
    ui.say(ui.t("该页面不对您的账户开放，已打开您的首页",
                "That page is not open to your account: here is your first page"), "warning")
    st.switch_page(first)


def recheck() -> None:
    """The signed-in account as the store has it now: a disabled account is signed out,
    and so is one whose password or role was changed since it signed in (its session
    epoch moved on)."""
    u = ui.user()
    if not u:
        return
    found = ui.store().user(u["username"])
    if found is None or not found.active:
        st.session_state.pop("user", None)
    elif accounts.session_epoch(ui.store(), found.username) != u.get("epoch"):
        st.session_state.pop("user", None)
        st.session_state.ended = True
    else:
        st.session_state.user = {**u, "name": found.name, "role": found.role}


def main() -> None:
    st.set_page_config(page_title="保密服务保障规划器", page_icon=":material/shield:",
                       layout="wide")
    st.html(ui.STYLE)  # a phone: no chart toolbar, tables as cards
    ui.congress()  # the store and the congress exist before anyone signs in
    recall()
    recheck()
    if "cookie" in st.session_state:  # set at sign-in, cleared at sign-out
        ui.set_cookie(COOKIE, *st.session_state.pop("cookie"))
    sidebar()
    if not ui.user():
        # every page's address signs in first (a room's QR code opens /mine?room=…), and
        # the same address then opens that page
        title = ui.t("登录", "Sign in")
        page = st.navigation(
            [st.Page(sign_in, title=title, icon=":material/login:", default=True),
             *(st.Page(functools.partial(sign_in), title=title, url_path=key)
               for key in PAGES)], position="hidden")
    else:
        en = ui.lang() == "en"
        linked = ui.me() is not None
        shown = [key for key, (*_, role) in PAGES.items() if ui.may(role)
                 and (key != "mine" or linked or not ui.may("viewer"))]
        first = "overview" if "overview" in shown else shown[0]
        # the menu at the top: on a phone it folds into one button and closes after a choice
        pages = {key: st.Page(file, title=(en_name if en else zh), icon=icon, url_path=key)
                 for key, (file, zh, en_name, icon, _role) in PAGES.items() if key in shown}
        # the root address opens the first page; a page's own address opens it too (were
        # that page the default, its address would be "page not found", as a room's code
        # would be for a phone that stays signed in)
        file, zh, en_name, icon, _ = PAGES[first]
        start = st.Page(file, title=en_name if en else zh, icon=icon, url_path="start",
                        default=True, visibility="hidden")
        # another page's address (a plan-wide page for a field account) says so and opens
        # the first of this person's pages, not Streamlit's "page not found"
        closed = [st.Page(functools.partial(closed_page, pages[first]), title=zh_or_en,
                          url_path=key, visibility="hidden")
                  for key, (_, zh, en_name, *_) in PAGES.items() if key not in shown
                  for zh_or_en in [en_name if en else zh]]
        page = st.navigation([start, *pages.values(), *closed], position="top")
        ui.fold_menu_on_phone(page.url_path)
    st.session_state.tables = 0  # ui.table's containers, counted per run
    page.run()
