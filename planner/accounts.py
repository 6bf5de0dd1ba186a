"""Dashboard accounts: who may read, log events, and approve re-plans.

Passwords are kept only as bcrypt hashes in the store; there is no default account or
password. The first commander is made on first start (from the form, or from
``PLANNER_ADMIN_USER`` / ``PLANNER_ADMIN_PASSWORD``). Every change to an account is
written to the audit log (a chained log in the store, like the event log) with who
made it.
"""

from __future__ import annotations

import re

import bcrypt

from planner.store import Store, UserRow, now

ROLES = ("viewer", "operator", "commander")  # each may do what the ones before it may
ROLE_NAMES = {"viewer": ("查看", "viewer"), "operator": ("操作员", "operator"),
              "commander": ("指挥", "commander")}
AUDIT = "_audit"  # the audit log's name in the store
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # what bcrypt reads
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


class AccountError(ValueError):
    """A refused account change; the message is (zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


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


def set_role(store: Store, username: str, role: str, who: str) -> None:
    _check(username, None, role)
    _keep_a_commander(store, username, role=role)
    store.update_user(username, role=role)
    audit(store, who, "user_role_changed", username=username, role=role)


def set_active(store: Store, username: str, active: bool, who: str) -> None:
    if not active:
        _keep_a_commander(store, username)
    store.update_user(username, active=active)
    audit(store, who, "user_enabled" if active else "user_disabled", username=username)


def set_password(store: Store, username: str, password: str, who: str) -> None:
    _check(username, password, "viewer")
    store.update_user(username, password_hash=hash_password(password))
    audit(store, who, "user_password_set", username=username)


def _keep_a_commander(store: Store, username: str, role: str | None = None) -> None:
    """Refuse a change that would leave no active commander."""
    left = [u for u in store.users() if u.active and u.role == "commander"
            and u.username != username]
    if not left and role != "commander":
        raise AccountError("至少保留一名可用的指挥账户", "keep at least one active commander")
