"""Signed checkpoints of the event log, after C2SP tlog-checkpoint and signed-note.

The hash chain in the store shows an entry altered in place, but it has no key: someone
who can write to the database can rewrite an entry and recompute every later hash, cut
entries off the end and rewind the head row, or wipe the log, and the chain still
verifies. A checkpoint is the log's head (its name, how many entries, the hash of the
last) signed with an Ed25519 key kept outside the database; kept apart from the
database (printed in the report, downloaded from the dashboard), it shows any of those.

A checkpoint is a short UTF-8 text note::

    secrecy-planner/provincial_congress
    42
    3q2+7w...=                         (base64 of the 32-byte hash of entry 42)

    — secrecy-planner AbCdEf...        (base64 of 4-byte key id + 64-byte signature)

The three lines before the blank line (each ending in a newline) are what is signed:
the origin (``secrecy-planner/<log>``), the size (entries in the log) and the hash of
the last entry (32 zero bytes for an empty log). Each signature line is an em dash, a
space, the key's name, a space and the base64 of the key id followed by the Ed25519
signature; the key id is the first 4 bytes of SHA-256(name, a newline, the byte 0x01,
the 32-byte public key), as in C2SP signed-note.

Keys (``python -m planner keys init [--dir DIR]``) live in ``PLANNER_KEY_DIR``, by
default ``keys/`` in the data folder (``PLANNER_DATA``, default ``data``), never in the
database: ``checkpoint.key`` (mode 0600) holds
``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01, 32-byte seed)>``, ``checkpoint.pub``
holds ``<name>+<key id hex>+<base64(0x01, 32-byte public key)>`` (the Go note
signer and verifier key formats). Whoever holds the private key can sign any log: keep
it where the database's users cannot read it, and the public key wherever checks run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from planner.i18n import pick
from planner.io.paths import data_folder
from planner.live.store import GENESIS, Entry, verify_chain

KEY_FILE, PUBLIC_FILE = "checkpoint.key", "checkpoint.pub"
DEFAULT_NAME = "secrecy-planner"
ORIGIN = "secrecy-planner/"
ED25519 = b"\x01"
DASH = "\u2014"  # the em dash that starts a signature line
_SIGNATURE_LINE = re.compile(rf"^{DASH} (\S+) (\S+)$")
MAX_SIZE_DIGITS = 20  # a checkpoint's size line; more is not a size (nor safe for int())
MAX_KEY_BYTES = 4096  # a key file is one short line


class CheckpointError(Exception):
    """A checkpoint or key that cannot be used, said in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return pick(lang, self.zh, self.en)


# -- keys ---------------------------------------------------------------------------------------
def key_dir(folder: str | Path | None = None) -> Path:
    """Where the keys are: ``folder``, else ``PLANNER_KEY_DIR``, else ``<data>/keys``."""
    if folder:
        return Path(folder)
    if os.environ.get("PLANNER_KEY_DIR"):
        return Path(os.environ["PLANNER_KEY_DIR"])
    return data_folder() / "keys"


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Key:
    """A signing key (``private`` set) or a verifying one (``private`` None)."""

    name: str
    public: bytes
    private: Ed25519PrivateKey | None = None

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def label(self) -> str:
        """The key as a reader names it: ``secrecy-planner (1a2b3c4d)``."""
        return f"{self.name} ({self.id.hex()})"


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def init_keys(folder: str | Path | None = None, name: str = DEFAULT_NAME) -> Path:
    """Make a new key pair in ``folder`` (see :func:`key_dir`); returns the folder.
    Refuses (FileExistsError) to replace a key that is there: older checkpoints would
    no longer verify."""
    if not name or re.search(r"[\s+]", name):
        raise ValueError("a key name has no spaces and no '+'")
    folder = key_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / KEY_FILE, folder / PUBLIC_FILE
    if private_path.exists() or public_path.exists():
        raise FileExistsError(str(private_path))
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = _raw_public(private)
    ident = key_id(name, public).hex()
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f"PRIVATE+KEY+{name}+{ident}+{_b64(ED25519 + seed)}\n")
    os.chmod(private_path, 0o600)  # whatever the umask
    public_path.write_text(f"{name}+{ident}+{_b64(ED25519 + public)}\n", encoding="ascii")
    return folder


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _read_key(path: Path, private: bool) -> Key:
    bad = CheckpointError(f"密钥文件 {path} 格式不对", f"the key file {path} is malformed")
    try:
        with path.open("rb") as source:
            data = source.read(MAX_KEY_BYTES + 1)
    except OSError as error:
        raise _unreadable(path, error) from None
    if len(data) > MAX_KEY_BYTES:
        raise bad
    line = data.decode("ascii", errors="replace").strip()
    if private:
        if not line.startswith("PRIVATE+KEY+"):
            raise bad
        line = line.removeprefix("PRIVATE+KEY+")
    parts = line.split("+", 2)  # the base64 may hold a '+' too
    if len(parts) != 3:
        raise bad
    name, ident, encoded = parts
    try:
        raw = _unb64(encoded)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(raw) != 33 or raw[:1] != ED25519:
        raise bad
    if private:
        secret = Ed25519PrivateKey.from_private_bytes(raw[1:])
        key = Key(name, _raw_public(secret), secret)
    else:
        key = Key(name, raw[1:])
    if key.id.hex() != ident:
        raise bad
    return key


