"""Read the early-warning facts of customers from the database, for one or many at once.

Two set-based queries over every customer asked for: the customers with their exposure and
oldest open invoice, and their history rows (bounced payments, the last two credit reports, the
last two assessments). The daily sweep reads a batch of 2,000 customers with them, an event one
customer with the same two.
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
    customer_ids: Collection[int],
    today: dt.date,
    window_days: int,
    rates: Mapping[str, str],
    zone: dt.tzinfo = dt.UTC,
) -> dict[int, WarningFacts]:
    """Facts of the given customers that have a credit limit.

    :param zone: the installation's time zone (assessment moments become local dates).
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    base = _customers(session, ids, rates)
    if not base:
        return {}
    wanted = {"ids": list(base)}
    bounced: dict[int, list[dt.date]] = {}
    reports: dict[int, list[Any]] = {}
    grades: dict[int, list[tuple[str, dt.date | None]]] = {}
    after = today - dt.timedelta(days=window_days)
    for row in session.execute(_HISTORY, {**wanted, "after": after}):
        if row.kind == _BOUNCED_ROW:
            bounced.setdefault(row.customer_id, []).append(row.day)
        elif row.kind == _REPORT_ROW:
            reports.setdefault(row.customer_id, []).append(row)
        else:
            at = from_db(row.at).astimezone(zone).date() if row.at else None
            grades.setdefault(row.customer_id, []).append((row.text, at))
    facts = {}
    for cid, values in base.items():
        due_on, number = values["oldest"]
        latest, previous = (reports.get(cid, []) + [None, None])[:2]
        last, before = (grades.get(cid, []) + [None, None])[:2]
        facts[cid] = WarningFacts(
            customer_id=cid,
            limit_cny=values["limit_cny"],
            exposure_cny=values["exposure_cny"],
            oldest_open_due_on=due_on,
            oldest_open_invoice=number,
            bounced_on=tuple(bounced.get(cid, ())),
            latest_score=latest.score if latest else None,
            previous_score=previous.score if previous else None,
            latest_report_on=latest.day if latest else None,
            latest_bureau=latest.text if latest else None,
            enforcement_flag=bool(latest.flag) if latest else False,
            last_grade=last[0] if last else None,
            previous_grade=before[0] if before else None,
            last_assessed_on=last[1] if last else None,
            active_grade=values["grade"],
        )
    return facts


def _customers(
    session: so.Session, ids: list[int], rates: Mapping[str, str]
) -> dict[int, dict[str, Any]]:
    out = {}
    for row in session.execute(_CUSTOMERS, {"ids": ids}):
        out[row.id] = {
            "limit_cny": cny(Decimal(row.credit_limit), fx_rate(row.currency or "CNY", rates)),
            "exposure_cny": Decimal(row.receivables or 0) + Decimal(row.reservations or 0),
            "grade": row.grade,
            "oldest": (row.oldest_due_on, row.oldest_number),
        }
    return out


# The statements are built once, on the tables (Core), because an event's re-evaluation runs them
# all and building them per call cost more than running them. Each takes an expanding "ids" list.
_EXPOSURE = CustomerExposure.__table__.c
_CUSTOMER = Customer.__table__.c
_INVOICE = Invoice.__table__.c
_PAYMENT = Payment.__table__.c
_REPORT = CreditReport.__table__.c
_APPLICATION = CreditApplication.__table__.c
_REVIEW = CreditReview.__table__.c
_IDS = sa.bindparam("ids", expanding=True)
_OPEN = _INVOICE.status == InvoiceStatus.OPEN.value

# The oldest open invoice (its due day, and the first number due that day) as correlated
# subqueries on the partial index of open invoices by customer and due day: one round trip.
_OLDEST_DUE = (
    sa.select(sa.func.min(_INVOICE.due_on))
    .where(_OPEN, _INVOICE.customer_id == _CUSTOMER.id)
    .correlate(Customer.__table__)
    .scalar_subquery()
)
_OLDEST_NUMBER = (
    sa.select(sa.func.min(_INVOICE.number))
    .where(_OPEN, _INVOICE.customer_id == _CUSTOMER.id, _INVOICE.due_on == _OLDEST_DUE)
    .correlate(Customer.__table__)
    .scalar_subquery()
)
_CUSTOMERS = (
    sa.select(
        _CUSTOMER.id,
        _CUSTOMER.credit_limit,
        _CUSTOMER.currency,
        _CUSTOMER.grade,
        _EXPOSURE.receivables,
        _EXPOSURE.reservations,
        _OLDEST_DUE.label("oldest_due_on"),
        _OLDEST_NUMBER.label("oldest_number"),
    )
    .outerjoin(CustomerExposure.__table__, _EXPOSURE.customer_id == _CUSTOMER.id)
    .where(_CUSTOMER.credit_limit.is_not(None), _CUSTOMER.id.in_(_IDS))
)

