"""Service-task functions of the `early_warning` process: the actions of a rise.

Each one trusts the database, not the task data: the rise (``warning_change``) must belong to
the instance's customer and to this instance, and must have passed the level whose action runs.
They run only in `early_warning` instances (registered with that process key), and only a
rise starts such an instance (credit.warnings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credit.credit_file import sales_rep_of
from credit.holds import place_hold
from credit.models import Customer
from credit.monitoring_models import CustomerWarning, WarningChange
from credit.receivable_models import HoldSource
from credit.warning_rules import Level
from engine.errors import Forbidden, Invalid, NotFound
from engine.runtime import Runtime
from engine.services import ServiceRegistry, StepContext

PROCESS_KEY = "early_warning"
LEGAL_DECISIONS = ("sue", "arbitrate", "settle", "write_off")
CREDIT_MANAGERS = "credit_manager"


def _change(ctx: StepContext, data: dict[str, Any], claim: bool = False) -> WarningChange:
    """The rise this instance acts on, checked against the database."""
    raw = data.get("warning_change_id")
    change = ctx.session.get(WarningChange, int(raw)) if str(raw).isdigit() else None
    if change is None:
        raise NotFound(f"no warning change {raw!r}")
    if str(change.customer_id) != str(ctx.business_key):
        raise Forbidden(
            f"warning change {change.id} is not of customer {ctx.business_key} "
            f"(instance {ctx.instance_id})"
        )
    owner = change.process_instance_id
    if owner != ctx.instance_id and not (claim and owner is None):
        raise Forbidden(f"warning change {change.id} belongs to instance {owner}")
    return change


def _passed(change: WarningChange, level: Level) -> None:
    if level.label not in (change.levels_passed or []):
        raise Forbidden(
            f"warning change {change.id} ({change.from_level} → {change.to_level}) did not pass "
            f"{level.label}; its actions do not run"
        )


def load(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Bind the rise to this instance; the gateways read its levels from the database."""
    change = _change(ctx, data, claim=True)
    change.process_instance_id = ctx.instance_id
    customer = ctx.session.get(Customer, change.customer_id)
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "levels": list(change.levels_passed or []),
        "to_level": change.to_level,
        "signal_codes": list(change.codes or []),
    }


def _notice_values(ctx: StepContext, change: WarningChange) -> dict[str, Any]:
    customer = ctx.session.get(Customer, change.customer_id)
    stored = ctx.session.get(CustomerWarning, change.customer_id)
    signals = (stored.signals if stored else None) or []
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "level": change.to_level,
        "from_level": change.from_level,
        "signals_en": "; ".join(s["detail"]["en"] for s in signals),
        "signals_zh": "；".join(s["detail"]["zh"] for s in signals),
        "signal_codes": ", ".join(change.codes or []),
    }


def _notify(
    ctx: StepContext, change: WarningChange, level: Level, users: list[str], groups: list[str]
) -> None:
    ctx.emit(
        "notice",
        template="warning_raised",
        key=f"warning_raised:{change.id}:{level.label}",
        users=users,
        groups=groups,
        values=_notice_values(ctx, change),
    )
    ctx.audit(
        "warning_notified",
        {
            "customer_id": change.customer_id,
            "change_id": change.id,
            "level": level.label,
            "users": users,
            "groups": groups,
        },
    )


def notify_sales_rep(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Blue: tell the customer's sales rep (who filed its latest application)."""
    change = _change(ctx, data)
    _passed(change, Level.BLUE)
    rep = sales_rep_of(ctx.session, change.customer_id)
    _notify(ctx, change, Level.BLUE, [rep] if rep else [], [])
    return {"sales_rep": rep}


def notify_credit_managers(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Yellow: tell the credit managers."""
    change = _change(ctx, data)
    _passed(change, Level.YELLOW)
    _notify(ctx, change, Level.YELLOW, [], [CREDIT_MANAGERS])
    return {}


def place_warning_hold(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Red: put the customer on credit hold (lifted only by a review or a credit manager)."""
    change = _change(ctx, data)
    _passed(change, Level.RED)
    hold = place_hold(
        ctx.session,
        ctx.now,
        ctx.actor,
        change.customer_id,
        HoldSource.EARLY_WARNING,
        f"early warning red: {', '.join(change.codes or [])}",
        ref=f"warning:{change.id}",
    )
    return {"hold_id": hold.id}


def start_warning_collection(
    ctx: StepContext, data: dict[str, Any], runtime: Callable[[], Runtime]
) -> dict[str, Any]:
    """Red: start the customer's collection escalation when anything is overdue (not when one
    is running already); the escalation walks the dunning ladder from the overdue days. Says
    whether the escalation has reached its legal stage (then its legal review is the one)."""
    from credit.collection_ladder import Stage, rank
    from credit.collection_requests import start_escalation
    from credit.collections import running_case

    change = _change(ctx, data)
    _passed(change, Level.RED)
    instance_id = start_escalation(ctx.session, runtime(), change.customer_id)
    if instance_id is not None:
        ctx.audit(
            "collection_started_by_warning",
            {"customer_id": change.customer_id, "change_id": change.id, "instance_id": instance_id},
        )
    case = running_case(ctx.session, change.customer_id)
    reached = Stage(case.ladder_stage) if case is not None and case.ladder_stage else None
    # The escalation's own legal review covers the warning's: one task for the legal officer.
    legal_in_collection = reached is not None and rank(reached) >= rank(Stage.LEGAL)
    return {"collection_instance_id": instance_id, "legal_in_collection": legal_in_collection}


def record_legal_review(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Red: record the legal officer's decision on the customer."""
    change = _change(ctx, data)
    _passed(change, Level.RED)
    decision = data.get("decision")
    if decision not in LEGAL_DECISIONS:
        raise Invalid.field("decision", f"must be one of {', '.join(LEGAL_DECISIONS)}")
    change.legal_decision = decision
    ctx.audit(
        "legal_review_recorded",
        {
            "customer_id": change.customer_id,
            "change_id": change.id,
            "decision": decision,
            "comment": (data.get("comment") or "").strip(),
        },
    )
    return {}


def start_warning_review(
    ctx: StepContext, data: dict[str, Any], runtime: Callable[[], Runtime]
) -> dict[str, Any]:
    """Orange: start a periodic review now, unless one of the customer is running."""
    from credit.reviews import start_review_unless_running

    change = _change(ctx, data)
    _passed(change, Level.ORANGE)
    review = start_review_unless_running(
        ctx.session,
        runtime(),
        change.customer_id,
        "warning",
        ctx.actor,
        f"early warning {change.to_level}: {', '.join(change.codes or [])}",
    )
    return {"review_id": review.id if review else None}


def register(services: ServiceRegistry, runtime: Callable[[], Runtime]) -> None:
    """Register the actions under their BPMN names, confined to `early_warning`."""

    def with_runtime(function: Callable[..., Any]) -> Callable[..., Any]:
        def run(ctx: StepContext, data: dict[str, Any], **params: Any) -> Any:
            return function(ctx, data, runtime, **params)

        return run

    for name, function in {
        "warning.load": load,
        "warning.notify_sales_rep": notify_sales_rep,
        "warning.notify_credit_managers": notify_credit_managers,
        "warning.start_review": with_runtime(start_warning_review),
        "warning.place_hold": place_warning_hold,
        "warning.start_collection": with_runtime(start_warning_collection),
        "warning.record_legal_review": record_legal_review,
    }.items():
        services.register(name, function, process_keys=(PROCESS_KEY,))
    services.started_by_domain(PROCESS_KEY)
