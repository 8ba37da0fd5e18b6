"""POST /credit-applications and GET /credit-applications/{id}."""

from __future__ import annotations

from flask import current_app, jsonify
from marshmallow import Schema, fields, validate

from credit.applications import application_view, file_application
from web.api import bp
from web.api.request import load
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime


class ApplicationRequest(Schema):
    """Body of a new credit application."""

    customer_id = fields.Integer(required=True, strict=False)
    requested_limit = fields.Decimal(
        required=True, validate=validate.Range(min=0, min_inclusive=False)
    )
    currency = fields.String(load_default="CNY", validate=validate.Length(equal=3))
    requested_terms_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))
    expected_monthly_purchases = fields.Decimal(required=True, validate=validate.Range(min=0))
    reason = fields.String(load_default="", validate=validate.Length(max=4000))


@bp.post("/credit-applications")
@requires("sales", "credit_analyst")
def create_application():
    """File a credit application; its process starts at once."""
    values = load(ApplicationRequest())
    rates = current_app.config["CREDITFLOW"].fx_rates
    app = file_application(db.session, runtime(), actor(), values, rates)
    db.session.commit()
    return jsonify(application_view(db.session, app.id)), 201


@bp.get("/credit-applications/<int:application_id>")
@requires()
def get_application(application_id: int):
    """An application with score, grade, reasons, limits and approvals."""
    return jsonify(application_view(db.session, application_id))
