"""The dashboard through Streamlit's AppTest: signing in, pages by role, an event form
writing to the store with its user, a re-plan previewed with its changes and approved by
a commander, every page in Chinese and English; and the library parts under it
(accounts, the store's view of the congress)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from planner.errors import ScenarioError
from planner.live.store import Store
from planner.ops import accounts, views
from planner.ops import congress as ops
from planner.ops.accounts import AccountError
from tests.conftest import ROOT

APP = str(ROOT / "dashboards" / "app.py")
PAGES = ("overview", "coverage", "equipment", "staff", "live_log", "tonnage", "rehearsal",
         "report", "admin")
PASSWORD = "correct-horse-9"


@pytest.fixture
def env(planned, tmp_path, monkeypatch):
    db = tmp_path / "planner.db"
    shutil.copy(planned, db)
    url = f"sqlite:///{db}"
    monkeypatch.setenv("PLANNER_DB", url)
    monkeypatch.setenv("PLANNER_DATA", str(tmp_path))
    monkeypatch.delenv("PLANNER_ADMIN_USER", raising=False)
    monkeypatch.delenv("PLANNER_LANG", raising=False)
    store = Store(url)
    yield store
    store.close()


def people(store: Store) -> None:
    accounts.create_user(store, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(store, "op1", "李操作", "operator", PASSWORD, "chief")
    accounts.create_user(store, "view1", "张查看", "viewer", PASSWORD, "chief")


def signed_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_the_first_start_asks_for_a_commander_and_no_page_opens_before_sign_in(env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "创建第一个指挥账户" in titles(at)
    with pytest.raises(ValueError):  # only the sign-in page is registered
        at.switch_page("views/overview.py")
    at.text_input(key="first_code").input(accounts.setup_code())  # from the console
    at.text_input(key="first_username").input("chief")
    at.text_input(key="first_name").input("王指挥")
    at.text_input(key="first_password").input("short")
    at.text_input(key="first_again").input("short")
    at.button[0].click().run()
    assert at.error and not env.users()  # too short: refused
    at.text_input(key="first_password").input(PASSWORD)
    at.text_input(key="first_again").input(PASSWORD)
    at.button[0].click().run()
    [user] = env.users()
    assert (user.username, user.role) == ("chief", "commander")
    assert user.password_hash.startswith("$2b$") and PASSWORD not in user.password_hash
    assert [(e.type, e.who) for e in env.entries(accounts.AUDIT)] == [
        ("scenario_imported", "test"), ("user_created", "chief")]
    assert "创建第一个指挥账户" not in titles(at)  # the sign-in form now
    at.text_input(key="login_username").input("chief")
    at.text_input(key="login_password").input("wrong-password")
    at.button[0].click().run()
    assert "用户名或密码不正确" in [e.value for e in at.error]
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert "总览" in titles(at)


def test_the_first_commander_may_come_from_the_environment(env, monkeypatch):
    monkeypatch.setenv("PLANNER_ADMIN_USER", "boss")
    monkeypatch.setenv("PLANNER_ADMIN_PASSWORD", PASSWORD)
    AppTest.from_file(APP, default_timeout=60).run()
    assert [(u.username, u.role) for u in env.users()] == [("boss", "commander")]


def test_a_weak_password_in_the_environment_is_refused_and_the_form_shown(env, monkeypatch):
    monkeypatch.setenv("PLANNER_ADMIN_USER", "boss")
    monkeypatch.setenv("PLANNER_ADMIN_PASSWORD", "1234")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not env.users() and "PLANNER_ADMIN_PASSWORD" in at.error[0].value
    assert "创建第一个指挥账户" in titles(at)


@pytest.mark.parametrize("username, allowed", [
    ("view1", {"overview", "coverage", "equipment", "staff", "tonnage", "rehearsal", "report"}),
    ("op1", {"overview", "coverage", "equipment", "staff", "tonnage", "rehearsal", "report",
             "live_log"}),
    ("chief", set(PAGES))])
def test_each_role_sees_its_pages_and_no_other(env, username, allowed):
    people(env)
    at = signed_in(username)
    for page in PAGES:
        if page in allowed:
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (page, at.exception)
        else:
            with pytest.raises(ValueError):
                at.switch_page(f"views/{page}.py")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_in_both_languages(env, lang):
    people(env)
    at = signed_in("chief")
    if lang == "en":
        at.toggle(key="english").set_value(True).run()
    expected = {"zh": ["总览", "保障覆盖", "设备", "人员", "现场记录", "文件回收", "推演",
                       "统计报告", "账户与场景"],
                "en": ["Overview", "Coverage", "Equipment", "Staff", "Live log", "Tonnage",
                       "Rehearsal", "Report", "Accounts and scenarios"]}[lang]
    for page, title in zip(PAGES, expected, strict=True):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert titles(at)[0] == title
        labels = " ".join([w.label for w in at.selectbox] + [m.label for m in at.metric])
        has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in labels)
        assert has_chinese == (lang == "zh") or not labels, (page, labels)


def _log_page(at: AppTest, kind: str) -> AppTest:
    at.switch_page("views/live_log.py").run()
    at.selectbox(key="f_type").set_value(kind).run()
    return at


def test_an_event_form_writes_to_the_store_with_its_user(env):
    people(env)
    at = _log_page(signed_in("op1"), "booster_found")
    at.selectbox(key="f_room").set_value("R0203")
    at.date_input(key="f_at_d").set_value(dt.date(2021, 11, 27))
    at.time_input(key="f_at_t").set_value(dt.time(9, 5))
    at.button(key="FormSubmitter:event_booster_found-记录").click().run()
    assert not at.exception
    [entry] = env.entries("provincial_congress")
    assert (entry.type, entry.who, entry.at, entry.payload) == (
        "booster_found", "op1", "2021-11-27T09:05", {"room_id": "R0203"})
    assert "已记录为第 1 条" in [s.value for s in at.success]
    # a bad event is refused with its reason, and nothing is stored
    at.selectbox(key="f_type").set_value("adhoc_session").run()
    at.selectbox(key="f_room").set_value("R0101")
    at.date_input(key="f_start_d").set_value(dt.date(2021, 11, 27))
    at.time_input(key="f_start_t").set_value(dt.time(9, 0))
    at.date_input(key="f_end_d").set_value(dt.date(2021, 11, 27))
    at.time_input(key="f_end_t").set_value(dt.time(12, 0))
    at.button(key="FormSubmitter:event_adhoc_session-记录").click().run()
    assert at.error and "大会堂" in at.error[0].value  # the room R0101, by its name
    assert len(env.entries("provincial_congress")) == 1


def test_a_replan_shows_its_changes_and_only_a_commander_approves_it(env):
    people(env)
    scenario = ops.snapshot(env, "provincial_congress").scenario
    day2 = [a for a in ops.snapshot(env, "provincial_congress").plan.assignments
            if a.start.date() == dt.date(2021, 11, 27) and a.item_type == "jammer"]
    unit = min(day2, key=lambda a: a.start).item_id
    ops.log_event(env, "provincial_congress", {"at": "2021-11-27T06:00", "type": "unit_failed",
                                               "item_id": unit}, "op1")
    at = signed_in("op1")
    at.switch_page("views/live_log.py").run()
    at.button(key="preview").click().run(timeout=120)
    assert not at.exception
    changes = [d.value for d in at.dataframe[1:]]  # [0] is the log; then one per person
    assert any(c.iloc[:, -1].str.contains(unit).any() for c in changes)  # its reason
    assert not [b for b in at.button if b.key == "approve"]
    assert "重新规划须由指挥批准" in [i.value for i in at.info]
    assert len(env.plan_versions("provincial_congress")) == 1
    at = signed_in("chief")
    at.switch_page("views/live_log.py").run()
    at.button(key="preview").click().run(timeout=120)
    at.button(key="approve").click().run()
    assert not at.exception
    versions = env.plan_versions("provincial_congress")
    assert [(v["version"], v["created_by"], v["after_event"]) for v in versions][-1] == (
        2, "chief", 1)
    assert "plan_approved" in [e.type for e in env.entries(accounts.AUDIT)]
    assert "已批准为方案第 2 版" in [s.value for s in at.success]
    new = ops.snapshot(env, "provincial_congress")
    assert new.version == 2 and not [a for a in new.plan.assignments
                                     if a.item_id == unit and a.start >= dt.datetime(2021, 11,
                                                                                     27, 6)]
    assert scenario.name == new.name


def test_the_report_page_makes_the_three_files(env):
    people(env)
    ops.log_event(env, "provincial_congress", {"at": "2021-11-26T15:00", "type": "patrol_done",
                                               "session_id": "S0001", "staff_id": "P005"}, "op1")
    at = signed_in("chief")
    at.switch_page("views/report.py").run()
    at.button(key="rp_make").click().run(timeout=120)
    assert not at.exception
    names = [b.label for b in at.get("download_button")]
    assert names == ["下载网页版", "下载 Excel", "下载 Word"]


# -- the library under the pages --------------------------------------------------------------
def test_accounts_keep_a_commander_and_refuse_weak_passwords(env):
    people(env)
    with pytest.raises(AccountError):
        accounts.create_user(env, "x1", "", "viewer", "password", "chief")
    with pytest.raises(AccountError):
        accounts.create_user(env, "op1", "", "viewer", PASSWORD, "chief")  # taken
    with pytest.raises(AccountError):
        accounts.create_user(env, "late", "", "commander", PASSWORD, "x", first=True)
    with pytest.raises(AccountError):
        accounts.set_role(env, "chief", "viewer", "chief")  # the last commander
    with pytest.raises(AccountError):
        accounts.set_active(env, "chief", False, "chief")
    accounts.set_role(env, "op1", "commander", "chief")
    accounts.set_role(env, "chief", "viewer", "op1")
    assert accounts.authenticate(env, "chief", PASSWORD).role == "viewer"
    accounts.set_active(env, "view1", False, "op1")
    assert accounts.authenticate(env, "view1", PASSWORD) is None
    assert accounts.authenticate(env, "nobody", PASSWORD) is None
    kinds = [e.type for e in env.entries(accounts.AUDIT)]
    assert kinds.count("user_created") == 3 and "user_disabled" in kinds


def test_the_view_follows_the_store(env):
    a = ops.snapshot(env, "provincial_congress")
    assert ops.snapshot(env, "provincial_congress") is a  # cached while nothing changes
    ops.log_event(env, "provincial_congress", {"at": "2021-11-26T13:00", "type": "unit_failed",
                                               "item_id": "J001"}, "op1")
    b = ops.snapshot(env, "provincial_congress")
    assert b is not a and b.seq == 1 and b.live.items["J001"].status == "maintenance"
    units = views.units_at(b, dt.datetime(2021, 11, 26, 14))
    assert units.set_index("item_id").loc["J001", "state"] == "failed"
    assert set(units.state) <= {"room", "moving", "idle", "depot", "failed"}
    busy = {a.item_id for a in b.plan.assignments
            if a.start <= dt.datetime(2021, 11, 26, 14) < a.end}
    assert set(units[units.state == "room"].item_id) == busy - {"J001"}
    duty = views.on_duty(b, dt.datetime(2021, 11, 26, 14))
    assert duty.on_shift.sum() > 0 and not duty.away.any()
    # bag sets: a weighing then destruction moves a set along its chain
    bag = b.plan.bags[0]
    collect = [t for t in b.plan.staff_tasks if t.task == "collect"
               and b.live.sessions[t.session_id].group_id == bag.holder_id]
    late = min(t.end for t in collect) + dt.timedelta(hours=3)
    chain = views.bag_custody(b, late).set_index("bag_set_id")
    assert chain.loc[bag.bag_set_id, "state"] == "overdue"
    weighed = late - dt.timedelta(hours=1)
    ops.log_event(env, "provincial_congress", {"at": f"{weighed:%Y-%m-%dT%H:%M}",
                                               "type": "bag_weighed",
                                               "bag_set_id": bag.bag_set_id, "kg": 4.5,
                                               "venue_id": "V02"}, "op1")
    c = ops.snapshot(env, "provincial_congress")
    chain = views.bag_custody(c, late).set_index("bag_set_id")
    assert (chain.loc[bag.bag_set_id, "state"], chain.loc[bag.bag_set_id, "kg"]) == (
        "weighed", 4.5)
    with pytest.raises(ScenarioError, match="NOPE does not exist"):
        ops.log_event(env, "provincial_congress", {"at": "2021-11-26T13:00",
                                                   "type": "unit_failed", "item_id": "NOPE"},
                      "op1")
    assert ops.snapshot(env, "provincial_congress").seq == 2


def test_the_rehearsal_page_runs_a_rehearsal_and_shows_its_charts(env):
    people(env)
    at = signed_in("op1")
    at.switch_page("views/rehearsal.py").run()
    assert "还没有推演结果" in [i.value for i in at.info]
    at.number_input(key="rh_runs").set_value(2)
    at.number_input(key="rh_workers").set_value(2)  # worker processes, as by default
    at.button(key="FormSubmitter:rehearse-开始推演").click().run(timeout=300)
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 3
    entry = [e for e in env.entries(accounts.AUDIT) if e.type == "rehearsal_run"]
    assert [(e.who, e.payload["runs"]) for e in entry] == [("op1", 2)]
    # a viewer sees the results but may not run one
    at = signed_in("view1")
    at.switch_page("views/rehearsal.py").run()
    assert not [b for b in at.button if "rehearse" in (b.key or "")]
    assert len(at.get("plotly_chart")) >= 3


def test_a_disabled_or_changed_account_is_signed_out_at_its_next_click(env):
    people(env)
    at = signed_in("op1")
    at.switch_page("views/live_log.py").run()
    accounts.set_active(env, "op1", False, "chief")
    at.switch_page("views/overview.py").run()  # any click: the store is asked again
    assert "总览" not in titles(at) and at.text_input(key="login_username")
    at = signed_in("view1")
    accounts.set_role(env, "view1", "operator", "chief")
    at.run()  # a changed role ends the session: sign in again for the new role's pages
    assert "总览" not in titles(at) and at.text_input(key="login_username")
    at = signed_in("view1")
    at.switch_page("views/live_log.py").run()
    assert titles(at)[0] == "现场记录"


def test_a_very_long_password_is_refused_not_a_crash(env):
    people(env)
    with pytest.raises(AccountError):
        accounts.create_user(env, "long", "", "viewer", "密" * 30, "chief")  # 90 bytes
    assert accounts.authenticate(env, "chief", "密" * 30) is None
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input("chief")
    at.text_input(key="login_password").input("x" * 100)
    at.button[0].click().run()
    assert not at.exception and "用户名或密码不正确" in [e.value for e in at.error]


def test_a_bag_set_is_destroyed_only_where_its_paper_goes(env):
    snap = ops.snapshot(env, "provincial_congress")
    bag = snap.plan.bags[0]
    live = snap.live
    weighed_at = next(v for v in sorted(live.venues) if not live.venues[v].has_destruction)
    site = live.destruction_site(weighed_at)
    elsewhere = next((v for v in sorted(live.venues) if v not in (weighed_at, site)), None)
    day = dt.datetime(2021, 11, 27, 18)
    ops.log_event(env, snap.name, {"at": "2021-11-27T17:00", "type": "bag_weighed",
                                   "bag_set_id": bag.bag_set_id, "kg": 4.0,
                                   "venue_id": weighed_at}, "op1")
    if elsewhere is not None:  # a destruction somewhere its paper does not go
        ops.log_event(env, snap.name, {"at": "2021-11-27T17:30", "type": "destroyed",
                                       "kg": 1.0, "venue_id": elsewhere,
                                       "witnesses": ["P001", "P002"]}, "op1")
        chain = views.bag_custody(ops.snapshot(env, snap.name), day).set_index("bag_set_id")
        assert chain.loc[bag.bag_set_id, "state"] == "weighed"
    ops.log_event(env, snap.name, {"at": "2021-11-27T17:45", "type": "destroyed", "kg": 4.0,
                                   "venue_id": site, "witnesses": ["P001", "P002"]}, "op1")
    chain = views.bag_custody(ops.snapshot(env, snap.name), day).set_index("bag_set_id")
    assert chain.loc[bag.bag_set_id, "state"] == "destroyed"



def test_the_event_forms_defaults_are_ones_an_operator_would_keep(env):
    """The ad-hoc form offers a room that is free then (not 大会堂 while the opening
    plenary holds it) and 机密, not 绝密; the bag-weighing form names the session just
    ended, so per-recess tonnage is filled; a refused event says why in plain words, not
    as a file's row and column."""
    from planner.io.scenario_files import load_scenario

    people(env)
    scenario = load_scenario(ROOT / "scenarios" / "provincial_congress")
    at = _log_page(signed_in("op1"), "adhoc_session")
    start = dt.datetime.combine(at.date_input(key="f_start_d").value,
                                at.time_input(key="f_start_t").value)
    end = dt.datetime.combine(at.date_input(key="f_end_d").value,
                              at.time_input(key="f_end_t").value)
    taken = {s.room_id for s in scenario.sessions.values() if s.start < end and start < s.end}
    assert taken and at.selectbox(key="f_room").value not in taken
    assert at.selectbox(key="f_level").value == "secret"
    # the weighing, at 12:00 on the first day: the session ended last before then
    at.toggle(key="fix_clock").set_value(True).run()
    at.date_input(key="clock_day").set_value(dt.date(2021, 11, 26))
    at.time_input(key="clock_time").set_value(dt.time(12, 0)).run()
    at = _log_page(at, "bag_weighed")
    ended = [s for s in scenario.sessions.values()
             if dt.datetime(2021, 11, 26, 8) <= s.end <= dt.datetime(2021, 11, 26, 12)]
    latest = max(ended, key=lambda s: (s.end, [-ord(c) for c in s.session_id]))
    assert at.selectbox(key="f_recess").value == latest.session_id
    at.button(key="FormSubmitter:event_bag_weighed-记录").click().run()
    assert not at.exception
    [entry] = env.entries("provincial_congress")
    assert entry.payload["session_id"] == latest.session_id
    # a unit restored that never failed: refused, with the reason in words
    at = _log_page(at, "unit_restored")
    unit = at.selectbox(key="f_item").value
    at.button(key="FormSubmitter:event_unit_restored-记录").click().run()
    assert [e.value for e in at.error] == [f"未记录：设备 {unit} 没有报告故障，无需恢复"]
    assert len(env.entries("provincial_congress")) == 1


