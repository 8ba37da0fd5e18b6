"""Schemas of the collections API: promises, disputes, the collection view."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from forms.fields import Day, Money, PlainText


class PromiseBody(Schema):
    """Body of a promise to pay."""

    amount = Money(required=True, positive=True)
    promise_date = Day(required=True)


class DisputeBody(Schema):
    """Body of a dispute about one invoice."""

    invoice_number = PlainText(required=True, max_length=64, validate=validate.Length(min=1))
    reason = PlainText(
        required=True, max_length=4000, multiline=True, validate=validate.Length(min=1)
    )


class LetterQuery(Schema):
    """Query of the demand letter."""

    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


class CollectionTaskOut(Schema):
    """An open task of the escalation."""

    id = fields.String()
    name = fields.String()
    title = fields.String()
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)


class CollectionEventOut(Schema):
    """One entry of an escalation's history."""

    stage = fields.String()
    stage_changed = fields.Boolean()
    at = fields.DateTime()
    event = fields.String()
    actor = fields.String()
    data = fields.Dict()


class EscalationOut(Schema):
    """One escalation with its stage history and every recorded event."""

    id = fields.Integer()
    process_instance_id = fields.Integer()
    status = fields.String()
    stage = fields.String()
    ladder_stage = fields.String(allow_none=True)
    paused_from = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    started_on = fields.Date()
    closed_at = fields.DateTime(allow_none=True)
    next_check_on = fields.Date(allow_none=True)
    history = fields.List(fields.Nested(CollectionEventOut))
    events = fields.List(fields.Nested(CollectionEventOut))


class CollectionOut(Schema):
    """GET /customers/{id}/collection: the latest escalation and today's overdue facts."""

    customer_id = fields.Integer()
    customer_name = fields.String()
    stage = fields.String(
        metadata={"description": "a ladder stage, paused_promise, paused_dispute, none or closed"}
    )
    days_past_due = fields.Integer()
    overdue_amount = Money()
    on_hold = fields.Boolean()
    promise_to_pay_until = fields.Date(allow_none=True)
    promise_amount = Money(allow_none=True)
    open_tasks = fields.List(fields.Nested(CollectionTaskOut))
    history = fields.List(fields.Nested(CollectionEventOut))
    escalation = fields.Nested(EscalationOut, allow_none=True)
