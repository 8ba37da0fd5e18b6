"""Marshmallow schemas of the receivables, credit-check and KPI endpoints."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from credit.credit_check import CHECK_POINTS
from credit.models import InvoiceStatus, ReversalReason
from forms.fields import Currency, Day, Id, Integer, Money, PlainText
from web.api.customer_schemas import Moment

REF_LENGTH = 64


def _ref(**kwargs: Any) -> PlainText:
    """An invoice number, payment reference or order reference (1-64 characters)."""
    return PlainText(max_length=REF_LENGTH, validate=validate.Length(min=1), **kwargs)


class InvoiceBody(Schema):
    """Body of POST /invoices."""

    customer_id = Id(required=True)
    number = _ref(required=True)
    amount = Money(positive=True, required=True)
    currency = Currency(load_default="CNY")
    issued_on = Day(required=True)
    due_on = Day(required=True)
    order_ref = _ref(load_default=None, allow_none=True)

    @validates_schema
    def _due_after_issue(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("issued_on") and data.get("due_on") and data["due_on"] < data["issued_on"]:
            raise ValidationError(f"must not be before issued_on ({data['issued_on']})", "due_on")


class InvoiceQuery(Schema):
    """Query string of GET /invoices."""

    customer_id = Id(load_default=None)
    status = fields.String(validate=validate.OneOf(list(InvoiceStatus)), load_default=None)
    overdue = fields.Boolean(load_default=False)
    limit = Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    after = Id(load_default=None)


class InvoiceOut(Schema):
    """An invoice with its open amount and status."""

    id = fields.Integer()
    customer_id = fields.Integer()
    number = fields.String()
    amount = fields.Decimal(as_string=True)
    open_amount = fields.Decimal(as_string=True)
    currency = fields.String()
    status = fields.String()
    issued_on = fields.Date()
    due_on = fields.Date()
    settled_on = fields.Date(allow_none=True)
    order_ref = fields.String(allow_none=True)
    created_at = Moment()


class InvoicePage(Schema):
    """A page of GET /invoices; pass ``next`` as ``after`` for the following page."""

    items = fields.List(fields.Nested(InvoiceOut))
    next = fields.Integer(allow_none=True)


class ImportResult(Schema):
    """What an invoice import did; rejected lines carry their number and field errors."""

    imported = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.List(fields.Dict())


class PaymentBody(Schema):
    """Body of POST /payments."""

    customer_id = Id(required=True)
    invoice_number = _ref(required=True)
    amount = Money(positive=True, required=True)
    paid_on = Day(required=True)
    reference = _ref(load_default=None, allow_none=True)


class ReversalBody(Schema):
    """Body of POST /payments/{id}/reverse."""

    reason = fields.String(required=True, validate=validate.OneOf(list(ReversalReason)))


class PaymentOut(Schema):
    """A payment and its invoice's open amount after it."""

    id = fields.Integer()
    customer_id = fields.Integer()
    invoice_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    paid_on = fields.Date()
    reference = fields.String(allow_none=True)
    reversed_on = fields.Date(allow_none=True)
    reversal_reason = fields.String(allow_none=True)
    invoice_open_amount = fields.Decimal(as_string=True)
    created_at = Moment()


class CreditCheckBody(Schema):
    """Body of POST /credit-check."""

    customer_id = Id(required=True)
    amount = Money(positive=True, required=True)
    currency = Currency(load_default="CNY")
    order_ref = _ref(load_default=None, allow_none=True)
    check_point = fields.String(load_default="order", validate=validate.OneOf(CHECK_POINTS))
    request_release = fields.Boolean(load_default=False)


class CreditCheckOut(Schema):
    """The answer of a credit check (CNY)."""

    decision = fields.String()
    reasons = fields.List(fields.String())
    limit = fields.Decimal(as_string=True, places=2, allow_none=True)
    exposure = fields.Decimal(as_string=True, places=2)
    available = fields.Decimal(as_string=True, places=2, allow_none=True)
    tolerance = fields.Decimal(as_string=True, places=2)
    currency = fields.String()
    check_id = fields.Integer()
    credit_decision_instance_id = fields.Integer(allow_none=True)


class KpiQuery(Schema):
    """Query string of GET /kpis: the period, both days included."""

    start = Day(required=True, data_key="from")
    end = Day(required=True, data_key="to")

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(f"must not be before from ({data['start']})", "to")


class KpiOut(Schema):
    """GET /kpis: ratios (fractions, 4 places), DSO (days), CEI (%), aging in CNY on ``to``."""

    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    collection_rate = fields.Float(allow_none=True)
    dso = fields.Float(allow_none=True)
    cei = fields.Float(allow_none=True)
    overdue_ratio = fields.Float(allow_none=True)
    bad_debt_ratio = fields.Float(allow_none=True)
    default_rate = fields.Float(allow_none=True)
    aging = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True))
    figures = fields.Dict()
