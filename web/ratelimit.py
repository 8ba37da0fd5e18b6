"""Login rate limiting: failed sign-ins per client address and user name (Flask-Limiter)."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter

# Only failed attempts count, so scripts and browsers that sign in often are never slowed down.
LOGIN_LIMIT = "10 per 5 minutes"


def login_key() -> str:
    """Client address plus the user name tried (from the form or the JSON body)."""
    body = request.get_json(silent=True) if request.is_json else None
    username = (body or {}).get("username") if isinstance(body, dict) else None
    username = username or request.form.get("username") or ""
    return f"{request.remote_addr}|{str(username).strip().lower()}"


def failed(response) -> bool:
    """Whether a sign-in response was a failure (wrong credentials)."""
    return response.status_code == 401


limiter = Limiter(key_func=login_key, storage_uri="memory://", headers_enabled=True)


def limit_logins(view):
    """Decorate a sign-in view with the failed-attempt limit."""
    return limiter.limit(LOGIN_LIMIT, key_func=login_key, deduct_when=failed)(view)
