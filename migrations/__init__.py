"""Alembic migrations of the creditflow schema."""
