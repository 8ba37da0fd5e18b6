"""The audit trail is one hash chain per instance, anchored into a global chain by a job:
writers of different instances never wait for each other, and verify still points at the first
broken link — also for events deleted with their whole chain."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sample_models import END, START, deploy, process, start, user_task

from engine.anchors import anchor
from engine.audit import AuditEntry, append, chain_of, verify
from engine.models import AuditChain, AuditEvent, ProcessInstance
from web.extensions import db

TWO_STEPS = process("two_steps", [START, user_task("first", "First"), END])


def started(api, count: int) -> list[int]:
    """Instances with four events each: started, task created, two notes."""
    deploy(api, {"two_steps.bpmn": TWO_STEPS})
    ids = [start(api, "two_steps")["id"] for _ in range(count)]
    with api.client.application.app_context():
        now = api.client.application.extensions["creditflow.runtime"].clock.now()
        for instance_id in ids:
            append(db.session, now, [AuditEntry("admin", "note", instance_id=instance_id)] * 2)
        db.session.commit()
    return ids


def events_of(instance_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.chain == chain_of(instance_id, None))
            .order_by(AuditEvent.chain_seq)
        )
    )


def run_anchor(app) -> int:
    return anchor(db.session, app.extensions["creditflow.runtime"].clock.now())


def test_each_instance_has_its_own_chain_from_genesis(app, api):
    first, second = started(api, 2)
    with app.app_context():
        for instance_id in (first, second):
            events = events_of(instance_id)
            assert [e.chain_seq for e in events] == list(range(1, len(events) + 1))
            assert events[0].prev_hash == "0" * 64
            assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
            head = db.session.get(AuditChain, f"instance:{instance_id}")
            assert (head.seq, head.hash) == (events[-1].chain_seq, events[-1].hash)
        result = verify(db.session)
        assert result.ok and result.first_bad_seq is None and result.chains >= 2


def test_entries_of_a_rolled_back_savepoint_are_never_written(app, api):
    with app.app_context():
        nested = db.session.begin_nested()
        append(db.session, app.extensions["creditflow.runtime"].clock.now(), [
            AuditEntry("admin", "never_happened", subject="probe")
        ])  # fmt: skip
        nested.rollback()
        append(db.session, app.extensions["creditflow.runtime"].clock.now(), [
            AuditEntry("admin", "happened", subject="probe")
        ])  # fmt: skip
        db.session.commit()
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.chain == "subject:probe")
        ).all()
        assert actions == ["happened"]


def test_verify_points_at_the_event_after_a_deleted_one(app, api):
    [instance_id] = started(api, 1)
    with app.app_context():
        events = events_of(instance_id)
        assert len(events) >= 3
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == events[1].seq))
        db.session.commit()
        result = verify(db.session, batch=2)
        assert (result.ok, result.first_bad_seq) == (False, events[2].seq)
        assert result.first_bad_chain == f"instance:{instance_id}"


def test_verify_reads_in_pages_and_finds_the_same_first_break(app, api):
    ids = started(api, 3)
    with app.app_context():
        victim = events_of(ids[1])[1]
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.seq == victim.seq).values(actor="mallory")
        )
        db.session.commit()
        results = {(r.ok, r.first_bad_seq, r.events) for r in
                   (verify(db.session, batch=b) for b in (1, 2, 3, 5, 2000))}  # fmt: skip
        assert len(results) == 1 and results.pop()[:2] == (False, victim.seq)


def test_a_chain_deleted_whole_after_anchoring_is_found_by_its_anchor(app, api):
    first, second = started(api, 2)
    with app.app_context():
        assert run_anchor(app) >= 2
        assert run_anchor(app) == 0  # nothing moved since
        assert verify(db.session).ok and verify(db.session).anchors == 1
        gone = events_of(first)
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.chain == f"instance:{first}"))
        db.session.execute(sa.delete(AuditChain).where(AuditChain.key == f"instance:{first}"))
        db.session.commit()
        result = verify(db.session)
        assert (result.ok, result.first_bad_seq) == (False, gone[-1].seq)
        assert result.first_bad_chain == f"instance:{first}"


def test_a_chain_cut_short_with_its_head_rewritten_is_found_by_its_anchor(app, api):
    [instance_id] = started(api, 1)
    with app.app_context():
        run_anchor(app)
        events = events_of(instance_id)
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == events[-1].seq))
        db.session.execute(
            sa.update(AuditChain)
            .where(AuditChain.key == f"instance:{instance_id}")
            .values(seq=events[-2].chain_seq, hash=events[-2].hash)
        )
        db.session.commit()
        result = verify(db.session)
        assert (result.ok, result.first_bad_seq) == (False, events[-1].seq)


def test_an_altered_anchor_is_reported(app, api):
    started(api, 1)
    with app.app_context():
        run_anchor(app)
        db.session.execute(sa.text("UPDATE audit_anchor_head SET chain_seq = chain_seq + 1"))
        db.session.commit()
        result = verify(db.session)
        assert (result.ok, result.first_bad_anchor) == (False, 1)


def test_anchors_chain_and_only_cover_chains_that_moved(app, api):
    first, second = started(api, 2)
    with app.app_context():
        run_anchor(app)
        row = db.session.get(ProcessInstance, second)
        append(db.session, app.extensions["creditflow.runtime"].clock.now(), [
            AuditEntry("admin", "looked_at", instance_id=row.id)
        ])  # fmt: skip
        db.session.commit()
        assert run_anchor(app) == 1
        result = verify(db.session)
        assert result.ok and result.anchors == 2
        latest = sa.text("SELECT chain FROM audit_anchor_head WHERE anchor_seq = 2")
        assert db.session.scalar(latest) == f"instance:{second}"


@pytest.mark.postgres
def test_steps_of_different_instances_do_not_wait_for_each_other(app, api, database_url):
    """A transaction holding its chain's head does not block another instance's commit."""
    first, second = started(api, 2)
    with app.app_context():
        now = app.extensions["creditflow.runtime"].clock.now()
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    holder = engine.connect()
    try:
        holder.begin()
        holder.execute(  # what a committing step on `first` holds until its COMMIT
            sa.text("SELECT key FROM audit_chain WHERE key = :k FOR UPDATE"),
            {"k": f"instance:{first}"},
        )
        done = threading.Event()

        def other_instance() -> None:
            with app.app_context():
                append(db.session, now, [AuditEntry("admin", "x", instance_id=second)])
                db.session.commit()
                db.session.remove()
            done.set()

        thread = threading.Thread(target=other_instance)
        thread.start()
        assert done.wait(20), "a commit on another instance waited for this chain's head"
        thread.join()
        holder.rollback()
    finally:
        holder.close()
        engine.dispose()
    with app.app_context():
        assert verify(db.session).ok


def _legacy_hash(prev: str, seq: int, at: str, actor: str, action: str, subject: str) -> str:
    """The global chain's formula before chains per instance (its place was `seq`)."""
    import hashlib
    import json

    body = {"seq": seq, "at": at, "actor": actor, "action": action, "instance_id": None,
            "task_id": None, "element": None, "subject": subject, "data": {"n": seq}}  # fmt: skip
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + text).encode()).hexdigest()


