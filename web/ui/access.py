"""Sign-in and role checks for pages: redirect to /login instead of a 401 problem."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, redirect, request, session, url_for

from engine.models import User
from web.auth import session_user


def page_user() -> User | None:
    """The user signed in with the session cookie, or None (signed out, revoked, inactive)."""
    return session_user()


def page(*groups: str) -> Callable:
    """Require a signed-in user (redirect to /login) and, with groups, membership (else 403)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = page_user()
            if user is None:
                session.pop("uid", None)
                return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
            if groups and not (user.group_names & set(groups)):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate
