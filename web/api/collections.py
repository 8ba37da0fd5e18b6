"""Collections: a customer's escalation, promises to pay, disputes and the demand letter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, current_app, jsonify, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from credit import collection_requests as requests
from credit.collections import collection_view
from web.api import bp
from web.api.request import load
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

PROMISERS = ("collector", "credit_manager", "admin")
DISPUTERS = ("collector", "credit_manager", "sales", "admin")
MONEY_MAX = 10**15


def _cents(value: Any) -> None:
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("at most 2 decimal places")


class PromiseBody(Schema):
    """Body of a promise to pay."""

    amount = fields.Decimal(
        required=True,
        validate=[validate.Range(min=0, min_inclusive=False, max=MONEY_MAX), _cents],
    )
    promise_date = fields.Date(required=True)


class DisputeBody(Schema):
    """Body of a dispute about one invoice."""

    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class LetterQuery(Schema):
    """Query of the demand letter."""

    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


@bp.get("/customers/<int:customer_id>/collection")
@requires()
def get_collection(customer_id: int) -> Any:
    """The customer's collection escalation: stage, days past due, overdue, tasks, history."""
    return jsonify(collection_view(db.session, customer_id, runtime().clock.today()))


@bp.post("/customers/<int:customer_id>/promises")
@requires(*PROMISERS)
def create_promise(customer_id: int) -> Any:
    """Record a promise to pay; the escalation pauses until the promised date + grace days."""
    values = load(PromiseBody())
    view = requests.promise_to_pay(db.session, runtime(), actor(), customer_id, values)
    db.session.commit()
    return jsonify(view), 201


@bp.post("/customers/<int:customer_id>/disputes")
@requires(*DISPUTERS)
def create_dispute(customer_id: int) -> Any:
    """Record a dispute about an open invoice; the escalation pauses for resolve_dispute."""
    values = load(DisputeBody())
    view = requests.raise_dispute(db.session, runtime(), actor(), customer_id, values)
    db.session.commit()
    return jsonify(view), 201


@bp.get("/customers/<int:customer_id>/demand-letter")
@requires()
def get_demand_letter(customer_id: int) -> Response:
    """The demand letter (催款函) of the running escalation as PDF (lang=zh|en)."""
    lang = LetterQuery().load(request.args.to_dict())["lang"]
    company = current_app.config["CREDITFLOW"].company_name
    pdf = requests.demand_letter(db.session, runtime(), customer_id, lang, company)
    name = f"demand-letter-{customer_id}-{lang}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
