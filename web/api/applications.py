"""POST /credit-applications and GET /credit-applications/{id}."""

from __future__ import annotations

from flask import current_app, jsonify
from marshmallow import Schema, fields, validate

from credit.applications import application_view, file_application
from credit.case_view import visible_application
from credit.customers import INDUSTRY_RISKS
from credit.preview import score_preview
from forms.fields import Currency, Id, Integer, Money, PlainText
from web.api import bp
from web.api.request import body, responds
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import actor, runtime


class ApplicationRequest(Schema):
    """Body of a new credit application."""

    customer_id = Id(required=True)
    requested_limit = Money(required=True, positive=True)
    currency = Currency(load_default="CNY")
    requested_terms_days = Integer(required=True, validate=validate.Range(min=0, max=365))
    expected_monthly_purchases = Money(required=True, non_negative=True)
    reason = PlainText(load_default="", max_length=4000, multiline=True)


class ApprovalOut(Schema):
    """One tier's decision."""

    tier = fields.String()
    user = fields.String()
    decision = fields.String()
    comment = fields.String()
    approved_limit = Money(allow_none=True)
    round = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})


class ApplicationOut(Schema):
    """A credit application with its assessment and approvals."""

    id = fields.Integer()
    customer_id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["in_assessment", "in_approval", "returned", "approved", "rejected"]}
    )
    process_instance_id = fields.Integer(allow_none=True)
    requested_limit = Money()
    currency = fields.String()
    requested_terms_days = fields.Integer()
    expected_monthly_purchases = Money()
    reason = fields.String()
    applicant = fields.String()
    analyst = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    reason_codes = fields.List(fields.String())
    suggested_limit = Money(allow_none=True)
    suggested_terms_days = fields.Integer(allow_none=True)
    approved_limit = Money(allow_none=True)
    approved_terms_days = fields.Integer(allow_none=True)
    override = fields.Dict(allow_none=True)
    assessment = fields.Dict()
    approvals = fields.List(fields.Nested(ApprovalOut))
    created_at = fields.String(metadata={"format": "date-time"})
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})


@bp.post("/credit-applications")
@requires("sales", "credit_analyst")
@body(ApplicationRequest)
@responds(201, ApplicationOut)
def create_application(body):
    """File a credit application; its process starts at once."""
    rates = current_app.config["CREDITFLOW"].fx_rates
    app = file_application(db.session, runtime(), actor(), body, rates)
    db.session.commit()
    return jsonify(application_view(db.session, app.id)), 201


@bp.get("/credit-applications/<int:application_id>")
@requires()
@responds(200, ApplicationOut)
def get_application(application_id: int):
    """An application with score, grade, reasons, limits and approvals (as the role may see)."""
    user = current_user()
    return jsonify(visible_application(db.session, user.username, user.group_names, application_id))


class PreviewRequest(Schema):
    """Body of a score preview: the assessment fields entered so far (all optional)."""

    years_in_business = Integer(allow_none=True, validate=validate.Range(min=0, max=200))
    qualitative_rating = Integer(allow_none=True, validate=validate.Range(min=1, max=5))
    industry_risk = fields.String(allow_none=True, validate=validate.OneOf(INDUSTRY_RISKS))
    override_limit = Money(allow_none=True, non_negative=True)
    override_grade = fields.String(allow_none=True, validate=validate.OneOf("ABCDE"))
    override_terms_days = Integer(allow_none=True, validate=validate.Range(min=0, max=365))
    override_reason = PlainText(allow_none=True, max_length=4000, multiline=True)
    comment = PlainText(allow_none=True, max_length=4000, multiline=True)


class FactorOut(Schema):
    """Points one scoring factor earned."""

    factor = fields.String()
    points = fields.String()
    max_points = fields.String()
    reason_code = fields.String()


class PreviewOut(Schema):
    """What the assessment would give; "problem"/"errors" when it cannot be computed yet."""

    score = fields.Float()
    grade = fields.String()
    model_grade = fields.String(allow_none=True)
    reason_codes = fields.List(fields.String())
    factors = fields.List(fields.Nested(FactorOut))
    suggested_limit = Money()
    suggested_terms_days = fields.Integer()
    currency = fields.String()
    terms_rule = fields.Dict(allow_none=True)
    warnings = fields.List(fields.Dict())
    problem = fields.String()
    errors = fields.Dict()


@bp.post("/credit-applications/<int:application_id>/score-preview")
@requires("credit_analyst", "credit_manager", "admin")
@body(PreviewRequest)
@responds(200, PreviewOut)
def preview_score(application_id: int, body):
    """What the assessment would give with the entered values; nothing is stored."""
    result = score_preview(db.session, runtime(), application_id, actor().username, body)
    db.session.rollback()
    return jsonify(result)
