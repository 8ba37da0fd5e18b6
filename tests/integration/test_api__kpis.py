"""GET /kpis on a worked example written out here (credit-policy.md "KPIs").

Period 2026-03-01 .. 2026-03-31 (31 days). Customers A (limit 1,000,000), B (500,000) and C
(no limit).

| invoice | cust | amount  | issued     | due        | entries                                    |
|---------|------|---------|------------|------------|--------------------------------------------|
| INV-1   | A    | 100,000 | 2026-01-10 | 2026-02-09 | paid 40,000 on 02-20 and 60,000 on 03-10   |
| INV-2   | B    |  50,000 | 2026-02-01 | 2026-03-03 | -                                          |
| INV-3   | B    |  30,000 | 2025-11-01 | 2025-12-01 | written off 10,000 on 03-20                |
| INV-4   | A    | 200,000 | 2026-03-05 | 2026-04-04 | paid 50,000 on 03-15, bounced on 03-25     |
| INV-5   | A    |  80,000 | 2026-03-01 | 2026-03-16 | credit note 5,000 03-18; paid 25,000 03-20 |
| INV-6   | C    |  40,000 | 2025-12-15 | 2025-12-31 | -                                          |

opening receivables (end of 02-28) = 60,000 + 50,000 + 30,000 + 40,000 = 180,000
credit sales = INV-4 + INV-5 = 280,000
cash collected = 60,000 + 50,000 + 25,000 - 50,000 reversed = 85,000
written off = 10,000; credit notes 5,000
closing = 180,000 + 280,000 - 85,000 - 10,000 - 5,000 = 360,000
aging on 03-31: current INV-4 200,000 · 1-30 INV-2 (28 days) 50,000 + INV-5 (15) 50,000
                · 31-60 0 · 61-90 INV-6 (90) 40,000 · over 90 INV-3 (120) 20,000
collection rate = 85,000 / 460,000 = 0.1848 · DSO = 360,000 / 280,000 x 31 = 39.9
CEI = (460,000 - 360,000) / (460,000 - 200,000) x 100 = 38.5
overdue ratio = 160,000 / 360,000 = 0.4444 · bad-debt ratio = 10,000 / 280,000 = 0.0357
default rate = 1 (B: INV-3 over 90 days) / 2 active (A, B) = 0.5
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger_setup import NOW, book, customer_row, pay

from credit import adjustments, payments
from web.extensions import db

D = dt.date


def seed(app):
    with app.app_context():
        a = customer_row(1, limit="1000000", grade="B")
        b = customer_row(2, limit="500000", grade="C")
        c = customer_row(3)
        book(a, "INV-1", "100000", D(2026, 1, 10), D(2026, 2, 9))
        pay(a, "INV-1", "40000", D(2026, 2, 20))
        pay(a, "INV-1", "60000", D(2026, 3, 10))
        book(b, "INV-2", "50000", D(2026, 2, 1), D(2026, 3, 3))
        inv3 = book(b, "INV-3", "30000", D(2025, 11, 1), D(2025, 12, 1))
        adjustments.write_off(
            db.session, NOW, "gm1", inv3.id, D(2026, 3, 20), "insolvent", Decimal("10000")
        )
        book(a, "INV-4", "200000", D(2026, 3, 5), D(2026, 4, 4))
        bounced = pay(a, "INV-4", "50000", D(2026, 3, 15)).payment
        payments.reverse_payment(db.session, NOW, D(2026, 3, 25), "erp1", bounced.id, "bounced")
        inv5 = book(a, "INV-5", "80000", D(2026, 3, 1), D(2026, 3, 16))
        adjustments.issue_credit_note(
            db.session, NOW, "c", inv5.id, Decimal("5000"), D(2026, 3, 18), "short delivery"
        )
        pay(a, "INV-5", "25000", D(2026, 3, 20))
        book(c, "INV-6", "40000", D(2025, 12, 15), D(2025, 12, 31))
        db.session.commit()


def test_kpis_of_the_worked_example(api, app):
    seed(app)
    r = api.get("manager1", "/api/v1/kpis?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert {k: body[k] for k in ("collection_rate", "dso", "cei")} == {
        "collection_rate": 0.1848,
        "dso": 39.9,
        "cei": 38.5,
    }
    assert (body["overdue_ratio"], body["bad_debt_ratio"], body["default_rate"]) == (
        0.4444,
        0.0357,
        0.5,
    )
    assert body["aging"] == {
        "current": "200000.00",
        "1_30": "100000.00",
        "31_60": "0.00",
        "61_90": "40000.00",
        "over_90": "20000.00",
    }
    assert body["figures"]["opening_receivables"] == "180000.00"
    assert body["figures"]["cash_collected"] == "85000.00"


def test_an_empty_period_has_null_ratios(api, app):
    seed(app)
    body = api.get("auditor1", "/api/v1/kpis?from=2024-01-01&to=2024-01-31").get_json()
    assert (body["collection_rate"], body["dso"], body["cei"]) == (None, None, None)
    assert body["aging"]["current"] == "0.00"


def test_who_may_read_kpis_and_bad_periods(api, app):
    url = "/api/v1/kpis?from=2026-03-01&to=2026-03-31"
    for user in ("manager1", "director1", "gm1", "auditor1", "admin"):
        assert api.get(user, url).status_code == 200
    for user in ("sales1", "collector1", "erp1", "analyst1"):
        assert api.get(user, url).status_code == 403
    assert api.get("manager1", "/api/v1/kpis?from=2026-03-31&to=2026-03-01").status_code == 422
    assert api.get("manager1", "/api/v1/kpis?from=2026-03-01").status_code == 422
    assert api.get("manager1", "/api/v1/kpis?from=x&to=2026-03-01").status_code == 422
