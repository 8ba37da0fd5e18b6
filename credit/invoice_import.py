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
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import ROW_ID_MAX
from credit.exposure import (
    ZERO,
    cny,
    exposure_too_large,
    lock_exposures,
    read_exposure,
    shift_exposures,
)
from credit.invoice_rows import Columns, Values, header_errors, line_parser, parse_row, values_of
from credit.invoices import INVOICE_FIELDS
from credit.receivable_models import Invoice, InvoiceStatus, OrderReservation, ReservationStatus
from engine.audit import AuditEntry, append
from engine.clock import to_db
from engine.errors import Invalid
from engine.money import EXPOSURE_MAX

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
    source = iter(lines)
    first = next(source, None)
    if first is None:
        raise Invalid.field("header", "the file is empty; the first line must be the header")
    cells, number = _record(first, source)
    header = [name.strip().lstrip("\ufeff") for name in cells]
    if errors := header_errors(header):
        raise Invalid("the header line (line 1) is not valid", errors)
    columns = Columns(header)
    parse_line = line_parser(columns, rates)
    report = ImportReport(lines=1)
    pending: list[_Line] = []
    for text in source:
        number += 1
        report.lines = number
        values = parse_line(text)
        if values is not None:
            pending.append((number, values, None, text))
        else:
            cells, extra = _record(text, source)
            line, number = number, number + extra - 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            row = parse_row(line, columns, cells, rates)
            if row.errors:
                pending.append((line, None, row.errors, cells))
            else:
                pending.append((line, values_of(row), None, cells))
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


# A non-blank line: its number, its values (None: rejected) or its errors, and its raw text
# (fast path) or cells (csv module).
_Line = tuple[int, Values | None, dict[str, list[str]] | None, str | list[str]]


def _record(first: str, rest: Iterator[str]) -> tuple[list[str], int]:
    """The cells of the CSV record starting with ``first`` and how many lines it spans.

    A quoted field may span several lines: the csv module takes them from ``rest`` (and only
    those: it stops at the end of the record).
    """
    taken = 1

    def more() -> Iterator[str]:
        nonlocal taken
        yield first
        for text in rest:
            taken += 1
            yield text

    return next(csv.reader(more()), []), taken


