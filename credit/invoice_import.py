"""Bulk invoice import from CSV: good lines booked, bad lines reported, re-imports change nothing.

Lines are parsed (credit.invoice_rows) and booked a batch at a time with one multi-row INSERT
per batch, the customers' exposure moved by one relative update each, and the reservations of
the batch's order_refs closed in one statement. A line is booked completely or not at all:
within a batch everything happens in the caller's transaction, and ``after_batch`` (the CLI
commits there) runs only between batches. The same number again with the same fields counts
as unchanged; with other fields, or for an unknown customer, the line is rejected with its
field errors. One audit event per batch records what was booked.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import ROW_ID_MAX
from credit.exposure import ZERO, cny, lock_exposures, shift_exposures
from credit.invoice_rows import Columns, Row, header_errors, parse_row
from credit.invoices import INVOICE_FIELDS
from credit.models import Customer
from credit.receivable_models import Invoice, InvoiceStatus, OrderReservation, ReservationStatus
from engine.audit import AuditEntry, append
from engine.clock import to_db
from engine.errors import Invalid

BATCH = 5000


@dataclass(frozen=True)
class Rejected:
    """A line that was not booked: its number, its text and the errors by field."""

    line: int
    errors: dict[str, list[str]]
    text: str = ""


@dataclass
class ImportReport:
    """What an import did so far."""

    lines: int = 0
    imported: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def import_invoices(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    lines: Iterable[str],
    rates: Mapping[str, str],
    batch: int = BATCH,
    after_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import CSV text lines (the header first); return counts and the rejected lines.

    :raises Invalid: the file is empty or its header is wrong (nothing is imported).
    """
    records = _records(lines)
    first = next(records, None)
    if first is None:
        raise Invalid.field("header", "the file is empty; the first line must be the header")
    header = [name.strip().lstrip("\ufeff") for name in first[1]]
    if errors := header_errors(header):
        raise Invalid("the header line (line 1) is not valid", errors)
    columns = Columns(header)
    report = ImportReport(lines=1)
    pending: list[tuple[Row, list[str]]] = []
    for line, cells in records:
        report.lines = line
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        pending.append((parse_row(line, columns, cells, rates), cells))
        if len(pending) >= batch:
            _book_batch(session, now, actor, pending, rates, report)
            pending = []
            if after_batch is not None:
                after_batch(report)
    if pending:
        _book_batch(session, now, actor, pending, rates, report)
    if after_batch is not None:
        after_batch(report)
    return report


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; the header is line 1."""
    counter = _LineCounter(lines)
    end = 0
    for cells in csv.reader(counter):
        start, end = end + 1, counter.count
        yield start, cells


class _LineCounter:
    """Lines handed to the CSV reader, counted (a quoted field may span several)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        text = next(self._lines)
        self.count += 1
        return text


