"""WeCom (企业微信) group robot: a markdown message per notification event."""

from __future__ import annotations

import requests

from notifications.models import Notification


def markdown_of(row: Notification) -> str:
    """The robot's markdown text of a row."""
    return f"**{row.subject}**\n\n{row.body}"


def send(row: Notification, url: str, timeout: float) -> None:
    """POST to the robot; an HTTP error or a non-zero errcode raises."""
    response = requests.post(
        url,
        json={"msgtype": "markdown", "markdown": {"content": markdown_of(row)}},
        timeout=timeout,
    )
    response.raise_for_status()
    answer = response.json() if response.content else {}
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"WeCom robot refused the message: {answer}")