def as_csv(cells: list[str]) -> str:
    """A record's cells written back as one CSV line (for the rejected-lines file)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _source_csv(source: str | list[str]) -> str:
    # A fast-path line has no quotes: its cells are the text between the commas.
    cells = source.rstrip("\r\n").split(",") if isinstance(source, str) else source
    return as_csv(cells)


def _book_batch(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    pending: list[_Line],
    rates: Mapping[str, str],
    report: ImportReport,
) -> None:
    rows, rejected = [], []
    for line, values, errors, source in pending:
        if values is None:
            rejected.append(Rejected(line, errors or {}, _source_csv(source)))
        else:
            rows.append((line, values, source))
    dialect = session.get_bind().dialect.name
    known = _known_customers(session, dialect, {values[0] for _, values, _ in rows})
    largest = lock_exposures(session, known)
    headroom = _Headroom(session, dialect, known, largest, rates)
    booked = _booked(session, dialect, [values[1] for _, values, _ in rows])
    owners = _order_owners(session, dialect, {values[6] for _, values, _ in rows} - {None})
    seen: dict[str, Values] = {}
    fresh: list[Values] = []
    for line, values, source in rows:
        number = values[1]
        earlier = booked.get(number) or seen.get(number)
        # The two common cases first, as _problem decides them.
        if values[0] in known and earlier is None and values[6] is None:
            problem = headroom.take(values)
        elif values[0] in known and earlier == values:
            problem = "unchanged"
        else:
            problem = _problem(values, known, booked, seen, owners) or headroom.take(values)
        if problem is None:
            seen[number] = values
            fresh.append(values)
        elif problem == "unchanged":
            report.unchanged += 1
        else:
            rejected.append(Rejected(line, problem, _source_csv(source)))
    if fresh:
        _insert(session, dialect, now, actor, fresh, headroom.rises, rates)
        report.imported += len(fresh)
    report.rejected.extend(sorted(rejected, key=lambda r: r.line))


class _Headroom:
    """What a batch may add to each customer's exposure, below EXPOSURE_MAX (in CNY).

    The largest exposure among the batch's customers comes with their lock (PostgreSQL) or is
    read when the first line is taken (SQLite); only a customer whose rise comes near the bound
    has its own exposure read. Orders the batch turns into receivables are not subtracted
    first, so the test errs on the safe side.
    """

    def __init__(
        self,
        session: so.Session,
        dialect: str,
        customers: set[int],
        largest: Decimal | None,
        rates: Mapping[str, str],
    ) -> None:
        self.session, self.dialect, self.customers = session, dialect, customers
        self.rate_of = {code: Decimal(rate) for code, rate in rates.items()}
        self.in_cny = {code: rate == 1 for code, rate in self.rate_of.items()}
        self.rises: dict[int, Decimal] = {}
        # EXPOSURE_MAX - the batch's largest exposure (None: not read yet)
        self.room = None if largest is None else EXPOSURE_MAX - largest
        self.rooms: dict[int, Decimal] = {}

    def take(self, values: Values) -> dict[str, list[str]] | None:
        """Count a line's amount in its customer's rise; its errors when it would not fit."""
        customer_id, amount, currency = values[0], values[2], values[3]
        if not self.in_cny[currency]:
            amount = cny(amount, self.rate_of[currency])
        rise = self.rises.get(customer_id, ZERO) + amount
        room = self.room if self.room is not None else self._batch_room()
        if rise >= room and rise >= self._room_of(customer_id):
            return exposure_too_large(customer_id).errors
        self.rises[customer_id] = rise
        return None

    def _batch_room(self) -> Decimal:
        where = _IN.get(self.dialect, _IN["sqlite"]).format(array="bigint[]")
        largest = self.session.scalar(
            sa.text(f"SELECT max(receivables + reservations) FROM customer_exposure"
                    f" WHERE customer_id {where}"),
            {"keys": _keys(self.dialect, sorted(self.customers))},
        )  # fmt: skip
        self.room = EXPOSURE_MAX - Decimal(str(largest or 0))
        return self.room

    def _room_of(self, customer_id: int) -> Decimal:
        if customer_id not in self.rooms:
            held = read_exposure(self.session, customer_id).total
            self.rooms[customer_id] = EXPOSURE_MAX - held
        return self.rooms[customer_id]


def _problem(
    values: Values,
    known: set[int],
    booked: dict[str, Values],
    seen: dict[str, Values],
    owners: dict[str, int],
) -> dict[str, list[str]] | str | None:
    """None to book the line, "unchanged" when booked already, else its field errors."""
    customer_id, number, *_, order_ref = values
    if customer_id not in known:
        return {"customer_id": [f"no customer with id {customer_id}"]}
    earlier = booked.get(number) or seen.get(number)
    if earlier is not None:
        if earlier == values:
            return "unchanged"
        changed = [
            name
            for name, old, new in zip(INVOICE_FIELDS, earlier, values, strict=True)
            if old != new
        ]
        return {"number": [f"already booked with different {', '.join(changed)}"]}
    owner = owners.get(order_ref or "")
    if owner is not None and owner != customer_id:
        return {"order_ref": [f"order {order_ref} belongs to customer {owner}"]}
    return None


# Each lookup of a batch is one statement: the keys travel as one parameter, a PostgreSQL array
# literal or a JSON array for SQLite's json_each (an IN list of 1,000 placeholders costs more to
# build and parse than to run).
_IN = {
    "postgresql": "= ANY(CAST(:keys AS {array}))",
    "sqlite": "IN (SELECT value FROM json_each(:keys))",
}
_INVOICE = Invoice.__table__
_RESERVATION = OrderReservation.__table__


def _keys(dialect: str, keys: list[int] | list[str]) -> str:
    """One parameter holding many keys (all ints or all texts) for ``_IN``."""
    if dialect == "sqlite":
        return json.dumps(keys, ensure_ascii=False)
    if not keys or isinstance(keys[0], int):
        return "{" + ",".join(map(str, keys)) + "}"
    texts: list[str] = keys  # type: ignore[assignment]
    everything = "".join(texts)
    if '"' in everything or "\\" in everything:
        texts = [text.replace("\\", "\\\\").replace('"', '\\"') for text in texts]
    return '{"' + '","'.join(texts) + '"}'


def _known_customers(session: so.Session, dialect: str, ids: set[int]) -> set[int]:
    wanted = [cid for cid in ids if cid <= ROW_ID_MAX]
    if not wanted:
        return set()
    where = _IN.get(dialect, _IN["sqlite"]).format(array="bigint[]")
    query = sa.text(f"SELECT id FROM customer WHERE id {where}")
    return set(session.scalars(query, {"keys": _keys(dialect, sorted(wanted))}).all())


def _booked(session: so.Session, dialect: str, numbers: list[str]) -> dict[str, Values]:
    if not numbers:
        return {}
    where = _IN.get(dialect, _IN["sqlite"]).format(array="text[]")
    query = sa.text(
        f"SELECT {', '.join(INVOICE_FIELDS)} FROM invoice WHERE number {where}"
    ).columns(*(_INVOICE.c[name] for name in INVOICE_FIELDS))
    rows = session.execute(query, {"keys": _keys(dialect, numbers)}).all()
    return {values[1]: tuple(values) for values in rows}  # type: ignore[misc]


def _order_owners(session: so.Session, dialect: str, refs: set[str | None]) -> dict[str, int]:
    if not refs:
        return {}
    where = _IN.get(dialect, _IN["sqlite"]).format(array="text[]")
    query = sa.text(
        f"SELECT order_ref, customer_id FROM order_reservation WHERE order_ref {where}"
    ).columns(_RESERVATION.c.order_ref, _RESERVATION.c.customer_id)
    rows = session.execute(query, {"keys": _keys(dialect, sorted(refs))}).all()  # type: ignore[type-var]
    return {order_ref: customer_id for order_ref, customer_id in rows}


def _insert(
    session: so.Session,
    dialect: str,
    now: dt.datetime,
    actor: str,
    fresh: list[Values],
    rises: Mapping[int, Decimal],
    rates: Mapping[str, str],
) -> None:
    at = to_db(now)
    rate_of = {code: Decimal(rate) for code, rate in rates.items()}
    deltas = {customer_id: [rise, ZERO] for customer_id, rise in rises.items()}
    bulk_insert_invoices(session, fresh, rate_of, actor, at)
    refs = sorted({values[6] for values in fresh if values[6]})
    if refs:
        where = _IN.get(dialect, _IN["sqlite"]).format(array="text[]")
        closed = session.execute(
            sa.text(
                f"UPDATE order_reservation SET status = :invoiced, closed_at = :at"
                f" WHERE order_ref {where} AND status = :open"
                f" RETURNING customer_id, amount_cny"
            )
            # closed_at typed as the column: SQLite gets SQLAlchemy's text form of the moment.
            .bindparams(sa.bindparam("at", type_=_RESERVATION.c.closed_at.type))
            .columns(_RESERVATION.c.customer_id, _RESERVATION.c.amount_cny),
            {
                "keys": _keys(dialect, refs),
                "invoiced": ReservationStatus.INVOICED.value,
                "open": ReservationStatus.OPEN.value,
                "at": at,
            },
        )
        for customer_id, amount_cny in closed:
            deltas.setdefault(customer_id, [ZERO, ZERO])[1] -= Decimal(amount_cny)
    shift_exposures(session, {cid: (recv, resv) for cid, (recv, resv) in deltas.items()})
    digest = hashlib.sha256("\n".join(values[1] for values in fresh).encode()).hexdigest()
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
                    "first_number": fresh[0][1],
                    "last_number": fresh[-1][1],
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
    fresh: list[Values],
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
        # COPY's text format, written as one block: a tab between columns, \N for NULL.
        rate_text = {code: str(rate) for code, rate in rate_of.items()}
        tail = f"{status}\t{_copy_text(actor)}\t{at.isoformat(' ')}\n"
        block = "".join(
            f"{customer_id}\t{_copy_text(number)}\t{amount}\t{currency}\t{rate_text[currency]}"
            f"\t{issued_on}\t{due_on}\t{_copy_text(order_ref) if order_ref else NULL}"
            f"\t{amount}\t{tail}"
            for customer_id, number, amount, currency, issued_on, due_on, order_ref in fresh
        )
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY invoice ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                copy.write(block)
        return
    # SQLite, stored as SQLAlchemy stores it: numbers as REAL, dates and times as ISO text.
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
    rate_float = {code: float(rate) for code, rate in rate_of.items()}
    rows = [
        (
            customer_id, number, float(amount), currency, rate_float[currency],
            issued_on.isoformat(), due_on.isoformat(), order_ref, float(amount), status, actor,
            stamp,
        )
        for customer_id, number, amount, currency, issued_on, due_on, order_ref in fresh
    ]  # fmt: skip
    marks = ", ".join("?" * len(_COLUMNS))
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO invoice ({', '.join(_COLUMNS)}) VALUES ({marks})", rows)
    finally:
        cursor.close()


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text: str) -> str:
    """A text value escaped for COPY's text format."""
    if "\\" in text or not text.isprintable():
        return text.translate(_COPY_ESCAPES)
    return text
