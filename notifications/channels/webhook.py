"""Signed JSON webhook: the body is HMAC-SHA256-signed with the shared secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests

from notifications.models import Notification

SIGNATURE_HEADER = "X-Creditflow-Signature"


def body_of(row: Notification) -> bytes:
    """The exact bytes posted for a row (its payload, which holds the idempotency key)."""
    payload: dict[str, Any] = {**row.payload, "idempotency_key": row.idempotency_key}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(body: bytes, secret: str) -> str:
    """The header value: sha256=<hex HMAC-SHA256 of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(row: Notification, url: str, secret: str | None, timeout: float) -> None:
    """POST the row's JSON; any non-2xx answer raises."""
    body = body_of(row)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Creditflow-Idempotency-Key": row.idempotency_key,
    }
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    response = requests.post(url, data=body, headers=headers, timeout=timeout)
    response.raise_for_status()