_RANKED_REPORTS = (
    sa.select(
        _REPORT.customer_id,
        _REPORT.score,
        _REPORT.report_date,
        _REPORT.bureau,
        _REPORT.enforcement_flag,
        sa.func.row_number()
        .over(
            partition_by=_REPORT.customer_id,
            order_by=(
                _REPORT.report_date.desc(),
                _REPORT.id.desc(),
            ),
        )
        .label("n"),
    )
    .where(_REPORT.customer_id.in_(_IDS))
    .subquery()
)
# Grades of the last two decided assessments: decided applications and completed reviews.
# At the same instant a review counts as the later one (it reviews a granted limit); the ids of
# the two tables are not comparable, so they only order within one kind.
_DECIDED_ASSESSMENTS = sa.union_all(
    sa.select(
        _APPLICATION.customer_id.label("customer_id"),
        _APPLICATION.grade.label("grade"),
        _APPLICATION.decided_at.label("at"),
        sa.literal(0).label("kind"),
        _APPLICATION.id.label("id"),
    ).where(
        _APPLICATION.status.in_(_DECIDED),
        _APPLICATION.grade.is_not(None),
        _APPLICATION.customer_id.in_(_IDS),
    ),
    sa.select(
        _REVIEW.customer_id.label("customer_id"),
        _REVIEW.grade.label("grade"),
        _REVIEW.completed_at.label("at"),
        sa.literal(1).label("kind"),
        _REVIEW.id.label("id"),
    ).where(
        _REVIEW.status == ReviewStatus.COMPLETED.value,
        _REVIEW.grade.is_not(None),
        _REVIEW.customer_id.in_(_IDS),
    ),
).subquery()
_RANKED_ASSESSMENTS = sa.select(
    _DECIDED_ASSESSMENTS.c.customer_id,
    _DECIDED_ASSESSMENTS.c.grade,
    _DECIDED_ASSESSMENTS.c.at,
    sa.func.row_number()
    .over(
        partition_by=_DECIDED_ASSESSMENTS.c.customer_id,
        order_by=(
            _DECIDED_ASSESSMENTS.c.at.desc(),
            _DECIDED_ASSESSMENTS.c.kind.desc(),
            _DECIDED_ASSESSMENTS.c.id.desc(),
        ),
    )
    .label("n"),
).subquery()

# Bounced payments, the last two credit reports and the last two assessments of the customers
# in one round trip: the three kinds of rows share one shape (kind, customer, day, score, text,
# flag, moment, rank) and come ordered by kind, customer and rank (latest first).
_BOUNCED_ROW, _REPORT_ROW, _ASSESSMENT_ROW = 0, 1, 2


def _nothing(type_: Any) -> Any:
    return sa.cast(sa.null(), type_)


_HISTORY_ROWS = sa.union_all(
    sa.select(
        sa.literal(_BOUNCED_ROW, sa.Integer).label("kind"),
        _PAYMENT.customer_id.label("customer_id"),
        _PAYMENT.reversed_on.label("day"),
        _nothing(sa.Integer).label("score"),
        _nothing(sa.String).label("text"),
        _nothing(sa.Boolean).label("flag"),
        _nothing(sa.DateTime).label("at"),
        sa.literal(0, sa.Integer).label("n"),
    ).where(
        _PAYMENT.reversed_on > sa.bindparam("after"),
        _PAYMENT.reversal_reason == ReversalReason.BOUNCED.value,
        _PAYMENT.customer_id.in_(_IDS),
    ),
    sa.select(
        sa.literal(_REPORT_ROW, sa.Integer),
        _RANKED_REPORTS.c.customer_id,
        _RANKED_REPORTS.c.report_date,
        _RANKED_REPORTS.c.score,
        _RANKED_REPORTS.c.bureau,
        _RANKED_REPORTS.c.enforcement_flag,
        _nothing(sa.DateTime),
        _RANKED_REPORTS.c.n,
    ).where(_RANKED_REPORTS.c.n <= 2),
    sa.select(
        sa.literal(_ASSESSMENT_ROW, sa.Integer),
        _RANKED_ASSESSMENTS.c.customer_id,
        _nothing(sa.Date),
        _nothing(sa.Integer),
        _RANKED_ASSESSMENTS.c.grade,
        _nothing(sa.Boolean),
        _RANKED_ASSESSMENTS.c.at,
        _RANKED_ASSESSMENTS.c.n,
    ).where(_RANKED_ASSESSMENTS.c.n <= 2),
).subquery()
_HISTORY = sa.select(_HISTORY_ROWS).order_by(
    _HISTORY_ROWS.c.kind, _HISTORY_ROWS.c.customer_id, _HISTORY_ROWS.c.n
)
