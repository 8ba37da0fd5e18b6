"""Process models: list versions, deploy a bundle, review a draft's diff, activate it."""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields

from engine.errors import Invalid
from engine.versions import (
    ACTIVATORS,
    activate_version,
    deploy_version,
    diff_to_active,
    version_rows,
)
from web.api import bp
from web.api.request import no_body, responds, upload
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime


class VersionOut(Schema):
    """One deployed version."""

    version = fields.Integer()
    status = fields.String(metadata={"enum": ["draft", "active", "superseded"]})
    created_by = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})
    activated_by = fields.String(allow_none=True)
    activated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ModelOut(Schema):
    """A process key with its versions."""

    key = fields.String()
    latest_version = fields.Integer()
    active_version = fields.Integer(allow_none=True)
    versions = fields.List(fields.Integer())
    drafts = fields.List(fields.Integer())
    details = fields.List(fields.Nested(VersionOut))


class DeployedOut(Schema):
    """A deployed version."""

    key = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"enum": ["draft", "active"]})
    created = fields.Boolean()
    warnings = fields.List(fields.String(), metadata={"description": "lint warnings"})


class DiffOut(Schema):
    """A version's changes against the active version (unified diffs by file)."""

    key = fields.String()
    version = fields.Integer()
    active_version = fields.Integer(allow_none=True)
    unchanged = fields.Boolean()
    changed = fields.Dict(keys=fields.String(), values=fields.String())
    added = fields.List(fields.String())
    removed = fields.List(fields.String())


def _version_view(row) -> dict:
    from engine.clock import from_db

    return {
        "version": row.version,
        "status": row.status,
        "created_by": row.created_by,
        "created_at": from_db(row.created_at),
        "activated_by": row.activated_by,
        "activated_at": from_db(row.activated_at),
    }


def models_view(key: str | None = None) -> list[dict]:
    """Every key (or one) with its versions and their status."""
    by_key: dict[str, list] = {}
    for row in version_rows(db.session, key):
        by_key.setdefault(row.process_key, []).append(row)
    return [
        {
            "key": k,
            "latest_version": rows[-1].version,
            "active_version": next((r.version for r in rows if r.status == "active"), None),
            "versions": [r.version for r in rows],
            "drafts": [r.version for r in rows if r.status == "draft"],
            "details": [_version_view(r) for r in rows],
        }
        for k, rows in by_key.items()
    ]


@bp.get("/process-models")
@requires()
@responds(200, ModelOut(many=True))
def list_models():
    """Every process key with its versions, the active one and the drafts."""
    return jsonify(models_view())


@bp.post("/process-models")
@requires("process_designer", "admin")
@upload(
    {
        "type": "object",
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
        "required": ["files"],
    }
)
@responds(201, DeployedOut, "deployed; a designer's new version of an active key is a draft")
def deploy_model():
    """Validate and deploy a bundle of *.bpmn, *.dmn and *.form.json files."""
    uploads = request.files.getlist("files")
    if not uploads:
        raise Invalid.field("files", "send one or more multipart parts named 'files'")
    rt = runtime()
    files = rt.registry.read_files({u.filename or "unnamed": u.read() for u in uploads})
    warnings: list[str] = []
    row, created = deploy_version(rt, db.session, files, actor(), warnings)
    db.session.commit()
    return jsonify(
        key=row.process_key,
        version=row.version,
        status=row.status,
        created=created,
        warnings=warnings,
    ), 201


@bp.get("/process-models/<key>/versions/<int:version>/diff")
@requires("process_designer", "admin")
@responds(200, DiffOut)
def model_diff(key: str, version: int):
    """What a version changes against the active version (review before activating)."""
    diff = diff_to_active(runtime(), db.session, key, version)
    return jsonify(DiffOut().dump({**diff.__dict__, "unchanged": diff.unchanged}))


@bp.post("/process-models/<key>/versions/<int:version>/activate")
@requires(*ACTIVATORS)
@no_body
@responds(200, DeployedOut, "the version now starts new instances")
def activate_model(key: str, version: int):
    """Activate a draft version (an admin other than its uploader); audited."""
    row = activate_version(runtime(), db.session, key, version, actor())
    db.session.commit()
    return jsonify(key=row.process_key, version=row.version, status=row.status, created=False)
