"""Users, passwords, bearer tokens and the role check of every endpoint."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.errors import Forbidden
from engine.models import User
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
    """Sign a bearer token for the user."""
    return _tokens().dumps({"uid": user.id})


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active or not check_password(user, password):
        return None
    return user


def _user_from_request() -> User | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        max_age = current_app.config["CREDITFLOW"].token_max_age
        try:
            payload = _tokens().loads(header[7:].strip(), max_age=max_age)
        except BadSignature as exc:
            raise Unauthorized("bad or expired token") from exc
        user = db.session.get(User, payload.get("uid"))
    elif session.get("uid"):
        user = db.session.get(User, session["uid"])
    else:
        return None
    if user is None or not user.active:
        raise Unauthorized("unknown or inactive user")
    return user


def current_user() -> User:
    """The signed-in user of this request; raises Unauthorized when there is none."""
    if "user" not in g:
        g.user = _user_from_request()
    if g.user is None:
        raise Unauthorized(
            "sign in: POST /api/v1/auth/token, then send 'Authorization: Bearer <token>'"
        )
    return g.user


def requires(*groups: str) -> Callable:
    """Allow a signed-in user; with groups, only members of one of them (else 403)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if groups and not (user.group_names & set(groups)):
                raise Forbidden(
                    f"user '{user.username}' is not in any of the groups {sorted(groups)}"
                )
            return view(*args, **kwargs)

        wrapper.allowed_groups = groups  # type: ignore[attr-defined]
        return wrapper

    return decorate
