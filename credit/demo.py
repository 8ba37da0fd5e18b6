"""Demo customers with statements, credit reports, securities and a few invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.adjustments import issue_credit_note
from credit.customers import add_credit_report, add_security, add_statement, create_customer
from credit.invoices import book_invoice
from credit.ledger import invoice_by_number
from credit.models import Customer, ReversalReason
from credit.payments import record_payment, reverse_payment
from credit.ratios import STATEMENT_FIGURES
from credit.terms import add_months
from credit.uscc import make_uscc
from engine.runtime import Runtime

ACTOR = "system"


def _statement(*millions: str) -> dict[str, Decimal]:
    return {
        name: Decimal(m) * 1_000_000 for name, m in zip(STATEMENT_FIGURES, millions, strict=True)
    }


def _contact(name: str, user: str, phone: str) -> dict[str, str]:
    return {"name": name, "email": f"{user}@example.com", "phone": phone}


# Each invoice: (amount, issued days ago, terms days, paid days after due or None when open,
# optionally one more entry: ("partial", amount, days ago), ("credit_note", amount, days ago) or
# ("bounced", days ago) for a reversal of the full payment).
CUSTOMERS: list[dict[str, Any]] = [
    {  # The credit policy's worked example: grade B, suggested limit 2,490,000.
        "profile": {
            "name": "华东精密机械有限公司",
            "uscc": make_uscc("91310115MA1H7D01"),
            "industry": "通用设备制造",
            "industry_risk": "medium",
            "registered_capital": Decimal("20000000"),
            "founded_months_ago": 99,
            "legal_representative": "陈建华",
            "address": "上海市浦东新区川沙路 1188 号",
            "contacts": [_contact("王敏", "wang.min", "021-5888 1234")],
        },
        "statement": _statement(
            "12", "7", "3", "30", "16", "14", "45", "2.7", "4.2", "0.9", "6", "3.5"
        ),
        "report": ("中国人民银行征信中心", 75),
        "securities": [("collateral", "1000000"), ("insurance", "500000")],
        "invoices": [
            ("600000", 120, 45, 0),
            ("450000", 80, 45, 12),
            ("380000", 10, 45, None),
            ("520000", 75, 45, None, ("partial", "200000", 10)),  # 30 days past due, part paid
        ],
    },
    {  # Strong balance sheet, long history, pays on time: grade A.
        "profile": {
            "name": "深圳恒信电子科技股份有限公司",
            "uscc": make_uscc("91440300MA5F2K01"),
            "industry": "电子元器件",
            "industry_risk": "low",
            "registered_capital": Decimal("50000000"),
            "founded_months_ago": 182,
            "legal_representative": "刘志强",
            "address": "深圳市南山区科技园南区 8 栋",
            "contacts": [_contact("李娜", "li.na", "0755-8666 2345")],
        },
        "statement": _statement(
            "20", "8", "4", "50", "15", "35", "80", "9.6", "13", "0.5", "20", "10"
        ),
        "report": ("中国人民银行征信中心", 92),
        "securities": [("guarantee", "2000000")],
        "invoices": [
            ("900000", 100, 60, 0),
            ("750000", 70, 60, 0),
            ("820000", 15, 60, None, ("credit_note", "20000", 5)),  # price difference
        ],
    },
    {  # Thin margins and 72% debt-to-asset, paid 20 days late: grade D territory.
        "profile": {
            "name": "浙江宏远纺织贸易有限公司",
            "uscc": make_uscc("91330106MA2B3C01"),
            "industry": "纺织品批发",
            "industry_risk": "high",
            "registered_capital": Decimal("5000000"),
            "founded_months_ago": 50,
            "legal_representative": "周立新",
            "address": "杭州市西湖区文三路 259 号",
            "contacts": [_contact("赵磊", "zhao.lei", "0571-8777 3456")],
        },
        "statement": _statement(
            "6.6", "6", "3", "20", "14.4", "5.6", "20", "0.4", "1.2", "0.8", "0.6", "0.3"
        ),
        "report": ("中国人民银行征信中心", 55),
        "securities": [("guarantee", "500000")],
        "invoices": [
            ("300000", 110, 30, 20),
            ("260000", 20, 30, None),
            ("180000", 130, 30, None),  # 100 days past due
            ("90000", 80, 30, 0, ("bounced", 45)),  # the cheque bounced (退票): 50 days past due
        ],
    },
    {  # A new customer: profile only.
        "profile": {
            "name": "北京云启数据服务有限公司",
            "uscc": make_uscc("91110108MA01N2P1"),
            "industry": "信息技术服务",
            "industry_risk": "medium",
            "registered_capital": Decimal("10000000"),
            "founded_months_ago": 30,
            "legal_representative": "孙悦",
            "address": "北京市海淀区中关村大街 27 号",
            "contacts": [_contact("钱晨", "qian.chen", "010-6288 4567")],
        },
    },
]


def seed_customers(session: so.Session, rt: Runtime, rates: Mapping[str, str]) -> int:
    """Add the demo customers whose USCC is not registered yet; return how many were added."""
    now, today = rt.clock.now(), rt.clock.today()
    added = 0
    for spec in CUSTOMERS:
        profile = dict(spec["profile"])
        if session.scalar(sa.select(Customer.id).where(Customer.uscc == profile["uscc"])):
            continue
        profile["founded_on"] = add_months(today, -profile.pop("founded_months_ago"))
        customer = create_customer(session, now, ACTOR, profile)
        if "statement" in spec:
            period_end = dt.date(today.year - 1, 12, 31)
            add_statement(
                session, now, ACTOR, customer.id, {"period_end": period_end, **spec["statement"]}
            )
        if "report" in spec:
            bureau, score = spec["report"]
            add_credit_report(
                session,
                now,
                ACTOR,
                customer.id,
                {"bureau": bureau, "score": score, "report_date": today - dt.timedelta(days=30)},
            )
        for kind, amount in spec.get("securities", []):
            add_security(
                session,
                now,
                ACTOR,
                customer.id,
                {"kind": kind, "amount": Decimal(amount), "expires_on": add_months(today, 12)},
            )
        for number, invoice in enumerate(spec.get("invoices", []), start=1):
            _add_invoice(session, now, today, rates, customer, number, *invoice)
        added += 1
    return added


def _add_invoice(
    session: so.Session,
    now: dt.datetime,
    today: dt.date,
    rates: Mapping[str, str],
    customer: Customer,
    number: int,
    amount: str,
    issued_ago: int,
    terms: int,
    paid_late: int | None,
    extra: tuple[Any, ...] | None = None,
) -> None:
    issued_on = today - dt.timedelta(days=issued_ago)
    due_on = issued_on + dt.timedelta(days=terms)
    invoice_number = f"DEMO-{customer.uscc[-6:]}-{number:03d}"
    values = {
        "customer_id": customer.id,
        "number": invoice_number,
        "amount": Decimal(amount),
        "currency": customer.currency,
        "issued_on": issued_on,
        "due_on": due_on,
    }
    book_invoice(session, now, ACTOR, values, rates)
    if paid_late is not None:
        payment = {
            "customer_id": customer.id,
            "invoice_number": invoice_number,
            "amount": Decimal(amount),
            "paid_on": due_on + dt.timedelta(days=paid_late),
            "reference": f"{invoice_number}-P1",
        }
        paid = record_payment(session, now, ACTOR, payment).payment
        if extra and extra[0] == "bounced":
            day = today - dt.timedelta(days=extra[1])
            reverse_payment(session, now, day, ACTOR, paid.id, ReversalReason.BOUNCED.value)
    if extra and extra[0] == "partial":
        part = {
            "customer_id": customer.id,
            "invoice_number": invoice_number,
            "amount": Decimal(extra[1]),
            "paid_on": today - dt.timedelta(days=extra[2]),
            "reference": f"{invoice_number}-P2",
        }
        record_payment(session, now, ACTOR, part)
    if extra and extra[0] == "credit_note":
        day = today - dt.timedelta(days=extra[2])
        invoice = invoice_by_number(session, customer.id, invoice_number)
        issue_credit_note(session, now, ACTOR, invoice.id, Decimal(extra[1]), day, "价格调整")
