"""Monitoring: early-warning levels and the board, periodic reviews, assessment reports."""

from __future__ import annotations

from typing import Any

from flask import Response

from credit import reviews as review_service
from credit.assessment_report import application_report_pdf, review_report_pdf
from credit.warning_views import customer_warnings, parse_min_level, warning_board
from web.api import bp
from web.api.monitoring_schemas import (
    BINARY,
    BoardOut,
    BoardQuery,
    CustomerWarningsOut,
    LanguageQuery,
    ReviewPage,
    ReviewRequest,
    ReviewStartedOut,
)
from web.api.request import body, query, responds
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import actor, runtime

BOARD_READERS = ("credit_manager", "finance_director", "general_manager", "auditor", "admin")
REVIEWERS = ("credit_analyst", "credit_manager", "admin")


def _language(args: dict[str, Any]) -> str:
    """The language asked for (?lang=), else the reader's."""
    chosen = args.get("lang") or current_user().language or "zh"
    return "en" if chosen.startswith("en") else "zh"


@bp.get("/customers/<int:customer_id>/warnings")
@requires()
@query(LanguageQuery)
@responds(200, CustomerWarningsOut)
def get_customer_warnings(customer_id: int, args: dict[str, Any]) -> dict[str, Any]:
    """The customer's early-warning level and signals (code, level, detail, since)."""
    view = customer_warnings(db.session, customer_id, _language(args))
    return CustomerWarningsOut().dump(view)


@bp.get("/warnings")
@requires(*BOARD_READERS, "sales")
@query(BoardQuery)
@responds(200, BoardOut)
def list_warnings(args: dict[str, Any]) -> dict[str, Any]:
    """Customers at min_level or above; a sales user sees only the customers they serve."""
    user = current_user()
    own = None if user.group_names & set(BOARD_READERS) else user.username
    items = warning_board(
        db.session,
        parse_min_level(args["min_level"]),
        _language(args),
        sales_rep=own,
        q=args["q"],
    )
    return BoardOut().dump({"items": items})


@bp.post("/customers/<int:customer_id>/reviews")
@requires(*REVIEWERS)
@body(ReviewRequest)
@responds(201, ReviewStartedOut)
def request_review(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Start a periodic review now; 409 while one of the customer is running."""
    review = review_service.start_review(
        db.session, runtime(), customer_id, "manual", actor().username, body["reason"]
    )
    db.session.commit()
    return ReviewStartedOut().dump(review), 201


@bp.get("/customers/<int:customer_id>/reviews")
@requires()
@responds(200, ReviewPage)
def list_reviews(customer_id: int) -> dict[str, Any]:
    """Every review of the customer, newest first."""
    items = review_service.list_reviews(db.session, customer_id)
    db.session.commit()  # a review whose process an operator cancelled is closed on the way
    return ReviewPage().dump({"items": items})


def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/credit-applications/<int:application_id>/report")
@requires()
@query(LanguageQuery)
@responds(200, BINARY, "the credit assessment report (信用评估报告)", "application/pdf")
def application_report(application_id: int, args: dict[str, Any]) -> Response:
    """The credit assessment report of a decided application, as PDF (409 until decided)."""
    clock, lang = runtime().clock, _language(args)
    content = application_report_pdf(db.session, application_id, lang, clock.now(), clock.tz)
    return _pdf(content, f"credit-assessment-application-{application_id}-{lang}.pdf")


@bp.get("/customers/<int:customer_id>/reviews/<int:process_instance_id>/report")
@requires()
@query(LanguageQuery)
@responds(200, BINARY, "the credit assessment report of the review", "application/pdf")
def review_report(customer_id: int, process_instance_id: int, args: dict[str, Any]) -> Response:
    """The credit assessment report of a completed periodic review, as PDF (409 until then)."""
    clock, lang = runtime().clock, _language(args)
    content = review_report_pdf(
        db.session, customer_id, process_instance_id, lang, clock.now(), clock.tz
    )
    return _pdf(content, f"credit-assessment-review-{process_instance_id}-{lang}.pdf")
