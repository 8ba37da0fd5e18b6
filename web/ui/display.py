"""Template filters that turn values into what people read: durations, percentages, ratios."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.clock import from_db
from web.ui.i18n import gettext

PERCENT_RATIOS = {"debt_to_asset", "net_margin", "roa"}
TIMES_RATIOS = {"current_ratio", "quick_ratio", "interest_coverage", "ocf_to_current_liabilities"}


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return from_db(value) if value.tzinfo is None else value


def duration(seconds: float) -> str:
    """A coarse, readable duration: "12 min", "5 h", "3 d"."""
    seconds = abs(seconds)
    if seconds < 3600:
        return gettext("%(n)s min", n=max(int(seconds // 60), 1))
    if seconds < 2 * 86400:
        return gettext("%(n)s h", n=int(seconds // 3600))
    return gettext("%(n)s d", n=int(seconds // 86400))


def since(value: Any, now: dt.datetime) -> str:
    """How long ago a moment was ("3 h")."""
    moment = _aware(value)
    return "—" if moment is None else duration((now - moment).total_seconds())


def due_in(value: Any, now: dt.datetime) -> str:
    """Time left until a due moment, or how long it is overdue."""
    moment = _aware(value)
    if moment is None:
        return "—"
    left = (moment - now).total_seconds()
    if left >= 0:
        return gettext("in %(t)s", t=duration(left))
    return gettext("%(t)s overdue", t=duration(left))


def ratio(value: Any, name: str) -> str:
    """A ratio as people read it: percent for shares, "1.71×" for multiples, Z″ as a number."""
    if value is None or value == "":
        return "—"
    if name == "altman_zone":
        return zone_words(str(value))
    number = Decimal(str(value))
    if name in PERCENT_RATIOS:
        return f"{number * 100:.1f} %"
    if name in TIMES_RATIOS:
        return f"{number:.2f}×"
    return f"{number:.2f}"


def zone_words(zone: str) -> str:
    """The Altman Z″ zone in words."""
    return {
        "safe": gettext("safe zone"),
        "grey": gettext("grey zone"),
        "distress": gettext("distress zone"),
        "not_available": gettext("not available (the statement lacks figures)"),
    }.get(zone, zone)


def install(app: Any) -> None:
    """Register the filters on the app's Jinja environment."""
    app.jinja_env.filters.update(
        since=since, due_in=due_in, ratio=ratio, zone_words=zone_words, group=group_title
    )
    app.jinja_env.globals.update(
        factor_input=factor_input,
        factor_texts=factor_texts,
        reason_texts=reason_texts,
        terms_rule_texts=terms_rule_texts,
        terms_rule_text=terms_rule_text,
        warning_text=warning_text,
    )


def group_title(name: str) -> str:
    """A group's title in the request's language (its name when the group is unknown)."""
    from flask import g

    from engine.identity import group_titles
    from web.extensions import db
    from web.ui.i18n import locale

    if "group_titles" not in g:
        g.group_titles = group_titles(db.session)
    en, zh = g.group_titles.get(name, (name, name))
    return zh if locale() == "zh" else en


def one_language(form: dict[str, Any] | None) -> dict[str, Any] | None:
    """A form-js schema whose "English / 中文" labels keep only the request's language."""
    from web.ui.host import bilingual

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and key in ("label", "description", "text"):
            return bilingual(value)
        return value

    return None if form is None else walk(form)


FACTOR_RATIOS = {"current_ratio", "debt_to_asset", "net_margin"}
REASON_CODES = (
    "ALTMAN_DISTRESS",
    "ENFORCEMENT_FLAG",
    "CURRENT_RATIO_LOW",
    "DEBT_TO_ASSET_HIGH",
    "NET_MARGIN_LOW",
    "YEARS_IN_BUSINESS_SHORT",
    "EXTERNAL_SCORE_LOW",
    "PAYMENT_HISTORY_LATE",
    "NO_PAYMENT_HISTORY",
    "INDUSTRY_RISK_ELEVATED",
    "QUALITATIVE_RATING_LOW",
    "ALTMAN_NOT_AVAILABLE",
)
TERMS_RULES = {
    "grade": "Terms %(suggested)s days: the terms of grade %(grade)s (%(grade_terms)s days), "
    "as the %(requested)s days requested are not shorter.",
    "requested_shorter": "Terms %(suggested)s days: the %(requested)s days requested, "
    "as they are shorter than grade %(grade)s's %(grade_terms)s days.",
    "override": "Terms %(suggested)s days: set by the analyst's override "
    "(grade %(grade)s would give %(grade_terms)s days).",
}


def factor_input(factor: str, value: Any) -> str:
    """The input a scoring factor was scored on, as people read it."""
    if value is None or value == "":
        return gettext("not available")
    if factor in FACTOR_RATIOS:
        return ratio(value, factor)
    if factor == "years_in_business":
        return gettext("%(n)s years", n=value)
    if factor == "payment_history":
        return gettext("at most %(n)s days late", n=value)
    if factor == "industry_risk":
        return gettext(str(value))
    return str(value)


def factor_texts() -> dict[str, str]:
    """Translated names of the scoring factors (for scripts)."""
    from credit.scorecard import FACTORS

    return {f: gettext(f"factor.{f}") for f in FACTORS}


def reason_texts() -> dict[str, str]:
    """One-line explanations of the reason codes (for scripts)."""
    return {code: gettext(code) for code in REASON_CODES}


def terms_rule_texts() -> dict[str, str]:
    """The sentences explaining suggested terms, with %(…)s placeholders (for scripts)."""
    return {rule: gettext(text) for rule, text in TERMS_RULES.items()}


def terms_rule_text(rule: dict[str, Any]) -> str:
    """Why the suggested terms are what they are, in one sentence."""
    values = {k: "—" if v is None else v for k, v in rule.items()}
    return gettext(TERMS_RULES[rule["rule"]], **values)


def warning_text(warning: dict[str, Any]) -> str:
    """A data-completeness warning in words."""
    texts = {
        "no_statement": gettext("No financial statement: the ratios score their lowest points."),
        "no_credit_report": gettext("No credit report: the external score counts as missing."),
        "no_founding_date": gettext(
            "No founding date in the profile: enter the years in business in the form."
        ),
        "stale_statement": gettext(
            "The latest statement (period ending %(on)s) is %(age)s days old.",
            on=warning.get("on"),
            age=warning.get("age"),
        ),
        "stale_credit_report": gettext(
            "The latest credit report (%(on)s) is %(age)s days old.",
            on=warning.get("on"),
            age=warning.get("age"),
        ),
    }
    return texts.get(warning["code"], warning["code"])
