"""The demand letter (催款函) of a collection escalation, from a Chinese or English template.

``letter_document`` fills the template with the customer, the overdue invoices and the days to
pay (``collection_terms``: demand_payment); credit.pdf renders it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from credit.pdf import Document, Facts, Gap, Heading, Paragraph, Table

TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "title": "催款函",
        "number": "函号：{number}",
        "to": "致：{customer}",
        "address": "地址：{address}",
        "attention": "联系人：{contacts}",
        "opening": "截至 {today}，贵司尚有下列应收账款逾期未付，逾期金额合计人民币 {total} 元，"
        "最长逾期 {days} 天。我司此前已多次提醒并电话催收，但至今仍未收到款项。",
        "heading": "逾期发票明细",
        "columns": "发票号|开票日期|到期日|逾期天数|未付金额|币种",
        "total": "逾期金额合计（人民币）",
        "demand": "请贵司于 {deadline} 前（收到本函后 {pay_days} 日内）付清上述全部逾期款项。"
        "在款项结清前，我司已暂停对贵司的赊销。",
        "consequence": "如逾期仍未付款，我司将依法通过诉讼或仲裁追讨欠款及逾期利息，由此产生的"
        "一切费用由贵司承担。",
        "contact": "如贵司已付款或对上述账款有异议，请于收到本函后尽快与我司信用管理部联系。",
        "signature": "{company}\n信用管理部\n{today}",
        "footer": "{company} · 催款函 {number}",
    },
    "en": {
        "title": "Demand for payment",
        "number": "Reference: {number}",
        "to": "To: {customer}",
        "address": "Address: {address}",
        "attention": "Attention: {contacts}",
        "opening": "As of {today} the invoices below are past due and unpaid, CNY {total} in "
        "total and up to {days} days late. We have reminded you and called you before, but "
        "we have not received payment.",
        "heading": "Overdue invoices",
        "columns": "Invoice|Issued|Due|Days late|Open amount|Currency",
        "total": "Total overdue (CNY)",
        "demand": "Please pay all of the overdue amounts by {deadline} (within {pay_days} days "
        "of this letter). Deliveries on credit to you are suspended until they are paid.",
        "consequence": "If the amounts remain unpaid, we will recover them with late interest "
        "through the courts or arbitration, at your cost.",
        "contact": "If you have already paid, or if you dispute any of these invoices, please "
        "contact our credit department as soon as you receive this letter.",
        "signature": "{company}\nCredit department\n{today}",
        "footer": "{company} · demand letter {number}",
    },
}


@dataclass(frozen=True)
class OverdueLine:
    """One overdue invoice as the letter lists it."""

    number: str
    issued_on: dt.date
    due_on: dt.date
    open_amount: Decimal
    currency: str


@dataclass(frozen=True)
class LetterFacts:
    """Everything a demand letter says."""

    number: str
    company: str
    customer: str
    address: str
    contacts: Sequence[str]
    today: dt.date
    pay_days: int
    total_cny: Decimal
    lines: Sequence[OverdueLine]


def letter_document(facts: LetterFacts, language: str) -> Document:
    """Fill the letter template in ``language`` (zh or en)."""
    lang = "en" if language == "en" else "zh"
    text = TEMPLATES[lang]
    deadline = facts.today + dt.timedelta(days=facts.pay_days)
    values = {
        "number": facts.number,
        "company": facts.company,
        "customer": facts.customer,
        "address": facts.address or "—",
        "contacts": "、".join(facts.contacts) if lang == "zh" else ", ".join(facts.contacts),
        "today": _day(facts.today, lang),
        "deadline": _day(deadline, lang),
        "pay_days": facts.pay_days,
        "total": _money(facts.total_cny),
        "days": max(((facts.today - line.due_on).days for line in facts.lines), default=0),
    }

    def fill(key: str) -> str:
        return text[key].format(**values)

    rows = [
        [
            line.number,
            line.issued_on.isoformat(),
            line.due_on.isoformat(),
            str((facts.today - line.due_on).days),
            _money(line.open_amount),
            line.currency,
        ]
        for line in facts.lines
    ]
    head = [fill("to"), fill("address")] + ([fill("attention")] if facts.contacts else [])
    return Document(
        title=text["title"],
        language=lang,
        author=facts.company,
        subject=f"{text['title']} {facts.number}",
        footer=fill("footer"),
        blocks=[
            Paragraph(fill("number"), align="right"),
            Paragraph("\n".join(head)),
            Gap(2),
            Paragraph(fill("opening")),
            Heading(text["heading"]),
            Table(
                text["columns"].split("|"),
                rows,
                numeric=(3, 4),
                widths=(0.24, 0.15, 0.15, 0.12, 0.22, 0.12),
            ),
            Facts([(text["total"], _money(facts.total_cny))]),
            Gap(3),
            Paragraph(fill("demand")),
            Paragraph(fill("consequence")),
            Paragraph(fill("contact")),
            Gap(8),
            Paragraph(fill("signature"), align="right"),
        ],
    )


MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _day(day: dt.date, lang: str) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
