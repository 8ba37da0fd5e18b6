"""Process models: list deployed versions, deploy a new bundle."""

from __future__ import annotations

from flask import jsonify, request

from engine.errors import Invalid
from web.api import bp
from web.api.request import responds, upload
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime


@bp.get("/process-models")
@requires()
@responds(200, {"type": "array", "items": {"type": "object"}})
def list_models():
    """Every process key with its latest version and all versions."""
    versions = runtime().registry.versions(db.session)
    return jsonify(
        [{"key": key, "latest_version": max(vs), "versions": vs} for key, vs in versions.items()]
    )


@bp.post("/process-models")
@requires("process_designer", "admin")
@upload(
    {
        "type": "object",
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
        "required": ["files"],
    }
)
@responds(
    201,
    {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "version": {"type": "integer"},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "created": {"type": "boolean", "description": "false: nothing changed, no version"},
        },
    },
)
def deploy_model():
    """Validate and deploy a bundle of *.bpmn, *.dmn and *.form.json files."""
    uploads = request.files.getlist("files")
    if not uploads:
        raise Invalid.field("files", "send one or more multipart parts named 'files'")
    rt = runtime()
    files = rt.registry.read_files({u.filename or "unnamed": u.read() for u in uploads})
    warnings: list[str] = []
    row, created = rt.registry.deploy(db.session, files, actor().username, rt.clock.now(), warnings)
    from engine.audit import AuditEntry, append

    if created:  # an unchanged bundle deploys nothing: it answers with the latest version
        append(
            db.session,
            rt.clock.now(),
            [
                AuditEntry(
                    actor().username,
                    "model_deployed",
                    data={
                        "key": row.process_key,
                        "version": row.version,
                        "files": sorted(files),
                        "warnings": warnings,
                    },
                )
            ],
        )
    db.session.commit()
    return jsonify(
        key=row.process_key, version=row.version, warnings=warnings, created=created
    ), 201
