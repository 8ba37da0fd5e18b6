"""The host's side of monitoring: re-evaluate changed customers before each commit; daily sweeps.

Services mark a customer whose early-warning facts changed (credit.watch); a ``before_commit``
listener on the app's session re-evaluates the marked customers in the same transaction, so a
rise and its actions commit with the event that caused them. The sweeps run once a day (the
scheduler polls every 2 s; credit.daily remembers the day): every customer's level, the reviews
that fell due, and the notices of securities and reviews coming due.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context

from credit import daily
from credit.notices import audit_notice, due_notices
from credit.reviews import due_for_review, start_review_unless_running
from credit.warnings import reevaluate, sweep_batch, sweep_batches
from credit.watch import take_changed
from engine.clock import to_db
from web.extensions import db
from web.scheduling import add_sweep

log = logging.getLogger(__name__)
_LISTENING = False
# A re-evaluation may mark customers again (a review's new grade): settle within a few rounds.
_ROUNDS = 3


def install_monitoring(app: Flask) -> None:
    """Listen for changed customers on the app's session and plug the daily sweeps in."""
    global _LISTENING
    if not _LISTENING:  # the session class is shared by every app of the process
        sa.event.listen(db.session, "before_commit", _before_commit)
        _LISTENING = True
    add_sweep(app, "early_warning", warning_sweep)
    add_sweep(app, "periodic_reviews", review_sweep)
    add_sweep(app, "due_notices", notice_sweep)


def _before_commit(session: Any) -> None:
    if not has_app_context() or "creditflow.runtime" not in current_app.extensions:
        return
    rt = current_app.extensions["creditflow.runtime"]
    rates = current_app.config["CREDITFLOW"].fx_rates
    principal = g.get("principal")
    actor = principal.username if principal is not None else "system"
    for _ in range(_ROUNDS):
        changed = take_changed(session)
        if not changed:
            return
        try:
            with session.begin_nested():
                reevaluate(session, rt, rates, changed, actor)
        except Exception:
            # The event itself commits; the daily sweep evaluates the customer again.
            log.exception("early-warning re-evaluation failed", extra={"customers": changed})


def warning_sweep(app: Flask) -> dict[str, int]:
    """Re-evaluate every customer with a limit, once a day; return counts."""
    rt = app.extensions["creditflow.runtime"]
    session = db.session
    today = rt.clock.today()
    if not daily.is_due(session, "early_warning", today):
        return {"evaluated": 0, "rose": 0}
    evaluated = rose = 0
    rates = app.config["CREDITFLOW"].fx_rates
    for batch in sweep_batches(session):
        outcomes = sweep_batch(session, rt, rates, batch)
        session.commit()
        evaluated += len(batch)
        rose += sum(outcome.rose for outcome in outcomes)
    daily.mark_done(session, "early_warning", today, rt.clock.now())
    session.commit()
    return {"evaluated": evaluated, "rose": rose}


def review_sweep(app: Flask) -> dict[str, int]:
    """Start the periodic reviews that fell due, once a day."""
    rt = app.extensions["creditflow.runtime"]
    session = db.session
    today = rt.clock.today()
    if not daily.is_due(session, "periodic_reviews", today):
        return {"started": 0}
    started = 0
    for customer_id in due_for_review(session, today):
        try:
            review = start_review_unless_running(
                session, rt, customer_id, "scheduled", "system", "review due"
            )
            session.commit()
            started += review is not None
        except Exception:
            session.rollback()
            log.exception("starting a due review failed", extra={"customer": customer_id})
    daily.mark_done(session, "periodic_reviews", today, rt.clock.now())
    session.commit()
    return {"started": started}


def notice_sweep(app: Flask) -> dict[str, int]:
    """Tell the credit managers of securities and reviews due in 30 and 7 days, once a day."""
    from notifications.outbox import enqueue, notice_event
    from web.outbox import channel_settings

    rt = app.extensions["creditflow.runtime"]
    session = db.session
    today = rt.clock.today()
    if not daily.is_due(session, "due_notices", today):
        return {"notices": 0}
    broadcast = channel_settings(app.config["CREDITFLOW"]).broadcast()
    now = rt.clock.now()
    sent = 0
    for notice in due_notices(session, today):
        event = notice_event(
            {
                "key": notice.key,
                "template": notice.template,
                "groups": notice.groups,
                "values": notice.values,
            }
        )
        if enqueue(session, event, to_db(now), broadcast):
            audit_notice(session, now, notice)
            sent += 1
    daily.mark_done(session, "due_notices", today, rt.clock.now())
    session.commit()
    return {"notices": sent}
