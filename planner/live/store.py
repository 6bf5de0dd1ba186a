"""The store: scenarios, every plan version and the event log, through SQLAlchemy.

A SQLite file in WAL mode by default (``data/planner.db``, made on first use; the
folder follows ``PLANNER_DATA``), or PostgreSQL when a URL is given (``--db`` or
``PLANNER_DB``, e.g. ``postgresql+psycopg://user@host:5432/planner``).

The event log is append-only and chained: each entry's hash covers the hash of
the entry before it and its own content, so an altered or removed entry breaks
the chain where it happened. Appends are serialised by locking the log's head
row (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so
two operators appending at once never fork the chain, and a batch is stored
whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

GENESIS = "0" * 64


class Base(DeclarativeBase):
    pass


class LogHead(Base):
    """One row per event log (one per scenario): the lock that serialises appends."""

    __tablename__ = "log_heads"
    log: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("log", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    log: Mapped[str] = mapped_column(String(200), ForeignKey("log_heads.log"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(32))
    who: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ScenarioRow(Base):
    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    files: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))


class PlanRow(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("log", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    log: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    after_event: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[dict] = mapped_column(JSON)


class UserRow(Base):
    """A dashboard account: the password only as its bcrypt hash."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(100))


class StaffLink(Base):
    """Which staff member an account is: the person whose orders it sees and reports
    (technicians and patrol officers on their phones). A table of its own, so a store made
    before it gets it from ``create_all``."""

    __tablename__ = "staff_links"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(200))


class SignInCounter(Base):
    """Failed sign-ins of one account (``user:NAME``) or one client address
    (``address:IP``) in the current window, in seconds since the epoch: what delays or
    locks the next attempt (``planner.ops.accounts.sign_in``). A table of its own, not columns
    on ``users``, so a store made before it gets it from ``create_all``."""

    __tablename__ = "sign_in_counters"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    since: Mapped[float] = mapped_column(Float, default=0.0)  # the window's first failure
    last_at: Mapped[float] = mapped_column(Float, default=0.0)  # the last counted attempt
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)
    noted_until: Mapped[float] = mapped_column(Float, default=0.0)  # refusal audited until


class DeviceKey(Base):
    """A device that stays signed in (a phone that opens a room's QR code): the hash of
    the key its cookie holds, never the key, with the account, the session epoch it was
    given under (a password, role or link change ends it) and when it expires, in
    seconds since the epoch (``planner.ops.accounts.remember``)."""

    __tablename__ = "device_keys"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    epoch: Mapped[int] = mapped_column(Integer)
    expires: Mapped[float] = mapped_column(Float)


class UserEpoch(Base):
    """An account's session epoch: raised by a password reset or a role change, which
    ends the sessions signed in under the one before."""

    __tablename__ = "user_epochs"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Entry:
    """One logged event as stored: who logged what, when, and its place in the chain."""

    seq: int
    at: str
    who: str
    type: str
    payload: dict
    recorded_at: str
    prev_hash: str
    hash: str

    def line(self) -> dict:
        """The JSON Lines form: the contract's flat event, plus who, seq and the chain."""
        return {"at": self.at, "type": self.type, **self.payload, "who": self.who,
                "seq": self.seq, "recorded_at": self.recorded_at, "prev_hash": self.prev_hash,
                "hash": self.hash}


