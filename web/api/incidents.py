"""Incidents: list instances in error; retry, cancel, correct data, migrate (operators)."""

from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine.incidents import (
    Incident,
    cancel_instance,
    list_incidents,
    retry_instance,
    set_instance_data,
)
from engine.migration import migrate_instance
from engine.models import ProcessInstance
from forms.fields import Integer, PlainText
from web.api import bp
from web.api.instances import error_view
from web.api.request import body, query, responds
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

OPERATORS = ("process_designer", "admin")


def _revision() -> Integer:
    return Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={"description": "the revision the operator saw; 409 when the instance moved"},
    )


class IncidentOut(Schema):
    """An instance in error as an operator sees it."""

    process_instance_id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    business_key = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    revision = fields.Integer()
    element = fields.String(allow_none=True)
    element_title = fields.String(allow_none=True)
    title = fields.String()
    detail = fields.String()
    timers = fields.List(fields.String())
    at = fields.DateTime(allow_none=True)
    first_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer()


class IncidentPage(Schema):
    """GET /incidents."""

    items = fields.List(fields.Nested(IncidentOut))


class IncidentQuery(Schema):
    """Query of GET /incidents."""

    limit = Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class OutcomeOut(Schema):
    """The instance after an operator's command."""

    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    revision = fields.Integer()
    error = fields.Dict(allow_none=True)


def incident_view(incident: Incident) -> dict:
    """An incident as the API shows it."""
    return {name: getattr(incident, name) for name in IncidentOut._declared_fields}


def _outcome(row: ProcessInstance) -> dict:
    return {
        "id": row.id,
        "status": row.status,
        "version": row.version,
        "revision": row.revision,
        "error": error_view(row),
    }


@bp.get("/incidents")
@requires(*OPERATORS)
@query(IncidentQuery)
@responds(200, IncidentPage)
def get_incidents(args):
    """Instances in error: the failing element, the error, when and how often."""
    return jsonify(items=[incident_view(i) for i in list_incidents(db.session, args["limit"])])


class RetryBody(Schema):
    """Body of POST /process-instances/{id}/retry (may be left out)."""

    revision = _revision()


@bp.post("/process-instances/<int:instance_id>/retry")
@requires(*OPERATORS)
@body(RetryBody, optional=True)
@responds(200, OutcomeOut)
def retry(instance_id: int, body):
    """Run the failed element again (the failed step's command, on the last committed state)."""
    change = retry_instance(runtime(), db.session, instance_id, actor(), body["revision"])
    db.session.commit()
    return jsonify(_outcome(change.instance))


class CancelBody(Schema):
    """Body of POST /process-instances/{id}/cancel."""

    reason = PlainText(required=True, max_length=1000, validate=validate.Length(min=1))
    revision = _revision()


@bp.post("/process-instances/<int:instance_id>/cancel")
@requires(*OPERATORS)
@body(CancelBody)
@responds(200, OutcomeOut)
def cancel(instance_id: int, body):
    """Cancel an unfinished instance, with a reason."""
    row = cancel_instance(
        runtime(), db.session, instance_id, actor(), body["reason"], body["revision"]
    )
    db.session.commit()
    return jsonify(_outcome(row))


class DataBody(Schema):
    """Body of PATCH /process-instances/{id}/data."""

    set = fields.Dict(keys=fields.String(), required=True)
    revision = _revision()


@bp.patch("/process-instances/<int:instance_id>/data")
@requires(*OPERATORS)
@body(DataBody)
@responds(200, OutcomeOut)
def patch_data(instance_id: int, body):
    """Correct variables of an instance in error before retrying it."""
    row = set_instance_data(
        runtime(), db.session, instance_id, actor(), body["set"], body["revision"]
    )
    db.session.commit()
    return jsonify(_outcome(row))


class MigrateBody(Schema):
    """Body of POST /process-instances/{id}/migrate."""

    version = Integer(required=True, strict=True, validate=validate.Range(min=1))
    revision = _revision()


@bp.post("/process-instances/<int:instance_id>/migrate")
@requires(*OPERATORS)
@body(MigrateBody)
@responds(200, OutcomeOut)
def migrate(instance_id: int, body):
    """Move an unfinished instance to another version of its model."""
    row = migrate_instance(
        runtime(), db.session, instance_id, actor(), body["version"], body["revision"]
    )
    db.session.commit()
    return jsonify(_outcome(row))
