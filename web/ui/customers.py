"""Customer pages: search, credit file, new customer, new credit application."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError

from credit import customers as service
from credit.applications import file_application
from credit.case_view import credit_decisions
from credit.receivables_view import receivables_view
from engine.errors import EngineError
from web.api.applications import ApplicationRequest
from web.api.customer_schemas import CustomerBody
from web.api.request import int_arg
from web.errors import _flatten
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page, page_user

FILERS = ("sales", "credit_analyst")
WRITERS = ("sales", "credit_analyst", "credit_manager", "admin")


def _form_values() -> dict[str, Any]:
    return {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}


def _errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, ValidationError):
        return _flatten(exc.messages)
    errors = dict(getattr(exc, "errors", None) or {})
    return errors or {"_schema": [getattr(exc, "detail", str(exc))]}


@bp.get("/customers")
@page()
def customers():
    """Search customers by name or USCC."""
    q = request.args.get("q", "")
    offset = int_arg("offset", 0, 0, 10**9)
    found = service.search_customers(db.session, q, 50, offset)
    return render_template("customers.html", page=found, q=q, offset=offset)


# The credit file's sections in page order: (anchor, template). A new section is one line here
# and one template of its own.
SECTIONS = [
    ("overview", "customer/_overview.html"),
    ("warnings", "_file_warnings.html"),
    ("decisions", "customer/_decisions.html"),
    ("profile", "customer/_profile.html"),
    ("statements", "customer/_statements.html"),
    ("ratios", "_file_ratios.html"),
    ("reports", "customer/_reports.html"),
    ("securities", "customer/_securities.html"),
    ("assessments", "_file_assessments.html"),
    ("reviews", "_file_reviews.html"),
    ("receivables", "_file_receivables.html"),
    ("collection", "_file_collection.html"),
    ("limits", "_file_limits.html"),
    ("documents", "_file_documents.html"),
    ("applications", "customer/_applications.html"),
]


@bp.get("/customers/<int:customer_id>")
@page()
def customer(customer_id: int):
    """The customer's credit file: outcome, profile, statements, reports, securities, history."""
    summary = service.customer_summary(
        db.session, customer_id, runtime().clock.today(), current_app.config["CREDITFLOW"].fx_rates
    )
    statements = [s.view() for s in service.list_statements(db.session, customer_id)]
    from web.ui.collections import collection_file
    from web.ui.monitoring import file_sections

    receivables = receivables_view(db.session, customer_id, runtime().clock.today())
    return render_template(
        "customer.html",
        c=summary,
        statements=statements,
        file=file_sections(customer_id),
        receivables=receivables,
        collection=collection_file(customer_id),
        decisions=credit_decisions(db.session, customer_id),
        sections=SECTIONS,
        may_edit=bool(page_user().group_names & set(WRITERS)),
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@page(*WRITERS)
def new_customer():
    """Open a new credit file through the customer service."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        clock = runtime().clock
        try:
            values = CustomerBody(today=clock.today()).load(_form_values())
            row = service.create_customer(db.session, clock.now(), actor().username, values)
            db.session.commit()
            return redirect(url_for("ui.customer", customer_id=row.id))
        except (ValidationError, EngineError) as exc:
            db.session.rollback()
            errors = _errors(exc)
    return render_template(
        "customer_new.html", errors=errors, values=request.form
    ), 422 if errors else 200


@bp.route("/applications/new", methods=["GET", "POST"])
@page(*FILERS)
def new_application():
    """File a credit application through the same service as POST /credit-applications."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            values = ApplicationRequest().load(_form_values())
            rates = current_app.config["CREDITFLOW"].fx_rates
            app = file_application(db.session, runtime(), actor(), values, rates)
            db.session.commit()
            return redirect(url_for("ui.instance", instance_id=app.process_instance_id))
        except (ValidationError, EngineError) as exc:
            db.session.rollback()
            errors = _errors(exc)
    picked = request.values.get("customer_id", type=int)
    options = service.search_customers(db.session, None, 500, 0).items
    return render_template(
        "application_new.html", errors=errors, values=request.form, customers=options, picked=picked
    ), 422 if errors else 200