def test_a_technician_on_a_phone_sees_only_their_orders_and_reports_one_with_a_tap(env):
    """A field account linked to P001: its only page is 我的任务; the orders are P001's
    own; 完成 logs the contract's event for that order, with P001, its session and the
    moment shown; no plan-wide page opens; a room's address (?room=) shows that room's."""
    people(env)
    accounts.create_user(env, "tech1", "周技术", "field", PASSWORD, "chief")
    accounts.link_staff(env, "tech1", "P001", "chief")
    snap = ops.snapshot(env, "provincial_congress")
    now = views.congress_clock(snap)
    expected = views.my_orders(snap, "P001", now)
    assert expected  # P001 has work ahead on the first morning
    at = signed_in("tech1")
    assert titles(at) == ["我的任务"]
    for page in PAGES:
        with pytest.raises(ValueError):
            at.switch_page(f"views/{page}.py")
    first = expected[0]
    buttons = [b for b in at.button if (b.key or "").startswith("done_")]
    assert [b.key for b in buttons] == [f"done_{o.key}" for o in expected]
    buttons[0].click().run()
    assert not at.exception
    [entry] = env.entries("provincial_congress")
    assert (entry.who, entry.at) == ("tech1", f"{now:%Y-%m-%dT%H:%M}")
    assert entry.payload["session_id"] == first.session_id
    assert entry.payload.get("staff_id") == "P001"
    assert [s.value for s in at.success][:1] == [f"已报告：{vocab_name(first.task)} · "
                                                  f"{first.session}"]
    room = first.room_id
    at.query_params["room"] = room
    at.run()
    shown = [b.key for b in at.button if (b.key or "").startswith("done_")]
    assert shown == [f"done_{o.key}" for o in views.my_orders(
        ops.snapshot(env, "provincial_congress"), "P001", now, room=room) if not o.reported]


