"""Email over SMTP, one message per outbox row."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.policy import SMTP

from notifications.models import Notification

IDEMPOTENCY_HEADER = "X-Creditflow-Idempotency-Key"


def message_of(row: Notification, sender: str) -> EmailMessage:
    """Build the email of a row; the idempotency key rides in a header and the Message-ID."""
    # Long lines (RFC 5322 allows 998) keep the key header unfolded for simple receivers.
    msg = EmailMessage(policy=SMTP.clone(max_line_length=998))
    msg["From"] = sender
    msg["To"] = row.address or ""
    msg["Subject"] = row.subject
    msg[IDEMPOTENCY_HEADER] = row.idempotency_key
    # A resend after a crash carries the same Message-ID, so receivers can drop the copy.
    digest = hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@creditflow>"
    msg["Content-Language"] = "zh-CN" if row.language == "zh" else "en"
    msg.set_content(row.body)
    return msg


def send(row: Notification, host: str, port: int, sender: str, timeout: float) -> None:
    """Hand the row's email to the SMTP server; raise on any failure."""
    if not row.address:
        raise ValueError(f"notification {row.id} has no email address")
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        smtp.send_message(message_of(row, sender))
