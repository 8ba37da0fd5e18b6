"""Credit holds: each carries its source; who may lift it depends on the source; the customer's
on_hold flag follows the holds that are not lifted."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_setup import customer_row

from credit import holds
from credit.models import Customer, HoldSource
from engine.errors import Conflict, Forbidden, Invalid
from web.extensions import db

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def cid(app):
    with app.app_context():
        yield customer_row()


def on_hold(cid):
    return db.session.get(Customer, cid).on_hold


def test_a_hold_puts_the_customer_on_hold_until_lifted(cid):
    hold = holds.place_hold(db.session, NOW, "system", cid, "collection", "D+30", ref="pi:7")
    assert on_hold(cid) is True
    assert (hold.source, hold.ref, hold.placed_by) == ("collection", "pi:7", "system")
    again = holds.place_hold(db.session, NOW, "system", cid, "collection", "D+30", ref="pi:7")
    assert again.id == hold.id
    holds.lift_hold(db.session, NOW, "system", hold.id, "collection", "paid", ref="pi:7")
    assert on_hold(cid) is False
    assert holds.active_holds(db.session, cid) == []
    with pytest.raises(Conflict):
        holds.lift_hold(db.session, NOW, "system", hold.id, "collection", "paid", ref="pi:7")


@pytest.mark.parametrize(
    ("source", "by", "ref", "allowed"),
    [
        ("collection", "collection", "pi:7", True),
        ("collection", "collection", "pi:8", False),
        ("collection", "review", None, False),
        ("collection", "credit_manager", None, True),
        ("early_warning", "collection", "pi:7", False),
        ("early_warning", "review", None, True),
        ("early_warning", "credit_manager", None, True),
        ("review", "review", None, True),
        ("review", "collection", "pi:7", False),
        ("manual", "review", None, False),
        ("manual", "credit_manager", None, True),
    ],
)
def test_who_may_lift_a_hold_depends_on_its_source(cid, source, by, ref, allowed):
    placer = "manager1" if source == "manual" else "system"
    hold = holds.place_hold(db.session, NOW, placer, cid, source, "why", ref="pi:7")
    actor = "manager1" if by == "credit_manager" else "system"
    if allowed:
        holds.lift_hold(db.session, NOW, actor, hold.id, by, "because", ref=ref)
        assert on_hold(cid) is False
    else:
        with pytest.raises(Forbidden):
            holds.lift_hold(db.session, NOW, actor, hold.id, by, "because", ref=ref)
        assert on_hold(cid) is True


def test_lifting_as_credit_manager_needs_the_group_in_the_database(cid):
    hold = holds.place_hold(db.session, NOW, "system", cid, "early_warning", "red")
    with pytest.raises(Forbidden):
        holds.lift_hold(db.session, NOW, "collector1", hold.id, "credit_manager", "x")
    with pytest.raises(Forbidden):
        holds.place_hold(db.session, NOW, "sales1", cid, "manual", "x")


def test_the_customer_stays_on_hold_while_another_source_holds(cid):
    mine = holds.place_hold(db.session, NOW, "system", cid, HoldSource.COLLECTION, "D+30", "pi:7")
    holds.place_hold(db.session, NOW, "system", cid, HoldSource.EARLY_WARNING, "red")
    lifted = holds.lift_holds(db.session, NOW, "system", cid, "collection", "paid", ref="pi:7")
    assert [h.id for h in lifted] == [mine.id]
    assert on_hold(cid) is True
    holds.lift_holds(db.session, NOW, "manager1", cid, "credit_manager", "reviewed by phone")
    assert on_hold(cid) is False


def test_a_hold_needs_a_known_source_and_a_reason(cid):
    with pytest.raises(Invalid):
        holds.place_hold(db.session, NOW, "system", cid, "gossip", "x")
    with pytest.raises(Invalid):
        holds.place_hold(db.session, NOW, "system", cid, "review", "  ")
