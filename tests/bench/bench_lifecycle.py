"""Benchmark: a full credit application lifecycle persisted in SQLite vs the same BPMN in memory.

Run with `creditflow bench lifecycle` (or `python tests/bench/bench_lifecycle.py`). Both variants
run the shipped credit_application bundle (4 BPMN processes, 5 DMN tables, the sandboxed script
engine) in the same process, one after the other; the ratio is what we track.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "integration"), str(ROOT / "tests" / "bench")]

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

STATEMENT = {
    "current_assets": Decimal("12000000"),
    "current_liabilities": Decimal("7000000"),
    "inventory": Decimal("3000000"),
    "total_assets": Decimal("30000000"),
    "total_liabilities": Decimal("16000000"),
    "equity": Decimal("14000000"),
    "revenue": Decimal("45000000"),
    "net_profit": Decimal("2700000"),
    "ebit": Decimal("4200000"),
    "interest_expense": Decimal("900000"),
    "retained_earnings": Decimal("6000000"),
    "operating_cash_flow": Decimal("3000000"),
}


def memory_services():
    """The credit service operations without a database (same computations, fixed facts)."""
    from credit import limits, scorecard
    from credit.ratios import as_json, compute_ratios

    def load_application(data):
        return {
            "customer_id": 1,
            "customer_name": "bench",
            "requested_limit": Decimal("1500000"),
            "currency": "CNY",
            "requested_terms_days": 60,
            "expected_monthly_purchases": Decimal("900000"),
            "applicant": "sales1",
            "case_workers": ["sales1"],
            "approvers": [],
            "industry_risk": "medium",
            "limit_change": "application",
        }

    def scoring_inputs(data):
        r = compute_ratios(STATEMENT)
        return {
            "current_ratio": r.current_ratio,
            "debt_to_asset": r.debt_to_asset,
            "net_margin": r.net_margin,
            "altman_z2": r.altman_z2,
            "altman_zone": str(r.altman_zone),
            "years_in_business": 8,
            "external_score": 75,
            "enforcement_flag": False,
            "max_days_past_due": 12,
            "equity": STATEMENT["equity"],
            "ratios": as_json(r),
            "factor": None,
            "points": None,
            "max_points": None,
            "reason_code": None,
        }

    def total_score(data):
        score, reasons = scorecard.score_and_reasons(data)
        return {"score": score, "reason_codes": reasons}

    def suggest_terms(data):
        cover = limits.security_cover(
            [("collateral", Decimal("1000000"), None)],
            {"collateral": Decimal("0.6")},
            dt.date.today(),
        )
        limit = limits.suggested_limit(
            data["equity"], Decimal("900000"), Decimal(str(data["limit_factor"])), cover
        )
        return {"suggested_limit": limit, "suggested_terms_days": 45, "approval_tiers": None}

    def record_approval(data):
        return {
            "approvers": list(data["approvers"]) + [data["actor"]],
            "approved_limit_cap": data.get("approved_limit_cap"),
            "approved_limit": None,
        }

    none = lambda data, **kw: {}  # noqa: E731
    table = {
        "credit.load_application": load_application,
        "credit.scoring_inputs": scoring_inputs,
        "credit.total_score": total_score,
        "credit.suggest_terms": suggest_terms,
        "credit.record_approval": record_approval,
        "credit.activate_limit": none,
        "credit.reject_application": none,
        "credit.set_status": none,
    }

    def caller(name, params, task_data):
        result = table[name](task_data, **params)
        task_data.update(result or {})
        return True

    return caller


def in_memory_lifecycle(bundle, script_engine) -> None:
    """Run one application through the BPMN with no persistence at all."""
    wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine)
    wf.get_tasks(state=TaskState.READY)[0].set_data(
        application_id=1, requested_limit_cny=Decimal("1500000")
    )
    wf.do_engine_steps()
    answers = [
        {"years_in_business": 8, "qualitative_rating": 3, "actor": "analyst1"},
        {"decision": "approve", "comment": "ok", "actor": "manager1"},
        {"decision": "approve", "comment": "ok", "actor": "director1"},
    ]
    for answer in answers:
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**answer)
        task.run()
        wf.do_engine_steps()
    assert wf.completed, "in-memory lifecycle did not complete"


def persisted_lifecycle(app, customer_id: int) -> None:
    """Run one application through the engine with every step committed to the database.

    The harness does what a client does and no more: file, then per step find the open task
    of the instance and complete it, each in its own transaction.
    """
    import sqlalchemy as sa

    from credit.applications import file_application
    from engine.instances import Actor, complete_task
    from web.extensions import db

    rt = app.extensions["creditflow.runtime"]
    rates = app.config["CREDITFLOW"].fx_rates
    application = file_application(
        db.session,
        rt,
        Actor("sales1", frozenset({"sales"})),
        {
            "customer_id": customer_id,
            "requested_limit": Decimal("1500000"),
            "currency": "CNY",
            "requested_terms_days": 60,
            "expected_monthly_purchases": Decimal("900000"),
        },
        rates,
    )
    application_id, instance_id = application.id, application.process_instance_id
    db.session.commit()
    for actor, data in STEPS:
        task_id = db.session.scalar(_OPEN_TASK, {"instance_id": instance_id})
        complete_task(rt, db.session, task_id, actor, data)
        db.session.commit()
    status = db.session.scalar(
        sa.select(type(application).status).where(type(application).id == application_id)
    )
    assert status == "approved", status


def _steps():
    from engine.actor import Actor

    return [
        (
            Actor("analyst1", frozenset({"credit_analyst"})),
            {"years_in_business": 8, "qualitative_rating": 3},
        ),
        (
            Actor("manager1", frozenset({"credit_manager"})),
            {"decision": "approve", "comment": "ok"},
        ),
        (
            Actor("director1", frozenset({"finance_director"})),
            {"decision": "approve", "comment": "ok"},
        ),
    ]


def _open_task_query():
    import sqlalchemy as sa

    from engine.models import HumanTask

    return sa.select(HumanTask.id).where(
        HumanTask.instance_id == sa.bindparam("instance_id"), HumanTask.status == "open"
    )


STEPS = _steps()
_OPEN_TASK = _open_task_query()

# Where the persisted time goes (exclusive time of each; `--breakdown`).
SECTIONS = {
    "Spiff engine steps": "engine.steps:run_bounded",
    "apply the command": "engine.steps:apply",
    "service tasks (credit SQL)": "engine.services:ServiceRegistry.call",
    "snapshot serialize": "engine.serializer:StateSerializer.serialize_json",
    "snapshot deserialize": "engine.serializer:StateSerializer.deserialize_json",
    "inbox rows": "engine.steps:sync_inbox",
    "message subscriptions": "engine.steps:sync_subscriptions",
    "audit chain": ("engine.audit:append", "credit.applications:append"),
    "outbox rows": "engine.runtime:Runtime.notify",
    "instance row compare-and-set": "engine.steps:persist",
    "step frame (savepoint, context)": "engine.advance:run_step",
    "load task and instance rows": "engine.instances:complete_task",
    "file the application (credit)": "credit.applications:file_application",
    "commit": "sqlalchemy.orm.session:Session.commit",
}


def measure_interleaved(first, second, count: int, warmup: int) -> tuple[float, float]:
    """Median seconds per call of two variants, alternated call by call after warm-up.

    Alternating keeps slow drifts of a shared machine out of the ratio.
    """
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for fn, out in ((first, samples[0]), (second, samples[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main(
    count: int = 200,
    warmup: int = 20,
    write: bool = True,
    db_url: str | None = None,
    breakdown: bool = False,
) -> dict:
    """Run both variants and print (and record) the ratio; optionally where the time goes.

    :param db_url: a PostgreSQL URL with the right to create databases (a fresh one is made and
        dropped); SQLite in a temporary file when None.
    """
    from flow_setup import bench_app, bench_database

    with bench_database(db_url) as url:
        app, customer_id = bench_app(url)
        with app.app_context():
            from web.extensions import db

            rt = app.extensions["creditflow.runtime"]
            bundle = rt.registry.latest(db.session, "credit_application")
            import copy

            # Same sandbox, functions and clock as the engine; only the services differ.
            memory_engine = copy.copy(rt.script_engine)
            memory_engine.service_caller = memory_services()
            memory, persisted = measure_interleaved(
                lambda: in_memory_lifecycle(bundle, memory_engine),
                lambda: persisted_lifecycle(app, customer_id),
                count,
                warmup,
            )
            split = _breakdown(app, customer_id, count) if breakdown else []
            db.session.remove()
            db.engine.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    result = {
        "backend": backend,
        "in_memory_ms": memory * 1000,
        "persisted_ms": persisted * 1000,
        "ratio": persisted / memory,
        "instances_per_s": 1 / persisted,
        "count": count,
        "breakdown": split,
    }
    line = (
        f"lifecycle (create → assess → 2 tiers → active), medians of {count} interleaved "
        f"runs: in memory {result['in_memory_ms']:.2f} ms, "
        f"persisted {backend} {result['persisted_ms']:.2f} ms "
        f"({result['instances_per_s']:.0f} instances/s), ratio {result['ratio']:.2f}×"
    )
    print(line)
    for text in split:
        print("   ", text)
    if write:
        docs = ROOT / "docs" / "benchmarks.md"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with docs.open("a", encoding="utf-8") as out:
            out.write(f"- {stamp}, `creditflow bench lifecycle`: {line}\n")
    return result


def _breakdown(app, customer_id: int, count: int) -> list[str]:
    """Exclusive time per engine section over `count` persisted lifecycles (a separate run)."""
    from sections import Sections

    with Sections().patched(SECTIONS) as sections:
        start = time.perf_counter()
        for _ in range(count):
            persisted_lifecycle(app, customer_id)
        total = time.perf_counter() - start
    return sections.report(total, count, "lifecycle")


if __name__ == "__main__":
    main()
