"""Marshmallow schemas of the monitoring endpoints: warnings, reviews, reports, documents."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from forms.fields import PlainText
from web.api.customer_schemas import Moment

LEVELS = ("none", "blue", "yellow", "orange", "red")


class LanguageQuery(Schema):
    """?lang=zh|en (default: the reader's language)."""

    lang = fields.String(validate=validate.OneOf(("zh", "en")))


class BoardQuery(LanguageQuery):
    """Query of GET /warnings."""

    min_level = fields.String(
        load_default="blue", validate=validate.OneOf(("blue", "yellow", "orange", "red"))
    )
    q = PlainText(max_length=100, load_default="")


class SignalOut(Schema):
    """One early-warning signal."""

    code = fields.String()
    level = fields.String(validate=validate.OneOf(LEVELS))
    detail = fields.String()
    detail_en = fields.String(allow_none=True)
    detail_zh = fields.String(allow_none=True)
    since = fields.String(allow_none=True, metadata={"description": "ISO date"})


class LevelChangeOut(Schema):
    """A change of a customer's level; a rise names the process that acted on it."""

    from_level = fields.String()
    to_level = fields.String()
    codes = fields.List(fields.String())
    levels_passed = fields.List(fields.String())
    process_instance_id = fields.Integer(allow_none=True)
    legal_decision = fields.String(allow_none=True)
    at = Moment()


class CustomerWarningsOut(Schema):
    """GET /customers/{id}/warnings."""

    customer_id = fields.Integer()
    level = fields.String(validate=validate.OneOf(LEVELS))
    level_since = Moment(allow_none=True)
    signals = fields.List(fields.Nested(SignalOut))
    history = fields.List(fields.Nested(LevelChangeOut))


class BoardItemOut(Schema):
    """One customer on the early-warning board."""

    customer_id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    grade = fields.String(allow_none=True)
    sales_rep = fields.String(allow_none=True)
    level = fields.String(validate=validate.OneOf(LEVELS))
    level_since = Moment(allow_none=True)
    signals = fields.List(fields.Nested(SignalOut))


class BoardOut(Schema):
    """GET /warnings."""

    items = fields.List(fields.Nested(BoardItemOut))


class ReviewRequest(Schema):
    """Body of POST /customers/{id}/reviews."""

    reason = PlainText(max_length=2000, multiline=True, load_default="")


class ReviewStartedOut(Schema):
    """A review just started."""

    id = fields.Integer()
    process_instance_id = fields.Integer()


class ReviewOut(Schema):
    """One periodic review of a customer."""

    id = fields.Integer()
    process_instance_id = fields.Integer(allow_none=True)
    trigger = fields.String(validate=validate.OneOf(("scheduled", "warning", "manual")))
    reason = fields.String()
    status = fields.String(validate=validate.OneOf(("running", "completed", "cancelled")))
    stage = fields.String()
    outcome = fields.String(allow_none=True)
    requested_by = fields.String()
    analyst = fields.String(allow_none=True)
    recommendation = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    reason_codes = fields.List(fields.String())
    current_limit = fields.Decimal(as_string=True, allow_none=True)
    proposed_limit = fields.Decimal(as_string=True, allow_none=True)
    approved_limit = fields.Decimal(as_string=True, allow_none=True)
    terms_days = fields.Integer(allow_none=True)
    review_due_on = fields.Date(allow_none=True)
    previous = fields.Dict()
    recomputed = fields.Dict()
    started_at = Moment()
    completed_at = Moment(allow_none=True)


class ReviewPage(Schema):
    """GET /customers/{id}/reviews."""

    items = fields.List(fields.Nested(ReviewOut))


class DocumentOut(Schema):
    """A document of a credit file."""

    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    dated_on = fields.Date(allow_none=True)
    uploaded_by = fields.String()
    at = Moment()


class DocumentPage(Schema):
    """GET /customers/{id}/documents."""

    items = fields.List(fields.Nested(DocumentOut))


DOCUMENT_UPLOAD = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, ≤ 20 MB"},
        "kind": {
            "type": "string",
            "enum": [
                "business_licence",
                "audited_statement",
                "bank_statement",
                "contract",
                "other",
            ],
        },
        "dated_on": {"type": "string", "format": "date"},
    },
    "required": ["file", "kind"],
}
BINARY = {"type": "string", "format": "binary"}
