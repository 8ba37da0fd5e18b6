"""Login, logout and the language switch."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from werkzeug.exceptions import TooManyRequests

from web.extensions import db
from web.signin import end_session, sign_in, start_session
from web.ui import bp
from web.ui.access import page_user
from web.ui.i18n import LANGUAGES, gettext

_SAFE_PATH = re.compile(r"^/(?![/\\])[\x21-\x7e]*$")


def safe_next(target: str | None, fallback: str = "ui.dashboard") -> str:
    """A same-site path to return to, else the dashboard (never another host).

    Only a path starting with one "/" followed by printable ASCII is kept: "//evil",
    "/\\evil", "/%09/evil" (a TAB that browsers drop) and absolute URLs all fall back.
    """
    target = target or ""
    if _SAFE_PATH.match(target) and urlsplit(target).netloc == "":
        return target
    return url_for(fallback)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; on success start a session in the user's language."""
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            user = sign_in(form.get("username", "")[:64].strip(), form.get("password", "")[:1024])
        except TooManyRequests:
            user, error, status = None, gettext("Too many failed sign-ins; try again later."), 429
        if user is not None:
            start_session(user)
            session["lang"] = user.language if user.language in LANGUAGES else "zh"
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        if error is None:
            error, status = gettext("Wrong user name or password."), 401
    return render_template("login.html", error=error), status


@bp.post("/logout")
def logout():
    """End the session; the session row is deleted, so a copy of the cookie stops working."""
    lang = session.get("lang")
    end_session()
    db.session.commit()
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
    return redirect(safe_next(request.form.get("next")))
