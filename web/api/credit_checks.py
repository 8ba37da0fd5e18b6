"""POST /credit-check, DELETE /orders/{order_ref} and GET /kpis."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from werkzeug.exceptions import NotFound

from credit import credit_check, kpi_figures, reservations
from web.api import bp
from web.api.receivable_schemas import (
    REF_LENGTH,
    CreditCheckBody,
    CreditCheckOut,
    KpiOut,
    KpiQuery,
)
from web.api.receivables import RECEIVABLES
from web.api.request import body, query, responds
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

_CHECK_OUT = CreditCheckOut()  # holds no request state; built once (it copies its fields)
KPI_READERS = ("credit_manager", "finance_director", "general_manager", "auditor", "admin")


@bp.post("/credit-check")
@requires(*RECEIVABLES)
@body(CreditCheckBody)
@responds(200, CreditCheckOut)
def check_credit(body: dict[str, Any]) -> dict[str, Any]:
    """Approve or block an order with every reason that applies."""
    result = credit_check.check_credit(
        db.session, runtime(), actor(), body, current_app.config["CREDITFLOW"].fx_rates
    )
    db.session.commit()
    out = _CHECK_OUT.dump(result)
    if out.get("credit_decision_instance_id") is None:
        out.pop("credit_decision_instance_id", None)
    return out


@bp.delete("/orders/<order_ref>")
@requires(*RECEIVABLES)
@responds(204, None, "the order's reservation is freed")
def cancel_order(order_ref: str) -> Response:
    """Free a cancelled order's reservation."""
    if len(order_ref) > REF_LENGTH:
        raise NotFound(f"order references have at most {REF_LENGTH} characters")
    reservations.cancel_order(db.session, runtime().clock.now(), actor().username, order_ref)
    db.session.commit()
    return Response(status=204)


@bp.get("/kpis")
@requires(*KPI_READERS)
@query(KpiQuery)
@responds(200, KpiOut)
def get_kpis(args: dict[str, Any]) -> dict[str, Any]:
    """Collection rate, DSO, CEI, overdue, bad-debt and default rates and aging of a period."""
    return KpiOut().dump(kpi_figures.period_kpis(db.session, args["start"], args["end"]))
