"""Random sequences of ledger calls through the API keep the ledger consistent and never fail.

A Hypothesis state machine books invoices (new, repeated, conflicting; any currency; with and
without an order), pays them (partly, fully, too much, the same reference again), reverses
payments (twice, too), runs credit checks that reserve, replace and release orders, cancels
orders and imports small CSV files — with amounts up to the largest accepted. After every call:
no server error, and every customer's stored exposure equals a full recomputation from the
ledger, and every invoice's open amount and status equal what its payments say.
CREDITFLOW_FUZZ_EXAMPLES raises the number of sequences (default 6 per database).
"""

from __future__ import annotations

import itertools
import os
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from ledger_setup import customer_row, post_csv

from credit.exposure import ledger_open_amounts, read_exposure, recompute_exposure
from credit.receivable_models import Invoice
from engine.money import MONEY_MAX
from web.extensions import db

EXAMPLES = int(os.environ.get("CREDITFLOW_FUZZ_EXAMPLES", "6"))
_numbers = itertools.count(1)
ORDERS = [f"SO-{n}" for n in range(4)]
REFERENCES = [f"PAY-{n}" for n in range(5)]
CURRENCIES = ["CNY", "CNY", "USD", "HKD"]

amounts = st.one_of(
    st.integers(1, 10**7).map(lambda cents: Decimal(cents) / 100),
    st.integers(1, 10**15).map(lambda cents: Decimal(cents) / 100),
    st.just(MONEY_MAX),
    st.just(Decimal("0.01")),
)


def test_random_ledger_calls_keep_every_exposure_and_open_amount_exact(app, api):
    class Ledger(RuleBasedStateMachine):
        @initialize()
        def customers(self):
            with app.app_context():
                self.cids = [customer_row(next(_numbers), limit="1000000", grade="B")]
                self.cids.append(customer_row(next(_numbers), limit="5000", grade="C"))
                db.session.commit()
                db.session.remove()
            self.prefix = f"H{next(_numbers)}-"
            self.invoices: list[dict] = []
            self.payments: list[int] = []

        def _ok(self, reply, *allowed):
            assert reply.status_code < 500, reply.get_data(as_text=True)
            assert reply.status_code in allowed, (reply.status_code, reply.get_json())
            return reply

        @rule(
            who=st.integers(0, 1),
            amount=amounts,
            currency=st.sampled_from(CURRENCIES),
            order=st.none() | st.sampled_from(ORDERS),
            again=st.booleans(),
            due=st.sampled_from(["2026-01-01", "2026-02-01", "2026-06-30"]),
        )
        def invoice(self, who, amount, currency, order, again, due):
            if again and self.invoices:
                body = dict(self.invoices[-1])
                if amount != Decimal(body["amount"]):
                    body["amount"] = str(amount)  # the same number, different fields: 409
            else:
                body = {
                    "customer_id": self.cids[who],
                    "number": f"{self.prefix}{len(self.invoices)}",
                    "amount": str(amount),
                    "currency": currency,
                    "issued_on": "2026-01-01",
                    "due_on": due,
                    "order_ref": order,
                }
            reply = self._ok(api.post("erp1", "/api/v1/invoices", json=body), 200, 201, 409, 422)
            if reply.status_code == 201:
                self.invoices.append(body)

        @rule(
            pick=st.integers(0, 10**6),
            share=st.sampled_from(["all", "half", "cent", "more"]),
            reference=st.none() | st.sampled_from(REFERENCES),
        )
        def pay(self, pick, share, reference):
            if not self.invoices:
                return
            booked = self.invoices[pick % len(self.invoices)]
            amount = Decimal(booked["amount"])
            amount = {
                "all": amount,
                "half": (amount / 2).quantize(Decimal("0.01")) or Decimal("0.01"),
                "cent": Decimal("0.01"),
                "more": amount + 1,
            }[share]
            body = {
                "customer_id": booked["customer_id"],
                "invoice_number": booked["number"],
                "amount": str(min(amount, MONEY_MAX)),
                "paid_on": "2026-01-20",
                "reference": reference and f"{self.prefix}{reference}",
            }
            reply = self._ok(api.post("erp1", "/api/v1/payments", json=body), 200, 201, 409, 422)
            if reply.status_code == 201:
                self.payments.append(reply.get_json()["id"])

        @rule(pick=st.integers(0, 10**6), reason=st.sampled_from(["bounced", "error"]))
        def reverse(self, pick, reason):
            if not self.payments:
                return
            payment = self.payments[pick % len(self.payments)]
            url = f"/api/v1/payments/{payment}/reverse"
            self._ok(api.post("erp1", url, json={"reason": reason}), 200, 409, 422)

        @rule(
            who=st.integers(0, 1),
            amount=amounts,
            order=st.none() | st.sampled_from(ORDERS),
            point=st.none() | st.sampled_from(["order", "delivery", "invoice"]),
            release=st.booleans(),
        )
        def check(self, who, amount, order, point, release):
            body = {"customer_id": self.cids[who], "amount": str(amount), "currency": "CNY"}
            if order:
                body["order_ref"] = order
                body["request_release"] = release
            if point:
                body["check_point"] = point
            self._ok(api.post("erp1", "/api/v1/credit-check", json=body), 200, 409, 422)

        @rule(order=st.sampled_from(ORDERS))
        def cancel(self, order):
            self._ok(api.delete("erp1", f"/api/v1/orders/{order}"), 204, 404, 409)

        @rule(who=st.integers(0, 1), amount=amounts, bad=st.booleans())
        def import_csv(self, who, amount, bad):
            number = f"{self.prefix}csv{len(self.invoices)}"
            lines = [
                "customer_id,number,amount,currency,issued_on,due_on,order_ref",
                f"{self.cids[who]},{number},{amount},CNY,2026-01-01,2026-02-01,",
                f"{self.cids[who]},{number},{amount},CNY,2026-01-01,2026-02-01,",
            ]
            if bad:
                lines.append(f"{self.cids[who]},{number}x,-5,CNY,2026-01-01,2026-02-01,")
            reply = post_csv(api, "\n".join(lines) + "\n")
            body = self._ok(reply, 200).get_json()
            if body["imported"]:
                self.invoices.append(
                    {"customer_id": self.cids[who], "number": number, "amount": str(amount)}
                )

        @invariant()
        def ledger_is_consistent(self):
            if not hasattr(self, "cids"):
                return
            with app.app_context():
                for cid in self.cids:
                    assert read_exposure(db.session, cid) == recompute_exposure(db.session, cid)
                    expected = ledger_open_amounts(db.session, cid)
                    for invoice in db.session.query(Invoice).filter_by(customer_id=cid):
                        assert invoice.open_amount == expected[invoice.id], invoice.number
                        assert (invoice.status == "open") == (invoice.open_amount > 0)
                db.session.remove()

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