def _unreadable(path: Path, error: OSError) -> CheckpointError:
    reason = error.strerror or type(error).__name__
    return CheckpointError(f"无法读取密钥文件 {path}：{reason}",
                           f"cannot read the key file {path}: {reason}")


def _there(path: Path) -> bool:
    """Whether a key file is there; :class:`CheckpointError` when its folder cannot be
    looked into (not searchable, say)."""
    try:
        return path.exists()
    except OSError as error:
        raise _unreadable(path, error) from None


def signer(folder: str | Path | None = None) -> Key | None:
    """The signing key in the key folder, or None when none was set up;
    :class:`CheckpointError` when a key file is there but cannot be read or used."""
    path = key_dir(folder) / KEY_FILE
    return _read_key(path, private=True) if _there(path) else None


def verifier(folder: str | Path | None = None) -> Key | None:
    """The public key in the key folder (or derived from the private key there)."""
    path = key_dir(folder) / PUBLIC_FILE
    if _there(path):
        return _read_key(path, private=False)
    key = signer(folder)
    return Key(key.name, key.public) if key else None


# -- the note -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    head: str                                      # hex hash of entry ``size``
    signatures: tuple[tuple[str, bytes, bytes], ...] = ()  # (key name, key id, signature)

    @property
    def log(self) -> str:
        return self.origin.removeprefix(ORIGIN)

    def body(self) -> str:
        """What is signed: origin, size and head hash, each line ending in a newline."""
        return f"{self.origin}\n{self.size}\n{_b64(bytes.fromhex(self.head))}\n"

    def text(self) -> str:
        """The note as written to a file (no signature lines when unsigned)."""
        lines = "".join(f"{DASH} {name} {_b64(ident + sig)}\n"
                        for name, ident, sig in self.signatures)
        return self.body() + "\n" + lines if lines else self.body()


def origin(log: str) -> str:
    return ORIGIN + log


def make(log: str, size: int, head: str, key: Key | None) -> Checkpoint:
    """The checkpoint of a log whose entry ``size`` has the hash ``head``; signed when a
    signing key is given."""
    cp = Checkpoint(origin(log), size, head)
    if key is None or key.private is None:
        return cp
    sig = key.private.sign(cp.body().encode("utf-8"))
    return Checkpoint(cp.origin, size, head, ((key.name, key.id, sig),))


