"""POST /credit-check, DELETE /orders/{order_ref} and GET /kpis."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import NotFound

from credit import credit_check, kpi_figures, reservations
from web.api import bp
from web.api.receivable_schemas import CreditCheckBody, CreditCheckOut, KpiQuery
from web.api.receivables import RECEIVABLES
from web.api.request import load
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

KPI_READERS = ("credit_manager", "finance_director", "general_manager", "auditor", "admin")
_RATIOS = ("collection_rate", "dso", "cei", "overdue_ratio", "bad_debt_ratio", "default_rate")


@bp.post("/credit-check")
@requires(*RECEIVABLES)
def check_credit() -> dict[str, Any]:
    """Approve or block an order with every reason that applies."""
    values = load(CreditCheckBody())
    result = credit_check.check_credit(
        db.session, runtime(), actor(), values, current_app.config["CREDITFLOW"].fx_rates
    )
    db.session.commit()
    body = CreditCheckOut().dump(result)
    if body.get("credit_decision_instance_id") is None:
        body.pop("credit_decision_instance_id", None)
    return body


@bp.delete("/orders/<order_ref>")
@requires(*RECEIVABLES)
def cancel_order(order_ref: str) -> Response:
    """Free a cancelled order's reservation."""
    if len(order_ref) > 64:
        raise NotFound("order references have at most 64 characters")
    reservations.cancel_order(db.session, runtime().clock.now(), actor().username, order_ref)
    db.session.commit()
    return Response(status=204)


@bp.get("/kpis")
@requires(*KPI_READERS)
def get_kpis() -> dict[str, Any]:
    """Collection rate, DSO, CEI, overdue, bad-debt and default rates and aging of a period."""
    period = KpiQuery().load(request.args.to_dict())
    result = kpi_figures.period_kpis(db.session, period["start"], period["end"])
    for name in _RATIOS:
        result[name] = None if result[name] is None else float(result[name])
    return result
