"""The credit file's forms: profile, statements, credit reports, securities, added and corrected
in the browser with the API's own schemas and services (so the rules are the same)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError

from credit import customers as service
from credit import file_records as records
from credit.ratios import STATEMENT_FIGURES
from engine.errors import EngineError
from web.api.customer_schemas import CreditReportBody, CustomerBody, SecurityBody, StatementBody
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page
from web.ui.customers import _errors

WRITERS = ("sales", "credit_analyst", "credit_manager", "admin")
MAX_CONTACTS = 3


@dataclass(frozen=True)
class Field:
    """One input of a credit-file form."""

    name: str
    label: str
    kind: str = "text"  # text, money, date, integer, select, checkbox
    required: bool = False
    choices: tuple[str, ...] = ()


PROFILE = [
    Field("name", "Name", required=True),
    Field("uscc", "USCC (unified social credit code)", required=True),
    Field("industry", "Industry"),
    Field("industry_risk", "Industry risk", "select", choices=service.INDUSTRY_RISKS),
    Field("registered_capital", "Registered capital", "money"),
    Field("founded_on", "Founded on", "date"),
    Field("legal_representative", "Legal representative"),
    Field("address", "Address"),
]
STATEMENT = [
    Field("period_end", "Period end", "date", required=True),
    Field("currency", "Currency"),
    *(Field(name, name, "money") for name in STATEMENT_FIGURES),
]
REPORT = [
    Field("bureau", "Bureau", required=True),
    Field("score", "Score (0–100)", "integer", required=True),
    Field("report_date", "Report date", "date", required=True),
    Field("enforcement_flag", "Court enforcement or bankruptcy flag", "checkbox"),
]
SECURITY = [
    Field("kind", "Kind", "select", required=True, choices=service.SECURITY_KINDS),
    Field("amount", "Amount", "money", required=True),
    Field("currency", "Currency"),
    Field("expires_on", "Expires on", "date"),
]


def form_values(fields: list[Field]) -> dict[str, Any]:
    """The submitted values as the API would receive them (blank = not given)."""
    out: dict[str, Any] = {}
    for field in fields:
        raw = request.form.get(field.name, "").strip()
        if field.kind == "checkbox":
            out[field.name] = bool(raw)
        elif raw and field.kind == "integer":
            out[field.name] = int(raw) if raw.lstrip("-").isdigit() else raw
        elif raw:
            out[field.name] = raw
    return out


def contacts_of_form() -> list[dict[str, str]]:
    """The contact rows of the profile form that have a name."""
    rows = []
    for i in range(MAX_CONTACTS):
        row = {
            k: request.form.get(f"contact_{k}_{i}", "").strip() for k in ("name", "email", "phone")
        }
        if any(row.values()):
            rows.append({k: v or None for k, v in row.items()} | {"name": row["name"]})
    return rows


def _back(customer_id: int, anchor: str) -> str:
    target = request.values.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("ui.customer", customer_id=customer_id) + f"#{anchor}"


def _form_page(
    customer_id: int,
    title: str,
    fields: list[Field],
    current: dict[str, Any],
    schema: Schema,
    save: Callable[[dict[str, Any]], Any],
    anchor: str,
    extra: Callable[[], dict[str, Any]] | None = None,
):
    """Show a credit-file form; on POST validate with the API schema, save, go back."""
    customer = service.get_customer(db.session, customer_id)
    errors: dict[str, list[str]] = {}
    values = current
    if request.method == "POST":
        values = form_values(fields) | (extra() if extra else {})
        try:
            save(schema.load(values))
            db.session.commit()
            return redirect(_back(customer_id, anchor))
        except (ValidationError, EngineError) as exc:
            db.session.rollback()
            errors = _errors(exc)
    return render_template(
        "customer/form.html",
        customer=customer,
        title=title,
        fields=fields,
        values=values,
        errors=errors,
        contacts=MAX_CONTACTS if fields is PROFILE else 0,
        back=_back(customer_id, anchor),
    ), 422 if errors else 200


def _now_actor() -> tuple[Any, str]:
    return runtime().clock.now(), actor().username


@bp.route("/customers/<int:customer_id>/profile", methods=["GET", "POST"])
@page(*WRITERS)
def profile_form(customer_id: int):
    """Correct the customer's profile."""
    customer = service.get_customer(db.session, customer_id)
    current = {f.name: getattr(customer, f.name) for f in PROFILE}
    current["contacts"] = customer.contacts or []

    def save(values: dict[str, Any]) -> Any:
        return records.update_profile(db.session, *_now_actor(), customer_id, values)

    schema = CustomerBody(today=runtime().clock.today(), partial=True)
    return _form_page(
        customer_id,
        "Profile",
        PROFILE,
        current,
        schema,
        save,
        "profile",
        lambda: {"contacts": contacts_of_form()},
    )


@bp.route("/customers/<int:customer_id>/statements/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>/statements/<int:record_id>", methods=["GET", "POST"])
@page(*WRITERS)
def statement_form(customer_id: int, record_id: int | None = None):
    """Add a financial statement, or correct one."""
    current: dict[str, Any] = {}
    if record_id is not None:
        row = records.get_statement(db.session, customer_id, record_id)
        current = {f.name: getattr(row, f.name) for f in STATEMENT}

    def save(values: dict[str, Any]) -> Any:
        if record_id is None:
            return service.add_statement(db.session, *_now_actor(), customer_id, values)
        return records.correct_statement(db.session, *_now_actor(), customer_id, record_id, values)

    title = "New financial statement" if record_id is None else "Correct the statement"
    return _form_page(customer_id, title, STATEMENT, current, StatementBody(), save, "statements")


@bp.route("/customers/<int:customer_id>/credit-reports/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>/credit-reports/<int:record_id>", methods=["GET", "POST"])
@page(*WRITERS)
def report_form(customer_id: int, record_id: int | None = None):
    """Add a credit report, or correct one."""
    current: dict[str, Any] = {}
    if record_id is not None:
        row = records.get_credit_report(db.session, customer_id, record_id)
        current = {f.name: getattr(row, f.name) for f in REPORT}

    def save(values: dict[str, Any]) -> Any:
        if record_id is None:
            return service.add_credit_report(db.session, *_now_actor(), customer_id, values)
        return records.correct_credit_report(
            db.session, *_now_actor(), customer_id, record_id, values
        )

    title = "New credit report" if record_id is None else "Correct the credit report"
    return _form_page(customer_id, title, REPORT, current, CreditReportBody(), save, "reports")


@bp.route("/customers/<int:customer_id>/securities/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>/securities/<int:record_id>", methods=["GET", "POST"])
@page(*WRITERS)
def security_form(customer_id: int, record_id: int | None = None):
    """Add a security, or correct one (amount, expiry)."""
    current: dict[str, Any] = {}
    if record_id is not None:
        row = records.get_security(db.session, customer_id, record_id)
        current = {f.name: getattr(row, f.name) for f in SECURITY}

    def save(values: dict[str, Any]) -> Any:
        if record_id is None:
            return service.add_security(db.session, *_now_actor(), customer_id, values)
        return records.correct_security(db.session, *_now_actor(), customer_id, record_id, values)

    title = "New security" if record_id is None else "Correct the security"
    return _form_page(customer_id, title, SECURITY, current, SecurityBody(), save, "securities")