def parse(text: str) -> Checkpoint:
    """A checkpoint note read back; :class:`CheckpointError` when it is not one."""
    def bad(zh: str, en: str) -> CheckpointError:
        return CheckpointError(f"检查点格式不对：{zh}", f"not a checkpoint: {en}")

    text = text.replace("\r\n", "\n")
    body, blank, rest = text.partition("\n\n")
    if not blank:
        raise bad("没有签名（缺空行和签名行）", "no signature (no blank line and signature)")
    lines = body.split("\n")
    if len(lines) < 3 or not lines[0] or not lines[0].startswith(ORIGIN):
        raise bad("第一行应为 secrecy-planner/<日志名>", "the first line must be "
                  "secrecy-planner/<log>")
    if not re.fullmatch(rf"0|[1-9][0-9]{{0,{MAX_SIZE_DIGITS - 1}}}", lines[1]):
        shown = lines[1] if len(lines[1]) <= 40 else lines[1][:40] + "…"
        raise bad(f"第二行应为条数（至多 {MAX_SIZE_DIGITS} 位数字），而不是 {shown!r}",
                  f"the second line must be the size (at most {MAX_SIZE_DIGITS} digits), "
                  f"not {shown!r}")
    try:
        head = _unb64(lines[2])
    except (binascii.Error, ValueError):
        head = b""
    if len(head) != 32:
        raise bad("第三行应为 32 字节哈希的 base64", "the third line must be a base64 "
                  "32-byte hash")
    signatures = []
    for line in rest.rstrip("\n").split("\n"):
        found = _SIGNATURE_LINE.match(line)
        try:
            raw = _unb64(found.group(2)) if found else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 4 + 64:
            raise bad(f"签名行不对：{line!r}", f"bad signature line {line!r}")
        assert found is not None  # a line that does not match has raised above
        signatures.append((found.group(1), raw[:4], raw[4:]))
    return Checkpoint(lines[0], int(lines[1]), head.hex(), tuple(signatures))


def check_signature(cp: Checkpoint, key: Key) -> None:
    """Raises :class:`CheckpointError` unless ``key`` signed ``cp``."""
    mine = [sig for name, ident, sig in cp.signatures if (name, ident) == (key.name, key.id)]
    if not mine:
        others = "、".join(f"{name} ({ident.hex()})" for name, ident, _ in cp.signatures)
        raise CheckpointError(f"检查点不是用密钥 {key.label()} 签名的（签名密钥：{others}）",
                              f"the checkpoint is not signed by the key {key.label()} "
                              f"(signed by: {others.replace('、', ', ')})")
    public = Ed25519PublicKey.from_public_bytes(key.public)
    try:
        public.verify(mine[0], cp.body().encode("utf-8"))
    except InvalidSignature:
        raise CheckpointError(f"检查点签名无效（密钥 {key.label()}）：检查点被改动或伪造",
                              f"bad signature (key {key.label()}): the checkpoint was "
                              "altered or forged") from None


# -- the log against a checkpoint ---------------------------------------------------------------
def _fields(e: Entry | dict) -> dict:
    return e.line() if isinstance(e, Entry) else e


def head_of(entries: list) -> tuple[int, str]:
    """(size, hash of the last entry) of a log read in order."""
    return (len(entries), _fields(entries[-1])["hash"]) if entries else (0, GENESIS)


def of_log(log: str, entries: list, key: Key | None) -> Checkpoint:
    """The checkpoint of a log's entries, which must verify as a chain first: a broken
    log is not signed."""
    ok, message = verify_chain(entries)
    if not ok:
        raise CheckpointError(f"事件日志被改动，不签检查点：{message}",
                              f"the event log was tampered with; no checkpoint: {message}")
    size, head = head_of(entries)
    return make(log, size, head, key)


def check_log(cp: Checkpoint, entries: list, head: tuple[int, str] | None = None,
              log: str | None = None) -> list[tuple[str, str]]:
    """What is wrong with the log against a checkpoint whose signature was checked, as
    (zh, en) pairs; empty when the log holds the checkpoint's entries unchanged.

    ``head`` is the log's head row (seq, hash), (0, GENESIS) when it is missing."""
    problems = []
    n = cp.size
    if log is not None and cp.log != log:
        problems.append((f"检查点属于日志 {cp.log}，不是 {log}",
                         f"the checkpoint is for the log {cp.log}, not {log}"))
        return problems
    if n and not entries:
        problems.append((f"日志中没有任何记录，而检查点记有 {n} 条：日志被清空",
                         f"the log holds no entries but the checkpoint says {n}: the log "
                         "was wiped"))
    elif len(entries) < n:
        problems.append((f"日志只有 {len(entries)} 条，而检查点记有 {n} 条：末尾的记录被删除",
                         f"the log holds {len(entries)} entries but the checkpoint says {n}: "
                         "entries were cut off the end"))
    if head is not None and head[0] < n:
        what = ("日志头记录不存在或被清零", "the log's head row is gone or reset") \
            if head[0] == 0 else (f"日志头只记到第 {head[0]} 条", f"the head says {head[0]}")
        problems.append((f"{what[0]}，而检查点记有 {n} 条：日志头被回拨",
                         f"{what[1]} but the checkpoint says {n}: the head was rewound"))
    if len(entries) >= n:
        ok, _message = verify_chain(entries[:n])
        if not ok or head_of(entries[:n])[1] != cp.head:
            problems.append((f"前 {n} 条记录算出的哈希与检查点不符：第 {n} 条或之前的记录被改写"
                             "（其后的哈希被重新计算）",
                             f"the first {n} entries no longer give the checkpoint's hash: an "
                             f"entry at or before {n} was rewritten (later hashes recomputed)"))
    return problems


