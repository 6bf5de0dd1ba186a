"""Signed checkpoints of the event log, and voiding an entry without breaking the chain.

The chain alone has no key: whoever can write to the database can rewrite an entry and
recompute every later hash, cut entries off the end and rewind the head, or wipe the
log, and the chain still verifies (shown below). A checkpoint signed with a key kept
outside the database shows each of these; on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select, update

from planner.errors import Problems, ScenarioError
from planner.events.apply import apply_events
from planner.events.log import check_events
from planner.events.types import in_force, parsed
from planner.io.scenario_files import load_scenario
from planner.live import checkpoint
from planner.live.store import EventRow, LogHead, Store, entry_hash, verify_chain
from planner.model.plan import Plan
from planner.report.statistics import build
from tests.conftest import MINI, jsonl, run_cli
from tests.dashboards.test_dashboard import env  # noqa: F401 - the dashboard's fixture (planned is in conftest)

EVENTS = [
    {"at": "2021-11-26T10:00", "type": "unit_failed", "item_id": "J2"},
    {"at": "2021-11-26T10:05", "type": "booster_found", "room_id": "R4"},
    {"at": "2021-11-26T12:10", "type": "patrol_done", "session_id": "S1", "staff_id": "P2"},
    {"at": "2021-11-26T17:50", "type": "bag_weighed", "bag_set_id": "B1", "kg": 12.5,
     "venue_id": "V2"},
    {"at": "2021-11-26T18:00", "type": "document_found", "room_id": "R2", "level": "秘密",
     "note": "会议材料一份"},
]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'planner.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres"))
    s = Store(url)
    yield s
    s.close()


@pytest.fixture
def keys(tmp_path):
    return checkpoint.init_keys(tmp_path / "keys")


def _log(store: Store) -> str:
    """A fresh log of the five events (a name of its own: the PostgreSQL server is shared)."""
    log = f"mini_{uuid.uuid4().hex[:8]}"
    store.append(log, EVENTS, "王建国")
    return log


def _check(store: Store, log: str, text: str, keys) -> list[tuple[str, str]]:
    _cp, problems = checkpoint.verify(text, store.entries(log), checkpoint.verifier(keys),
                                      store.head(log), log)
    return problems


def _plain_verify_passes(store: Store, log: str) -> bool:
    """What `events verify` checked before checkpoints: the chain, and its end against
    the head row."""
    entries = store.entries(log)
    return verify_chain(entries)[0] and checkpoint.head_of(entries) == tuple(store.head(log))


# -- tampering, done as someone with write access to the database would -----------------------
def rewrite(store: Store, log: str, seq: int, payload: dict) -> None:
    """Rewrite entry ``seq``'s payload and recompute every later hash, and the head's."""
    table = EventRow.__table__
    with store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.log == log, table.c.seq == seq)
                     .values(payload=payload))
        rows = conn.execute(select(table).where(table.c.log == log)
                            .order_by(table.c.seq)).all()
        prev = rows[0].prev_hash
        for r in rows:
            digest = entry_hash(prev, r.seq, r.at, r.who, r.type, r.payload, r.recorded_at)
            conn.execute(update(table).where(table.c.id == r.id)
                         .values(prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(LogHead.__table__).where(LogHead.__table__.c.log == log)
                     .values(hash=prev))


def cut(store: Store, log: str, keep: int) -> None:
    """Delete the entries after ``keep`` and rewind the head row to entry ``keep``."""
    table = EventRow.__table__
    with store.engine.begin() as conn:
        conn.execute(delete(table).where(table.c.log == log, table.c.seq > keep))
        last = conn.execute(select(table.c.hash).where(table.c.log == log,
                                                       table.c.seq == keep)).scalar()
        conn.execute(update(LogHead.__table__).where(LogHead.__table__.c.log == log)
                     .values(seq=keep, hash=last))


def wipe(store: Store, log: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(EventRow.__table__).where(EventRow.__table__.c.log == log))
        conn.execute(delete(LogHead.__table__).where(LogHead.__table__.c.log == log))


def test_an_untouched_log_and_one_that_grew_match_their_checkpoint(store, keys):
    log = _log(store)
    text = checkpoint.current(store, log, keys).text()
    assert _check(store, log, text, keys) == []
    store.append(log, [{"at": "2021-11-26T19:00", "type": "unit_restored", "item_id": "J2"}],
                 "李明")
    assert _check(store, log, text, keys) == []  # appending is what a log does


def test_a_rewritten_entry_with_later_hashes_recomputed_is_caught(store, keys):
    log = _log(store)
    text = checkpoint.current(store, log, keys).text()
    rewrite(store, log, 4, {"bag_set_id": "B1", "kg": 1.5, "venue_id": "V2"})
    assert _plain_verify_passes(store, log)  # the chain alone cannot tell
    problems = _check(store, log, text, keys)
    assert len(problems) == 1 and "rewritten" in problems[0][1]
    assert "被改写" in problems[0][0]


def test_entries_cut_off_the_end_with_the_head_rewound_are_caught(store, keys):
    log = _log(store)
    text = checkpoint.current(store, log, keys).text()
    cut(store, log, 3)
    assert _plain_verify_passes(store, log)
    problems = [en for _zh, en in _check(store, log, text, keys)]
    assert any("holds 3 entries but the checkpoint says 5" in p for p in problems)
    assert any("head was rewound" in p for p in problems)


def test_a_wiped_log_is_caught(store, keys):
    log = _log(store)
    text = checkpoint.current(store, log, keys).text()
    wipe(store, log)
    assert store.entries(log) == [] and verify_chain(store.entries(log))[0]
    problems = [en for _zh, en in _check(store, log, text, keys)]
    assert any("the log was wiped" in p for p in problems)
    assert any("head row is gone" in p for p in problems)


def test_a_checkpoint_from_another_key_or_altered_is_refused(tmp_path, keys):
    other = checkpoint.init_keys(tmp_path / "other")
    cp = checkpoint.make("mini", 5, "ab" * 32, checkpoint.signer(other))
    with pytest.raises(checkpoint.CheckpointError, match="not signed by the key"):
        checkpoint.verify(cp.text(), [], checkpoint.verifier(keys))
    mine = checkpoint.make("mini", 5, "ab" * 32, checkpoint.signer(keys)).text()
    with pytest.raises(checkpoint.CheckpointError, match="bad signature"):  # a smaller size
        checkpoint.verify(mine.replace("\n5\n", "\n2\n"), [], checkpoint.verifier(keys))
    with pytest.raises(checkpoint.CheckpointError, match="not a checkpoint"):
        checkpoint.verify("hello\n", [], checkpoint.verifier(keys))


def test_the_checkpoint_note_follows_the_tlog_checkpoint_layout(keys):
    text = checkpoint.make("mini", 5, "00" * 32, checkpoint.signer(keys)).text()
    origin, size, head, blank, signature, end = text.split("\n")
    assert (origin, size, head, blank, end) == ("secrecy-planner/mini", "5", "A" * 43 + "=",
                                                "", "")
    assert signature.startswith("\u2014 secrecy-planner ")
    assert checkpoint.parse(text).signatures[0][1] == checkpoint.verifier(keys).id
    assert (keys / "checkpoint.key").stat().st_mode & 0o777 == 0o600


def test_the_commands_sign_and_check_a_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path / 'planner.db'}"
    assert run_cli("keys", "init").returncode == 0
    again = run_cli("keys", "init")
    assert again.returncode == 1 and "holds a key already" in again.stderr
    assert run_cli("events", "import", str(MINI), str(jsonl(tmp_path / "e.jsonl", EVENTS)),
                   "--db", db).returncode == 0
    note = tmp_path / "checkpoint.txt"
    made = run_cli("events", "checkpoint", str(MINI), "--db", db, "--out", str(note))
    assert made.returncode == 0, made.stderr
    assert note.read_text(encoding="utf-8").startswith("secrecy-planner/mini\n5\n")
    ok = run_cli("events", "verify", str(MINI), "--db", db, "--checkpoint", str(note))
    assert ok.returncode == 0 and "matches the signed checkpoint" in ok.stdout
    store = Store(db)
    rewrite(store, "mini", 2, {"room_id": "R3"})
    store.close()
    plain = run_cli("events", "verify", str(MINI), "--db", db)
    assert plain.returncode == 0  # the chain alone cannot tell
    bad = run_cli("events", "verify", str(MINI), "--db", db, "--checkpoint", str(note))
    assert bad.returncode == 1 and "rewritten" in bad.stderr
    assert "Traceback" not in bad.stderr
    zh = run_cli("events", "verify", str(MINI), "--db", db, "--checkpoint", str(note),
                 lang="zh")
    assert zh.returncode == 1 and "被改写" in zh.stderr
    export = tmp_path / "export.jsonl"
    assert run_cli("events", "export", str(MINI), "--db", db, "--out", str(export)
                   ).returncode == 0
    from_file = run_cli("events", "verify", "--file", str(export), "--checkpoint", str(note))
    assert from_file.returncode == 1 and "rewritten" in from_file.stderr
    monkeypatch.setenv("PLANNER_KEY_DIR", str(tmp_path / "nokeys"))
    nokey = run_cli("events", "checkpoint", str(MINI), "--db", db)
    assert nokey.returncode == 1 and "keys init" in nokey.stderr


def test_a_size_line_of_too_many_digits_is_not_a_checkpoint(keys):
    mine = checkpoint.make("mini", 5, "ab" * 32, checkpoint.signer(keys)).text()
    for size in ("9" * 5000, "1" + "0" * 20):  # int() refuses the first outright
        with pytest.raises(checkpoint.CheckpointError, match="at most 20 digits"):
            checkpoint.parse(mine.replace("\n5\n", f"\n{size}\n"))
    assert checkpoint.parse(mine.replace("\n5\n", f"\n{'9' * 20}\n")).size == 10**20 - 1


def test_a_key_that_cannot_be_read_is_a_checkpoint_error_and_the_report_is_unsigned(
        tmp_path, monkeypatch):
    folder = tmp_path / "keys"
    (folder / checkpoint.KEY_FILE).mkdir(parents=True)  # a folder where the key should be
    (folder / checkpoint.PUBLIC_FILE).mkdir()
    with pytest.raises(checkpoint.CheckpointError, match="cannot read the key file"):
        checkpoint.signer(folder)
    with pytest.raises(checkpoint.CheckpointError, match="cannot read the key file"):
        checkpoint.verifier(folder)
    store = Store(f"sqlite:///{tmp_path / 'planner.db'}")
    store.append("mini", EVENTS, "李明")
    with pytest.raises(checkpoint.CheckpointError):  # what the live-log page catches
        checkpoint.current(store, "mini", folder)
    monkeypatch.setenv("PLANNER_KEY_DIR", str(folder))
    report = build(load_scenario(MINI), Plan(), [e.line() for e in store.entries("mini")])
    assert "not signed" in report.checkpoint_lines("en")[0]
    store.close()
    # a key folder that cannot be searched (as root, chmod would not stop the read)
    keys = checkpoint.init_keys(tmp_path / "closed")
    real_exists = type(keys).exists

    def exists(path, *args, **kwargs):
        if keys in path.parents:
            raise PermissionError(13, "Permission denied", str(path))
        return real_exists(path, *args, **kwargs)

    monkeypatch.setattr(type(keys), "exists", exists)
    with pytest.raises(checkpoint.CheckpointError, match="Permission denied"):
        checkpoint.signer(keys)
    with pytest.raises(checkpoint.CheckpointError, match="Permission denied"):
        checkpoint.verifier(keys)


def test_the_checkpoint_commands_say_where_they_cannot_write_and_whose_log_it_is(
        tmp_path, monkeypatch):
    from tests.conftest import REFERENCE

    monkeypatch.setenv("PLANNER_KEY_DIR", str(tmp_path / "keys"))
    checkpoint.init_keys(tmp_path / "keys")
    db = f"sqlite:///{tmp_path / 'planner.db'}"
    store = Store(db)
    store.append("mini", EVENTS, "王建国")
    store.close()
    (tmp_path / "taken").mkdir()
    nowhere = run_cli("events", "checkpoint", str(MINI), "--db", db, "--out",
                      str(tmp_path / "taken"))
    assert nowhere.returncode == 1 and "Traceback" not in nowhere.stderr
    assert f"cannot write the checkpoint to {tmp_path / 'taken'}" in nowhere.stderr
    note = tmp_path / "checkpoint.txt"
    assert run_cli("events", "checkpoint", str(MINI), "--db", db, "--out", str(note)
                   ).returncode == 0
    export = tmp_path / "export.jsonl"
    assert run_cli("events", "export", str(MINI), "--db", db, "--out", str(export)
                   ).returncode == 0
    bare = run_cli("events", "verify", "--file", str(export), "--checkpoint", str(note))
    assert bare.returncode == 0 and "the checkpoint is for the log mini" in bare.stdout
    named = run_cli("events", "verify", str(MINI), "--file", str(export), "--checkpoint",
                    str(note))
    assert named.returncode == 0 and "is for the log" not in named.stdout
    other = run_cli("events", "verify", str(REFERENCE), "--file", str(export),
                    "--checkpoint", str(note))
    assert other.returncode == 1
    assert "the checkpoint is for the log mini, not provincial_congress" in other.stderr


# -- voiding an entry ---------------------------------------------------------------------------
VOID = {"at": "2021-11-26T10:30", "type": "void", "voids": 1, "reason": "报错了设备编号"}


def test_a_voided_unit_failure_counts_for_nothing():
    scenario = load_scenario(MINI)
    failed = apply_events(scenario, EVENTS[:1])
    assert failed.items["J2"].status == "maintenance"
    voided = apply_events(scenario, [*EVENTS, VOID])
    assert voided.items["J2"].status == "ok" and "J2" not in voided.failed_since
    assert voided.rooms["R4"].signal == "booster"  # the rest still counts
    assert [e.type for e in in_force(parsed([*EVENTS, VOID]))] == [e["type"] for e in EVENTS[1:]]


def test_a_voided_unit_failure_is_not_replanned_for():
    from planner.live.replan import replan
    from planner.solve.orchestrate import make_plan

    scenario = load_scenario(MINI)
    plan = make_plan(scenario, method="greedy")
    result = replan(scenario, plan, [*EVENTS[:1], VOID], method="greedy")
    assert result.live.items["J2"].status == "ok"
    assert not any("J2" in c.reason_en and "failed" in c.reason_en for c in result.changes)


def _checked(events: list[dict], logged: list[dict] | None = None) -> Problems:
    problems = Problems()
    check_events(load_scenario(MINI), list(enumerate(events, start=1)), "e.jsonl", problems,
                 logged)
    return problems


def test_voiding_a_missing_entry_a_void_or_a_voided_entry_is_refused():
    assert not _checked([*EVENTS, VOID]).items
    twice = _checked([*EVENTS, VOID, {**VOID, "reason": "again"}])
    assert ["was voided already" in p.text("en") for p in twice.items] == [True]
    of_a_void = _checked([{**VOID, "voids": 6}], logged=[*EVENTS, VOID])
    assert "itself a void" in of_a_void.items[0].text("en")
    missing = _checked([{**VOID, "voids": 9}], logged=EVENTS)
    assert "has no entry 9" in missing.items[0].text("en")
    adhoc = {"at": "2021-11-26T10:05", "type": "adhoc_session", "session_id": "X1",
             "room_id": "R3", "start": "2021-11-26T19:00", "end": "2021-11-26T19:40",
             "kind": "adhoc", "attendees": 8, "level": "secret"}
    patrol = {"at": "2021-11-26T19:10", "type": "patrol_done", "session_id": "X1",
              "staff_id": "P2"}
    used = _checked([adhoc, patrol, {**VOID, "voids": 1}])
    assert "entry 2 names" in used.items[0].text("en")
    # voiding the ad-hoc session (nothing names it) makes it unknown to later events
    gone = _checked([adhoc, {**VOID, "voids": 1}, patrol])
    assert "the session X1 does not exist" in gone.items[0].text("en")


def test_the_store_numbers_voids_by_log_entry(tmp_path):
    from planner.ops.congress import log_event, scenario_files

    store = Store(f"sqlite:///{tmp_path / 'planner.db'}")
    store.save_scenario("mini", scenario_files(MINI), "system")
    store.add_user("zhang", "张指挥", "commander", "x", "system")
    store.add_user("li", "李操作", "operator", "x", "system")
    store.append("mini", EVENTS, "li")
    with pytest.raises(PermissionError):
        log_event(store, "mini", {**VOID, "voids": 2}, "li")
    assert log_event(store, "mini", {**VOID, "voids": 2}, "zhang") == 6
    with pytest.raises(ScenarioError, match="voided already"):
        log_event(store, "mini", {**VOID, "voids": 2}, "zhang")
    ok, _message = verify_chain(store.entries("mini"))
    assert ok  # the correction is one more entry: the chain stays whole
    live = apply_events(load_scenario(MINI), [e.line() for e in store.entries("mini")])
    assert live.rooms["R4"].signal != "booster" and live.items["J2"].status == "maintenance"


def test_the_report_leaves_voided_entries_out_and_lists_the_voids(tmp_path, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'planner.db'}")
    store.append("mini", EVENTS, "李明")
    store.append("mini", [VOID], "张指挥")
    log = [e.line() for e in store.entries("mini")]
    scenario = load_scenario(MINI)
    monkeypatch.setenv("PLANNER_KEY_DIR", str(tmp_path / "nokeys"))
    report = build(scenario, Plan(), log)
    assert report.figures["unit_faults"] == 0 and report.tables["faults"].empty
    assert report.figures["boosters_found"] == 1
    voided = report.tables["voided"]
    assert voided[["seq", "type", "who", "voided_by", "reason"]].values.tolist() == [
        [1, "unit_failed", "李明", "张指挥", "报错了设备编号"]]
    assert "未配置签名密钥" in report.checkpoint_lines("zh")[0]
    keys = checkpoint.init_keys(tmp_path / "keys")
    monkeypatch.setenv("PLANNER_KEY_DIR", str(keys))
    signed = build(scenario, Plan(), log)
    line = signed.checkpoint_lines("zh")[0]
    assert "日志检查点：条数 6，哈希 " in line
    assert f"签名密钥 {checkpoint.verifier(keys).label()}" in line
    text = signed.tables["checkpoints"].checkpoint.iloc[-1]
    assert _check(store, "mini", text, keys) == []
    store.close()


def test_only_a_commander_voids_in_the_dashboard_and_the_log_shows_its_checkpoint(env):  # noqa: F811
    from planner.ops import congress as ops
    from tests.dashboards.test_dashboard import people, signed_in

    people(env)
    keys = checkpoint.init_keys()  # PLANNER_DATA/keys, outside the database
    ops.log_event(env, "provincial_congress", {"at": "2021-11-27T06:00", "type": "unit_failed",
                                               "item_id": "J001"}, "op1")
    at = signed_in("op1")
    at.switch_page("views/live_log.py").run()
    assert "void" not in at.selectbox(key="f_type").options
    at = signed_in("chief")
    at.switch_page("views/live_log.py").run()
    at.selectbox(key="f_type").set_value("void").run()
    at.selectbox(key="f_voids").set_value(1)
    at.text_input(key="f_reason").input("设备编号记错")
    at.button(key="FormSubmitter:event_void-记录").click().run()
    assert not at.exception
    void = env.entries("provincial_congress")[-1]
    assert (void.type, void.who, void.payload) == ("void", "chief",
                                                   {"voids": 1, "reason": "设备编号记错"})
    assert ops.snapshot(env, "provincial_congress").live.items["J001"].status == "ok"
    captions = [c.value for c in at.caption]
    assert any(c.startswith("日志检查点：条数 2，") and checkpoint.verifier(keys).label() in c
               for c in captions)
    assert "下载日志检查点" in [b.label for b in at.get("download_button")]


def _reference_checked(events: list[dict]) -> tuple[Problems, list[dict]]:
    from tests.conftest import REFERENCE

    problems = Problems()
    good = check_events(load_scenario(REFERENCE), list(enumerate(events, start=1)), "e.jsonl",
                        problems)
    return problems, good


CANCEL_S0226 = {"at": "2021-11-26T06:00", "type": "cancel_session", "session_id": "S0226"}
ADHOC_IN_ITS_ROOM = {"at": "2021-11-26T06:10", "type": "adhoc_session", "session_id": "ADHOC1",
                     "room_id": "R0208", "start": "2021-11-26T07:30",
                     "end": "2021-11-26T08:10", "kind": "adhoc", "attendees": 6,
                     "level": "confidential"}


def test_voiding_a_cancellation_whose_room_a_later_session_took_is_refused():
    problems, good = _reference_checked([CANCEL_S0226, ADHOC_IN_ITS_ROOM, {**VOID, "voids": 1}])
    assert len(good) == 2 and len(problems.items) == 1  # the void is refused
    text = problems.items[0].text("en")
    assert "voiding entry 1 would leave entry 2 no longer fitting" in text
    assert "迎宾馆4号小会议室 is taken by session 河西市随团工作组会议（S0226）" in text
    assert "第 2 条将不再成立" in problems.items[0].text("zh")
    # voided the other way round (the ad-hoc session first), both voids pass
    problems, good = _reference_checked([CANCEL_S0226, ADHOC_IN_ITS_ROOM,
                                         {**VOID, "voids": 2}, {**VOID, "voids": 1}])
    assert not problems.items and len(good) == 4


def test_voiding_a_cancellation_a_later_extension_ran_into_is_refused():
    cancel = {"at": "2021-11-26T06:00", "type": "cancel_session", "session_id": "S0186"}
    extend = {"at": "2021-11-26T18:40", "type": "extend_session", "session_id": "S0204",
              "new_end": "2021-11-26T20:30"}  # into S0186's time in R0208
    problems, good = _reference_checked([cancel, extend, {**VOID, "voids": 1}])
    assert len(good) == 2 and len(problems.items) == 1
    assert "would leave entry 2 no longer fitting" in problems.items[0].text("en")
    # an extension that stays clear of the revived session leaves the void free
    short = {**extend, "new_end": "2021-11-26T19:30"}
    problems, good = _reference_checked([cancel, short, {**VOID, "voids": 1}])
    assert not problems.items and len(good) == 3


def test_the_pages_checkpoint_reads_the_log_again_once_its_head_moves_or_a_minute_passed(
        store, keys):
    """The live log page asks for the checkpoint every 5 s; it is made again when the head
    moves, and at the latest RECHECK_SECONDS later: an entry altered in the database
    (its hashes left as they were) is caught then, not hidden for longer."""
    log = _log(store)
    t = [1000.0]
    first = checkpoint.current(store, log, keys, clock=lambda: t[0])
    table = EventRow.__table__
    with store.engine.begin() as conn:  # tampered: the payload, not the hashes
        conn.execute(update(table).where(table.c.log == log, table.c.seq == 2)
                     .values(payload={"item_id": "J9"}))
    t[0] += checkpoint.RECHECK_SECONDS - 1
    assert checkpoint.current(store, log, keys, clock=lambda: t[0]) == first  # within it
    t[0] += 2
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.current(store, log, keys, clock=lambda: t[0])
