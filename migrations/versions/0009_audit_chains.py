"""audit chains per instance, anchored globally

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00

The events written so far form the chain `legacy` (their hashes keep the global chain's format);
new events link within the chain of their instance (or subject). The single head row becomes the
legacy chain's head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UNANCHORED = "seq <> anchored_seq"


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "audit_chain",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("anchored_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        "ix_audit_chain_unanchored",
        "audit_chain",
        ["key"],
        unique=False,
        sqlite_where=sa.text(UNANCHORED),
        postgresql_where=sa.text(UNANCHORED),
    )
    op.create_table(
        "audit_anchor",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "audit_anchor_head",
        sa.Column("anchor_seq", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=160), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["anchor_seq"], ["audit_anchor.seq"]),
        sa.PrimaryKeyConstraint("anchor_seq", "chain"),
    )
    op.create_index(
        "ix_audit_anchor_head_chain", "audit_anchor_head", ["chain", "chain_seq"], unique=False
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_event SET chain = 'legacy', chain_seq = seq")
    op.execute(
        "INSERT INTO audit_chain (key, seq, hash, anchored_seq) "
        "SELECT 'legacy', seq, hash, 0 FROM audit_head WHERE id = 1 AND seq > 0"
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("chain", existing_type=sa.String(length=160), nullable=False)
        batch_op.alter_column("chain_seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_audit_event_chain", ["chain", "chain_seq"])
    if op.get_bind().dialect.name == "postgresql":
        # Event numbers now come from a sequence (writers no longer share a head to count on).
        op.execute("CREATE SEQUENCE audit_event_seq_seq OWNED BY audit_event.seq")
        op.execute(
            "SELECT setval('audit_event_seq_seq', COALESCE(MAX(seq), 0) + 1, false) "
            "FROM audit_event"
        )
        op.execute(
            "ALTER TABLE audit_event ALTER COLUMN seq SET DEFAULT nextval('audit_event_seq_seq')"
        )
    op.drop_table("audit_head")


def downgrade() -> None:
    """Revert this migration (only the legacy chain keeps its head)."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO audit_head (id, seq, hash) "
        "SELECT 1, seq, hash FROM audit_chain WHERE key = 'legacy'"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_event ALTER COLUMN seq DROP DEFAULT")
        op.execute("DROP SEQUENCE audit_event_seq_seq")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_event_chain", type_="unique")
        batch_op.drop_column("chain_seq")
        batch_op.drop_column("chain")
    op.drop_index("ix_audit_anchor_head_chain", table_name="audit_anchor_head")
    op.drop_table("audit_anchor_head")
    op.drop_table("audit_anchor")
    op.drop_index("ix_audit_chain_unanchored", table_name="audit_chain")
    op.drop_table("audit_chain")
