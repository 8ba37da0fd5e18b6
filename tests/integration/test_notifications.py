"""Notifications: outbox rows with the state change, delivery by SMTP and signed webhook."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flow import approve, assess, file_application, find_task, new_customer
from support import Api, dispose_test_app, make_test_app

SECRET = "s3cret-for-tests"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def webhook_receiver():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({**dict(self.headers), "path": self.path}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_app(database_url):
    """Build an app like conftest's `app`, with extra Config settings."""
    made = []

    def build(**settings):
        app = make_test_app(database_url, **settings)
        made.append(app)
        api = Api(app.test_client())
        api.put("admin", "/api/v1/admin/clock", json={"now": T0.isoformat()})
        return app, api

    yield build
    for app in made:
        dispose_test_app(app)


def dispatch(app) -> int:
    from web.outbox import dispatch_pending

    return dispatch_pending(app)


def rows(app, **where):
    from notifications.models import Notification
    from web.extensions import db

    with app.app_context():
        query = sa.select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


def idempotency_key(envelope) -> str:
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return str(message["X-Creditflow-Idempotency-Key"])


def set_clock(api, moment):
    r = api.put("admin", "/api/v1/admin/clock", json={"now": moment.isoformat()})
    assert r.status_code == 200, r.get_json()


def to_approval(api):
    """File and assess an application; return it and the approval task manager1 sees."""
    application = file_application(api, new_customer(api))
    assess(api, application["id"])
    return application, find_task(api, "manager1", "approve_credit_manager", application["id"])