def as_csv(cells: list[str]) -> str:
    """A record's cells written back as one CSV line (for the rejected-lines file)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _book_batch(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    pending: list[tuple[Row, list[str]]],
    rates: Mapping[str, str],
    report: ImportReport,
) -> None:
    rows, rejected = [], []
    for row, cells in pending:
        if row.errors:
            rejected.append(Rejected(row.line, row.errors, as_csv(cells)))
        else:
            rows.append((row, cells))
    customer_ids = {row.values["customer_id"] for row, _ in rows}
    known = _known_customers(session, customer_ids)
    lock_exposures(session, known)
    booked = _booked(session, [row.values["number"] for row, _ in rows])
    owners = _order_owners(session, {row.values["order_ref"] for row, _ in rows} - {None})
    seen: dict[str, dict[str, Any]] = {}
    fresh = []
    for row, cells in rows:
        values = row.values
        problem = _problem(values, known, booked, seen, owners)
        if problem == "unchanged":
            report.unchanged += 1
        elif problem:
            rejected.append(Rejected(row.line, problem, as_csv(cells)))
        else:
            seen[values["number"]] = values
            fresh.append(values)
    if fresh:
        _insert(session, now, actor, fresh, rates)
        report.imported += len(fresh)
    report.rejected.extend(sorted(rejected, key=lambda r: r.line))


def _problem(
    values: dict[str, Any],
    known: set[int],
    booked: dict[str, dict[str, Any]],
    seen: dict[str, dict[str, Any]],
    owners: dict[str, int],
) -> dict[str, list[str]] | str | None:
    """None to book the line, "unchanged" when booked already, else its field errors."""
    if values["customer_id"] not in known:
        return {"customer_id": [f"no customer with id {values['customer_id']}"]}
    earlier = booked.get(values["number"]) or seen.get(values["number"])
    if earlier is not None:
        changed = [name for name in INVOICE_FIELDS if earlier[name] != values[name]]
        if not changed:
            return "unchanged"
        return {"number": [f"already booked with different {', '.join(changed)}"]}
    owner = owners.get(values["order_ref"] or "")
    if owner is not None and owner != values["customer_id"]:
        return {"order_ref": [f"order {values['order_ref']} belongs to customer {owner}"]}
    return None


def _known_customers(session: so.Session, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(cid for cid in ids if cid <= ROW_ID_MAX)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        found.update(session.scalars(sa.select(Customer.id).where(Customer.id.in_(chunk))))
    return found


def _booked(session: so.Session, numbers: list[str]) -> dict[str, dict[str, Any]]:
    columns = [getattr(Invoice, name) for name in INVOICE_FIELDS]
    found = {}
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        for values in session.execute(sa.select(*columns).where(Invoice.number.in_(chunk))):
            found[values.number] = dict(zip(INVOICE_FIELDS, values, strict=True))
    return found


def _order_owners(session: so.Session, refs: set[str]) -> dict[str, int]:
    if not refs:
        return {}
    rows = session.execute(
        sa.select(OrderReservation.order_ref, OrderReservation.customer_id).where(
            OrderReservation.order_ref.in_(sorted(refs))
        )
    )
    return {order_ref: customer_id for order_ref, customer_id in rows}


def _insert(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    fresh: list[dict[str, Any]],
    rates: Mapping[str, str],
) -> None:
    at = to_db(now)
    rate_of = {code: Decimal(rate) for code, rate in rates.items()}
    deltas: dict[int, list[Decimal]] = {}
    for values in fresh:
        rate = rate_of[values["currency"]]
        amount_cny = values["amount"] if rate == 1 else cny(values["amount"], rate)
        delta = deltas.setdefault(values["customer_id"], [ZERO, ZERO])
        delta[0] += amount_cny
    bulk_insert_invoices(session, fresh, rate_of, actor, at)
    refs = sorted({values["order_ref"] for values in fresh if values["order_ref"]})
    for start in range(0, len(refs), 1000):
        table = OrderReservation.__table__
        closed = session.execute(
            sa.update(table)
            .where(
                table.c.order_ref.in_(refs[start : start + 1000]),
                table.c.status == ReservationStatus.OPEN.value,
            )
            .values(status=ReservationStatus.INVOICED.value, closed_at=at)
            .returning(table.c.customer_id, table.c.amount_cny)
        )
        for customer_id, amount_cny in closed:
            deltas.setdefault(customer_id, [ZERO, ZERO])[1] -= Decimal(amount_cny)
    shift_exposures(session, {cid: (recv, resv) for cid, (recv, resv) in deltas.items()})
    digest = hashlib.sha256("\n".join(v["number"] for v in fresh).encode()).hexdigest()
    append(
        session,
        now,
        [
            AuditEntry(
                actor,
                "invoices_imported",
                data={
                    "count": len(fresh),
                    "customers": len(deltas),
                    "first_number": fresh[0]["number"],
                    "last_number": fresh[-1]["number"],
                    "numbers_sha256": digest,
                },
            )
        ],
    )


_COLUMNS = (
    "customer_id",
    "number",
    "amount",
    "currency",
    "fx_rate",
    "issued_on",
    "due_on",
    "order_ref",
    "open_amount",
    "status",
    "created_by",
    "created_at",
)


def bulk_insert_invoices(
    session: so.Session,
    fresh: list[dict[str, Any]],
    rate_of: Mapping[str, Decimal],
    actor: str,
    at: dt.datetime,
) -> None:
    """Insert new open invoices through the driver: COPY on PostgreSQL, executemany on SQLite.

    The ORM (or Core parameter processing) per row would cost more than everything else of an
    import together; the values are already validated and typed.
    """
    status = InvoiceStatus.OPEN.value
    raw = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY invoice ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for v in fresh:
                    copy.write_row(
                        (
                            v["customer_id"], v["number"], v["amount"], v["currency"],
                            rate_of[v["currency"]], v["issued_on"], v["due_on"], v["order_ref"],
                            v["amount"], status, actor, at,
                        )
                    )  # fmt: skip
        return
    # SQLite, stored as SQLAlchemy stores it: numbers as REAL, dates and times as ISO text.
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = [
        (
            v["customer_id"], v["number"], float(v["amount"]), v["currency"],
            float(rate_of[v["currency"]]), v["issued_on"].isoformat(), v["due_on"].isoformat(),
            v["order_ref"], float(v["amount"]), status, actor, stamp,
        )
        for v in fresh
    ]  # fmt: skip
    marks = ", ".join("?" * len(_COLUMNS))
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO invoice ({', '.join(_COLUMNS)}) VALUES ({marks})", rows)
    finally:
        cursor.close()
