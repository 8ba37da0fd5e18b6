"""Users, passwords, bearer tokens and the role check of every endpoint."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.errors import Forbidden
from engine.models import User, user_group
from web.extensions import db


class Unauthorized(Exception):
    """Missing or bad credentials (HTTP 401)."""


def hasher() -> PasswordHasher:
    """The installation's argon2 hasher (cheap parameters under testing)."""
    if current_app.config.get("TESTING"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password with argon2."""
    return hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether the password matches the user's hash."""
    try:
        return hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        # A wrong password, or a stored hash that is not argon2 (e.g. a disabled account).
        return False


def _tokens() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def issue_token(user: User) -> str:
    """Sign a bearer token for the user, bound to the user's current token version."""
    return _tokens().dumps({"uid": user.id, "tv": user.token_version})


def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so both cases cost the same."""
    key = "creditflow.dummy_hash"
    if key not in current_app.extensions:
        current_app.extensions[key] = hash_password(secrets.token_urlsafe(16))
    return current_app.extensions[key]


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    An unknown or inactive user costs one argon2 verification like a wrong password, so the
    answer's timing does not tell which user names exist.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active:
        try:
            hasher().verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return None
    return user if check_password(user, password) else None


def set_password(user: User, password: str) -> None:
    """Change a user's password; every earlier token and session of the user stops working."""
    user.password_hash = hash_password(password)
    revoke_sign_ins(user)


def deactivate(user: User) -> None:
    """Deactivate a user; every token and session ends at once."""
    user.active = False
    revoke_sign_ins(user)


def revoke_sign_ins(user: User) -> None:
    """End every token and browser session of the user (password change, deactivation...)."""
    from engine.models import UserSession

    user.token_version += 1
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))


def session_user() -> User | None:
    """The user of the request's browser session, if the session row still exists."""
    from engine.models import UserSession

    sid, uid = session.get("sid"), session.get("uid")
    if not sid or not uid:
        return None
    row = db.session.get(UserSession, sid)
    user = db.session.get(User, uid) if row is not None and row.user_id == uid else None
    if user is None or not user.active or session.get("tv") != user.token_version:
        return None
    return user


@dataclass(frozen=True)
class Principal:
    """Who made the request: enough for the role check and the actor, without an ORM object."""

    id: int
    username: str
    group_names: frozenset[str]

    @classmethod
    def of(cls, user: User) -> Principal:
        """The principal of a loaded user."""
        return cls(user.id, user.username, frozenset(user.group_names))


# A bearer token's user, with its groups, in one statement (one row per group, at least one).
_TOKEN_USER = (
    sa.select(User.username, User.active, User.token_version, user_group.c.group_name)
    .outerjoin(user_group, user_group.c.user_id == User.id)
    .where(User.id == sa.bindparam("uid"))
)


def _token_principal(token: str) -> Principal:
    """Verify a bearer token against the user's current row (read on every request).

    The row is read each time, so a password change, deactivation or sign-out everywhere
    (``revoke_sign_ins``) refuses the token on the very next request on any host.
    """
    max_age = current_app.config["CREDITFLOW"].token_max_age
    try:
        payload = _tokens().loads(token, max_age=max_age)
    except BadSignature as exc:
        raise Unauthorized("bad or expired token") from exc
    uid = payload.get("uid") if isinstance(payload, dict) else None
    rows = db.session.execute(_TOKEN_USER, {"uid": uid}).all() if isinstance(uid, int) else []
    if rows and payload.get("tv") != rows[0].token_version:
        raise Unauthorized("the token was revoked (password change or sign-out); get a new one")
    if not rows or not rows[0].active:
        raise Unauthorized("unknown or inactive user")
    groups = frozenset(row.group_name for row in rows if row.group_name is not None)
    return Principal(uid, rows[0].username, groups)


def _principal_from_request() -> Principal | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _token_principal(header[7:].strip())
    if not session.get("uid"):
        return None
    user = session_user()
    if user is None:
        raise Unauthorized("the session ended; sign in again")
    g.user = user
    return Principal.of(user)


def current_principal() -> Principal:
    """Who signed this request (checked once per request); raises Unauthorized when nobody."""
    if "principal" not in g:
        g.principal = _principal_from_request()
    if g.principal is None:
        raise Unauthorized(
            "sign in: POST /api/v1/auth/token, then send 'Authorization: Bearer <token>'"
        )
    return g.principal


def current_user() -> User:
    """The signed-in user of this request as a row; raises Unauthorized when there is none."""
    if "user" not in g:
        user = db.session.get(User, current_principal().id)
        if user is None:
            raise Unauthorized("unknown or inactive user")
        g.user = user
    return g.user


def requires(*groups: str) -> Callable:
    """Allow a signed-in user; with groups, only members of one of them (else 403)."""
    allowed = frozenset(groups)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_principal()
            if groups and not (user.group_names & allowed):
                raise Forbidden(
                    f"user '{user.username}' is not in any of the groups {sorted(groups)}"
                )
            return view(*args, **kwargs)

        wrapper.allowed_groups = groups  # type: ignore[attr-defined]
        return wrapper

    return decorate
