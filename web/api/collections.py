"""Collections: a customer's escalation, promises to pay, disputes and the demand letter."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from credit import collection_requests as requests
from credit.collections import collection_view
from web.api import bp
from web.api.collection_schemas import CollectionOut, DisputeBody, LetterQuery, PromiseBody
from web.api.request import body, query, responds
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

PROMISERS = ("collector", "credit_manager", "admin")
DISPUTERS = ("collector", "credit_manager", "sales", "admin")
PDF = {"type": "string", "format": "binary"}


@bp.get("/customers/<int:customer_id>/collection")
@requires()
@responds(200, CollectionOut)
def get_collection(customer_id: int) -> dict[str, Any]:
    """The customer's collection escalation: stage, days past due, overdue, tasks, history."""
    return CollectionOut().dump(collection_view(db.session, customer_id, runtime().clock.today()))


@bp.post("/customers/<int:customer_id>/promises")
@requires(*PROMISERS)
@body(PromiseBody)
@responds(201, CollectionOut, "the escalation, paused until the promised date + grace days")
def create_promise(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Record a promise to pay; the escalation pauses until the promised date + grace days."""
    view = requests.promise_to_pay(db.session, runtime(), actor(), customer_id, body)
    db.session.commit()
    return CollectionOut().dump(view), 201


@bp.post("/customers/<int:customer_id>/disputes")
@requires(*DISPUTERS)
@body(DisputeBody)
@responds(201, CollectionOut, "the escalation, paused with a resolve_dispute task")
def create_dispute(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Record a dispute about an open invoice; the escalation pauses for resolve_dispute."""
    view = requests.raise_dispute(db.session, runtime(), actor(), customer_id, body)
    db.session.commit()
    return CollectionOut().dump(view), 201


@bp.get("/customers/<int:customer_id>/demand-letter")
@requires()
@query(LetterQuery)
@responds(200, PDF, "the demand letter (催款函)", content_type="application/pdf")
def get_demand_letter(customer_id: int, args: dict[str, Any]) -> Response:
    """The demand letter (催款函) of the running escalation as PDF (lang=zh|en)."""
    company = current_app.config["CREDITFLOW"].company_name
    pdf = requests.demand_letter(db.session, runtime(), customer_id, args["lang"], company)
    name = f"demand-letter-{customer_id}-{args['lang']}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