def verify(text: str, entries: list, key: Key | None, head: tuple[int, str] | None = None,
           log: str | None = None) -> tuple[Checkpoint, list[tuple[str, str]]]:
    """Parse a checkpoint, check its signature by ``key`` and the log against it."""
    if key is None:
        raise CheckpointError("没有用于校验的公钥（python -m planner keys init，或 "
                              "PLANNER_KEY_DIR）",
                              "no public key to check with (python -m planner keys init, "
                              "or PLANNER_KEY_DIR)")
    cp = parse(text)
    check_signature(cp, key)
    return cp, check_log(cp, entries, head, log)


# -- in the report and on the dashboard ---------------------------------------------------------
def describe(cp: Checkpoint | None, lang: str) -> str:
    """One line: ``日志检查点：条数 N，哈希 …，签名密钥 …`` (or that no key is set up)."""
    if cp is None:
        return pick(lang, "日志检查点：事件不是来自存储中的日志，无检查点",
                    "Log checkpoint: the events are not from the stored log; no checkpoint")
    head = _b64(bytes.fromhex(cp.head))
    if not cp.signatures:
        return pick(lang, f"日志检查点：条数 {cp.size}，哈希 {head}，未配置签名密钥"
                          "（python -m planner keys init），未签名",
                    f"Log checkpoint: {cp.size} entries, hash {head}; no signing key set up "
                    "(python -m planner keys init), not signed")
    keys = ", ".join(f"{name} ({ident.hex()})" for name, ident, _ in cp.signatures)
    return pick(lang, f"日志检查点：条数 {cp.size}，哈希 {head}，签名密钥 {keys}",
                f"Log checkpoint: {cp.size} entries, hash {head}, signed by {keys}")


def by_day(log: str, events: list[dict], key: Key | None) -> list[tuple[str, Checkpoint]]:
    """The log as it stood at the end of each day it was written to (by the day each
    entry was recorded), signed now: (day, checkpoint). Empty when the events carry no
    chain (not read from the store)."""
    if not events or any("hash" not in e or "recorded_at" not in e for e in events):
        return []
    if not verify_chain(events)[0]:  # a broken log is not signed
        return []
    out: dict[str, Checkpoint] = {}
    for n, e in enumerate(events, start=1):
        out[str(e["recorded_at"])[:10]] = make(log, n, e["hash"], key)
    return list(out.items())


RECHECK_SECONDS = 60.0  # a page that shows the checkpoint reads the whole log this seldom
_RECENT: dict[tuple, tuple[float, Checkpoint]] = {}


def current(store, log: str, folder: str | Path | None = None,
            clock=time.monotonic) -> Checkpoint:
    """The stored log's checkpoint now, signed with the key in ``folder`` if one is set
    up (unsigned otherwise); :class:`CheckpointError` when the log does not verify.
    Every entry is read and its chain verified; while the log's head and the key stay
    the same, that is done again at most every ``RECHECK_SECONDS`` (a page redrawn every
    5 s would otherwise verify a congress's 20,000 entries every 5 s)."""
    key = signer(folder)
    seen = (store.key, log, tuple(store.head(log)), key.public if key else None)
    hit = _RECENT.get(seen)
    if hit is not None and clock() - hit[0] < RECHECK_SECONDS:
        return hit[1]
    entries = store.entries(log)
    if head_of(entries) != seen[2]:
        raise CheckpointError("日志记录与日志头不符，不签检查点：请先校验日志",
                              "the log's entries do not match its head; no checkpoint: "
                              "verify the log")
    made = of_log(log, entries, key)
    if len(_RECENT) > 100:
        _RECENT.clear()
    _RECENT[seen] = (clock(), made)
    return made
