"""Turn engine changes into outbox rows, written in the step's own transaction."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import insert_for
from engine.models import HumanTask
from notifications.models import Channel, Notification, NotificationStatus
from notifications.recipients import recipients_of
from notifications.templates import render

SLA_EFFECTS = ("task_reminder", "task_escalated", "task_reassigned")
DECISIONS = ("approved", "rejected", "returned")
CREDIT_DECISIONS = ("release_once", "temporary_limit", "reject")
CONTEXT_KEYS = ("customer_name", "requested_limit", "currency", "application_id", "customer_id")
OUTCOME_KEYS = ("approved_limit", "currency", "terms_days", "grade")


@dataclass
class Event:
    """Something to tell people about: a template, its values and who to tell."""

    key: str
    template: str
    instance_id: int | None
    task_id: str | None
    values: dict[str, Any]
    usernames: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    # People outside the installation (a customer's contacts): (name, email) pairs, email only.
    addresses: list[tuple[str, str]] = field(default_factory=list)


def make_listener(
    broadcast: Sequence[str] = (), case_link: str = ""
) -> Callable[[so.Session, Any], None]:
    """Build the engine listener; `broadcast` names the configured webhook/robot channels.

    :param case_link: the address of a case in the UI, with {process_instance_id}; filled into
        every message as {link}.
    """
    channels = tuple(Channel(c) for c in broadcast)

    def listener(session: so.Session, change: Any) -> None:
        """Write the outbox rows of one engine step."""
        now = _moment(change.instance)
        rows: dict[str, dict[str, Any]] = {}
        for event in events_of(session, change):
            if case_link and event.instance_id is not None:
                event.values["link"] = case_link.format(process_instance_id=event.instance_id)
            rows.update(rows_of(session, event, now, channels))
        if not rows:
            return
        # A replayed step must not fail the state change on the unique key: known keys are
        # skipped by the database (ON CONFLICT DO NOTHING), in one executemany.
        insert = _insert_ignoring_duplicates(session)
        session.execute(insert, list(rows.values()))

    return listener


listener = make_listener()


def _insert_ignoring_duplicates(session: so.Session) -> Any:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING for SQLite and PostgreSQL."""
    return _insert_for(session.get_bind().dialect.name)


@functools.cache
def _insert_for(dialect: str) -> Any:
    """The statement for one dialect, built once (it runs in every engine step)."""
    table = Notification.__table__
    return insert_for(dialect)(table).on_conflict_do_nothing(
        index_elements=[table.c.idempotency_key]
    )


def _moment(instance: Any) -> dt.datetime:
    """The step's time as stored (naive UTC): persist stamps the instance row before listeners."""
    return instance.updated_at


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _task_values(row: Any) -> dict[str, Any]:
    """Template values of a task (an inbox row or a step's TaskChange)."""
    if row is None:
        return {}
    context = row.context or {}
    values = {k: _plain(context.get(k)) for k in CONTEXT_KEYS if k in context}
    values.update(task_title=row.title, task_name=row.name, task_id=row.id)
    return values


def _instance_context(session: so.Session, change: Any) -> dict[str, Any]:
    rows: list[Any] = [*change.finished, *change.created]
    if not rows:
        rows = list(
            session.scalars(
                sa.select(HumanTask)
                .where(HumanTask.instance_id == change.instance.id)
                .order_by(HumanTask.created_at.desc())
                .limit(1)
            )
        )
    values = _task_values(rows[0]) if rows else {}
    return {k: v for k, v in values.items() if k in CONTEXT_KEYS}


def events_of(session: so.Session, change: Any) -> list[Event]:
    """The notification events of one engine step."""
    instance_id = change.instance.id
    revision = change.instance.revision
    events = []
    for task in change.created:
        values = {**_task_values(task), "process_instance_id": instance_id}
        direct = [task.assignee] if task.assignee else []
        events.append(
            Event(
                f"task_assigned:{task.id}",
                "task_assigned",
                instance_id,
                task.id,
                values,
                usernames=direct + list(task.candidate_users),
                groups=[] if direct else list(task.candidate_groups),
                excluded=set(task.excluded_users),
            )
        )
    for kind, data in change.effects:
        if kind == "application_decided" and data.get("decision") in DECISIONS:
            template = f"application_{data['decision']}"
            values = {
                **_instance_context(session, change),
                "process_instance_id": instance_id,
                "application_id": data.get("application_id"),
                "decision": data["decision"],
                **{k: data[k] for k in OUTCOME_KEYS if data.get(k) is not None},
            }
            events.append(
                Event(
                    f"{template}:{data.get('application_id')}:{instance_id}:{revision}",
                    template,
                    instance_id,
                    None,
                    values,
                    usernames=[data["applicant"]] if data.get("applicant") else [],
                )
            )
        elif kind == "credit_decision_made" and data.get("decision") in CREDIT_DECISIONS:
            events.append(_credit_decision_event(data, instance_id, revision))
        elif kind in SLA_EFFECTS:
            events.append(_sla_event(session, kind, data, instance_id, revision))
        elif kind == "notice":
            events.append(notice_event(data, instance_id))
    return events


