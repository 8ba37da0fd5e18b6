"""Login, logout and the language switch."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from web.auth import authenticate
from web.extensions import db
from web.ratelimit import limit_logins
from web.ui import bp
from web.ui.access import page_user
from web.ui.i18n import LANGUAGES, gettext


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("ui.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limit_logins
def login():
    """Show the sign-in form; on success start a session in the user's language."""
    error = None
    if request.method == "POST":
        form = request.form
        user = authenticate(form.get("username", "").strip(), form.get("password", ""))
        if user is not None:
            session.clear()
            session["uid"] = user.id
            session["lang"] = user.language if user.language in LANGUAGES else "zh"
            return redirect(_safe_next(request.args.get("next")))
        error = gettext("Wrong user name or password.")
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the session."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("ui.login"))


@bp.post("/language")
def language():
    """Switch between Chinese and English; remembered on the user."""
    lang = request.form.get("lang", "zh")
    if lang in LANGUAGES:
        session["lang"] = lang
        user = page_user()
        if user is not None:
            user.language = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
