"""Wire the UI into the app: CSRF, Babel locale, template helpers, the blueprint and "/"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect, generate_csrf

from web.ui import display
from web.ui.i18n import LANGUAGES, client_catalog, gettext, locale, translate_message

csrf = CSRFProtect()
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _check_csrf() -> None:
    """Protect state changes made with the session cookie; bearer-token API calls are exempt."""
    if request.method not in UNSAFE or request.routing_exception is not None:
        return  # an unknown path or method answers 404/405 before any CSRF check
    if request.blueprint == "api":
        if request.headers.get("Authorization", "").startswith("Bearer ") or not session.get("uid"):
            return
    csrf.protect()


def money(value: Any) -> str:
    """Format an amount with thousands separators and no float rounding."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{amount:,.2f}"


def _page_errors(bp: Any) -> None:
    """Show engine errors and refusals of UI pages as HTML, not problem+json."""
    from engine.errors import EngineError
    from web.errors import end_unit_of_work
    from web.extensions import db

    @bp.errorhandler(EngineError)
    def _engine(exc: EngineError):
        end_unit_of_work(exc, db.session.commit, db.session.rollback)
        return render_template(
            "error.html", status=exc.status, title=exc.title, detail=exc.detail
        ), exc.status

    @bp.errorhandler(403)
    def _forbidden(exc: Exception):
        return render_template(
            "error.html",
            status=403,
            title=gettext("Forbidden"),
            detail=gettext("Your role may not open this page."),
        ), 403


ERROR_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Not allowed here",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
ERROR_DETAILS = {
    404: "There is no page at this address. Use the navigation above.",
    500: "The error was logged and nothing was saved. Try again, or tell your administrator.",
}


def _html_errors(app: Flask) -> None:
    """Pages outside /api/ get HTML error pages; the API keeps its problem+json handlers."""
    from werkzeug.exceptions import HTTPException

    handlers = app.error_handler_spec[None][None]
    for exc_class in (HTTPException, Exception):
        api_handler = handlers.get(exc_class)

        def handler(exc: Exception, api_handler: Any = api_handler) -> Any:
            if request.path.startswith("/api/") and api_handler is not None:
                return api_handler(exc)
            if api_handler is not None and not isinstance(exc, HTTPException):
                api_handler(exc)  # rolls back and logs the crash
            status = exc.code or 500 if isinstance(exc, HTTPException) else 500
            detail = ERROR_DETAILS.get(status) or getattr(exc, "description", "") or ""
            title = ERROR_TITLES.get(status) or getattr(exc, "name", "Error")
            return render_template(
                "error.html", status=status, title=title, detail=gettext(detail)
            ), status

        app.register_error_handler(exc_class, handler)


def zone() -> Any:
    """The installation's time zone (config: timezone)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return ZoneInfo(current_app.config["CREDITFLOW"].timezone)


def when(value: Any) -> str:
    """Show a timestamp in the installation's zone, to the minute."""
    import datetime as dt

    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(zone())
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def bilingual(text: Any) -> str:
    """Pick one half of a model's "English / 中文" name for the request's language."""
    value = str(text or "")
    if " / " not in value:
        return value
    english, chinese = value.split(" / ", 1)
    return chinese if locale() == "zh" else english


def init_ui(app: Flask) -> None:
    """Install CSRF protection, Babel, the UI blueprint and the root redirect."""
    from web.ui import bp
    from web.ui.nav import nav_context

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(_check_csrf)
    Babel(app, locale_selector=locale)
    if not getattr(bp, "_page_errors_installed", False):
        # A blueprint accepts handlers only before its first registration (tests build many apps).
        _page_errors(bp)
        bp._page_errors_installed = True  # type: ignore[attr-defined]
    app.register_blueprint(bp)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["bilingual"] = bilingual
    app.jinja_env.filters["tr"] = translate_message
    display.install(app)
    app.jinja_env.globals.update(
        _=gettext,
        csrf_token=generate_csrf,
        LANGUAGES=LANGUAGES,
        current_locale=locale,
        client_catalog=client_catalog,
    )
    app.context_processor(nav_context)

    _html_errors(app)

    @app.get("/favicon.ico")
    def favicon():
        """The site icon (browsers ask for it at the root)."""
        return bp.send_static_file("favicon.ico")

    @app.get("/")
    def root():
        """Send visitors to the dashboard when signed in, else to the login page."""
        return redirect(url_for("ui.dashboard" if session.get("uid") else "ui.login"))
