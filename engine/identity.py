"""Users and groups: titles for display, and the administrator's changes (each audited)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.audit import AuditEntry, append
from engine.errors import Conflict, Invalid, NotFound
from engine.models import Group, User

_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
LANGUAGES = ("zh", "en")
MIN_PASSWORD = 8


def group_titles(session: so.Session) -> dict[str, tuple[str, str]]:
    """Every group's (English, Chinese) title by name."""
    rows = session.execute(sa.select(Group.name, Group.title_en, Group.title_zh))
    return {name: (en or name, zh or en or name) for name, en, zh in rows}


def users_and_groups(session: so.Session) -> tuple[list[User], list[Group]]:
    """Every user (by name) and every group (by name)."""
    users = session.scalars(sa.select(User).order_by(User.username)).all()
    groups = session.scalars(sa.select(Group).order_by(Group.name)).all()
    return list(users), list(groups)


def get_user(session: so.Session, username: str) -> User:
    """The user with this name; NotFound otherwise."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def _groups(session: so.Session, names: Any) -> list[Group]:
    names = sorted({str(n) for n in names or []})
    found = session.scalars(sa.select(Group).where(Group.name.in_(names or [""]))).all()
    unknown = sorted(set(names) - {g.name for g in found})
    if unknown:
        raise Invalid.field("groups", f"unknown groups: {', '.join(unknown)}")
    return list(found)


def _audit(session: so.Session, now: dt.datetime, actor: str, action: str, data: dict) -> None:
    subject = f"user:{data['username']}" if "username" in data else f"group:{data.get('group')}"
    append(session, now, [AuditEntry(actor, action, subject=subject, data=data)])


def check_password(password: str) -> None:
    """Refuse a password that is too short to be set."""
    if len(password or "") < MIN_PASSWORD:
        raise Invalid.field("password", f"at least {MIN_PASSWORD} characters")


def create_user(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    values: Mapping[str, Any],
    password_hash: str,
) -> User:
    """Add a user with groups; the name is lowercase letters, digits, '.', '_' or '-'."""
    username = str(values.get("username") or "").strip()
    if not _NAME.match(username):
        raise Invalid.field(
            "username", "2 to 64 characters: lowercase letters, digits, '.', '_', '-'"
        )
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user '{username}' exists already")
    language = values.get("language") or "zh"
    if language not in LANGUAGES:
        raise Invalid.field("language", "zh or en")
    user = User(
        username=username,
        password_hash=password_hash,
        email=str(values.get("email") or ""),
        display_name=str(values.get("display_name") or username),
        language=language,
        active=True,
        groups=_groups(session, values.get("groups")),
    )
    session.add(user)
    session.flush()
    _audit(
        session,
        now,
        actor,
        "user_created",
        {"username": username, "groups": sorted(user.group_names)},
    )
    return user


def update_user(
    session: so.Session, now: dt.datetime, actor: str, username: str, values: Mapping[str, Any]
) -> User:
    """Change a user's name, email, language, groups or active flag (only the fields given)."""
    user = get_user(session, username)
    changes: dict[str, list[Any]] = {}
    for field in ("display_name", "email", "language", "active"):
        if field in values and values[field] != getattr(user, field):
            if field == "language" and values[field] not in LANGUAGES:
                raise Invalid.field("language", "zh or en")
            changes[field] = [getattr(user, field), values[field]]
            setattr(user, field, values[field])
    if "groups" in values:
        groups = _groups(session, values["groups"])
        before, after = sorted(user.group_names), sorted(g.name for g in groups)
        if before != after:
            changes["groups"] = [before, after]
            user.groups = groups
    if user.username == actor and changes.get("active") == [True, False]:
        raise Invalid.field("active", "you cannot deactivate your own account")
    before_groups, after_groups = changes.get("groups", [[], []])
    if user.username == actor and "admin" in before_groups and "admin" not in after_groups:
        raise Invalid.field("groups", "you cannot take yourself out of the admin group")
    if changes:
        session.flush()
        _audit(session, now, actor, "user_updated", {"username": username, "changes": changes})
    return user


def reset_password(
    session: so.Session, now: dt.datetime, actor: str, username: str, password_hash: str
) -> User:
    """Give the user a new password (the hash of it); the password itself is never stored."""
    user = get_user(session, username)
    user.password_hash = password_hash
    session.flush()
    _audit(session, now, actor, "user_password_reset", {"username": username})
    return user


def save_group(
    session: so.Session, now: dt.datetime, actor: str, values: Mapping[str, Any]
) -> Group:
    """Create a group or change its titles and supervising group."""
    name = str(values.get("name") or "").strip()
    if not _NAME.match(name):
        raise Invalid.field("name", "2 to 64 characters: lowercase letters, digits, '.', '_', '-'")
    supervisor = values.get("supervisor") or None
    if supervisor is not None and supervisor != name and session.get(Group, supervisor) is None:
        raise Invalid.field("supervisor", f"no group '{supervisor}'")
    group = session.get(Group, name)
    action = "group_updated"
    if group is None:
        group = Group(name=name)
        session.add(group)
        action = "group_created"
    before = {
        "title_en": group.title_en,
        "title_zh": group.title_zh,
        "supervisor": group.supervisor,
    }
    group.title_en = str(values.get("title_en") or group.title_en or name)[:120]
    group.title_zh = str(values.get("title_zh") or group.title_zh or group.title_en)[:120]
    group.supervisor = supervisor
    session.flush()
    after = {"title_en": group.title_en, "title_zh": group.title_zh, "supervisor": group.supervisor}
    if action == "group_created" or before != after:
        _audit(session, now, actor, action, {"group": name, "before": before, "after": after})
    return group
