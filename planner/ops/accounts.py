"""Dashboard accounts: who may read, log events, and approve re-plans.

Passwords are kept only as bcrypt hashes in the store; there is no default account or
password. The first commander is made on first start, from ``PLANNER_ADMIN_USER`` /
``PLANNER_ADMIN_PASSWORD``, or from the form with the one-time set-up code the server
prints to its console (:func:`setup_code`). Every change to an account is written to
the audit log (a chained log in the store, like the event log) with who made it, and so
is every failed or refused sign-in (user name and client address, never the password).

Sign-in (:func:`sign_in`): after ``FREE_FAILURES`` failures of one account or from one
client address (a real one: not an unknown or loopback address, which every client would
share; see :func:`counted_address`), each attempt must wait ``1, 2, 4 … MAX_DELAY`` s
after the last one (refused before, the password unread); ``LOCK_AFTER`` failures of one
account within ``WINDOW`` lock it for ``LOCK_SECONDS`` (or until a commander unlocks
it). The counters are in the store, so they hold across restarts and processes. A
password reset or a role change, or disabling the account, raises its session epoch,
which ends its open sessions.

A device may stay signed in (:func:`remember`): a phone that opens a room's QR code then
goes straight to the orders there. Its cookie holds a random key; the store keeps only
the key's hash, the account and the session epoch, for ``REMEMBER_HOURS``. Signing out
forgets it; anything that ends the account's sessions ends it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
import sys
import time

import bcrypt

from planner.live.store import Store, UserRow, now

# each may do what the ones before it may; a field account (a technician or a patrol
# officer, linked to their staff member) sees only their own orders and reports them
ROLES = ("field", "viewer", "operator", "commander")
ROLE_NAMES = {"field": ("现场人员", "field staff"), "viewer": ("查看", "viewer"),
              "operator": ("操作员", "operator"), "commander": ("指挥", "commander")}
AUDIT = "_audit"  # the audit log's name in the store
ACTIONS = {  # each audit entry's action, in words
    "user_created": ("新增账户", "account added"),
    "user_role_changed": ("更改角色", "role changed"),
    "user_enabled": ("启用账户", "account enabled"),
    "user_disabled": ("停用账户", "account disabled"),
    "user_password_set": ("重设密码", "password set"),
    "user_linked": ("关联工作人员", "linked to a staff member"),
    "user_unlinked": ("取消关联", "unlinked"),
    "sign_in_failed": ("登录失败", "sign-in failed"),
    "sign_in_refused": ("登录被拒（等待中）", "sign-in refused (waiting)"),
    "sign_in_locked": ("账户锁定", "account locked"),
    "sign_in_unlocked": ("解除锁定", "account unlocked"),
    "device_remembered": ("设备保持登录", "device kept signed in"),
    "scenario_imported": ("导入场景", "scenario imported"),
    "plan_approved": ("批准新方案版本", "plan version approved"),
    "rehearsal_run": ("运行推演", "rehearsal run"),
}
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # what bcrypt reads
USERNAME = re.compile(r"^[\w.\-]{2,40}$")  # letters (Chinese too), digits, _ . -
FREE_FAILURES = 3  # failures before the first delay
MAX_DELAY = 60.0  # seconds: the back-off 1, 2, 4 … stops here
LOCK_AFTER = 10  # failures of one account within WINDOW lock it
WINDOW = 15 * 60.0  # seconds: failures older than this are forgotten
LOCK_SECONDS = 15 * 60.0
REMEMBER_HOURS = 16  # a device stays signed in for a congress day's shift


class AccountError(ValueError):
    """A refused account change; the message is (zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class SignInRefused(AccountError):
    """A sign-in refused before its password was read: wait ``wait`` seconds."""

    def __init__(self, wait: float, locked: bool) -> None:
        seconds = max(1, int(wait + 0.999))
        if locked:
            minutes = max(1, int(seconds / 60 + 0.999))
            super().__init__(f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试或请指挥解锁",
                             f"too many failed sign-ins: the account is locked, try again "
                             f"in {minutes} min or ask a commander to unlock it")
        else:
            super().__init__(f"登录失败次数过多，请 {seconds} 秒后再试",
                             f"too many failed sign-ins: try again in {seconds} s")
        self.wait, self.locked = wait, locked


def at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _check(username: str, password: str | None, role: str) -> None:
    if not USERNAME.match(username or ""):
        raise AccountError("用户名须为 2–40 个字母、数字或 _ . -",
                           "a user name is 2–40 letters, digits or _ . -")
    if role not in ROLES:
        raise AccountError(f"未知角色 {role}", f"unknown role {role}")
    if password is not None and len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError(f"密码过长（最多 {MAX_PASSWORD_BYTES} 字节，约 24 个汉字）",
                           f"the password is too long (at most {MAX_PASSWORD_BYTES} bytes)")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位", f"a password has at least "
                                                        f"{MIN_PASSWORD} characters")
    if password is not None and password.strip().lower() in {username.lower(), "password",
                                                              "12345678", "admin123"}:
        raise AccountError("密码过于简单", "the password is too easy to guess")


