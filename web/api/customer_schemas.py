"""Marshmallow schemas of the customer credit-file endpoints (requests in, responses out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from credit.customers import INDUSTRY_RISKS, SECURITY_KINDS
from credit.uscc import uscc_error
from engine.clock import from_db
from forms.fields import Currency, Day, Integer, Money, PlainText


def money(*, required: bool = False, **kwargs: Any) -> Money:
    """A money field (the shared Money type); optional ones may be null."""
    return Money(required=required, allow_none=not required, **kwargs)


def figure(**kwargs: Any) -> Money:
    """A figure of a financial statement (or registered capital): money with a wider bound."""
    return money(figure=True, **kwargs)


class Moment(fields.Field):
    """A stored moment, written as an aware datetime (the JSON provider adds the zone)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return from_db(value)


class ContactBody(Schema):
    """A contact person of a customer."""

    name = PlainText(required=True, max_length=120, validate=validate.Length(min=1))
    email = fields.Email(allow_none=True, validate=validate.Length(max=255))
    phone = PlainText(allow_none=True, max_length=40)


class CustomerBody(Schema):
    """Body of POST /customers; ``today`` (from the injected clock) bounds founded_on."""

    name = PlainText(required=True, max_length=255, validate=validate.Length(min=1))
    uscc = PlainText(required=True, max_length=18)
    industry = PlainText(load_default="", max_length=120)
    industry_risk = fields.String(load_default="medium", validate=validate.OneOf(INDUSTRY_RISKS))
    registered_capital = figure(non_negative=True)
    founded_on = Day(allow_none=True)
    legal_representative = PlainText(load_default="", max_length=120)
    address = PlainText(load_default="", max_length=500)
    contacts = fields.List(
        fields.Nested(ContactBody), load_default=list, validate=validate.Length(max=20)
    )
    currency = Currency(load_default="CNY")

    def __init__(self, *, today: dt.date | None = None, **kwargs: Any) -> None:
        """Validate against ``today``; without it founded_on is not bounded."""
        super().__init__(**kwargs)
        self.today = today

    @validates("name")
    def _name_not_blank(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("must not be blank")

    @validates("uscc")
    def _uscc_valid(self, value: str, **_: Any) -> None:
        if problem := uscc_error(value.strip().upper()):
            raise ValidationError(problem)

    @validates("founded_on")
    def _founded_not_in_future(self, value: dt.date | None, **_: Any) -> None:
        if value is not None and self.today is not None and value > self.today:
            raise ValidationError(f"must not be in the future (today is {self.today})")


class StatementBody(Schema):
    """Body of POST /customers/{id}/statements; missing figures make their ratios null."""

    period_end = Day(required=True)
    currency = Currency(allow_none=True)
    current_assets = figure(non_negative=True)
    current_liabilities = figure(non_negative=True)
    inventory = figure(non_negative=True)
    total_assets = figure(non_negative=True)
    total_liabilities = figure(non_negative=True)
    equity = figure()
    revenue = figure(non_negative=True)
    net_profit = figure()
    ebit = figure()
    interest_expense = figure(non_negative=True)
    retained_earnings = figure()
    operating_cash_flow = figure()


class CreditReportBody(Schema):
    """Body of POST /customers/{id}/credit-reports."""

    bureau = PlainText(required=True, max_length=120, validate=validate.Length(min=1))
    score = Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    report_date = Day(required=True)
    enforcement_flag = fields.Boolean(load_default=False)


class SecurityBody(Schema):
    """Body of POST /customers/{id}/securities."""

    kind = fields.String(required=True, validate=validate.OneOf(SECURITY_KINDS))
    amount = money(positive=True, required=True)
    expires_on = Day(allow_none=True)
    currency = Currency(allow_none=True)


class CustomerQuery(Schema):
    """Query string of GET /customers."""

    class Meta:
        """Ignore other query parameters (cache busters and the like)."""

        unknown = EXCLUDE

    q = PlainText(load_default="", max_length=255)
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class CustomerOut(Schema):
    """A customer's profile and active credit terms."""

    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    industry = fields.String()
    industry_risk = fields.String()
    registered_capital = fields.Decimal(as_string=True, allow_none=True)
    founded_on = fields.Date(allow_none=True)
    legal_representative = fields.String()
    address = fields.String()
    contacts = fields.List(fields.Dict())
    currency = fields.String()
    grade = fields.String(allow_none=True)
    score = fields.Decimal(as_string=True, allow_none=True)
    credit_limit = fields.Decimal(as_string=True, allow_none=True)
    payment_terms_days = fields.Integer(allow_none=True)
    review_due_on = fields.Date(allow_none=True)
    limit_active_since = fields.Date(allow_none=True)
    on_hold = fields.Boolean()
    warning_level = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = Moment()


class StatementOut(Schema):
    """A financial statement with its ratios (fractions, 4 places; null with a reason)."""

    id = fields.Integer()
    customer_id = fields.Integer()
    period_end = fields.Date()
    currency = fields.String()
    current_assets = figure()
    current_liabilities = figure()
    inventory = figure()
    total_assets = figure()
    total_liabilities = figure()
    equity = figure()
    revenue = figure()
    net_profit = figure()
    ebit = figure()
    interest_expense = figure()
    retained_earnings = figure()
    operating_cash_flow = figure()
    ratios = fields.Dict()
    ratios_not_available = fields.Dict()
    created_by = fields.String()
    created_at = Moment()


class CreditReportOut(Schema):
    """An external credit report."""

    id = fields.Integer()
    customer_id = fields.Integer()
    bureau = fields.String()
    score = fields.Integer()
    report_date = fields.Date()
    enforcement_flag = fields.Boolean()
    created_by = fields.String()
    created_at = Moment()


class SecurityOut(Schema):
    """A risk-mitigation instrument; "active" only in lists that know today's date."""

    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    expires_on = fields.Date(allow_none=True)
    active = fields.Boolean()
    created_by = fields.String()
    created_at = Moment()


class HistoryOut(Schema):
    """A grade / limit / terms change."""

    id = fields.Integer()
    application_id = fields.Integer(allow_none=True)
    grade = fields.String(allow_none=True)
    score = fields.Decimal(as_string=True, allow_none=True)
    credit_limit = fields.Decimal(as_string=True, allow_none=True)
    payment_terms_days = fields.Integer(allow_none=True)
    review_due_on = fields.Date(allow_none=True)
    effective_on = fields.Date()
    at = Moment()


class ApplicationBriefOut(Schema):
    """A credit application as listed in the credit file."""

    id = fields.Integer()
    status = fields.String()
    requested_limit = fields.Decimal(as_string=True)
    currency = fields.String()
    created_at = Moment()


class CustomerSummaryOut(CustomerOut):
    """The credit file of GET /customers/{id}."""

    exposure = fields.Decimal(as_string=True)
    available = fields.Decimal(as_string=True, allow_none=True)
    exposure_currency = fields.String()
    latest_statement = fields.Nested(StatementOut, allow_none=True)
    latest_credit_report = fields.Nested(CreditReportOut, allow_none=True)
    securities = fields.List(fields.Nested(SecurityOut))
    history = fields.List(fields.Nested(HistoryOut))
    applications = fields.List(fields.Nested(ApplicationBriefOut))


class CustomerPage(Schema):
    """A page of GET /customers."""

    items = fields.List(fields.Nested(CustomerOut))
    total = fields.Integer()


class StatementPage(Schema):
    """The statements of a customer, latest period first."""

    items = fields.List(fields.Nested(StatementOut))


class CreditReportPage(Schema):
    """The credit reports of a customer, latest first."""

    items = fields.List(fields.Nested(CreditReportOut))


class SecurityPage(Schema):
    """The securities of a customer."""

    items = fields.List(fields.Nested(SecurityOut))
