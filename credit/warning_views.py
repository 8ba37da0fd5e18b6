"""Read the stored early-warning state: one customer's level and signals, the board of all.

Nothing here recomputes a level; lists read ``customer_warning`` rows (credit.warnings keeps
them current).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import get_customer, sales_rep_column
from credit.models import Customer
from credit.monitoring_models import CustomerWarning, WarningChange
from credit.warning_rules import Level
from engine.clock import from_db
from engine.errors import Invalid

BOARD_LIMIT = 1000


def signal_view(stored: dict[str, Any], language: str | None) -> dict[str, Any]:
    """A stored signal as the API shows it: detail in the reader's language, and both."""
    details = stored.get("detail") or {}
    lang = "en" if (language or "").lower().startswith("en") else "zh"
    return {
        "code": stored["code"],
        "level": stored["level"],
        "detail": details.get(lang) or stored["code"],
        "detail_en": details.get("en"),
        "detail_zh": details.get("zh"),
        "since": stored.get("since"),
    }


def customer_warnings(
    session: so.Session, customer_id: int, language: str | None, history: int = 50
) -> dict[str, Any]:
    """The customer's level (none when never warned) with its signals and level changes."""
    customer = get_customer(session, customer_id)
    row = session.get(CustomerWarning, customer.id)
    changes = session.scalars(
        sa.select(WarningChange)
        .where(WarningChange.customer_id == customer.id)
        .order_by(WarningChange.id.desc())
        .limit(history)
    )
    return {
        "customer_id": customer.id,
        "level": row.level if row is not None else Level.NONE.label,
        "level_since": from_db(row.level_since) if row is not None else None,
        "signals": [signal_view(s, language) for s in (row.signals if row else None) or []],
        "history": [
            {
                "from_level": c.from_level,
                "to_level": c.to_level,
                "codes": list(c.codes or []),
                "levels_passed": list(c.levels_passed or []),
                "process_instance_id": c.process_instance_id,
                "legal_decision": c.legal_decision,
                "at": from_db(c.at),
            }
            for c in changes
        ],
    }


def parse_min_level(raw: str | None) -> Level:
    """The board's lowest level (default blue); none is not a warning.

    :raises Invalid: naming ``min_level`` when it is not blue, yellow, orange or red.
    """
    allowed = Level.labels()[1:]
    if raw in (None, ""):
        return Level.BLUE
    if raw not in allowed:
        raise Invalid.field("min_level", f"must be one of {', '.join(allowed)}")
    return Level.of(raw)


def warning_board(
    session: so.Session,
    min_level: Level,
    language: str | None,
    sales_rep: str | None = None,
    q: str | None = None,
    limit: int = BOARD_LIMIT,
) -> list[dict[str, Any]]:
    """Customers at ``min_level`` or above, highest level first, then longest warned.

    :param sales_rep: only this rep's customers (what a sales user may see).
    :param q: part of the customer's name or USCC.
    """
    rep = sales_rep_column().label("sales_rep")
    query = (
        sa.select(CustomerWarning, Customer.name, Customer.uscc, Customer.grade, rep)
        .join(Customer, Customer.id == CustomerWarning.customer_id)
        .where(CustomerWarning.rank >= int(min_level))
        .order_by(
            CustomerWarning.rank.desc(), CustomerWarning.level_since, CustomerWarning.customer_id
        )
        .limit(limit)
    )
    if sales_rep is not None:
        query = query.where(sales_rep_column() == sales_rep)
    if text := (q or "").strip():
        query = query.where(
            sa.or_(
                Customer.name.icontains(text, autoescape=True),
                Customer.uscc.icontains(text, autoescape=True),
            )
        )
    return [
        {
            "customer_id": row.customer_id,
            "name": name,
            "uscc": uscc,
            "grade": grade,
            "sales_rep": rep_name,
            "level": row.level,
            "level_since": from_db(row.level_since),
            "signals": [signal_view(s, language) for s in row.signals or []],
        }
        for row, name, uscc, grade, rep_name in session.execute(query)
    ]


def level_counts(session: so.Session, sales_rep: str | None = None) -> dict[str, int]:
    """How many customers stand at each warning level (for the dashboard)."""
    query = sa.select(CustomerWarning.level, sa.func.count()).group_by(CustomerWarning.level)
    if sales_rep is not None:
        query = query.join(Customer, Customer.id == CustomerWarning.customer_id).where(
            sales_rep_column() == sales_rep
        )
    counts = dict(session.execute(query).all())
    return {label: int(counts.get(label, 0)) for label in Level.labels()}
