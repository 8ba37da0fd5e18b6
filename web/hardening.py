"""HTTP hardening: the secret key rule, cookies, proxies and security headers on every response."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from web.config import SECRET_KEY_FILE, Config


class MissingSecretKey(RuntimeError):
    """The installation has no secret key; it must not start with a guessable one."""


def require_secret_key(cfg: Config) -> None:
    """Refuse to start without a key; the test configuration gets a random one per app."""
    if cfg.secret_key:
        return
    if cfg.testing:
        cfg.secret_key = secrets.token_urlsafe(48)
        return
    raise MissingSecretKey(
        "creditflow has no secret key: run `creditflow init` (it writes a random key to "
        f"{SECRET_KEY_FILE}, readable by its owner only) or set CREDITFLOW_SECRET_KEY "
        "to a long random value shared by every host of the installation"
    )


def write_secret_key(path: Path) -> str:
    """Create a random key in a file only its owner can read; keep an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


# No inline script anywhere: pages pass data in <script type="application/json"> blocks and
# load external files. Styles allow 'unsafe-inline' because bpmn-js / dmn-js / form-js set
# style attributes on the elements they draw.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SessionCookies(SecureCookieSessionInterface):
    """Session cookies that are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured, or when this request is HTTPS (directly or via the proxy)."""
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def _security_headers(response: Any) -> Any:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def harden(app: Flask, cfg: Config) -> None:
    """Install cookie flags, the proxy fix and the security headers."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.secure_cookies,
        SESSION_COOKIE_NAME="creditflow_session",
    )
    app.session_interface = SessionCookies()
    if cfg.trusted_proxies:
        n = cfg.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore
    app.after_request(_security_headers)