def test_events_written_before_the_upgrade_verify_as_the_legacy_chain(database_url):
    import datetime as dt

    from alembic import command

    from web import create_app
    from web.config import Config
    from web.setup import alembic_config, migrate

    app = create_app(Config(database_url=database_url, secret_key="t", testing=True))
    with app.app_context():
        command.upgrade(alembic_config(), "0008")
        prev = "0" * 64
        for seq in (1, 2, 3):
            at = dt.datetime(2026, 1, 1, 9, seq)
            digest = _legacy_hash(prev, seq, f"{at.isoformat()}+00:00", "admin", "old", "x")
            db.session.execute(
                sa.text(
                    "INSERT INTO audit_event (seq, at, actor, action, subject, data, prev_hash, "
                    "hash) VALUES (:seq, :at, 'admin', 'old', 'x', :data, :prev, :hash)"
                ),
                {"seq": seq, "at": at, "data": f'{{"n": {seq}}}', "prev": prev, "hash": digest},
            )
            prev = digest
        db.session.execute(
            sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, :h)"), {"h": prev}
        )
        db.session.commit()
        migrate()
        append(db.session, dt.datetime(2026, 1, 2, tzinfo=dt.UTC), [AuditEntry("admin", "new")])
        db.session.commit()
        result = verify(db.session)
        assert (result.ok, result.events, result.chains) == (True, 4, 2)
        assert db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) == 4
        db.session.execute(sa.text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 2"))
        db.session.commit()
        assert verify(db.session).first_bad_seq == 2
        db.session.remove()
        db.engine.dispose()


def test_an_entry_appended_by_a_later_before_commit_listener_is_still_written(app, api):
    """Another before-commit listener (like monitoring's) may run after the audit's own."""
    now_of = app.extensions["creditflow.runtime"].clock.now

    def late(session):
        if session.info.pop("late_probe", False):
            append(session, now_of(), [AuditEntry("admin", "late", subject="probe")])

    with app.app_context():
        append(db.session, now_of(), [AuditEntry("admin", "early", subject="probe")])
        sa.event.listen(db.session, "before_commit", late)  # registered after the audit's
        try:
            db.session.info["late_probe"] = True
            db.session.commit()
        finally:
            sa.event.remove(db.session, "before_commit", late)
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.chain == "subject:probe")
            .order_by(AuditEvent.chain_seq)
        ).all()
        assert actions == ["early", "late"]
        assert verify(db.session).ok


def test_the_scheduler_anchors_at_most_once_a_minute(app, api, monkeypatch):
    from web import scheduling

    started(api, 1)
    monkeypatch.setattr(scheduling, "_anchored_at", [-scheduling.ANCHOR_SECONDS])
    assert scheduling.anchor_audit(app) >= 1
    started(api, 1)
    assert scheduling.anchor_audit(app) == 0  # within the minute: the next pass anchors it
    with app.app_context():
        assert verify(db.session).anchors == 1
