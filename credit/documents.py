"""Documents of the credit file: licences, audited statements, bank statements, contracts.

The bytes live in a content-addressed store on disk (``<root>/ab/cd/<sha256>``), outside the
database rows; a row records kind, file name, type, size, sha256, date and uploader. The type is
read from the content (the `filetype` library's magic numbers), never from the name: PDF, PNG
and JPEG are accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import get_customer
from credit.errors import TooLarge, UnsupportedType
from credit.ledger import audit_customer
from credit.monitoring_models import CustomerDocument, DocumentKind
from engine.clock import from_db, to_db
from engine.errors import Invalid, NotFound

ACCEPTED = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}
_CHUNK = 1024 * 1024
_SNIFF = 262  # filetype reads at most this many leading bytes


@dataclass(frozen=True)
class Stored:
    """Bytes written to the store: their digest, size and leading bytes."""

    sha256: str
    size: int
    head: bytes


class DocumentStore:
    """Files by sha256 under a root folder; writing the same bytes twice keeps one file."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file of a digest lives."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, limit: int) -> Stored:
        """Copy a stream into the store (atomically), hashing it.

        :raises TooLarge: the stream holds more than ``limit`` bytes (nothing is kept).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        handle, temp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks(stream):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"the file is larger than {limit} bytes")
                    if len(head) < _SNIFF:
                        head += chunk[: _SNIFF - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            final = self.path(digest.hexdigest())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        return Stored(digest.hexdigest(), size, head)

    def discard(self, sha256: str) -> None:
        """Remove a file no row refers to (an upload refused after it was stored)."""
        self.path(sha256).unlink(missing_ok=True)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def content_type(head: bytes) -> str | None:
    """The accepted MIME type the leading bytes show, or None."""
    guessed = filetype.guess_mime(head)
    return guessed if guessed in ACCEPTED else None


def add_document(
    session: so.Session,
    store: DocumentStore,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    kind: str,
    filename: str,
    stream: BinaryIO,
    limit: int,
    dated_on: dt.date | None = None,
) -> CustomerDocument:
    """Store an uploaded document of a customer.

    :raises NotFound: no such customer.
    :raises Invalid: unknown kind or no file name.
    :raises TooLarge: above ``limit`` bytes.
    :raises UnsupportedType: the content is not PDF, PNG or JPEG.
    """
    customer = get_customer(session, customer_id)
    if kind not in set(DocumentKind):
        raise Invalid.field("kind", f"must be one of {', '.join(DocumentKind)}")
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:255]
    if not name:
        raise Invalid.field("file", "send the document as the multipart part 'file'")
    stored = store.put(stream, limit)
    mime = content_type(stored.head)
    if mime is None:
        if not _referenced(session, stored.sha256):
            store.discard(stored.sha256)
        raise UnsupportedType(
            f"{name} is not a PDF, PNG or JPEG file (the type is read from the content)"
        )
    row = CustomerDocument(
        customer_id=customer.id,
        kind=kind,
        filename=name,
        content_type=mime,
        size=stored.size,
        sha256=stored.sha256,
        dated_on=dated_on,
        uploaded_by=actor,
        uploaded_at=to_db(now),
    )
    session.add(row)
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "document_added",
        customer.id,
        document_id=row.id,
        kind=kind,
        filename=name,
        size=stored.size,
        sha256=stored.sha256,
    )
    return row


def _referenced(session: so.Session, sha256: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).where(CustomerDocument.sha256 == sha256)) > 0


def list_documents(session: so.Session, customer_id: int) -> list[CustomerDocument]:
    """The customer's documents, newest first."""
    customer = get_customer(session, customer_id)
    return list(
        session.scalars(
            sa.select(CustomerDocument)
            .where(CustomerDocument.customer_id == customer.id)
            .order_by(CustomerDocument.id.desc())
        )
    )


def get_document(session: so.Session, document_id: int) -> CustomerDocument:
    """One document; NotFound otherwise."""
    row = session.get(CustomerDocument, document_id)
    if row is None:
        raise NotFound(f"no document with id {document_id}")
    return row


def document_view(row: CustomerDocument) -> dict[str, object]:
    """A document as the API shows it."""
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "kind": row.kind,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "dated_on": row.dated_on,
        "uploaded_by": row.uploaded_by,
        "at": from_db(row.uploaded_at),
    }
