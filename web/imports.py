"""`creditflow import invoices FILE`: bulk CSV import with progress, summary and rejected lines."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from credit.invoice_import import BATCH, ImportReport, import_invoices
from engine.db import end_bulk_load, tune_for_bulk_load

ACTOR = "import"


@click.group("import")
def import_cmd() -> None:
    """Bulk imports; running one again imports nothing twice."""


@import_cmd.command("invoices")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="where the rejected lines go (default: FILE.rejected.csv next to FILE)",
)
@click.option("--batch", default=BATCH, type=click.IntRange(100, 100_000), show_default=True)
@with_appcontext
def import_invoices_cmd(path: Path, rejected_path: Path | None, batch: int) -> None:
    """Import invoices from a CSV file (header customer_id,number,amount,currency,issued_on,
    due_on[,order_ref]); each batch is committed, bad lines are written to a file."""
    report, seconds = import_invoice_file(path, batch)
    rejected_path = rejected_path or path.with_name(path.name + ".rejected.csv")
    if report.rejected:
        write_rejected(path, rejected_path, report)
    rate = (report.imported + report.unchanged) / seconds if seconds else 0
    click.echo(
        f"{report.lines - 1} lines: {report.imported} imported, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    if report.rejected:
        click.echo(f"rejected lines with their errors: {rejected_path}")


def import_invoice_file(path: Path, batch: int = BATCH) -> tuple[ImportReport, float]:
    """Import one file batch by batch (a commit per batch) behind a progress bar."""
    clock = current_app.extensions["creditflow.runtime"].clock
    rates = current_app.config["CREDITFLOW"].fx_rates
    started = time.perf_counter()
    # The app's objects live as long as the command: frozen, the collector's full passes
    # (several per million lines) no longer walk them all again.
    gc.freeze()
    try:
        return _import_file(path, batch, clock.now(), rates, started)
    finally:
        gc.unfreeze()


def _import_file(
    path: Path, batch: int, now: dt.datetime, rates: dict[str, str], started: float
) -> tuple[ImportReport, float]:
    from web.extensions import db

    with path.open(encoding="utf-8-sig", newline="") as handle:
        with click.progressbar(length=path.stat().st_size, label="importing") as bar:

            def after_batch(report: ImportReport) -> None:
                db.session.commit()
                tune_for_bulk_load(db.session)
                # Bytes the decoder has taken so far (at most one read-ahead chunk beyond the
                # last line parsed): cheaper than counting the bytes of every line.
                bar.update(handle.buffer.tell() - bar.pos)

            tune_for_bulk_load(db.session)
            report = import_invoices(db.session, now, ACTOR, handle, rates, batch, after_batch)
    db.session.commit()
    end_bulk_load(db.session)
    db.session.commit()
    return report, time.perf_counter() - started


def write_rejected(source: Path, target: Path, report: ImportReport) -> None:
    """The rejected lines with their line number and errors, then the original columns."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "errors", *header])
        for rejected in report.rejected:
            cells = next(csv.reader([rejected.text]), [])
            writer.writerow(
                [rejected.line, json.dumps(rejected.errors, ensure_ascii=False), *cells]
            )
