"""Accounts and scenarios (commander): add people and set their roles, import a congress,
choose the congress shown, and read the audit log."""

import functools

import pandas as pd
import streamlit as st

import ui
from planner.errors import ScenarioError
from planner.ops import accounts, doors, views
from planner.ops.accounts import ROLE_NAMES, ROLES, AccountError
from planner.ops.congress import congress_title, import_upload

st.title(ui.t("账户与场景", "Accounts and scenarios"))
ui.show_flash()
store = ui.store()
me = ui.user()["username"]
lang = ui.lang()
en = lang == "en"
role_name = lambda r: ROLE_NAMES[r][en]  # noqa: E731

st.subheader(ui.t("账户", "Accounts"))
users = store.users()
who_is = views.account_names(store, lang)
account = {u.username: f"{u.name}（{u.username}）" if u.name else u.username for u in users}
ui.table(pd.DataFrame([{"name": u.name, "username": u.username, "role": role_name(u.role),
                        "active": ui.t("可用", "active") if u.active else ui.t("停用", "disabled"),
                        "created": f"{u.created_at[:16].replace('T', ' ')} "
                                   f"{who_is.get(u.created_by, u.created_by)}"}
                       for u in users]),
         {"username": ("用户名", "user name"), "name": ("姓名", "name"), "role": ("角色", "role"),
          "active": ("状态", "state"), "created": ("创建", "created")})
c = st.columns(2)
with c[0], st.form("add_user"):
    st.markdown(ui.t("**新增账户**", "**Add an account**"))
    username = st.text_input(ui.t("用户名", "User name"), key="ad_username")
    name = st.text_input(ui.t("姓名", "Full name"), key="ad_name")
    role = st.selectbox(ui.t("角色", "Role"), ROLES, format_func=role_name, key="ad_role")
    password = st.text_input(ui.t("初始密码（至少 8 位）", "First password (8 or more)"),
                             type="password", key="ad_password")
    if st.form_submit_button(ui.t("新增", "Add")):
        try:
            accounts.create_user(store, username, name, role, password, who=me)
        except AccountError as error:
            st.error(error.text(lang))
        else:
            ui.flash(ui.t(f"已新增 {name}（{username}）", f"{name} ({username}) added"))
with c[1]:
    st.markdown(ui.t("**修改账户**", "**Change an account**"))
    who = st.selectbox(ui.t("账户", "Account"), [u.username for u in users], key="ch_user",
                       format_func=account.get)
    current = next(u for u in users if u.username == who)
with c[1], st.form(f"change_user_{who}"):
    new_role = st.selectbox(ui.t("角色", "Role"), ROLES, format_func=role_name,
                            index=ROLES.index(current.role), key=f"ch_role_{who}")
    active = st.toggle(ui.t("可用", "Active"), value=current.active, key=f"ch_active_{who}")
    new_password = st.text_input(ui.t("新密码（不改则留空）", "New password (blank: keep)"),
                                 type="password", key=f"ch_password_{who}")
    if st.form_submit_button(ui.t("保存", "Save")):
        try:
            if new_role != current.role:
                accounts.set_role(store, who, new_role, me)
            if active != current.active:
                accounts.set_active(store, who, active, me)
            if new_password:
                accounts.set_password(store, who, new_password, me)
        except AccountError as error:
            st.error(error.text(lang))
        else:
            ui.flash(ui.t(f"已保存 {account[who]}", f"{account[who]} saved"))
staff = ui.snap().live.staff
with c[1], st.form(f"link_user_{who}"):
    st.markdown(ui.t("**关联工作人员**（本人在手机上看自己的任务并报告）",
                     "**Link to a staff member** (sees and reports their own orders)"))
    linked = store.staff_of(who)
    options = ["", *sorted(staff)]
    person = st.selectbox(ui.t("工作人员", "Staff member"), options,
                          index=options.index(linked) if linked in options else 0,
                          format_func=lambda p: f"{staff[p].name}（{p}）" if p
                          else ui.t("（不关联）", "(none)"), key=f"link_{who}")
    if st.form_submit_button(ui.t("保存关联", "Save the link")):
        try:
            accounts.link_staff(store, who, person or None, me)
        except AccountError as error:
            st.error(error.text(lang))
        else:
            ui.flash(ui.t(f"已保存 {account[who]} 的关联", f"{account[who]}: link saved"))
locked = accounts.locked_accounts(store)
if locked:  # too many failed sign-ins: a commander may lift the lock
    st.warning(ui.t("登录已锁定：", "Sign-in locked: ") + "、".join(
        account.get(u, u) + ui.t(f"，还剩 {int(left // 60) + 1} 分钟",
                                 f", {int(left // 60) + 1} min left")
        for u, left in sorted(locked.items())))
    pick = st.selectbox(ui.t("解锁账户", "Unlock an account"), sorted(locked), key="ad_unlock",
                        format_func=lambda u: account.get(u, u))
    if st.button(ui.t("解锁", "Unlock"), key="ad_unlock_go"):
        accounts.unlock(store, pick, me)
        ui.flash(ui.t(f"已解锁 {account.get(pick, pick)}", f"{account.get(pick, pick)} unlocked"))

st.subheader(ui.t("场景", "Scenarios"))
congresses = store.scenario_names()
shown = st.selectbox(ui.t("显示的大会", "Congress shown"), congresses, key="ad_congress",
                     index=congresses.index(ui.congress()) if ui.congress() in congresses else 0,
                     format_func=lambda n: congress_title(store, n))
if shown != ui.congress():
    st.session_state.congress = shown
    st.rerun()
upload = st.file_uploader(ui.t("导入场景：.xlsx 工作簿（每个文件一张表），或场景文件夹的 .zip",
                               "Import a scenario: an .xlsx workbook (one sheet per file) or "
                               "a .zip of a scenario folder"),
                          type=["xlsx", "zip"], key="ad_upload")
if upload is not None and st.button(ui.t("检查并导入、制定方案", "Check, import and plan"),
                                    key="ad_import"):
    try:
        with st.spinner(ui.t("检查并制定方案……", "Checking and planning…")):
            name, version = import_upload(store, upload.getvalue(), upload.name, me)
    except ScenarioError as error:
        st.error(error.text(lang))
    else:
        ui.flash(ui.t(f"已导入 {name}，方案第 {version} 版",
                      f"{name} imported, plan version {version}"))

st.subheader(ui.t("会场二维码", "Room codes"))
st.caption(ui.t(f"每个会场一张 A4，贴在门上；扫码打开 {doors.public_url()} 上该会场的任务"
                "（地址由 PLANNER_PUBLIC_URL 设置）",
                f"One A4 sheet per venue for the doors; a code opens that room's orders at "
                f"{doors.public_url()} (set by PLANNER_PUBLIC_URL)"))
live = ui.snap().live
cols = st.columns(min(4, len(live.venues)) or 1)
for n, (v, venue) in enumerate(sorted(live.venues.items())):
    cols[n % len(cols)].download_button(
        ui.t(f"{venue.name} 二维码", f"{venue.name} codes"),
        functools.partial(doors.door_sheet, live, v, lang),  # made when asked for
        file_name=f"room_codes_{v}.html", mime="text/html", key=f"codes_{v}")

st.subheader(ui.t("审计日志", "Audit log"))
ui.table(views.audit_rows(store, lang=lang, live=ui.snap().live),
         {"seq": ("序号", "#"), "at": ("时间", "time"), "who": ("操作人", "by"),
          "type": ("操作", "action"), "detail": ("内容", "detail")})
