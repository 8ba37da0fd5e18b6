"""Two WSGI apps that bound what the credit check can reach here (`creditflow bench floors`).

`bare`: Flask answering POST /api/v1/credit-check with a constant JSON body, no database: the
cost of gunicorn, Flask and the load generator alone.

`core`: the same statements a credit check runs (the bearer's user and groups, the check's read
or the exposure lock and the order's facts, the reservation upsert and the exposure shift, the
check's log row, one transaction) through SQLAlchemy Core on the database of FLOOR_DATABASE_URL,
with nothing of creditflow's request handling around them: no ORM session, authentication,
validation, policy tables or serialization. No creditflow code path can be cheaper than this.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from flask import Flask, request

bare = Flask("bare")


@bare.post("/api/v1/credit-check")
def _constant() -> dict:
    request.get_json()
    return {"decision": "approve", "reasons": [], "available": "1000.00"}


def _core_app() -> Flask:
    import sqlalchemy as sa

    from credit import check_facts as facts
    from credit.credit_check import _LOG
    from credit.exposure import _LOCK, _SHIFT
    from credit.reservations import _HELD, _hold
    from engine.models import User, user_group

    engine = sa.create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=8)
    who = (
        sa.select(User.username, User.active, User.token_version, user_group.c.group_name)
        .outerjoin(user_group, user_group.c.user_id == User.id)
        .where(User.username == "erp1")
    )
    hold = _hold(engine.dialect.name)
    today = dt.date(2026, 6, 1)
    app = Flask("core")

    @app.post("/api/v1/credit-check")
    def _check() -> dict:
        body = request.get_json()
        cid, ref = body["customer_id"], body.get("order_ref")
        amount = Decimal(body["amount"])
        now = dt.datetime(2026, 6, 1, 9)
        with engine.begin() as conn:
            conn.execute(who).all()
            if ref is None:
                conn.execute(
                    facts._statement("all", "credit_application"),
                    {"cid": cid, "order_ref": None, "today": today},
                ).first()
            else:
                conn.execute(facts._statement("terms", "credit_application"), {"cid": cid}).first()
                conn.execute(_LOCK, {"cid": cid}).first()
                conn.execute(
                    facts._statement("after_lock", ""),
                    {"cid": cid, "order_ref": ref, "today": today},
                ).one()
                conn.execute(_HELD, {"order_ref": ref}).first()
                conn.execute(
                    hold,
                    {"order_ref": ref, "customer_id": cid, "amount": amount, "currency": "CNY",
                     "fx_rate": Decimal(1), "amount_cny": amount, "check_point": "order",
                     "status": "open", "reserved_by": "erp1", "reserved_at": now,
                     "closed_at": None},
                )  # fmt: skip
                conn.execute(_SHIFT, {"cid": cid, "d_recv": Decimal(0), "d_resv": amount})
            check_id = conn.execute(
                _LOG,
                {"at": now, "actor": "erp1", "customer_id": cid, "order_ref": ref,
                 "check_point": "order", "amount": amount, "currency": "CNY",
                 "amount_cny": amount, "decision": "approve", "reasons": [],
                 "credit_limit": Decimal(50_000_000), "tolerance": Decimal(0),
                 "exposure_before": Decimal(0), "exposure_after": amount, "release_id": None},
            ).scalar_one()  # fmt: skip
        return {"decision": "approve", "reasons": [], "check_id": check_id}

    return app


core = _core_app() if os.environ.get("FLOOR_DATABASE_URL") else None