def vocab_name(task: str) -> str:
    from planner.model import vocabulary as vocab

    return vocab.display(vocab.TASKS, task, "zh")


def test_on_a_phone_a_table_is_cards_one_per_row_its_text_escaped(env):
    """Every table is also drawn as cards (shown at phone width instead of the table):
    one card per row, the first column its heading, each other column a line, and text
    a user typed shown as text, never as markup."""
    people(env)
    accounts.create_user(env, "ma", '<img src=x onerror="alert(1)">马', "viewer", PASSWORD,
                         "chief")
    at = signed_in("chief")
    at.switch_page("views/admin.py").run()
    [accounts_table, *_] = at.dataframe
    frame = accounts_table.value
    cards = next(h.proto.body for h in at.html if 'class="card"' in h.proto.body)
    assert cards.count('class="card"') == len(frame) == 4  # chief, op1, view1, ma
    assert "<img" not in cards and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;马" in cards
    assert cards.count("<span>用户名：</span>") == 4 and "<b>王指挥</b>" in cards  # name first


def test_an_order_skipped_on_the_phone_needs_its_reason(env):
    """未能执行 without a reason is refused (nothing stored, the reason asked for); with
    one, the order is logged as skipped with that reason and shows as reported."""
    people(env)
    accounts.create_user(env, "tech1", "周技术", "field", PASSWORD, "chief")
    accounts.link_staff(env, "tech1", "P001", "chief")
    snap = ops.snapshot(env, "provincial_congress")
    first = views.my_orders(snap, "P001", views.congress_clock(snap))[0]
    at = signed_in("tech1")
    at.button(key=f"skip_{first.key}").click().run()
    assert not env.entries("provincial_congress")
    assert [e.value[:4] for e in at.error] == ["未记录："]
    at.text_input(key=f"why_{first.key}").input("会场门禁未开")
    at.button(key=f"skip_{first.key}").click().run()
    [entry] = env.entries("provincial_congress")
    assert (entry.type, entry.who, entry.payload["reason"], entry.payload["task"]) == (
        "order_skipped", "tech1", "会场门禁未开", first.task)
    assert f"skip_{first.key}" not in [b.key for b in at.button]  # answered now
