"""receivables ledger: open amounts, payment reversals, adjustments, reservations, exposure, holds

Existing invoices keep their figures: the open amount is amount - paid (0 when written off), a
written-off remainder becomes a write-off entry, a paid amount without payment rows becomes a
payment, and each customer's exposure row is the sum of its open amounts. Rates are 1 (the
schema before this had none; installations then held CNY demo data only).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")
_RATE = sa.Numeric(precision=12, scale=6)
_MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "credit_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_hold_customer_lifted", "credit_hold", ["customer_id", "lifted_at"])
    op.create_table(
        "customer_exposure",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("receivables", _MONEY, nullable=False),
        sa.Column("reservations", _MONEY, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "order_reservation",
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fx_rate", _RATE, nullable=False),
        sa.Column("amount_cny", _MONEY, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("check_point", sa.String(length=16), nullable=False),
        sa.Column("reserved_by", sa.String(length=64), nullable=False),
        sa.Column("reserved_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("order_ref"),
    )
    op.create_index(
        "ix_order_reservation_customer_status", "order_reservation", ["customer_id", "status"]
    )
    op.create_table(
        "receivable_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("fx_rate", _RATE, nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(
        "ix_receivable_adjustment_customer_id", "receivable_adjustment", ["customer_id"]
    )
    op.create_index("ix_receivable_adjustment_invoice_id", "receivable_adjustment", ["invoice_id"])
    op.create_index(
        "ix_receivable_adjustment_kind_dated", "receivable_adjustment", ["kind", "dated_on"]
    )

    with op.batch_alter_table("invoice") as batch_op:
        batch_op.add_column(sa.Column("fx_rate", _RATE, nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("order_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("open_amount", _MONEY, nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("created_by", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("payment") as batch_op:
        batch_op.add_column(sa.Column("fx_rate", _RATE, nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reversed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reversal_reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reversed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reversed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("created_by", sa.String(length=64), nullable=False, server_default="")
        )

    _carry_over_ledger()

    with op.batch_alter_table("invoice") as batch_op:
        for column in ("fx_rate", "open_amount", "status", "created_by"):
            batch_op.alter_column(column, server_default=None)
        batch_op.drop_index("ix_invoice_customer_id")
        batch_op.drop_index("ix_invoice_due_on")
        batch_op.create_index("ix_invoice_customer_issued", ["customer_id", "issued_on"])
        batch_op.create_index("ix_invoice_issued_on", ["issued_on"])
        batch_op.create_index(
            "ix_invoice_open_customer_due",
            ["customer_id", "due_on"],
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
        batch_op.create_index(
            "ix_invoice_open_due",
            ["due_on", "customer_id"],
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
        batch_op.create_index("ix_invoice_order_ref", ["order_ref"])
        batch_op.drop_column("paid_amount")
        batch_op.drop_column("paid_on")
        batch_op.drop_column("written_off")
    with op.batch_alter_table("payment") as batch_op:
        for column in ("fx_rate", "created_by"):
            batch_op.alter_column(column, server_default=None)
        batch_op.drop_index("ix_payment_customer_id")
        batch_op.create_index("ix_payment_customer_paid", ["customer_id", "paid_on"])
        batch_op.create_index("ix_payment_customer_reversed", ["customer_id", "reversed_on"])
        batch_op.create_index("ix_payment_paid_on", ["paid_on"])
        batch_op.create_index("ix_payment_reversed_on", ["reversed_on"])
        batch_op.create_unique_constraint("uq_payment_reference", ["reference"])


def _carry_over_ledger() -> None:
    """Turn paid_amount / paid_on / written_off into ledger entries and open amounts."""
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO payment (customer_id, invoice_id, amount, fx_rate, paid_on, "
            "created_by, created_at) "
            "SELECT i.customer_id, i.id, i.paid_amount - COALESCE(p.total, 0), 1, "
            "COALESCE(i.paid_on, i.issued_on), 'migration', i.created_at "
            "FROM invoice i LEFT JOIN (SELECT invoice_id, SUM(amount) AS total FROM payment "
            "GROUP BY invoice_id) p ON p.invoice_id = i.id "
            "WHERE i.paid_amount > COALESCE(p.total, 0)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO receivable_adjustment (kind, customer_id, invoice_id, amount, fx_rate, "
            "dated_on, reason, created_by, created_at) "
            "SELECT 'write_off', customer_id, id, amount - paid_amount, 1, "
            "COALESCE(paid_on, due_on), 'written off before the receivables ledger', "
            "'migration', created_at FROM invoice WHERE written_off AND amount > paid_amount"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE invoice SET "
            "open_amount = CASE WHEN written_off OR paid_amount >= amount THEN 0 "
            "ELSE amount - paid_amount END, "
            "status = CASE WHEN written_off AND paid_amount < amount THEN 'written_off' "
            "WHEN paid_amount >= amount THEN 'paid' ELSE 'open' END, "
            "settled_on = CASE WHEN written_off OR paid_amount >= amount "
            "THEN COALESCE(paid_on, due_on) END"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO customer_exposure (customer_id, receivables, reservations) "
            "SELECT c.id, COALESCE((SELECT SUM(open_amount) FROM invoice i "
            "WHERE i.customer_id = c.id), 0), 0 FROM customer c"
        )
    )


def downgrade() -> None:
    """Revert this migration (ledger entries collapse back into paid_amount / written_off)."""
    with op.batch_alter_table("invoice") as batch_op:
        batch_op.add_column(
            sa.Column("written_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("paid_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("paid_amount", _MONEY, nullable=False, server_default="0"))
    op.get_bind().execute(
        sa.text(
            "UPDATE invoice SET paid_amount = amount - open_amount, "
            "written_off = (status = 'written_off'), paid_on = settled_on"
        )
    )
    with op.batch_alter_table("payment") as batch_op:
        batch_op.drop_constraint("uq_payment_reference", type_="unique")
        for name in (
            "ix_payment_reversed_on",
            "ix_payment_paid_on",
            "ix_payment_customer_reversed",
            "ix_payment_customer_paid",
        ):
            batch_op.drop_index(name)
        batch_op.create_index("ix_payment_customer_id", ["customer_id"])
        for column in (
            "created_by",
            "reversed_at",
            "reversed_by",
            "reversal_reason",
            "reversed_on",
            "reference",
            "fx_rate",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("invoice") as batch_op:
        for name in (
            "ix_invoice_order_ref",
            "ix_invoice_open_due",
            "ix_invoice_open_customer_due",
            "ix_invoice_issued_on",
            "ix_invoice_customer_issued",
        ):
            batch_op.drop_index(name)
        batch_op.create_index("ix_invoice_due_on", ["due_on"])
        batch_op.create_index("ix_invoice_customer_id", ["customer_id"])
        for column in ("created_by", "settled_on", "status", "open_amount", "order_ref", "fx_rate"):
            batch_op.drop_column(column)
    op.drop_table("receivable_adjustment")
    op.drop_table("order_reservation")
    op.drop_table("customer_exposure")
    op.drop_table("credit_hold")
