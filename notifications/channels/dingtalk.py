"""DingTalk (钉钉) group robot: a markdown message per notification event."""

from __future__ import annotations

import requests

from notifications.models import Notification


def send(row: Notification, url: str, timeout: float) -> None:
    """POST to the robot; an HTTP error or a non-zero errcode raises."""
    message = {
        "msgtype": "markdown",
        "markdown": {"title": row.subject, "text": f"### {row.subject}\n\n{row.body}"},
    }
    response = requests.post(url, json=message, timeout=timeout)
    response.raise_for_status()
    answer = response.json() if response.content else {}
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"DingTalk robot refused the message: {answer}")
