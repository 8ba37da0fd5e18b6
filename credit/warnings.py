"""Re-evaluate customers' early-warning levels, store them, and start the actions of a rise.

``reevaluate`` is the one way a level changes: after an event (credit.watch marks the customer
and the host calls it before the commit) and in the daily sweep. It locks each customer's
``customer_warning`` row, reads the facts, applies the rules of the latest `early_warning`
decision (credit.warning_rules), stores level and signals, and for a rise starts one
`early_warning` process that runs the actions of every level passed, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.ledger import audit_customer
from credit.models import Customer
from credit.monitoring_models import CustomerWarning, WarningChange
from credit.warning_facts import load_facts
from credit.warning_rules import (
    Evaluation,
    Level,
    Signal,
    SignalRule,
    evaluate,
    levels_passed,
    max_window,
    rules_from_decision,
)
from engine.actor import SYSTEM
from engine.audit import plain
from engine.clock import to_db
from engine.db import insert_for
from engine.decisions import evaluate as evaluate_decision
from engine.instances import start_instance
from engine.runtime import Runtime

PROCESS_KEY = "early_warning"
DECISION = "early_warning"
_TABLE = CustomerWarning.__table__
_RULES: weakref.WeakKeyDictionary[Any, tuple[SignalRule, ...]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Outcome:
    """What one re-evaluation did to a customer's level."""

    customer_id: int
    before: Level
    after: Level
    process_instance_id: int | None = None

    @property
    def rose(self) -> bool:
        """Whether the level went up (and the actions of the levels passed ran)."""
        return self.after > self.before


def signal_rules(session: so.Session, rt: Runtime) -> tuple[SignalRule, ...]:
    """The rules of the latest deployed `early_warning` decision (read once per version)."""
    bundle = rt.registry.latest(session, PROCESS_KEY)
    engine = bundle.decisions[DECISION]
    rules = _RULES.get(engine)
    if rules is None:
        rules = rules_from_decision(evaluate_decision(engine, {}, rt.script_engine))
        _RULES[engine] = rules
    return rules


def reevaluate(
    session: so.Session,
    rt: Runtime,
    rates: Mapping[str, str],
    customer_ids: Collection[int],
    actor: str = "system",
) -> list[Outcome]:
    """Re-evaluate customers now; store what changed and start the actions of each rise."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    now = rt.clock.now()
    today = now.astimezone(rt.clock.tz).date()
    rules = signal_rules(session, rt)
    rows = _lock_rows(session, ids)
    facts = load_facts(session, list(rows), today, max_window(rules), rates, rt.clock.tz)
    outcomes = []
    for cid, row in rows.items():
        found = facts.get(cid)
        result = evaluate(found, rules, today) if found else Evaluation(Level.NONE)
        outcomes.append(_apply(session, rt, row, result, now, today, actor))
    return outcomes


def sweep_batch(
    session: so.Session, rt: Runtime, rates: Mapping[str, str], customer_ids: Collection[int]
) -> list[Outcome]:
    """The daily sweep over a batch: read without locks, re-evaluate only what changed.

    Most customers' level and signals are the same as yesterday; those are read and compared,
    never written. A customer whose stored state differs is re-evaluated by ``reevaluate``
    (locked, facts read again), so a concurrent event is never overwritten with stale facts.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    today = rt.clock.today()
    rules = signal_rules(session, rt)
    stored = {row.customer_id: row for row in session.scalars(_STORED, {"ids": ids})}
    facts = load_facts(session, ids, today, max_window(rules), rates, rt.clock.tz)
    changed = []
    for cid in ids:
        row, found = stored.get(cid), facts.get(cid)
        result = evaluate(found, rules, today) if found else Evaluation(Level.NONE)
        if row is None:
            if found is not None:
                changed.append(cid)
            continue
        same_level = Level.of(row.level) == result.level
        if not same_level or stored_signals(row.signals, result.signals, today) != row.signals:
            changed.append(cid)
    return reevaluate(session, rt, rates, changed)


def sweep_batches(session: so.Session, size: int = 2000) -> Iterator[list[int]]:
    """Ids of every customer to evaluate daily (a limit, or a stored level), in batches."""
    query = (
        sa.select(Customer.id)
        .where(
            sa.or_(
                Customer.credit_limit.is_not(None),
                Customer.id.in_(sa.select(CustomerWarning.customer_id)),
            )
        )
        .order_by(Customer.id)
    )
    ids = list(session.scalars(query))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


