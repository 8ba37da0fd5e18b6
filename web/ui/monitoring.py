"""Monitoring pages: the early-warning board, and the credit file's review and document forms."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from credit import credit_file_sections as sections
from credit import documents
from credit import reviews as review_service
from credit.customers import list_statements
from credit.warning_views import customer_warnings, parse_min_level, warning_board
from engine.errors import EngineError
from web.api.documents import store
from web.api.monitoring import BOARD_READERS, REVIEWERS
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.i18n import gettext, locale

UPLOADERS = ("sales", "credit_analyst", "credit_manager", "admin")


@bp.get("/warnings")
@page(*BOARD_READERS, "sales")
def warnings_board():
    """Customers by early-warning level with their signals; sales see their own customers."""
    user = page_user()
    try:
        min_level = parse_min_level(request.args.get("min_level"))
    except EngineError:
        min_level = parse_min_level(None)
    own = None if user.group_names & set(BOARD_READERS) else user.username
    q = request.args.get("q", "")
    items = warning_board(db.session, min_level, locale(), sales_rep=own, q=q)
    return render_template("warnings.html", items=items, min_level=min_level.label, q=q)


def file_sections(customer_id: int) -> dict[str, Any]:
    """The monitoring sections of a customer's credit file page."""
    today = runtime().clock.today()
    return {
        "warnings": customer_warnings(db.session, customer_id, locale(), history=20),
        "reviews": review_service.list_reviews(db.session, customer_id),
        "documents": [
            documents.document_view(row)
            for row in documents.list_documents(db.session, customer_id)
        ],
        "assessments": sections.assessments(db.session, customer_id),
        "reports": sections.credit_reports(db.session, customer_id),
        "ratios": sections.ratios_over_time(list_statements(db.session, customer_id)),
        "receivables": sections.receivables(db.session, customer_id, today),
    }


@bp.post("/customers/<int:customer_id>/reviews")
@page(*REVIEWERS)
def request_review(customer_id: int):
    """Start a periodic review from the credit file (same service as the API)."""
    try:
        review = review_service.start_review(
            db.session,
            runtime(),
            customer_id,
            "manual",
            actor().username,
            request.form.get("reason", "")[:2000],
        )
        db.session.commit()
        flash(gettext("Review started"), "ok")
        return redirect(url_for("ui.instance", instance_id=review.process_instance_id))
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(url_for("ui.customer", customer_id=customer_id) + "#reviews")


@bp.post("/customers/<int:customer_id>/documents")
@page(*UPLOADERS)
def upload_document(customer_id: int):
    """Upload a document from the credit file (same service and limits as the API)."""
    cfg = current_app.config["CREDITFLOW"]
    request.max_content_length = cfg.max_document_bytes + 64 * 1024
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise EngineError(gettext("Choose a file to upload."))
        documents.add_document(
            db.session,
            store(),
            runtime().clock.now(),
            actor().username,
            customer_id,
            request.form.get("kind", ""),
            upload.filename,
            upload.stream,
            cfg.max_document_bytes,
            None,
        )
        db.session.commit()
        flash(gettext("Document uploaded"), "ok")
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(url_for("ui.customer", customer_id=customer_id) + "#documents")


# Processes whose tasks show the customer's review and warning context (business key = customer).
REVIEW_CONTEXTS = ("periodic_review", "early_warning")


def review_context(process_key: str, customer_id: int) -> dict[str, Any]:
    """The customer, its running review (recomputed beside previous) and its warning."""
    from credit.customers import customer_summary

    try:
        customer = customer_summary(
            db.session,
            customer_id,
            runtime().clock.today(),
            current_app.config["CREDITFLOW"].fx_rates,
        )
    except EngineError:
        return {}
    running = review_service.running_review(db.session, customer_id)
    return {
        "customer": customer,
        "review": review_service.review_view(running) if running else None,
        "warnings": customer_warnings(db.session, customer_id, locale(), history=5),
    }