def audit(store: Store, who: str, kind: str, **fields) -> None:
    store.append(AUDIT, [{"at": now(), "type": kind, **fields}], who)


_SETUP_CODE: list[str] = []


def setup_code() -> str:
    """This process's one-time set-up code for the first commander, printed to the
    console (stderr) when first asked for: only someone at the server can read it."""
    if not _SETUP_CODE:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
        code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        _SETUP_CODE.append(code)
        print(f"planner: no account yet. Set-up code for the first commander: {code}\n"
              f"planner: 尚无账户。创建第一个指挥账户的设置码：{code}", file=sys.stderr,
              flush=True)
    return _SETUP_CODE[0]


def create_first_commander(store: Store, username: str, name: str, password: str,
                           code: str) -> None:
    """The first commander from the form: only with this process's set-up code."""
    given = (code or "").strip().upper().replace(" ", "").encode("utf-8")
    if not hmac.compare_digest(given, setup_code().encode("utf-8")):
        raise AccountError("设置码不正确（见服务器控制台输出）",
                           "wrong set-up code (see the server's console)")
    create_user(store, username, name, "commander", password, who=username, first=True)


def create_user(store: Store, username: str, name: str, role: str, password: str,
                who: str, first: bool = False) -> None:
    """Add an account. ``first``: the first commander, made only while there is none."""
    _check(username, password, role)
    if not store.add_user(username, name or username, role, hash_password(password), who,
                          only_if_none=first):
        if first:
            raise AccountError("已有账户，请登录", "an account exists already: log in")
        raise AccountError(f"用户名 {username} 已被使用", f"the user name {username} is taken")
    audit(store, who, "user_created", username=username, role=role)


def authenticate(store: Store, username: str, password: str) -> UserRow | None:
    """The account, if the password is right and the account active; else None."""
    user = store.user(username.strip())
    secret = password.encode("utf-8")
    if len(secret) > MAX_PASSWORD_BYTES:  # bcrypt refuses it; no account has one
        secret = b"x"
        user = None
    if user is None or not user.active:
        bcrypt.checkpw(b"x", _DUMMY)  # the same time whether the name exists or not
        return None
    if not bcrypt.checkpw(secret, user.password_hash.encode("ascii")):
        return None
    return user


_DUMMY = bcrypt.hashpw(b"not a password", bcrypt.gensalt())