def entry_hash(prev_hash: str, seq: int, at: str | None, who: str | None, type_: str | None,
               payload: dict, recorded_at: str | None) -> str:
    """SHA-256 over the previous hash and the entry's content, in a canonical JSON form.
    A field missing from an entry being verified (an altered log) is hashed as null."""
    content = json.dumps({"prev": prev_hash, "seq": seq, "at": at, "who": who, "type": type_,
                          "payload": payload, "recorded_at": recorded_at},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def default_url() -> str:
    url = os.environ.get("PLANNER_DB")
    if url:
        return url
    from planner.io.paths import data_folder

    return f"sqlite:///{data_folder() / 'planner.db'}"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - exercised via engine
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = create_engine(self.url, future=True)
        # what the store holds, for caches: its database; an in-memory one is its own
        self.key = self.url
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if not database or database == ":memory:":
                self.key = f"{self.url}#{uuid.uuid4()}"
            if database and database != ":memory:":  # the file is made on first use, and
                Path(database).parent.mkdir(parents=True, exist_ok=True)  # its folder too
            _sqlite_setup(self.engine)
            Base.metadata.create_all(self.engine)  # BEGIN IMMEDIATE serialises this
        else:
            # several processes may start at once: one creates the tables, the rest wait
            with self.engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(724031)"))
                Base.metadata.create_all(conn)

    def close(self) -> None:
        self.engine.dispose()

    # -- the event log --------------------------------------------------------------------------
    def append(self, log: str, events: list[dict], who: str, check=None) -> list[Entry]:
        """Append ``events`` (each with ``at``, ``type`` and its fields) in one transaction.

        ``who`` is used where an event names nobody itself (``who`` in the event wins).
        ``check(logged)``, if given, runs under the log's lock with the entries already
        logged and returns the events to store (or raises, and nothing is stored), so two
        operators cannot both book the same room in the same minute.
        """
        out = []
        self._ensure_head(log)
        with Session(self.engine) as session, session.begin():
            head = session.execute(select(LogHead).where(LogHead.log == log)
                                   .with_for_update()).scalar_one()
            if check is not None:
                rows = session.execute(select(EventRow).where(EventRow.log == log)
                                       .order_by(EventRow.seq)).scalars().all()
                events = check([{"at": r.at, "type": r.type, **r.payload} for r in rows])
            for e in events:
                fields = {k: v for k, v in e.items() if k not in ("at", "type", "who")}
                seq, recorded = head.seq + 1, now()
                author = str(e.get("who") or who)
                digest = entry_hash(head.hash, seq, e["at"], author, e["type"], fields, recorded)
                session.add(EventRow(log=log, seq=seq, at=e["at"], who=author, type=e["type"],
                                     payload=fields, recorded_at=recorded, prev_hash=head.hash,
                                     hash=digest))
                out.append(Entry(seq, e["at"], author, e["type"], fields, recorded, head.hash,
                                 digest))
                head.seq, head.hash = seq, digest
        return out

    def _ensure_head(self, log: str) -> None:
        """The log's head row, made once even when two processes make it at the same time."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            conn.execute(insert(LogHead).values(log=log, seq=0, hash=GENESIS)
                         .on_conflict_do_nothing(index_elements=["log"]))

    def entries(self, log: str, after: int = 0) -> list[Entry]:
        with Session(self.engine) as session:
            rows = session.execute(select(EventRow).where(EventRow.log == log,
                                                          EventRow.seq > after)
                                   .order_by(EventRow.seq)).scalars().all()
            return [Entry(r.seq, r.at, r.who, r.type, r.payload, r.recorded_at, r.prev_hash,
                          r.hash) for r in rows]

    def head(self, log: str) -> tuple[int, str]:
        with Session(self.engine) as session:
            head = session.get(LogHead, log)
            return (head.seq, head.hash) if head else (0, GENESIS)

    # -- scenarios and plans --------------------------------------------------------------------
    def save_scenario(self, name: str, files: dict[str, str], who: str) -> int:
        with Session(self.engine) as session, session.begin():
            row = ScenarioRow(name=name, files=files, created_at=now(), created_by=who)
            session.add(row)
            session.flush()
            return row.id

    def latest_scenario(self, name: str) -> dict[str, str] | None:
        with Session(self.engine) as session:
            row = session.execute(select(ScenarioRow).where(ScenarioRow.name == name)
                                  .order_by(ScenarioRow.id.desc()).limit(1)).scalar_one_or_none()
            return dict(row.files) if row else None

    def save_plan(self, log: str, files: dict[str, str], who: str, after_event: int,
                  note: str = "") -> int:
        """Store a whole plan version; returns its version number (1, 2, …)."""
        self._ensure_head(log)
        with Session(self.engine) as session, session.begin():
            session.execute(select(LogHead).where(LogHead.log == log).with_for_update())
            last = session.execute(select(PlanRow.version).where(PlanRow.log == log)
                                   .order_by(PlanRow.version.desc()).limit(1)).scalar()
            version = (last or 0) + 1
            session.add(PlanRow(log=log, version=version, created_at=now(), created_by=who,
                                after_event=after_event, note=note, files=files))
            return version

    def plan(self, log: str, version: int | None = None) -> tuple[int, dict[str, str]] | None:
        with Session(self.engine) as session:
            query = select(PlanRow).where(PlanRow.log == log)
            query = (query.where(PlanRow.version == version) if version
                     else query.order_by(PlanRow.version.desc()).limit(1))
            row = session.execute(query).scalar_one_or_none()
            return (row.version, dict(row.files)) if row else None


    # -- accounts ---------------------------------------------------------------------------------
    def add_user(self, username: str, name: str, role: str, password_hash: str, who: str,
                 only_if_none: bool = False) -> bool:
        """Add an account; False if the name is taken (or, with ``only_if_none``, if any
        account exists: two first starts cannot both make the first commander)."""
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(724032)"))
            taken = session.get(UserRow, username) is not None
            if taken or (only_if_none and session.execute(select(UserRow).limit(1)).first()):
                return False
            session.add(UserRow(username=username, name=name, role=role,
                                password_hash=password_hash, active=True, created_at=now(),
                                created_by=who))
            return True

    def user(self, username: str) -> UserRow | None:
        with Session(self.engine) as session:
            row = session.get(UserRow, username)
            if row is not None:
                session.expunge(row)
            return row

    def users(self) -> list[UserRow]:
        with Session(self.engine) as session:
            rows = session.execute(select(UserRow).order_by(UserRow.username)).scalars().all()
            session.expunge_all()
            return list(rows)

    def update_user(self, username: str, **values) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(UserRow, username)
            if row is None:
                raise KeyError(username)
            for key, value in values.items():
                setattr(row, key, value)

    def staff_of(self, username: str) -> str | None:
        """The staff member the account is linked to, if any."""
        with Session(self.engine) as session:
            row = session.get(StaffLink, username)
            return row.staff_id if row else None

    def link_staff(self, username: str, staff_id: str | None) -> None:
        """Link the account to a staff member (``None``: unlink)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(StaffLink, username)
            if staff_id is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(StaffLink(username=username, staff_id=staff_id))
            else:
                row.staff_id = staff_id

    def add_device_key(self, key_hash: str, username: str, epoch: int, expires: float,
                       now: float) -> None:
        """Keep a device's key (its hash); the expired ones go."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(DeviceKey).where(DeviceKey.expires <= now))
            session.add(DeviceKey(key_hash=key_hash, username=username, epoch=epoch,
                                  expires=expires))

    def device_key(self, key_hash: str) -> DeviceKey | None:
        with Session(self.engine) as session:
            row = session.get(DeviceKey, key_hash)
            if row is not None:
                session.expunge(row)
            return row

    def drop_device_key(self, key_hash: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(DeviceKey).where(DeviceKey.key_hash == key_hash))

    def user_epoch(self, username: str) -> int:
        with Session(self.engine) as session:
            row = session.get(UserEpoch, username)
            return row.epoch if row else 0

    def new_user_epoch(self, username: str) -> int:
        """Raise the account's session epoch by one (atomically); returns the new one."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            conn.execute(insert(UserEpoch).values(username=username, epoch=1)
                         .on_conflict_do_update(index_elements=["username"],
                                                set_={"epoch": UserEpoch.epoch + 1}))
        return self.user_epoch(username)

    def with_counters(self, keys: list[str], change):
        """``change({key: SignInCounter})`` on the sign-in counters of ``keys`` (made at
        zero if missing), under their row locks, in one transaction; returns what it
        returns (plain values: the rows are gone after)."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        keys = sorted(set(keys))  # one lock order: no deadlock between two attempts
        with Session(self.engine) as session, session.begin():
            for key in keys:
                session.execute(insert(SignInCounter).values(
                    key=key, failures=0, since=0.0, last_at=0.0, locked_until=0.0,
                    noted_until=0.0).on_conflict_do_nothing(index_elements=["key"]))
            rows = session.execute(select(SignInCounter).where(SignInCounter.key.in_(keys))
                                   .order_by(SignInCounter.key).with_for_update()).scalars()
            return change({r.key: r for r in rows})

    def sign_in_locks(self, after: float) -> dict[str, float]:
        """The counters locked past ``after``: key → locked until."""
        with Session(self.engine) as session:
            rows = session.execute(select(SignInCounter.key, SignInCounter.locked_until)
                                   .where(SignInCounter.locked_until > after)).all()
            return {key: until for key, until in rows}

    def scenario_names(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.execute(select(ScenarioRow.name).distinct()
                                        .order_by(ScenarioRow.name)).scalars())

    def plan_versions(self, log: str) -> list[dict]:
        """Every plan version of a log, without its files: version, who, when, why."""
        with Session(self.engine) as session:
            rows = session.execute(select(PlanRow.version, PlanRow.created_at,
                                          PlanRow.created_by, PlanRow.after_event,
                                          PlanRow.note).where(PlanRow.log == log)
                                   .order_by(PlanRow.version)).all()
            return [r._asdict() for r in rows]  # SQLAlchemy's public Row API (namedtuple-style)


def verify_chain(entries: list[Entry] | list[dict]) -> tuple[bool, str]:
    """Check a log's chain; returns (ok, message naming the first altered or removed entry)."""
    prev, expected_seq = GENESIS, 1
    for e in entries:
        d = e.line() if isinstance(e, Entry) else dict(e)
        seq = d.get("seq")
        if seq != expected_seq:
            return False, (f"entry {expected_seq} is missing (the next entry found is {seq}): "
                           "an entry was removed")
        payload = {k: v for k, v in d.items()
                   if k not in ("at", "type", "who", "seq", "recorded_at", "prev_hash", "hash")}
        if d.get("prev_hash") != prev:
            return False, f"entry {seq}: its link to entry {seq - 1} is broken"
        digest = entry_hash(prev, seq, d.get("at"), d.get("who"), d.get("type"), payload,
                            d.get("recorded_at"))
        if digest != d.get("hash"):
            return False, f"entry {seq} was altered: its content no longer matches its hash"
        prev, expected_seq = digest, expected_seq + 1
    return True, f"{expected_seq - 1} entries, chain intact"
