"""The event log: refused bad events, an append-only hash chain, and no entry ever lost,
on SQLite and on a real PostgreSQL server the tests start themselves."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from planner.errors import Problems
from planner.events.log import check_events
from planner.io.scenario_files import load_scenario
from planner.live.store import Store, verify_chain
from tests.conftest import MINI, ROOT, jsonl, run_cli

GOOD = [
    {"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2"},
    {"at": "2021-11-26T10:05", "type": "adhoc_session", "session_id": "X1", "room_id": "R3",
     "start": "2021-11-26T12:00", "end": "2021-11-26T12:40", "kind": "临时会议",
     "attendees": 9, "level": "机密"},
    {"at": "2021-11-26T12:10", "type": "patrol_done", "session_id": "X1", "staff_id": "P2"},
    {"at": "2021-11-26T17:50", "type": "bag_weighed", "bag_set_id": "B1", "kg": 12.5,
     "venue_id": "V2", "who": "李明"},
    {"at": "2021-11-26T18:00", "type": "document_found", "room_id": "R2", "level": "秘密",
     "note": "会议材料一份"},
    {"at": "2021-11-27T18:00", "type": "destroyed", "kg": 40, "venue_id": "V1",
     "witnesses": ["王建国", "张伟"]},
]


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'planner.db'}"


def test_events_import_export_and_verify_round_trip(tmp_path, db):
    result = run_cli("events", "import", str(MINI), str(jsonl(tmp_path / "e.jsonl", GOOD)),
                     "--db", db, "--who", "王建国")
    assert result.returncode == 0, result.stderr
    assert "6 events logged" in result.stdout
    out = tmp_path / "export.jsonl"
    assert run_cli("events", "export", str(MINI), "--db", db, "--out", str(out)).returncode == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["seq"] for x in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[0]["who"] == "王建国" and lines[3]["who"] == "李明"
    assert lines[1]["room_id"] == "R3" and lines[1]["type"] == "adhoc_session"
    assert run_cli("events", "verify", str(MINI), "--db", db).returncode == 0
    assert run_cli("events", "verify", "--file", str(out)).returncode == 0


BAD = [
    ({"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J99"}, "the unit J99"),
    ({"at": "明天上午", "type": "booster_found", "room_id": "R1"}, "the time '明天上午'"),
    ({"at": "2021-11-26T10:00", "type": "bag_weighed", "bag_set_id": "B1", "kg": -2,
      "venue_id": "V2"}, "not below 0, but is -2"),
    ({"at": "2021-11-26T10:00", "type": "teleport"}, "'teleport' is not an accepted value"),
    ({"at": "2021-11-26T10:00", "type": "patrol_done", "session_id": "S9", "staff_id": "P1"},
     "the session S9 does not exist"),
    ({"at": "2021-11-26T10:00", "type": "staff_unavailable", "staff_id": "P9",
      "until": "2021-11-26T12:00"}, "the staff member P9 does not exist"),
    ({"at": "2021-11-26T10:00", "type": "booster_found", "room_id": "R9"},
     "the room R9 does not exist"),
    ({"at": "2021-11-26T10:00", "type": "adhoc_session", "session_id": "X2", "room_id": "R2",
      "start": "2021-11-26T15:00", "end": "2021-11-26T16:00", "kind": "adhoc", "attendees": 5,
      "level": "secret"}, "the room 一号会议室 is taken by session 第一小组讨论（S2）"),
    ({"at": "2021-11-26T10:00", "type": "extend_session", "session_id": "S2",
      "new_end": "2021-11-26T20:00"}, "the room 一号会议室 is taken by session 监票人会议（S4）"),
    ({"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": ["J1"]}, "item_id must be text"),
    ({"at": "2021-11-26T10:00", "type": "booster_found", "room_id": "R1", "hash": "x"},
     "hash is the log's own"),
]



def test_the_database_folder_is_made_on_first_use(tmp_path):
    db = f"sqlite:///{tmp_path / 'new' / 'folder' / 'planner.db'}"
    result = run_cli("events", "import", str(MINI), str(jsonl(tmp_path / "e.jsonl", GOOD[:1])),
                     "--db", db)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "folder" / "planner.db").exists()


def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(tmp_path):
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = f"postgresql+psycopg://nobody@127.0.0.1:{port}/planner"
    result = run_cli("events", "import", str(MINI), str(jsonl(tmp_path / "e.jsonl", GOOD[:1])),
                     "--db", db)
    assert result.returncode == 1
    assert f"cannot open the database {db}" in result.stderr
    assert "Traceback" not in result.stderr

@pytest.mark.parametrize(("event", "words"), BAD, ids=[w for _e, w in BAD])
def test_a_bad_event_is_refused_and_nothing_is_stored(tmp_path, db, event, words):
    file = jsonl(tmp_path / "e.jsonl", [GOOD[0], event])
    result = run_cli("events", "import", str(MINI), str(file), "--db", db)
    assert result.returncode == 1
    assert "e.jsonl line 2" in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert Store(db).entries("mini") == []


def test_nan_weights_and_events_on_cancelled_sessions_are_refused(tmp_path, db):
    file = tmp_path / "e.jsonl"
    file.write_text(
        '{"at": "2021-11-26T10:00", "type": "bag_weighed", "bag_set_id": "B1", "kg": NaN, '
        '"venue_id": "V2"}\n'
        '{"at": "2021-11-26T10:00", "type": "cancel_session", "session_id": "S3"}\n'
        '{"at": "2021-11-26T14:40", "type": "patrol_done", "session_id": "S3", "staff_id": "P2"}'
        '\n', encoding="utf-8")
    result = run_cli("events", "import", str(MINI), str(file), "--db", db)
    assert result.returncode == 1
    assert "e.jsonl line 1: not a valid JSON event" in result.stderr
    assert "e.jsonl line 3, column session_id: the session S3 was cancelled" in result.stderr
    assert Store(db).entries("mini") == []


def test_attendees_written_as_text_are_taken_as_a_number(tmp_path, db):
    event = {**GOOD[1], "attendees": "12"}
    result = run_cli("events", "import", str(MINI), str(jsonl(tmp_path / "e.jsonl", [event])),
                     "--db", db)
    assert result.returncode == 0, result.stderr
    assert Store(db).entries("mini")[0].payload["attendees"] == 12


def test_tampering_is_named_at_the_first_entry_touched(tmp_path, db):
    store = Store(db)
    store.append("mini", GOOD, "王建国")
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE events SET payload = ? WHERE seq = 3",
                    (json.dumps({"session_id": "X1", "staff_id": "P3"}),))
    result = run_cli("events", "verify", str(MINI), "--db", db)
    assert result.returncode == 1 and "entry 3 was altered" in result.stderr
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM events WHERE seq IN (2, 3)")
    result = run_cli("events", "verify", str(MINI), "--db", db)
    assert "entry 2 is missing" in result.stderr


def test_cutting_off_the_end_of_the_log_is_noticed(tmp_path, db):
    store = Store(db)
    store.append("mini", GOOD, "王建国")
    with sqlite3.connect(db.removeprefix("sqlite:///")) as con:
        con.execute("DELETE FROM events WHERE seq = 6")
    result = run_cli("events", "verify", str(MINI), "--db", db)
    assert result.returncode == 1 and "entries after 5 were removed" in result.stderr


def test_an_edited_export_fails_verification(tmp_path, db):
    Store(db).append("mini", GOOD, "王建国")
    entries = [e.line() for e in Store(db).entries("mini")]
    entries[4]["note"] = "没有发现"
    ok, message = verify_chain(entries)
    assert not ok and "entry 5 was altered" in message


# -- reliability on real databases -----------------------------------------------------------------

def _append_in_parallel(url: str, per_process: int) -> list[list[int]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.append_worker", url, "mini",
                               str(per_process), tag], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for tag in ("operator-a", "operator-b")]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    return [[int(x) for x in out.split()] for out, _err in outs]


def _kill_in_the_middle(url: str) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.append_worker", url, "mini", "100000",
                             "doomed"], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE)
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 200 and time.monotonic() < deadline:
        committed.append(int(proc.stdout.readline()))
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read()
    proc.wait()
    return committed + [int(x) for x in rest.split()]


def _check_reliability(url: str) -> None:
    seqs = _append_in_parallel(url, 1000)
    store = Store(url)
    entries = store.entries("mini")
    assert len(entries) == 2000
    assert sorted(seqs[0] + seqs[1]) == list(range(1, 2001))
    assert {e.who for e in entries} == {"operator-a", "operator-b"}
    assert verify_chain(entries)[0]
    committed = _kill_in_the_middle(url)
    entries = store.entries("mini")
    ok, message = verify_chain(entries)
    assert ok, message
    assert set(committed) <= {e.seq for e in entries}  # every committed entry survived
    assert store.head("mini") == (entries[-1].seq, entries[-1].hash)
    store.close()


def test_two_operators_and_a_crash_lose_nothing_on_sqlite(tmp_path):
    _check_reliability(f"sqlite:///{tmp_path / 'planner.db'}")


def test_two_operators_and_a_crash_lose_nothing_on_postgresql(postgres):
    _check_reliability(postgres)


def test_bad_events_are_refused_on_postgresql_too(postgres, tmp_path):
    file = jsonl(tmp_path / "e.jsonl", [GOOD[0], BAD[0][0]])
    result = run_cli("events", "import", str(MINI), str(file), "--db", postgres)
    assert result.returncode == 1 and "the unit J99" in result.stderr


def _check_versions(url: str) -> None:
    store = Store(url)
    files = {"summary.json": "{}", "coverage.csv": "session_id\nS1\n"}
    assert store.plan("mini") is None
    assert store.save_plan("mini", files, "王建国", after_event=0) == 1
    assert store.save_plan("mini", {**files, "summary.json": '{"v": 2}'}, "李明", 3,
                           note="J2 failed") == 2
    assert store.plan("mini") == (2, {**files, "summary.json": '{"v": 2}'})
    assert store.plan("mini", 1) == (1, files)
    store.save_scenario("mini", {"rooms.csv": "room_id\nR1\n"}, "王建国")
    store.save_scenario("mini", {"rooms.csv": "room_id\nR1\nR2\n"}, "王建国")
    assert store.latest_scenario("mini") == {"rooms.csv": "room_id\nR1\nR2\n"}
    assert store.latest_scenario("other") is None
    store.close()


def test_every_plan_version_and_scenario_is_kept_on_sqlite(db):
    _check_versions(db)


def test_every_plan_version_and_scenario_is_kept_on_postgresql(postgres):
    _check_versions(postgres)


def _check_accounts(url: str) -> None:
    """Accounts in the store: of eight first starts at once, one makes the first commander;
    the password is kept only as its hash; plan versions are listed without their files."""
    from concurrent.futures import ThreadPoolExecutor

    from planner.ops import accounts

    def first(n: int) -> bool:
        store = Store(url)
        try:
            accounts.create_user(store, f"chief{n}", "", "commander", "s3cret-pass", "test",
                                 first=True)
            return True
        except accounts.AccountError:
            return False
        finally:
            store.close()

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(first, range(8)))
    assert sum(made) == 1
    store = Store(url)
    [user] = store.users()
    assert user.role == "commander" and "s3cret-pass" not in user.password_hash
    assert accounts.authenticate(store, user.username, "s3cret-pass").username == user.username
    assert accounts.authenticate(store, user.username, "wrong-pass") is None
    store.save_plan("accounts", {"summary.json": "{}"}, user.username, 0, note="v1")
    assert [(v["version"], v["created_by"], v["note"])
            for v in store.plan_versions("accounts")] == [(1, user.username, "v1")]
    assert [e.type for e in store.entries(accounts.AUDIT)] == ["user_created"]
    store.close()


def test_accounts_on_sqlite(db):
    _check_accounts(db)


def test_accounts_on_postgresql(postgres):
    _check_accounts(postgres)


def _said(scenario, events, lang="en"):
    problems = Problems()
    good = check_events(scenario, list(enumerate(events, start=1)), "e.jsonl", problems)
    return len(good), [p.text(lang) for p in problems.items]


def test_events_that_cannot_have_happened_are_refused_and_say_why(tmp_path, db):
    """Plausibility against the log and the event itself: a person off duty "until" a time
    before the entry's own; a unit restored that nobody reported failed (J5 is in
    maintenance from the start, so restoring it is fine); an "extension" that ends a
    session (S2 第一小组讨论, 14:30–17:30) earlier. Each is refused with its reason,
    and the file stores nothing."""
    scenario = load_scenario(MINI)
    early = {"at": "2021-11-26T09:00", "type": "staff_unavailable", "staff_id": "P2",
             "until": "2021-11-26T07:00"}
    restore = {"at": "2021-11-26T09:00", "type": "unit_restored", "item_id": "J1"}
    shorter = {"at": "2021-11-26T16:00", "type": "extend_session", "session_id": "S2",
               "new_end": "2021-11-26T17:00"}
    for event, words in [
            (early, "line 1, column until: 李明 (P2) off duty until 11-26 07:00, before the "
                    "time logged (11-26 09:00): check the times"),
            (restore, "line 1, column item_id: the unit J1 is not reported failed"),
            (shorter, "line 1, column new_end: the session 第一小组讨论 (S2) now ends at 11-26 "
                      "17:30: an extension must end later than that, not at 11-26 17:00")]:
        n, said = _said(scenario, [event])
        assert n == 0 and len(said) == 1 and words in said[0], said
    assert "李明（P2）不在岗至 11-26 07:00，早于记录的时间 11-26 09:00" in _said(
        scenario, [early], "zh")[1][0]
    # the plausible ones go through: after a failure, a restore; a real extension; J5
    failed = {"at": "2021-11-26T08:00", "type": "unit_failed", "item_id": "J1"}
    assert _said(scenario, [failed, restore])[0] == 2
    assert _said(scenario, [failed, restore, restore])[0] == 2  # restored already
    assert _said(scenario, [{**shorter, "new_end": "2021-11-26T18:00"}])[0] == 1
    assert _said(scenario, [{**restore, "item_id": "J5"}])[0] == 1
    assert _said(scenario, [{**early, "until": "2021-11-26T12:00"}])[0] == 1
    file = jsonl(tmp_path / "e.jsonl", [GOOD[0], shorter])
    result = run_cli("events", "import", str(MINI), str(file), "--db", db)
    assert result.returncode == 1 and "an extension must end later" in result.stderr
    assert Store(db).entries("mini") == []
