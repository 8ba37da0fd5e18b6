"""Marshmallow schemas of the receivables, credit-check and KPI endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from credit.credit_check import CHECK_POINTS
from credit.models import InvoiceStatus, ReversalReason
from web.api.customer_schemas import _CURRENCY, _POSITIVE, Moment, money

MAX_ID = 2**31 - 1
_ID = validate.Range(min=1, max=MAX_ID, error=f"must be a whole number from 1 to {MAX_ID}")
_TEXT = validate.Length(min=1, max=64)
_DATES = validate.Range(
    min=dt.date(1900, 1, 1), max=dt.date(2199, 12, 31), error="must be between 1900 and 2199"
)


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=_ID, **kwargs)


def _date(**kwargs: Any) -> fields.Date:
    return fields.Date(validate=_DATES, **kwargs)


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=_TEXT, **kwargs)


class InvoiceBody(Schema):
    """Body of POST /invoices."""

    customer_id = _id(required=True)
    number = _text(required=True)
    amount = money(_POSITIVE, required=True)
    currency = fields.String(load_default="CNY", validate=_CURRENCY)
    issued_on = _date(required=True)
    due_on = _date(required=True)
    order_ref = _text(load_default=None, allow_none=True)

    @validates_schema
    def _due_after_issue(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("issued_on") and data.get("due_on") and data["due_on"] < data["issued_on"]:
            raise ValidationError(f"must not be before issued_on ({data['issued_on']})", "due_on")


class InvoiceQuery(Schema):
    """Query string of GET /invoices."""

    class Meta:
        """Ignore other query parameters."""

        unknown = EXCLUDE

    customer_id = fields.Integer(validate=_ID, load_default=None)
    status = fields.String(validate=validate.OneOf(list(InvoiceStatus)), load_default=None)
    overdue = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=MAX_ID))


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


class PaymentBody(Schema):
    """Body of POST /payments."""

    customer_id = _id(required=True)
    invoice_number = _text(required=True)
    amount = money(_POSITIVE, required=True)
    paid_on = _date(required=True)
    reference = _text(load_default=None, allow_none=True)


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
    created_at = Moment()


class CreditCheckBody(Schema):
    """Body of POST /credit-check."""

    customer_id = _id(required=True)
    amount = money(_POSITIVE, required=True)
    currency = fields.String(load_default="CNY", validate=_CURRENCY)
    order_ref = _text(load_default=None, allow_none=True)
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

    class Meta:
        """Ignore other query parameters."""

        unknown = EXCLUDE

    start = _date(required=True, data_key="from")
    end = _date(required=True, data_key="to")

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(f"must not be before from ({data['start']})", "to")