def notice_event(data: dict[str, Any], instance_id: int | None = None) -> Event:
    """A domain notice: ``{template, key, users, groups, addresses, values}`` (the key makes it
    once); ``addresses`` are people outside the installation (``{name, email}``), emailed only.
    """
    return Event(
        str(data["key"]),
        str(data["template"]),
        instance_id,
        None,
        {**(data.get("values") or {}), "process_instance_id": instance_id},
        usernames=list(data.get("users") or []),
        groups=list(data.get("groups") or []),
        addresses=[
            (str(a.get("name") or ""), str(a["email"])) for a in data.get("addresses") or []
        ],
    )


def enqueue(
    session: so.Session, event: Event, now: dt.datetime, broadcast: Sequence[str] = ()
) -> int:
    """Write an event's outbox rows outside an engine step (sweeps); known keys are skipped.

    :param now: the moment as stored (naive UTC).
    :returns: how many rows were new (an event sent before writes nothing again).
    """
    rows = rows_of(session, event, now, tuple(Channel(c) for c in broadcast))
    known = set(
        session.scalars(
            sa.select(Notification.idempotency_key).where(
                Notification.idempotency_key.in_(list(rows))
            )
        )
    )
    new = [row for key, row in rows.items() if key not in known]
    if new:
        session.execute(_insert_ignoring_duplicates(session), new)
    return len(new)


def _credit_decision_event(data: dict[str, Any], instance_id: int, revision: int) -> Event:
    """Tell the customer's sales rep how the blocked order was decided."""
    template = f"credit_decision_{data['decision']}"
    values = {
        key: _plain(data.get(key))
        for key in (
            "order_ref",
            "customer_id",
            "customer_name",
            "amount",
            "currency",
            "reason",
            "temporary_limit",
            "valid_until",
        )
    }
    return Event(
        f"{template}:{data.get('order_ref')}:{instance_id}:{revision}",
        template,
        instance_id,
        None,
        {**values, "process_instance_id": instance_id},
        usernames=[data["sales_rep"]] if data.get("sales_rep") else [],
    )


def _sla_event(
    session: so.Session, kind: str, data: dict[str, Any], instance_id: int, revision: int
) -> Event:
    task_id = str(data.get("task_id"))
    row = session.get(HumanTask, task_id)
    recipients = data.get("recipients") or {}
    users = list(recipients.get("users") or []) + list(data.get("users") or [])
    groups = list(recipients.get("groups") or []) + list(data.get("groups") or [])
    if not users and not groups and row is not None:
        users = [row.assignee] if row.assignee else []
        groups = [] if users else list(row.candidate_groups or [])
    values = {
        **_task_values(row),
        "task_id": task_id,
        "process_instance_id": data.get("instance_id") or instance_id,
    }
    return Event(
        f"{kind}:{task_id}:{instance_id}:{revision}",
        kind,
        values["process_instance_id"],
        task_id,
        values,
        usernames=users,
        groups=groups,
        excluded=set(row.excluded_users or []) if row is not None else set(),
    )


def rows_of(
    session: so.Session, event: Event, now: dt.datetime, broadcast: Iterable[Channel]
) -> dict[str, dict[str, Any]]:
    """One in-app and one email row per recipient, one row per broadcast channel, by key."""
    users = recipients_of(session, event.usernames, event.groups, event.excluded)
    rows = []
    for user in users:
        text = render(
            event.template,
            user.language,
            {**event.values, "name": user.display_name or user.username},
        )
        inapp = _row(event, Channel.INAPP, user.username, text, now)
        inapp.update(status=NotificationStatus.SENT.value, sent_at=now, next_attempt_at=None)
        rows.append(inapp)
        if user.email:
            rows.append(_row(event, Channel.EMAIL, user.username, text, now, address=user.email))
    for name, email in event.addresses:
        text = render(event.template, None, {**event.values, "name": name or email})
        rows.append(_row(event, Channel.EMAIL, email, text, now, address=email))
    for channel in broadcast:
        text = render(event.template, None, {**event.values, "name": ""})
        row = _row(event, channel, str(channel), text, now, key=f"{event.key}:{channel}")
        row["payload"] = {**row["payload"], "recipients": [u.username for u in users]}
        rows.append(row)
    return {row["idempotency_key"]: row for row in rows}


def _row(
    event: Event,
    channel: Channel,
    recipient: str,
    text: Any,
    now: dt.datetime,
    key: str | None = None,
    address: str | None = None,
) -> dict[str, Any]:
    """The column values of one outbox row (plain values: inserted with one executemany)."""
    key = key or f"{event.key}:{channel}:{recipient}"
    payload = {
        "event": event.template,
        "idempotency_key": key,
        "process_instance_id": event.instance_id,
        "task_id": event.task_id,
        "subject": text.subject,
        "language": text.language,
        "created_at": now.replace(tzinfo=dt.UTC).isoformat(),
        "data": {k: _plain(v) for k, v in event.values.items()},
    }
    return {
        "idempotency_key": key,
        "channel": str(channel),
        "recipient": recipient,
        "address": address,
        "template": event.template,
        "language": text.language,
        "subject": text.subject[:255],
        "body": text.body,
        "payload": payload,
        "process_instance_id": event.instance_id,
        "task_id": event.task_id,
        "status": NotificationStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "sent_at": None,
        "last_error": None,
        "created_at": now,
    }
