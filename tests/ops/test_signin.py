"""Sign-in against guessing: a delay growing with the failures of an account and of a
client address, a lockout, every failure in the audit log; a password reset or a role
change ends the open sessions; the first commander only from the environment or with the
set-up code the server prints. On SQLite and PostgreSQL, with a clock the tests move (no
test sleeps), and through the dashboard (AppTest)."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from planner.live.store import Store
from planner.ops import accounts
from planner.ops.accounts import LOCK_AFTER, LOCK_SECONDS, AccountError, SignInRefused
from tests.conftest import ROOT

APP = str(ROOT / "dashboards" / "app.py")
PASSWORD = "correct-horse-9"
HERE, THERE = "10.0.0.1", "10.0.0.2"


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A new, empty store: a SQLite file, or a new database in the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'planner.db'}"
    cluster = request.getfixturevalue("postgres")
    name = f"signin_{uuid.uuid4().hex[:12]}"
    engine = create_engine(cluster, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return cluster.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def store(url):
    store = Store(url)
    accounts.create_user(store, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(store, "op1", "李操作", "operator", PASSWORD, "chief")
    yield store
    store.close()


def fail_until_locked(store: Store, clock: Clock, username: str = "op1",
                      address: str = HERE) -> None:
    """LOCK_AFTER wrong passwords, each as soon as it is allowed; the clock stays at the
    last."""
    for n in range(1, LOCK_AFTER + 1):
        clock.t += accounts.delay(n - 1)
        assert accounts.sign_in(store, username, f"wrong-{n}", address, clock) is None


def test_after_three_failures_even_the_right_password_waits(store, url):
    clock = Clock()
    for n in range(3):
        assert accounts.sign_in(store, "op1", f"wrong-{n}", HERE, clock) is None
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(store, "op1", PASSWORD, HERE, clock)
    assert refused.value.wait == 1 and not refused.value.locked
    assert "1 秒" in refused.value.zh and "1 s" in refused.value.en
    clock.t += 0.5
    again = Store(url)  # another process, or the dashboard restarted: the counters hold
    with pytest.raises(SignInRefused):
        accounts.sign_in(again, "op1", PASSWORD, THERE, clock)  # the account waits anywhere
    clock.t += 0.5
    signed = accounts.sign_in(again, "op1", PASSWORD, HERE, clock)
    assert signed["username"] == "op1" and signed["role"] == "operator"
    again.close()
    # a right password clears the account's count: the next mistake is the first again
    assert accounts.sign_in(store, "op1", "wrong", HERE, clock) is None
    assert accounts.sign_in(store, "op1", PASSWORD, THERE, clock)["username"] == "op1"


def test_the_delay_doubles_per_failure_and_stops_at_its_cap():
    assert [accounts.delay(n) for n in range(1, 12)] == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60,
                                                         60]


def test_one_address_trying_many_accounts_waits_too(store):
    clock = Clock()
    for name in ("ann", "bob", "cid"):  # three names, one wrong password each
        assert accounts.sign_in(store, name, "password1", HERE, clock) is None
    with pytest.raises(SignInRefused):  # that address waits, whoever it names
        accounts.sign_in(store, "op1", PASSWORD, HERE, clock)
    assert accounts.sign_in(store, "op1", PASSWORD, THERE, clock)["username"] == "op1"


@pytest.mark.parametrize("shared", [None, "unknown", "::1"])
def test_an_address_every_client_shares_is_not_made_to_wait(store, shared):
    clock = Clock()
    for n in range(accounts.FREE_FAILURES + 3):  # an attacker, failing as often as allowed
        clock.t += accounts.delay(n)
        assert accounts.sign_in(store, "ann", f"wrong-{n}", shared, clock) is None
    # every other user at that address (on localhost: all of them) still signs in
    assert accounts.sign_in(store, "op1", PASSWORD, shared, clock)["username"] == "op1"
    # the account's own count still holds, wherever the attempts come from
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "ann", "wrong-again", shared, clock)
    for n in range(3):
        assert accounts.sign_in(store, "chief", f"wrong-{n}", shared, clock) is None
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "chief", PASSWORD, shared, clock)


def test_only_a_real_client_address_is_counted():
    assert accounts.counted_address(HERE) and accounts.counted_address("2001:db8::7")
    assert accounts.counted_address("192.0.2.10") and accounts.counted_address("[2001:db8::7]")
    for shared in (None, "", "unknown", "localhost", "127.0.0.1", "127.8.9.1", "::1",
                   "::ffff:127.0.0.1", "0.0.0.0", "::"):
        assert not accounts.counted_address(shared), shared


def test_attempts_made_at_once_cannot_slip_past_the_delay(store):
    clock = Clock()

    def attempt(n: int) -> str:
        try:
            return "wrong" if accounts.sign_in(store, "op1", f"x{n}", HERE, clock) is None \
                else "in"
        except SignInRefused:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count("wrong") == 3 and results.count("refused") == 5


def test_ten_failures_lock_the_account_until_the_time_passes_or_a_commander_unlocks(store):
    clock = Clock()
    fail_until_locked(store, clock)
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(store, "op1", PASSWORD, THERE, clock)
    assert refused.value.locked and "锁定" in refused.value.zh
    assert set(accounts.locked_accounts(store, clock)) == {"op1"}
    clock.t += LOCK_SECONDS - 1
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "op1", PASSWORD, THERE, clock)
    assert accounts.sign_in(store, "chief", PASSWORD, THERE, clock)  # others are not locked
    clock.t += 1
    assert accounts.sign_in(store, "op1", PASSWORD, THERE, clock)["username"] == "op1"
    fail_until_locked(store, clock, address=THERE)
    accounts.unlock(store, "op1", "chief")
    assert not accounts.locked_accounts(store, clock)
    assert accounts.sign_in(store, "op1", PASSWORD, "10.0.0.3", clock)["username"] == "op1"


def test_every_failure_and_lockout_is_in_the_audit_log_without_the_password(store):
    clock = Clock()
    fail_until_locked(store, clock)
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "op1", "wrong-locked", HERE, clock)
    with pytest.raises(SignInRefused):  # refused again in the same wait: counted once
        accounts.sign_in(store, "op1", "wrong-locked-2", HERE, clock)
    accounts.unlock(store, "op1", "chief")
    entries = [e for e in store.entries(accounts.AUDIT) if e.type.startswith("sign_in")]
    assert [e.type for e in entries] == (["sign_in_failed"] * LOCK_AFTER
                                         + ["sign_in_locked", "sign_in_refused",
                                            "sign_in_unlocked"])
    for e in entries[:-1]:
        assert (e.payload["username"], e.payload["address"]) == ("op1", HERE)
    assert [e.payload["failures"] for e in entries[:LOCK_AFTER]] == list(range(1, 11))
    assert entries[-2].payload["reason"] == "locked" and entries[-1].who == "chief"
    text_of_log = json.dumps([e.line() for e in store.entries(accounts.AUDIT)])
    assert "wrong-" not in text_of_log and PASSWORD not in text_of_log


def test_a_password_reset_or_a_role_change_ends_the_open_sessions(store):
    clock = Clock()
    session = accounts.sign_in(store, "op1", PASSWORD, HERE, clock)
    assert session["epoch"] == accounts.session_epoch(store, "op1")
    accounts.set_password(store, "op1", "another-pass-7", "chief")
    assert accounts.session_epoch(store, "op1") != session["epoch"]  # that session ends
    session = accounts.sign_in(store, "op1", "another-pass-7", HERE, clock)
    assert session["epoch"] == accounts.session_epoch(store, "op1")
    accounts.set_role(store, "op1", "viewer", "chief")
    assert accounts.session_epoch(store, "op1") != session["epoch"]
    assert accounts.session_epoch(store, "chief") == 0  # the others' sessions stay


def test_disabling_an_account_ends_its_open_sessions_for_good(store):
    clock = Clock()
    session = accounts.sign_in(store, "op1", PASSWORD, HERE, clock)
    accounts.set_active(store, "op1", False, "chief")
    assert accounts.session_epoch(store, "op1") != session["epoch"]
    accounts.set_active(store, "op1", True, "chief")  # re-enabled: the old session stays ended
    assert accounts.session_epoch(store, "op1") != session["epoch"]
    again = accounts.sign_in(store, "op1", PASSWORD, HERE, clock)
    assert again["epoch"] == accounts.session_epoch(store, "op1")
    assert accounts.session_epoch(store, "chief") == 0


def test_the_first_commander_from_the_form_needs_the_set_up_code(url, capsys, monkeypatch):
    monkeypatch.setattr(accounts, "_SETUP_CODE", [])  # a new server process
    store = Store(url)
    code = accounts.setup_code()
    assert code in capsys.readouterr().err  # on the server's console, once
    assert accounts.setup_code() == code and code not in capsys.readouterr().err
    for wrong in ("", "AAAA-BBBB-CCCC"):
        with pytest.raises(AccountError):
            accounts.create_first_commander(store, "chief", "", PASSWORD, wrong)
    assert not store.users()
    accounts.create_first_commander(store, "chief", "", PASSWORD, code.lower())
    with pytest.raises(AccountError):  # one first commander only
        accounts.create_first_commander(store, "late", "", PASSWORD, code)
    assert [u.username for u in store.users()] == ["chief"]
    store.close()


# -- through the dashboard ----------------------------------------------------------------------

@pytest.fixture
def env(planned, tmp_path, monkeypatch):
    db = tmp_path / "planner.db"
    shutil.copy(planned, db)
    monkeypatch.setenv("PLANNER_DB", f"sqlite:///{db}")
    monkeypatch.setenv("PLANNER_DATA", str(tmp_path))
    monkeypatch.delenv("PLANNER_ADMIN_USER", raising=False)
    monkeypatch.delenv("PLANNER_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("PLANNER_LANG", raising=False)
    store = Store(f"sqlite:///{db}")
    yield store
    store.close()


def first_form(at: AppTest, code: str) -> AppTest:
    at.text_input(key="first_code").input(code)
    at.text_input(key="first_username").input("chief")
    at.text_input(key="first_name").input("王指挥")
    at.text_input(key="first_password").input(PASSWORD)
    at.text_input(key="first_again").input(PASSWORD)
    return at.button[0].click().run()


def test_the_first_start_form_asks_for_the_code_printed_on_the_console(env, capsys,
                                                                      monkeypatch):
    monkeypatch.setattr(accounts, "_SETUP_CODE", [])
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "创建第一个指挥账户" in [t.value for t in at.title]
    code = accounts.setup_code()
    assert code in capsys.readouterr().err and code not in str(at)  # never on the page
    first_form(at, "")
    assert not env.users() and "设置码不正确" in at.error[0].value
    first_form(at, code)
    assert [u.username for u in env.users()] == ["chief"]


def test_a_weak_password_in_the_environment_never_opens_the_form(env, monkeypatch):
    monkeypatch.setenv("PLANNER_ADMIN_USER", "boss")
    monkeypatch.setenv("PLANNER_ADMIN_PASSWORD", "1234")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not env.users() and "PLANNER_ADMIN_PASSWORD" in at.error[0].value
    assert "密码至少 8 位" in at.error[0].value
    first_form(at, "not-the-code")  # whoever opens the page first cannot take it
    assert not env.users()


def sign_in_page(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_a_password_reset_signs_the_open_session_out(env):
    accounts.create_user(env, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(env, "op1", "李操作", "operator", PASSWORD, "chief")
    at = sign_in_page("op1", PASSWORD)
    assert "总览" in [t.value for t in at.title]
    accounts.set_password(env, "op1", "another-pass-7", "chief")
    at.run()  # the next click
    assert "总览" not in [t.value for t in at.title] and at.text_input(key="login_username")
    assert "您的密码或角色已更改，请重新登录" in [w.value for w in at.warning]


def test_a_locked_account_is_refused_on_the_page_and_a_commander_unlocks_it(env):
    accounts.create_user(env, "chief", "王指挥", "commander", PASSWORD, "test", first=True)
    accounts.create_user(env, "op1", "李操作", "operator", PASSWORD, "chief")
    clock = Clock(time.time() - 300)  # locked until about ten minutes from now
    fail_until_locked(env, clock, address=HERE)
    at = sign_in_page("op1", PASSWORD)
    assert "总览" not in [t.value for t in at.title]
    assert "账户已锁定" in at.error[0].value and "Traceback" not in str(at)
    at = sign_in_page("chief", PASSWORD)
    at.switch_page("views/admin.py").run()
    at.selectbox(key="ad_unlock").select("op1")
    at.button(key="ad_unlock_go").click().run()
    assert not accounts.locked_accounts(env)
    assert "总览" in [t.value for t in sign_in_page("op1", PASSWORD).title]


def test_a_device_kept_signed_in_is_recalled_until_it_expires_signs_out_or_is_ended(store):
    """A phone that stays signed in opens a room's code without the form, for
    REMEMBER_HOURS; signing out, a password reset, a role change or disabling the account
    ends it; the store keeps only the key's hash."""
    clock = Clock()
    signed = accounts.sign_in(store, "op1", PASSWORD, HERE, clock=clock)
    key = accounts.remember(store, signed, clock=clock)
    assert len(key) >= 40
    assert accounts.recall(store, key, clock=clock) == signed
    with store.engine.connect() as conn:  # the key itself is nowhere in the store
        rows = conn.execute(text("SELECT key_hash, username FROM device_keys")).all()
    assert [r.username for r in rows] == ["op1"] and key not in rows[0].key_hash
    assert accounts.recall(store, key + "x", clock=clock) is None
    assert accounts.recall(store, "", clock=clock) is None
    clock.t += accounts.REMEMBER_HOURS * 3600  # a shift later: the form again
    assert accounts.recall(store, key, clock=clock) is None
    password = PASSWORD
    for end in ("sign out", "password", "role", "disabled"):
        accounts.set_active(store, "op1", True, "chief")
        signed = accounts.sign_in(store, "op1", password, HERE, clock=clock)
        key = accounts.remember(store, signed, clock=clock)
        assert accounts.recall(store, key, clock=clock) == signed
        if end == "sign out":
            accounts.forget(store, key)
        elif end == "password":
            password = "another-horse-7"
            accounts.set_password(store, "op1", password, "chief")
        elif end == "role":
            accounts.set_role(store, "op1", "viewer", "chief")
        else:
            accounts.set_active(store, "op1", False, "chief")
        assert accounts.recall(store, key, clock=clock) is None, end
    assert sum(e.type == "device_remembered" for e in store.entries(accounts.AUDIT)) == 5
