"""Delivery channels; settings are handed in by the host (web), never read from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notifications.channels import dingtalk, email, webhook, wecom
from notifications.models import Channel, Notification, NotificationStatus


@dataclass(frozen=True)
class ChannelSettings:
    """Where messages go; None means the channel is not configured."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "creditflow@example.com"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    wecom_webhook_url: str | None = None
    dingtalk_webhook_url: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_object(cls, config: Any) -> ChannelSettings:
        """Copy the matching attributes of a configuration object."""
        names = cls.__dataclass_fields__
        return cls(**{n: getattr(config, n) for n in names if hasattr(config, n)})

    def broadcast(self) -> tuple[str, ...]:
        """The event-level channels that are configured (webhook, WeCom, DingTalk)."""
        urls = {
            Channel.WEBHOOK: self.webhook_url,
            Channel.WECOM: self.wecom_webhook_url,
            Channel.DINGTALK: self.dingtalk_webhook_url,
        }
        return tuple(str(c) for c, url in urls.items() if url)


def deliver(row: Notification, settings: ChannelSettings) -> NotificationStatus:
    """Send one outbox row; return its new status, or raise on a failure worth retrying."""
    if row.channel == Channel.INAPP:
        return NotificationStatus.SENT
    if row.channel == Channel.EMAIL:
        if not settings.smtp_host:
            return NotificationStatus.LOGGED
        email.send(
            row, settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.timeout
        )
        return NotificationStatus.SENT
    url = {
        Channel.WEBHOOK: settings.webhook_url,
        Channel.WECOM: settings.wecom_webhook_url,
        Channel.DINGTALK: settings.dingtalk_webhook_url,
    }.get(Channel(row.channel))
    if not url:
        return NotificationStatus.LOGGED
    if row.channel == Channel.WEBHOOK:
        webhook.send(row, url, settings.webhook_secret, settings.timeout)
    elif row.channel == Channel.WECOM:
        wecom.send(row, url, settings.timeout)
    else:
        dingtalk.send(row, url, settings.timeout)
    return NotificationStatus.SENT


__all__ = ["ChannelSettings", "deliver"]