def items(api, user, **params):
    query = "&".join(f"{k}={v}" for k, v in {"recipient": "me", **params}.items())
    r = api.get(user, f"/api/v1/notifications?{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_every_credit_manager_is_told_once_when_an_approval_task_lands_in_their_inbox(make_app):
    app, api = make_app()
    application, task = to_approval(api)
    for user in ("manager1", "manager2"):
        got = items(api, user, task_id=task["id"])
        assert sorted((i["channel"], i["template"], i["status"]) for i in got) == [
            ("email", "task_assigned", "pending"),
            ("inapp", "task_assigned", "sent"),
        ]
        assert all(i["process_instance_id"] == application["process_instance_id"] for i in got)
    everyone = items(api, "admin", recipient="all", task_id=task["id"], channel="inapp")
    assert sorted(i["recipient"] for i in everyone) == ["manager1", "manager2"]
    assert items(api, "director1", task_id=task["id"]) == []


@pytest.mark.parametrize(
    ("decision", "template"),
    [
        ("approve", "application_approved"),
        ("reject", "application_rejected"),
        ("return", "application_returned"),
    ],
)
def test_the_applicant_is_told_of_the_decision_in_app_and_by_email(make_app, decision, template):
    app, api = make_app()
    application, _ = to_approval(api)
    approve(api, "manager1", "credit_manager", application["id"], decision=decision)
    got = [i for i in items(api, "sales1") if i["template"] == template]
    assert sorted(i["channel"] for i in got) == ["email", "inapp"]
    assert all(i["process_instance_id"] == application["process_instance_id"] for i in got)
    email = rows(app, template=template, channel="email")[0]
    assert email.address == "sales1@example.com"
    assert str(application["id"]) in email.subject


def test_unset_smtp_keeps_emails_logged_in_the_outbox(make_app):
    app, api = make_app()
    to_approval(api)
    assert dispatch(app) >= 2
    assert {r.status for r in rows(app, channel="email")} == {"logged"}


def test_smtp_sink_receives_each_email_once_even_when_dispatch_runs_twice(make_app, smtp_sink):
    app, api = make_app(smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    application, task = to_approval(api)
    approve(api, "manager1", "credit_manager", application["id"])
    emails = rows(app, channel="email")
    assert dispatch(app) == len(emails)
    assert dispatch(app) == 0
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(e.address for e in emails)
    keys = [idempotency_key(m) for m in smtp_sink.messages]
    assert sorted(keys) == sorted(e.idempotency_key for e in emails)
    assert {r.status for r in rows(app, channel="email")} == {"sent"}
    assert any("manager1@example.com" in m.rcpt_tos for m in smtp_sink.messages)


def test_a_resend_after_a_crash_carries_the_same_idempotency_key(make_app, smtp_sink):
    from notifications.models import Notification, NotificationStatus
    from web.extensions import db

    app, api = make_app(smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    to_approval(api)
    dispatch(app)
    first = len(smtp_sink.messages)
    with app.app_context():  # the dispatcher "crashed" after sending, before marking
        row = db.session.scalars(
            sa.select(Notification).where(Notification.channel == "email")
        ).first()
        row.status, row.sent_at = NotificationStatus.PENDING.value, None
        row.next_attempt_at = row.created_at
        key = row.idempotency_key
        db.session.commit()
    assert dispatch(app) == 1
    assert len(smtp_sink.messages) == first + 1
    assert [idempotency_key(m) for m in smtp_sink.messages].count(key) == 2


def test_closed_smtp_port_retries_with_backoff_then_fails_after_five_attempts(make_app):
    from notifications.dispatch import MAX_ATTEMPTS

    app, api = make_app(smtp_host="127.0.0.1", smtp_port=free_port())
    to_approval(api)
    now, waits = T0, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert dispatch(app) == 0
        emails = rows(app, channel="email")
        assert {r.attempts for r in emails} == {attempt}
        assert dispatch(app) == 0  # not due again before its backoff
        assert {r.attempts for r in emails} == {attempt}
        if attempt < MAX_ATTEMPTS:
            assert {r.status for r in emails} == {"pending"}
            due = {r.next_attempt_at for r in emails}
            assert len(due) == 1
            waits.append(due.pop().replace(tzinfo=dt.UTC) - now)
            now = now + waits[-1]
            set_clock(api, now)
    assert waits == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    failed = rows(app, channel="email")
    assert {r.status for r in failed} == {"failed"}
    assert all(r.last_error for r in failed)
    r = api.get("admin", "/api/v1/admin/outbox?status=failed")
    assert r.status_code == 200
    assert {i["attempts"] for i in r.get_json()["items"]} == {MAX_ATTEMPTS}
    assert len(r.get_json()["items"]) == len(failed)
    assert api.get("manager1", "/api/v1/admin/outbox?status=failed").status_code == 403


def test_webhook_posts_are_signed_with_hmac_of_the_exact_body(make_app, webhook_receiver):
    app, api = make_app(webhook_url=webhook_receiver.url, webhook_secret=SECRET)
    application, task = to_approval(api)
    hooks = rows(app, channel="webhook", task_id=task["id"])
    assert [h.template for h in hooks] == ["task_assigned"]  # one per event, not per member
    dispatch(app)
    assert len(webhook_receiver.received) == len(rows(app, channel="webhook"))
    headers, body = next(
        (h, b) for h, b in webhook_receiver.received if json.loads(b)["task_id"] == task["id"]
    )
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Creditflow-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "task_assigned"
    assert payload["task_id"] == task["id"]
    assert payload["idempotency_key"] == hooks[0].idempotency_key
    assert sorted(payload["recipients"]) == ["manager1", "manager2"]
    assert dispatch(app) == 0
    assert len(webhook_receiver.received) == len(rows(app, channel="webhook"))


@pytest.mark.parametrize(
    ("language", "subject_start", "greeting"),
    [
        ("zh", "【待办】", "您好"),
        ("en", "[To do]", "Hello"),
    ],
)
def test_the_recipients_language_picks_the_template(make_app, language, subject_start, greeting):
    from engine.models import User
    from web.extensions import db

    app, api = make_app()
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.username == "manager2")).language = language
        db.session.commit()
    _, task = to_approval(api)
    row = rows(app, recipient="manager2", channel="inapp", task_id=task["id"])[0]
    assert row.language == language
    assert row.subject.startswith(subject_start)
    assert row.body.startswith(greeting)
    assert rows(app, recipient="manager1", channel="inapp", task_id=task["id"])[0].language == "zh"


def test_in_app_items_can_be_marked_read_only_by_their_recipient(make_app):
    app, api = make_app()
    _, task = to_approval(api)
    item = next(i for i in items(api, "manager1", task_id=task["id"]) if i["channel"] == "inapp")
    assert api.post("manager2", f"/api/v1/notifications/{item['id']}/read").status_code == 404
    r = api.post("manager1", f"/api/v1/notifications/{item['id']}/read")
    assert r.status_code == 200 and r.get_json()["status"] == "read"
    assert api.get("manager1", "/api/v1/notifications?recipient=manager2").status_code == 403
    assert items(api, "admin", recipient="manager1", task_id=task["id"])


def test_admin_tick_dispatches_the_outbox(make_app, smtp_sink):
    app, api = make_app(smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    to_approval(api)
    r = api.post("admin", "/api/v1/admin/tick")
    assert r.status_code == 200, r.get_json()
    assert {r.status for r in rows(app, channel="email")} == {"sent"}
    assert len(smtp_sink.messages) == len(rows(app, channel="email"))


def test_sla_reminder_escalation_and_reassignment_reach_people_in_app_and_by_email(make_app):
    from engine.calendar import seed_calendar
    from web.extensions import db

    app, api = make_app()
    with app.app_context():
        seed_calendar(db.session)
        db.session.commit()
    set_clock(api, dt.datetime.fromisoformat("2026-03-06T10:00:00+08:00"))  # a Friday
    _, task = to_approval(api)
    ladder = [
        ("2026-03-09T10:00:00+08:00", "task_reminder", ["manager1", "manager2"]),
        ("2026-03-10T10:00:00+08:00", "task_escalated", ["director1", "manager2"]),
        ("2026-03-12T10:00:00+08:00", "task_reassigned", ["director1", "manager2"]),
    ]
    for moment, template, people in ladder:
        set_clock(api, dt.datetime.fromisoformat(moment))
        assert api.post("admin", "/api/v1/admin/tick").status_code == 200
        got = rows(app, template=template, task_id=task["id"])
        assert sorted((r.recipient, r.channel) for r in got) == sorted(
            (p, c) for p in people for c in ("email", "inapp")
        )
    mine = items(api, "director1", task_id=task["id"])
    assert {i["template"] for i in mine} == {"task_escalated", "task_reassigned"}


@pytest.mark.postgres
def test_parallel_dispatchers_send_each_email_once_on_postgresql(make_app, smtp_sink, database_url):
    app, api = make_app(smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    for _ in range(3):
        to_approval(api)
    emails = rows(app, channel="email")
    threads = [threading.Thread(target=dispatch, args=(app,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [idempotency_key(m) for m in smtp_sink.messages]
    assert sorted(keys) == sorted(e.idempotency_key for e in emails)
    assert {r.status for r in rows(app, channel="email")} == {"sent"}


def test_wecom_and_dingtalk_robots_get_one_markdown_message_per_event(make_app, webhook_receiver):
    base = webhook_receiver.url.rsplit("/", 1)[0]
    app, api = make_app(wecom_webhook_url=f"{base}/wecom", dingtalk_webhook_url=f"{base}/ding")
    _, task = to_approval(api)
    assert sorted(r.channel for r in rows(app, task_id=task["id"]) if r.recipient == r.channel) == [
        "dingtalk",
        "wecom",
    ]
    dispatch(app)
    sent = {
        h["path"]: json.loads(b) for h, b in webhook_receiver.received if task["id"] in b.decode()
    }
    assert sent["/wecom"]["msgtype"] == "markdown"
    assert "【待办】" in sent["/wecom"]["markdown"]["content"]
    assert sent["/ding"]["markdown"]["title"].startswith("【待办】")
    assert {r.status for r in rows(app, channel="wecom")} == {"sent"}