def delay(failures: int) -> float:
    """Seconds an attempt must wait after the last one, ``failures`` failures in."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_DELAY)


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username[:100]}", f"address:{address[:100]}"


def counted_address(address: str | None) -> bool:
    """Whether the per-address delay applies to ``address``: only to a real client
    address. Not when it is unknown (Streamlit gives none on localhost), loopback or
    unspecified: every client would share that one counter, so one failing attacker
    would keep everyone out. (The per-account counter applies to every attempt.)"""
    try:
        ip = ipaddress.ip_address((address or "").strip().removeprefix("[").removesuffix("]")
                                  .split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_unspecified)


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")


def sign_in(store: Store, username: str, password: str, address: str | None = None,
            clock=time.time) -> dict | None:
    """Sign in from client ``address``: the account as the session keeps it (user name,
    name, role and session epoch) if the password is right; None if not (the failure is
    counted and audited). Raises :class:`SignInRefused`, the password unread, while the
    account or the address must wait or the account is locked. Each attempt is counted
    before its password is checked and uncounted if right, so attempts made at once
    cannot slip past the delay. ``clock``: seconds since the epoch (for the tests)."""
    username, address = (username or "").strip(), (address or "unknown")
    user_key, address_key = _keys(username, address)
    # an address shared by every client (unknown, loopback) is not counted: see above
    keys = [user_key, address_key] if counted_address(address) else [user_key]
    t = clock()
    outcome = store.with_counters(
        keys, lambda rows: _count_attempt(rows, t, user_key, address_key))
    who = {"username": username[:100], "address": address[:100]}
    if outcome[0] == "refused":
        _, until, locked, first = outcome
        if first:
            audit(store, "sign-in", "sign_in_refused", **who,
                  reason="locked" if locked else "wait", until=_stamp(until))
        raise SignInRefused(until - t, locked)
    _, failures, locked, before = outcome
    epoch = store.user_epoch(username) if username else 0  # read before the password
    found = authenticate(store, username, password)
    if found is not None:
        store.with_counters(
            keys, lambda rows: _uncount_attempt(rows, t, user_key, address_key, before))
        return {"username": found.username, "name": found.name, "role": found.role,
                "epoch": epoch}
    audit(store, "sign-in", "sign_in_failed", **who, failures=failures)
    if locked:
        audit(store, "sign-in", "sign_in_locked", **who, until=_stamp(t + LOCK_SECONDS))
    return None


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def remember(store: Store, signed: dict, clock=time.time) -> str:
    """A new key for the device the account ``signed`` (as :func:`sign_in` returned it)
    signed in on: its cookie keeps it, the store its hash; audited."""
    key = secrets.token_urlsafe(32)
    store.add_device_key(_key_hash(key), signed["username"], signed["epoch"],
                         clock() + REMEMBER_HOURS * 3600, clock())
    audit(store, signed["username"], "device_remembered", username=signed["username"],
          hours=REMEMBER_HOURS)
    return key


def recall(store: Store, key: str | None, clock=time.time) -> dict | None:
    """The account a device's ``key`` keeps signed in (as :func:`sign_in` returns it), or
    None: unknown, expired, the account disabled, or its sessions ended since."""
    if not key or len(key) > 100:
        return None
    row = store.device_key(_key_hash(key))
    if row is None or row.expires <= clock():
        return None
    user = store.user(row.username)
    if user is None or not user.active or store.user_epoch(user.username) != row.epoch:
        return None
    return {"username": user.username, "name": user.name, "role": user.role,
            "epoch": row.epoch}


def forget(store: Store, key: str | None) -> None:
    """The device signs out: its key is no more."""
    if key:
        store.drop_device_key(_key_hash(key))


def _count_attempt(rows: dict, t: float, user_key: str, address_key: str) -> tuple:
    """Under the counters' locks: ("refused", until, locked, first notice) while the account
    or the address must wait; else the attempt counted, ("try", failures, locked, the
    address's last attempt before this one)."""
    for row in rows.values():  # forget failures older than the window
        if row.failures and t - row.since > WINDOW:
            row.failures, row.since = 0, 0.0
    user, place = rows[user_key], rows.get(address_key)
    until = max([user.locked_until] + [r.last_at + delay(r.failures) for r in
                                       rows.values() if r.failures])
    if until > t:
        first = all(r.noted_until < until for r in rows.values())  # one per wait,
        for row in rows.values():  # not a flood of them
            row.noted_until = max(row.noted_until, until)
        return "refused", until, user.locked_until > t, first
    before = place.last_at if place else 0.0
    for row in rows.values():
        row.failures, row.since, row.last_at = row.failures + 1, row.since or t, t
    if user.failures >= LOCK_AFTER:
        user.locked_until = t + LOCK_SECONDS
    return "try", user.failures, user.locked_until > t, before


def _uncount_attempt(rows: dict, t: float, user_key: str, address_key: str,
                     before: float) -> None:
    """Under the counters' locks, after a right password: the account's failures cleared,
    the address's attempt at ``t`` uncounted."""
    user, place = rows[user_key], rows.get(address_key)
    user.failures, user.since, user.last_at, user.locked_until = 0, 0.0, 0.0, 0.0
    if place is None:
        return
    place.failures = max(0, place.failures - 1)  # this attempt, uncounted (not
    if place.last_at == t:  # the address's others, made meanwhile)
        place.last_at = before
    if not place.failures:
        place.since = 0.0


def unlock(store: Store, username: str, who: str) -> None:
    """A commander lifts an account's sign-in lock and delay."""
    def clear(rows: dict) -> None:
        for row in rows.values():
            row.failures, row.since, row.last_at, row.locked_until = 0, 0.0, 0.0, 0.0
    store.with_counters([_keys(username, "")[0]], clear)
    audit(store, who, "sign_in_unlocked", username=username)


def locked_accounts(store: Store, clock=time.time) -> dict[str, float]:
    """The accounts locked now: user name → seconds left."""
    t = clock()
    return {key.removeprefix("user:"): until - t for key, until in
            store.sign_in_locks(t).items() if key.startswith("user:")}


def session_epoch(store: Store, username: str) -> int:
    return store.user_epoch(username)


def set_role(store: Store, username: str, role: str, who: str) -> None:
    _check(username, None, role)
    _keep_a_commander(store, username, role=role)
    store.update_user(username, role=role)
    store.new_user_epoch(username)  # its open sessions end
    audit(store, who, "user_role_changed", username=username, role=role)


def link_staff(store: Store, username: str, staff_id: str | None, who: str) -> None:
    """Link an account to the staff member it is (``None``: unlink); audited. Whether the
    staff member exists is the congress's to say (the admin page offers its staff)."""
    if store.user(username) is None:
        raise AccountError(f"账户 {username} 不存在", f"no account {username}")
    store.link_staff(username, staff_id)
    store.new_user_epoch(username)  # what it may see changed: its open sessions end
    audit(store, who, "user_linked" if staff_id else "user_unlinked", username=username,
          staff_id=staff_id or "")


def set_active(store: Store, username: str, active: bool, who: str) -> None:
    if not active:
        _keep_a_commander(store, username)
    store.update_user(username, active=active)
    if not active:
        store.new_user_epoch(username)  # its open sessions end, and stay ended if re-enabled
    audit(store, who, "user_enabled" if active else "user_disabled", username=username)


def set_password(store: Store, username: str, password: str, who: str) -> None:
    _check(username, password, "viewer")
    store.update_user(username, password_hash=hash_password(password))
    store.new_user_epoch(username)  # its open sessions end
    audit(store, who, "user_password_set", username=username)


def _keep_a_commander(store: Store, username: str, role: str | None = None) -> None:
    """Refuse a change that would leave no active commander."""
    left = [u for u in store.users() if u.active and u.role == "commander"
            and u.username != username]
    if not left and role != "commander":
        raise AccountError("至少保留一名可用的指挥账户", "keep at least one active commander")
