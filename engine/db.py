"""Declarative base, engine construction and SQLite tuning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite


class Base(so.DeclarativeBase):
    """Base of every mapped class of creditflow."""

    type_annotation_map = {
        dict[str, Any]: sa.JSON,
        list[Any]: sa.JSON,
        dt.datetime: sa.DateTime(),
        Decimal: sa.Numeric(18, 2),
    }


def tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Use WAL, foreign keys and a busy timeout on every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def install_sqlite_tuning(engine: sa.Engine) -> None:
    """Attach the SQLite pragmas to an engine (no-op for other databases)."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", tune_sqlite)


# A bulk load on SQLite: a page cache for the working set of the target's indexes (SQLite's
# default is 2 MB, so a million-row table's index pages are read again and again), and the WAL
# folded back into the database every ~400 MB instead of every 4 MB. Measured on 1M invoices:
# 11.7k -> 22k rows/s (docs/benchmarks.md).
_BULK_LOAD = {"cache_size": (-65536, -2000), "wal_autocheckpoint": (100_000, 1000)}


def tune_for_bulk_load(session: so.Session) -> None:
    """Set the bulk-load pragmas on the session's connection (no-op for other databases).

    They last as long as the connection: call it again after each commit (the next transaction
    may check out another pooled connection), and ``end_bulk_load`` at the end.
    """
    if session.get_bind().dialect.name == "sqlite":
        for name, (value, _default) in _BULK_LOAD.items():
            session.execute(sa.text(f"PRAGMA {name}={value}"))


def end_bulk_load(session: so.Session) -> None:
    """Fold the WAL back into the database and restore SQLite's defaults on this connection."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("PRAGMA wal_checkpoint(PASSIVE)"))
        for name, (_value, default) in _BULK_LOAD.items():
            session.execute(sa.text(f"PRAGMA {name}={default}"))


def insert_for(dialect: str) -> Callable[..., Any]:
    """The dialect's ``insert`` construct, which has ``on_conflict_do_nothing/_do_update``."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def savepoint(session: so.Session) -> so.SessionTransaction:
    """Begin a nested transaction (SAVEPOINT) inside the session's unit of work.

    pysqlite opens its transaction lazily, at the first INSERT/UPDATE/DELETE; a SAVEPOINT issued
    before that would itself become the transaction and its RELEASE would commit. On SQLite the
    outer transaction is therefore opened first, with the write lock a step needs anyway.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return session.begin_nested()
