"""Documents of a customer's credit file: upload (PDF, PNG, JPEG up to 20 MB), list, download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request, send_file
from marshmallow import ValidationError

from credit import documents as service
from engine.errors import Invalid
from forms.fields import Day
from web.api import bp
from web.api.monitoring_schemas import BINARY, DOCUMENT_UPLOAD, DocumentOut, DocumentPage
from web.api.request import responds, upload
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

UPLOADERS = ("sales", "credit_analyst", "credit_manager", "admin")
# Room for the multipart envelope and the form fields around a file of the maximum size.
_ENVELOPE = 64 * 1024


def store() -> service.DocumentStore:
    """The installation's document store."""
    return service.DocumentStore(current_app.config["CREDITFLOW"].documents_root())


def _dated_on() -> dt.date | None:
    raw = (request.form.get("dated_on") or "").strip()
    if not raw:
        return None
    try:
        return Day().deserialize(raw)
    except ValidationError as exc:
        raise Invalid.field("dated_on", " ".join(exc.messages)) from None


@bp.post("/customers/<int:customer_id>/documents")
@requires(*UPLOADERS)
@upload(DOCUMENT_UPLOAD)
@responds(201, DocumentOut)
def upload_document(customer_id: int) -> tuple[dict[str, Any], int]:
    """Add a document: multipart part "file", fields "kind" and "dated_on"; 413 / 415."""
    limit = current_app.config["CREDITFLOW"].max_document_bytes
    request.max_content_length = limit + _ENVELOPE
    upload = request.files.get("file")
    if upload is None:
        raise Invalid.field("file", "send the document as the multipart part 'file'")
    row = service.add_document(
        db.session,
        store(),
        runtime().clock.now(),
        actor().username,
        customer_id,
        request.form.get("kind") or "",
        upload.filename or "",
        upload.stream,
        limit,
        _dated_on(),
    )
    db.session.commit()
    return DocumentOut().dump(service.document_view(row)), 201


@bp.get("/customers/<int:customer_id>/documents")
@requires()
@responds(200, DocumentPage)
def list_documents(customer_id: int) -> dict[str, Any]:
    """The customer's documents, newest first."""
    rows = service.list_documents(db.session, customer_id)
    return DocumentPage().dump({"items": [service.document_view(row) for row in rows]})


@bp.get("/documents/<int:document_id>")
@requires()
@responds(200, BINARY, "the file, as an attachment", "application/octet-stream")
def download_document(document_id: int):
    """The document's file, with its type and name."""
    row = service.get_document(db.session, document_id)
    response = send_file(
        store().path(row.sha256),
        mimetype=row.content_type,
        download_name=row.filename,
        as_attachment=True,  # uploaded content is never rendered on our origin
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
