"""Monitoring: early-warning levels and the board, periodic reviews of a customer."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import Schema, fields, validate

from credit import reviews as review_service
from credit.assessment_report import application_report_pdf, review_report_pdf
from credit.warning_views import customer_warnings, parse_min_level, warning_board
from engine.errors import Invalid
from web.api import bp
from web.api.request import load
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import runtime

BOARD_READERS = ("credit_manager", "finance_director", "general_manager", "auditor", "admin")
REVIEWERS = ("credit_analyst", "credit_manager", "admin")


class ReviewRequest(Schema):
    """Body of POST /customers/{id}/reviews."""

    reason = fields.String(load_default="", validate=validate.Length(max=2000))


def _language() -> str | None:
    return request.args.get("lang") or current_user().language


def _report_language() -> str:
    """The report's language: ?lang=zh|en, else the reader's."""
    lang = request.args.get("lang")
    if lang not in (None, "", "zh", "en"):
        raise Invalid.field("lang", "must be zh or en")
    return lang or ("en" if (current_user().language or "").startswith("en") else "zh")


def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/credit-applications/<int:application_id>/report")
@requires()
def application_report(application_id: int) -> Response:
    """The credit assessment report (信用评估报告) of a decided application, as PDF."""
    clock = runtime().clock
    lang = _report_language()
    content = application_report_pdf(db.session, application_id, lang, clock.now(), clock.tz)
    return _pdf(content, f"credit-assessment-application-{application_id}-{lang}.pdf")


@bp.get("/customers/<int:customer_id>/reviews/<int:process_instance_id>/report")
@requires()
def review_report(customer_id: int, process_instance_id: int) -> Response:
    """The credit assessment report of a completed periodic review, as PDF."""
    clock = runtime().clock
    lang = _report_language()
    content = review_report_pdf(
        db.session, customer_id, process_instance_id, lang, clock.now(), clock.tz
    )
    return _pdf(content, f"credit-assessment-review-{process_instance_id}-{lang}.pdf")


@bp.get("/customers/<int:customer_id>/warnings")
@requires()
def get_customer_warnings(customer_id: int) -> dict[str, Any]:
    """The customer's early-warning level and signals (code, level, detail, since)."""
    return customer_warnings(db.session, customer_id, _language())


@bp.get("/warnings")
@requires(*BOARD_READERS, "sales")
def list_warnings() -> dict[str, Any]:
    """Customers at min_level or above; a sales user sees only the customers they serve."""
    user = current_user()
    own = None if user.group_names & set(BOARD_READERS) else user.username
    items = warning_board(
        db.session,
        parse_min_level(request.args.get("min_level")),
        _language(),
        sales_rep=own,
        q=request.args.get("q"),
    )
    return {"items": items}


@bp.post("/customers/<int:customer_id>/reviews")
@requires(*REVIEWERS)
def request_review(customer_id: int) -> tuple[dict[str, Any], int]:
    """Start a periodic review now; 409 while one of the customer is running."""
    values = load(ReviewRequest())
    review = review_service.start_review(
        db.session, runtime(), customer_id, "manual", current_user().username, values["reason"]
    )
    db.session.commit()
    return {"id": review.id, "process_instance_id": review.process_instance_id}, 201


@bp.get("/customers/<int:customer_id>/reviews")
@requires()
def list_reviews(customer_id: int) -> dict[str, Any]:
    """Every review of the customer, newest first."""
    items = review_service.list_reviews(db.session, customer_id)
    db.session.commit()  # a review whose process an operator cancelled is closed on the way
    return {"items": items}
