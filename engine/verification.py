"""Recompute the audit chains and the anchor chain; point at the first broken link.

Events are read chain by chain in pages (bounded memory at any size); the heads and the anchored
points of the chains on a page are read with it. A link is broken when an event's hash or its
link to the previous event of its chain does not verify, when a chain has a gap (the event after
the gap is named), when a chain is shorter than its head or an anchor says (the last event that
remains, or the anchored event, is named), or when an anchor does not verify.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.anchors import ANCHOR_CHAIN, anchor_hash
from engine.audit import GENESIS, link_hash
from engine.models import AuditAnchor, AuditAnchorHead, AuditChain, AuditEvent


@dataclass(frozen=True)
class Verification:
    """Result of recomputing the chains: the first broken link by event seq, and its chain."""

    ok: bool
    events: int
    first_bad_seq: int | None
    first_bad_chain: str | None = None
    first_bad_anchor: int | None = None
    chains: int = 0
    anchors: int = 0
    anchor_hash: str = GENESIS


@dataclass
class _Break:
    seq: int | None = None
    chain: str | None = None

    def note(self, seq: int | None, chain: str) -> None:
        """Keep the earliest broken link (by event seq; a chain without events last)."""
        if self.chain is None or (seq is not None and (self.seq is None or seq < self.seq)):
            self.seq, self.chain = seq, chain


def verify(session: so.Session, batch: int = 2000) -> Verification:
    """Recompute every chain, check heads and anchors; point at the first broken link."""
    anchors, bad_anchor, last_anchor = _verify_anchors(session, batch)
    broken = _Break()
    events = chains = 0
    for chain, rows, head, anchored in _chains(session, batch):
        chains += 1
        events += len(rows)
        _verify_chain(chain, rows, head, anchored, broken)
    for key, anchored_seq in session.execute(_CHAINS_WITHOUT_EVENTS):
        chains += 1
        broken.note(anchored_seq, key)
    ok = broken.chain is None and bad_anchor is None
    return Verification(
        ok, events, broken.seq, broken.chain, bad_anchor, chains, anchors, last_anchor
    )


_NO_EVENTS = ~sa.exists().where(AuditEvent.chain == sa.literal_column("key"))
# Chains that a head or an anchor knows but no event is left of (the first anchored event named).
_CHAINS_WITHOUT_EVENTS = (
    sa.select(sa.literal_column("key"), sa.func.min(sa.literal_column("event_seq")))
    .select_from(
        sa.union_all(
            sa.select(AuditChain.key.label("key"), sa.null().label("event_seq")).where(
                AuditChain.seq > 0, AuditChain.key != ANCHOR_CHAIN
            ),
            sa.select(AuditAnchorHead.chain.label("key"), AuditAnchorHead.event_seq),
        ).subquery()
    )
    .where(_NO_EVENTS)
    .group_by(sa.literal_column("key"))
)


def _verify_chain(chain, rows, head, anchored, broken: _Break) -> None:
    """Check one chain's links, its head and its anchored points."""
    prev, expected = GENESIS, 1
    for event in rows:
        if event.chain_seq != expected or event.prev_hash != prev:
            broken.note(event.seq, chain)
            return
        if link_hash(prev, event) != event.hash:
            broken.note(event.seq, chain)
            return
        point = anchored.get(event.chain_seq)
        if point is not None and point[1] != event.hash:
            broken.note(event.seq, chain)
            return
        prev, expected = event.hash, expected + 1
    last = rows[-1]
    beyond = [point for chain_seq, point in anchored.items() if chain_seq > last.chain_seq]
    if beyond:
        broken.note(min(point[0] for point in beyond), chain)
    elif head is None or head != (last.chain_seq, last.hash):
        broken.note(last.seq, chain)


_EVENTS = AuditEvent.__table__


def _chains(session: so.Session, batch: int):
    """Yield (chain, events, head, anchored points) chain by chain, reading pages of events.

    Rows, not mapped objects: the caller's session (a request's) keeps no copy of the trail.
    """
    after: tuple[str, int] | None = None
    current: list[sa.Row] = []
    heads: dict[str, tuple[int, str]] = {}
    points: dict[str, dict[int, tuple[int, str]]] = {}
    while True:
        query = sa.select(_EVENTS).order_by(_EVENTS.c.chain, _EVENTS.c.chain_seq)
        if after is not None:
            query = query.where(sa.tuple_(_EVENTS.c.chain, _EVENTS.c.chain_seq) > sa.tuple_(*after))
        page = session.execute(query.limit(batch)).all()
        if not page:
            break
        after = (page[-1].chain, page[-1].chain_seq)
        keys = {event.chain for event in page} | ({current[0].chain} if current else set())
        heads, points = _heads(session, keys), _anchored(session, keys)
        for event in page:
            if current and event.chain != current[0].chain:
                key = current[0].chain
                yield key, current, heads.get(key), points.get(key, {})
                current = []
            current.append(event)
    if current:
        key = current[0].chain
        yield key, current, heads.get(key), points.get(key, {})


def _heads(session: so.Session, keys: set[str]) -> dict[str, tuple[int, str]]:
    rows = session.execute(
        sa.select(AuditChain.key, AuditChain.seq, AuditChain.hash).where(AuditChain.key.in_(keys))
    )
    return {key: (seq, hash_) for key, seq, hash_ in rows}


def _anchored(session: so.Session, keys: set[str]) -> dict[str, dict[int, tuple[int, str]]]:
    points: dict[str, dict[int, tuple[int, str]]] = defaultdict(dict)
    rows = session.execute(
        sa.select(
            AuditAnchorHead.chain,
            AuditAnchorHead.chain_seq,
            AuditAnchorHead.event_seq,
            AuditAnchorHead.hash,
        ).where(AuditAnchorHead.chain.in_(keys))
    )
    for key, chain_seq, event_seq, hash_ in rows:
        points[key][chain_seq] = (event_seq, hash_)
    return points


def _verify_anchors(session: so.Session, batch: int) -> tuple[int, int | None, str]:
    """Recompute the anchor chain: (anchors, first bad anchor seq or None, last anchor hash)."""
    prev, expected, count, last = GENESIS, 1, 0, 0
    while True:
        anchors = AuditAnchor.__table__
        page = session.execute(
            sa.select(anchors).where(anchors.c.seq > last).order_by(anchors.c.seq)
            .limit(max(1, batch // 100))
        ).all()  # fmt: skip
        if not page:
            break
        heads = defaultdict(list)
        for row in session.execute(
            sa.select(
                AuditAnchorHead.anchor_seq,
                AuditAnchorHead.chain,
                AuditAnchorHead.chain_seq,
                AuditAnchorHead.event_seq,
                AuditAnchorHead.hash,
            ).where(AuditAnchorHead.anchor_seq.in_([a.seq for a in page]))
        ):
            heads[row[0]].append(row[1:])
        for anchor in page:
            count += 1
            digest = anchor_hash(prev, anchor.seq, anchor.at, heads[anchor.seq])
            if (
                anchor.seq != expected
                or anchor.prev_hash != prev
                or anchor.hash != digest
                or anchor.chains != len(heads[anchor.seq])
            ):
                return count, expected if anchor.seq != expected else anchor.seq, prev
            prev, expected, last = anchor.hash, anchor.seq + 1, anchor.seq
    head = _heads(session, {ANCHOR_CHAIN}).get(ANCHOR_CHAIN)
    if head is not None and head != (last, prev):
        return count, last + 1, prev
    return count, None, prev
