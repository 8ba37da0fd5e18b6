"""What one credit check costs the database: the statements of each path, as a budget that a
change must not grow by accident."""

from __future__ import annotations

from ledger_setup import customer_row
from support import statements

from web.extensions import db

CHECK = "/api/v1/credit-check"


def _customer(app):
    with app.app_context():
        cid = customer_row(1, limit="1000000", grade="C")
        db.session.commit()
        return cid


def _check(api, **body):
    r = api.post("erp1", CHECK, json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_check_without_an_order_ref_is_three_statements(app, api):
    cid = _customer(app)
    api.token("erp1")
    with statements(app) as seen:
        assert _check(api, customer_id=cid, amount="100")["decision"] == "approve"
    assert len(seen) == 3, seen
    assert "FROM app_user" in seen[0]
    assert "FROM customer LEFT OUTER JOIN customer_exposure" in seen[1]
    assert seen[2].startswith("INSERT INTO credit_check")


def test_a_reserving_check_reads_the_order_after_locking_the_exposure(app, api):
    cid = _customer(app)
    _check(api, customer_id=cid, amount="100", order_ref="SO-1")  # creates the exposure row
    with statements(app) as seen:
        assert _check(api, customer_id=cid, amount="200", order_ref="SO-2")["decision"] == "approve"
    lock = next(i for i, s in enumerate(seen) if s.startswith("UPDATE customer_exposure"))
    reads = [i for i, s in enumerate(seen) if "order_reservation" in s and s.startswith("SELECT")]
    assert reads and min(reads) > lock, seen
    # user, customer, lock, order facts, reservation (get, insert, exposure), log row
    assert len(seen) == 8, seen


def test_a_blocked_reserving_check_tries_the_release_once_under_the_lock(app, api):
    cid = _customer(app)
    _check(api, customer_id=cid, amount="100", order_ref="SO-1")
    with statements(app) as seen:
        body = _check(api, customer_id=cid, amount="5000000", order_ref="SO-3")
    assert body["decision"] == "block" and body["reasons"] == ["LIMIT_EXCEEDED"]
    # user, customer, lock, order facts, release once, log row
    assert len(seen) == 6, seen
    assert seen[4].startswith("UPDATE credit_release")
