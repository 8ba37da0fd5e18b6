"""The KPIs page: collection rate, DSO, CEI, overdue, bad-debt and default rates, aging."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request

from credit.kpi_figures import period_kpis
from forms.fields import DAY_MAX, DAY_MIN
from web.api.credit_checks import KPI_READERS
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page

DEFAULT_DAYS = 90


def _day(name: str, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return day if DAY_MIN <= day <= DAY_MAX else default


@bp.get("/kpis")
@page(*KPI_READERS)
def kpis():
    """KPIs and aging for a period (default: the last 90 days up to today)."""
    today = runtime().clock.today()
    end = _day("to", today)
    start = _day("from", end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        start, end = end, start
    return render_template("kpis.html", k=period_kpis(db.session, start, end))