_IDS = sa.bindparam("ids", expanding=True)
# Built once: an event's re-evaluation runs them. An UPDATE takes the row locks (PostgreSQL) or
# the write lock (SQLite) before anything is read.
_LOCK = sa.update(_TABLE).where(_TABLE.c.customer_id.in_(_IDS)).values(rank=_TABLE.c.rank)
_LOCK_RETURNING = (
    sa.update(CustomerWarning)
    .where(CustomerWarning.customer_id.in_(_IDS))
    .values(rank=CustomerWarning.rank)
    .returning(CustomerWarning)
    .execution_options(populate_existing=True, synchronize_session=False)
)
_STORED = (
    sa.select(CustomerWarning)
    .where(CustomerWarning.customer_id.in_(_IDS))
    .order_by(CustomerWarning.customer_id)
    .execution_options(populate_existing=True)
)
# A customer that just got a limit carries the level "none" until a signal shows.
_NONE_LEVEL = (
    sa.update(Customer)
    .where(
        Customer.id.in_(_IDS),
        Customer.credit_limit.is_not(None),
        Customer.warning_level.is_(None),
    )
    .values(warning_level=Level.NONE.label)
)
_MISSING = sa.select(
    Customer.id, sa.literal(Level.NONE.label), sa.literal(0), sa.literal([], sa.JSON)
).where(Customer.id.in_(_IDS), Customer.credit_limit.is_not(None))


def _lock_rows(session: so.Session, ids: list[int]) -> dict[int, CustomerWarning]:
    """Lock the customers' rows (creating those of customers with a limit) and return them."""
    dialect = session.get_bind().dialect.name
    insert = insert_for(dialect)
    if len(ids) == 1:  # an event: lock and read in one statement when the row exists
        rows = list(session.scalars(_LOCK_RETURNING, {"ids": ids}))
        if rows:
            return {row.customer_id: row for row in rows}
    for start in range(0, len(ids), 1000):
        chunk = {"ids": ids[start : start + 1000]}
        if session.execute(_LOCK, chunk).rowcount == len(chunk["ids"]):
            continue
        session.execute(
            insert(_TABLE)
            .from_select(["customer_id", "level", "rank", "signals"], _MISSING)
            .on_conflict_do_nothing(index_elements=["customer_id"]),
            chunk,
        )
        session.execute(_NONE_LEVEL, chunk)
        session.execute(_LOCK, chunk)
    return {row.customer_id: row for row in session.scalars(_STORED, {"ids": ids})}


def _apply(
    session: so.Session,
    rt: Runtime,
    row: CustomerWarning,
    result: Evaluation,
    now: dt.datetime,
    today: dt.date,
    actor: str,
) -> Outcome:
    before = Level.of(row.level)
    signals = stored_signals(row.signals, result.signals, today)
    cid = row.customer_id
    if signals != row.signals:
        row.signals = signals
        row.updated_at = to_db(now)
    if result.level == before:
        return Outcome(cid, before, before)
    row.level, row.rank, row.level_since = result.level.label, int(result.level), to_db(now)
    row.updated_at = to_db(now)
    session.execute(
        sa.update(Customer).where(Customer.id == cid).values(warning_level=result.level.label)
    )
    passed = levels_passed(before, result.level)
    change = WarningChange(
        customer_id=cid,
        from_level=before.label,
        to_level=result.level.label,
        codes=result.codes,
        levels_passed=[level.label for level in passed],
        actor=actor,
        at=to_db(now),
    )
    session.add(change)
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "warning_level_changed",
        cid,
        change_id=change.id,
        from_level=before.label,
        to_level=result.level.label,
        signals=result.codes,
    )
    if not passed:
        return Outcome(cid, before, result.level)
    started = start_instance(
        rt,
        session,
        PROCESS_KEY,
        SYSTEM,
        business_key=str(cid),
        subject=f"customer:{cid}",
        data={
            "customer_id": cid,
            "warning_change_id": change.id,
            "from_level": before.label,
            "to_level": result.level.label,
            "levels": [level.label for level in passed],
            "signal_codes": result.codes,
        },
    )
    change.process_instance_id = started.instance.id
    return Outcome(cid, before, result.level, started.instance.id)


def stored_signals(
    previous: list[dict[str, Any]] | None, signals: list[Signal], today: dt.date
) -> list[dict[str, Any]]:
    """Signals as stored: a signal present before keeps its "since", a new one dates itself."""
    earlier = {item["code"]: item.get("since") for item in previous or []}
    return [
        {
            "code": signal.code,
            "level": signal.level.label,
            "detail": {"en": signal.detail("en"), "zh": signal.detail("zh")},
            "since": earlier.get(signal.code) or (signal.since or today).isoformat(),
            "values": plain(signal.values),
        }
        for signal in signals
    ]
