"""Declarative base, engine construction and SQLite tuning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so


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
