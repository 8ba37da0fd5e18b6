"""The global anchor chain: a periodic job commits the heads of the audit chains that moved.

Per-instance chains let steps append without a global lock; the anchors restore what a single
chain gave: a chain cut short, or deleted with its head, no longer matches a head an anchor
recorded. Only this job writes anchors (it locks the anchor chain's own head), so it is the one
place that serializes, once a minute, never an engine step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.audit import GENESIS, lock_heads
from engine.clock import from_db, to_db
from engine.models import AuditAnchor, AuditAnchorHead, AuditChain, AuditEvent

ANCHOR_CHAIN = "anchor"  # the anchor chain's head lives among the chain heads, under this key
MAX_HEADS = 5000  # heads per anchor; a busier minute takes several anchors

_CHAINS = AuditChain.__table__
_MOVED = (
    sa.select(_CHAINS.c.key, _CHAINS.c.seq, _CHAINS.c.hash, AuditEvent.seq)
    .join(
        AuditEvent,
        sa.and_(AuditEvent.chain == _CHAINS.c.key, AuditEvent.chain_seq == _CHAINS.c.seq),
    )
    .where(_CHAINS.c.seq != _CHAINS.c.anchored_seq, _CHAINS.c.key != ANCHOR_CHAIN)
    .order_by(_CHAINS.c.key)
    .limit(sa.bindparam("limit"))
)
_MARK = (
    sa.update(_CHAINS)
    .where(_CHAINS.c.key == sa.bindparam("b_key"))
    .values(anchored_seq=sa.bindparam("b_seq"))
)


def anchor_hash(prev_hash: str, seq: int, at: dt.datetime, heads: Iterable[Any]) -> str:
    """sha256(prev_hash ‖ canonical JSON of the anchor and its heads, sorted by chain)."""
    body = {
        "seq": seq,
        "at": from_db(at).isoformat(),
        "heads": sorted([h[0], h[1], h[2], h[3]] for h in heads),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def anchor(session: so.Session, now: dt.datetime, limit: int = MAX_HEADS) -> int:
    """Anchor the heads of the chains that moved since their last anchor; commit; return how
    many chains were anchored (0 when none moved)."""
    anchored = 0
    while True:
        seq, prev = lock_heads(session, [ANCHOR_CHAIN])[ANCHOR_CHAIN]
        moved = session.execute(_MOVED, {"limit": limit}).all()
        if not moved:
            session.rollback()
            return anchored
        at = to_db(now)
        seq += 1
        heads = [(key, chain_seq, event_seq, hash_) for key, chain_seq, hash_, event_seq in moved]
        digest = anchor_hash(prev, seq, at, heads)
        session.execute(
            sa.insert(AuditAnchor.__table__),
            {"seq": seq, "at": at, "chains": len(heads), "prev_hash": prev, "hash": digest},
        )
        session.execute(
            sa.insert(AuditAnchorHead.__table__),
            [
                {"anchor_seq": seq, "chain": k, "chain_seq": s, "event_seq": e, "hash": h}
                for k, s, e, h in heads
            ],
        )
        session.execute(_MARK, [{"b_key": k, "b_seq": s} for k, s, _, _ in heads])
        session.execute(
            sa.update(_CHAINS)
            .where(_CHAINS.c.key == ANCHOR_CHAIN)
            .values(seq=seq, hash=digest, anchored_seq=seq)
        )
        session.commit()
        anchored += len(heads)
        if len(heads) < limit:
            return anchored


def anchor_head(session: so.Session) -> tuple[int, str]:
    """The anchor chain's last (seq, hash): record it outside the database to pin the trail."""
    row = session.get(AuditChain, ANCHOR_CHAIN)
    return (row.seq, row.hash) if row is not None else (0, GENESIS)
