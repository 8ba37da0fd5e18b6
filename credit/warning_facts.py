"""Read the early-warning facts of customers from the database, for one or all at once.

Each fact is one set-based query over every customer asked for (the daily sweep reads 10,000
customers with five queries, an event reads one customer with the same five).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.exposure import cny, fx_rate
from credit.models import ApplicationStatus, CreditApplication, CreditReport, Customer
from credit.monitoring_models import CreditReview, ReviewStatus
from credit.receivable_models import (
    CustomerExposure,
    Invoice,
    InvoiceStatus,
    Payment,
    ReversalReason,
)
from credit.warning_rules import WarningFacts
from engine.clock import from_db

_DECIDED = (ApplicationStatus.APPROVED.value, ApplicationStatus.REJECTED.value)


def load_facts(
    session: so.Session,
    customer_ids: Collection[int] | None,
    today: dt.date,
    window_days: int,
    rates: Mapping[str, str],
    zone: dt.tzinfo = dt.UTC,
) -> dict[int, WarningFacts]:
    """Facts of the given customers (None: every customer) that have a credit limit.

    :param zone: the installation's time zone (assessment moments become local dates).
    """
    ids = None if customer_ids is None else sorted(set(customer_ids))
    if ids == []:
        return {}
    base = _customers(session, ids, rates)
    if not base:
        return {}
    wanted = None if ids is None else list(base)
    oldest = _oldest_open(session, wanted)
    bounced = _bounced(session, wanted, today - dt.timedelta(days=window_days))
    reports = _latest_two_reports(session, wanted)
    grades = _latest_two_assessments(session, wanted, zone)
    facts = {}
    for cid, values in base.items():
        due_on, number = oldest.get(cid, (None, None))
        latest, previous = (reports.get(cid) or []) + [None] * (2 - len(reports.get(cid) or []))
        last, before = (grades.get(cid) or []) + [None] * (2 - len(grades.get(cid) or []))
        facts[cid] = WarningFacts(
            customer_id=cid,
            limit_cny=values["limit_cny"],
            exposure_cny=values["exposure_cny"],
            oldest_open_due_on=due_on,
            oldest_open_invoice=number,
            bounced_on=tuple(bounced.get(cid, ())),
            latest_score=latest["score"] if latest else None,
            previous_score=previous["score"] if previous else None,
            latest_report_on=latest["report_date"] if latest else None,
            latest_bureau=latest["bureau"] if latest else None,
            enforcement_flag=bool(latest["enforcement_flag"]) if latest else False,
            last_grade=last[0] if last else None,
            previous_grade=before[0] if before else None,
            last_assessed_on=last[1] if last else None,
            active_grade=values["grade"],
        )
    return facts


def _where_ids(column: Any, ids: list[int] | None) -> Any:
    return sa.true() if ids is None else column.in_(ids)


def _customers(
    session: so.Session, ids: list[int] | None, rates: Mapping[str, str]
) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        sa.select(
            Customer.id,
            Customer.credit_limit,
            Customer.currency,
            Customer.grade,
            CustomerExposure.receivables,
            CustomerExposure.reservations,
        )
        .outerjoin(CustomerExposure, CustomerExposure.customer_id == Customer.id)
        .where(Customer.credit_limit.is_not(None), _where_ids(Customer.id, ids))
    )
    out = {}
    for cid, limit, currency, grade, receivables, reservations in rows:
        out[cid] = {
            "limit_cny": cny(Decimal(limit), fx_rate(currency or "CNY", rates)),
            "exposure_cny": Decimal(receivables or 0) + Decimal(reservations or 0),
            "grade": grade,
        }
    return out


def _oldest_open(session: so.Session, ids: list[int] | None) -> dict[int, tuple[dt.date, str]]:
    is_open = Invoice.status == InvoiceStatus.OPEN.value
    oldest = (
        sa.select(Invoice.customer_id, sa.func.min(Invoice.due_on).label("due_on"))
        .where(is_open, _where_ids(Invoice.customer_id, ids))
        .group_by(Invoice.customer_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Invoice.customer_id, oldest.c.due_on, sa.func.min(Invoice.number))
        .join(
            oldest,
            sa.and_(oldest.c.customer_id == Invoice.customer_id, oldest.c.due_on == Invoice.due_on),
        )
        .where(is_open)
        .group_by(Invoice.customer_id, oldest.c.due_on)
    )
    return {cid: (due_on, number) for cid, due_on, number in rows}


def _bounced(
    session: so.Session, ids: list[int] | None, after: dt.date
) -> dict[int, list[dt.date]]:
    rows = session.execute(
        sa.select(Payment.customer_id, Payment.reversed_on).where(
            Payment.reversed_on > after,
            Payment.reversal_reason == ReversalReason.BOUNCED.value,
            _where_ids(Payment.customer_id, ids),
        )
    )
    out: dict[int, list[dt.date]] = {}
    for cid, day in rows:
        out.setdefault(cid, []).append(day)
    return out


def _latest_two_reports(session: so.Session, ids: list[int] | None) -> dict[int, list[dict]]:
    ranked = (
        sa.select(
            CreditReport.customer_id,
            CreditReport.score,
            CreditReport.report_date,
            CreditReport.bureau,
            CreditReport.enforcement_flag,
            sa.func.row_number()
            .over(
                partition_by=CreditReport.customer_id,
                order_by=(CreditReport.report_date.desc(), CreditReport.id.desc()),
            )
            .label("n"),
        )
        .where(_where_ids(CreditReport.customer_id, ids))
        .subquery()
    )
    rows = session.execute(sa.select(ranked).where(ranked.c.n <= 2).order_by(ranked.c.n))
    out: dict[int, list[dict]] = {}
    for row in rows.mappings():
        out.setdefault(row["customer_id"], []).append(dict(row))
    return out


def _latest_two_assessments(
    session: so.Session, ids: list[int] | None, zone: dt.tzinfo
) -> dict[int, list[tuple[str, dt.date]]]:
    """Grades of the last two decided assessments: applications and completed reviews."""
    applications = sa.select(
        CreditApplication.customer_id.label("customer_id"),
        CreditApplication.grade.label("grade"),
        CreditApplication.decided_at.label("at"),
        CreditApplication.id.label("id"),
    ).where(
        CreditApplication.status.in_(_DECIDED),
        CreditApplication.grade.is_not(None),
        _where_ids(CreditApplication.customer_id, ids),
    )
    reviews = sa.select(
        CreditReview.customer_id.label("customer_id"),
        CreditReview.grade.label("grade"),
        CreditReview.completed_at.label("at"),
        CreditReview.id.label("id"),
    ).where(
        CreditReview.status == ReviewStatus.COMPLETED.value,
        CreditReview.grade.is_not(None),
        _where_ids(CreditReview.customer_id, ids),
    )
    both = sa.union_all(applications, reviews).subquery()
    ranked = sa.select(
        both.c.customer_id,
        both.c.grade,
        both.c.at,
        sa.func.row_number()
        .over(partition_by=both.c.customer_id, order_by=(both.c.at.desc(), both.c.id.desc()))
        .label("n"),
    ).subquery()
    rows = session.execute(
        sa.select(ranked.c.customer_id, ranked.c.grade, ranked.c.at)
        .where(ranked.c.n <= 2)
        .order_by(ranked.c.customer_id, ranked.c.n)
    )
    out: dict[int, list[tuple[str, dt.date]]] = {}
    for cid, grade, at in rows:
        out.setdefault(cid, []).append((grade, from_db(at).astimezone(zone).date() if at else None))
    return out
