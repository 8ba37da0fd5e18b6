"""What a person deciding on an application sees: request against suggestion, points per factor,
exposure and aging, the approval chain with who decided so far, the override, the terms rule."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.exceptions import WorkflowException

from credit.aging import aging_buckets
from credit.applications import PROCESS_KEY, application_view
from credit.credit_file import customer_summary
from credit.exposure import cny
from credit.models import CreditApplication, Invoice, InvoiceStatus
from credit.terms import to_base
from credit.visibility import may_see_application, redact
from engine.decisions import evaluate
from engine.errors import Forbidden, NotFound
from engine.inbox import OPEN_STATES
from engine.models import HumanTask, ProcessInstance, TaskStatus
from engine.runtime import Runtime

log = logging.getLogger(__name__)


def open_receivables(session: so.Session, customer_id: int) -> list[tuple[dt.date, Decimal]]:
    """(due date, open amount in CNY) of every open invoice of a customer."""
    rows = session.execute(
        sa.select(Invoice.due_on, Invoice.open_amount, Invoice.fx_rate).where(
            Invoice.customer_id == customer_id,
            Invoice.status == InvoiceStatus.OPEN.value,
        )
    )
    return [(due_on, cny(Decimal(amount), Decimal(rate))) for due_on, amount, rate in rows]


def approval_tiers(
    session: so.Session, rt: Runtime, app: CreditApplication, rates: Mapping[str, str]
) -> list[str]:
    """The tiers this application needs, read from its model version's approval matrix."""
    if app.grade is None or app.process_instance_id is None:
        return []
    row = session.get(ProcessInstance, app.process_instance_id)
    bundle = rt.registry.get(session, row.process_key, row.version)
    table = bundle.decisions.get("approval_matrix")
    if table is None:
        return []
    inputs = {
        "grade": app.grade,
        "requested_limit_cny": to_base(Decimal(app.requested_limit), app.currency, rates),
        "limit_change": "application",
    }
    try:
        return list(evaluate(table, inputs, rt.script_engine).get("approval_tiers") or [])
    except WorkflowException:  # a matrix that asks for other inputs: show the page without it
        log.warning("approval matrix of application %s cannot be read", app.id, exc_info=True)
        return []


def approval_chain(tiers: list[str], approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tier of the current round with its decision so far (None: not decided yet)."""
    current = max((a["round"] for a in approvals), default=1)
    if approvals and approvals[-1]["decision"] == "return":
        current += 1  # a return restarts the tiers in a new round
    decided = {a["tier"]: a for a in approvals if a["round"] == current}
    chain = [{"tier": tier, "decision": decided.get(tier)} for tier in tiers]
    waiting = next((link for link in chain if link["decision"] is None), None)
    for link in chain:
        link["state"] = (
            link["decision"]["decision"]
            if link["decision"]
            else ("waiting" if link is waiting else "later")
        )
    return chain


def terms_rule(app: Mapping[str, Any]) -> dict[str, Any] | None:
    """Why the suggested terms are what they are: the grade's, the shorter requested, or an
    override (the policy: the grade's terms, or the requested terms where those are shorter)."""
    suggested = app.get("suggested_terms_days")
    assessment = app.get("assessment") or {}
    grade_terms = assessment.get("grade_terms_days")
    if suggested is None or grade_terms is None:
        return None
    requested = app.get("requested_terms_days")
    if "override_terms_days" in (assessment.get("overrides") or {}):
        rule = "override"
    elif requested is not None and suggested == requested and suggested != grade_terms:
        rule = "requested_shorter"
    else:
        rule = "grade"
    return {
        "rule": rule,
        "requested": requested,
        "grade_terms": grade_terms,
        "suggested": suggested,
        "grade": app.get("grade"),
    }


def factor_rows(app: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Points per scoring factor with the input it was scored on."""
    assessment = app.get("assessment") or {}
    ratios = assessment.get("ratios") or {}
    inputs = {
        "current_ratio": ratios.get("current_ratio"),
        "debt_to_asset": ratios.get("debt_to_asset"),
        "net_margin": ratios.get("net_margin"),
        "years_in_business": assessment.get("years_in_business"),
        "external_score": assessment.get("external_score"),
        "payment_history": assessment.get("max_days_past_due"),
        "industry_risk": assessment.get("industry_risk"),
        "qualitative_rating": assessment.get("qualitative_rating"),
    }
    return [
        {**row, "input": inputs.get(row["factor"]), "short": row["points"] != row["max_points"]}
        for row in assessment.get("factors") or []
    ]


def decision_context(
    session: so.Session,
    rt: Runtime,
    application_id: int,
    today: dt.date,
    rates: Mapping[str, str],
) -> dict[str, Any]:
    """Everything shown beside a credit task: application, customer, aging, chain, factors."""
    app_row = session.get(CreditApplication, application_id)
    if app_row is None:
        raise NotFound(f"no credit application with id {application_id}")
    application = application_view(session, application_id)
    customer = customer_summary(session, app_row.customer_id, today, rates)
    tiers = approval_tiers(session, rt, app_row, rates)
    return {
        "application": application,
        "customer": customer,
        "aging": aging_buckets(open_receivables(session, app_row.customer_id), today),
        "chain": approval_chain(tiers, application["approvals"]),
        "factors": factor_rows(application),
        "terms_rule": terms_rule(application),
        "approved_so_far": _lowest_approved(application["approvals"]),
        "outcome": outcome(application),
    }


def _lowest_approved(approvals: list[dict[str, Any]]) -> Decimal | None:
    """The limit as lowered by the approvers of the latest round so far (None: none yet)."""
    if not approvals:
        return None
    current = approvals[-1]["round"]
    limits = [
        Decimal(a["approved_limit"])
        for a in approvals
        if a["round"] == current and a["decision"] == "approve" and a["approved_limit"] is not None
    ]
    return min(limits) if limits else None


def outcome(application: Mapping[str, Any]) -> dict[str, Any] | None:
    """The decided outcome of an application: each tier's decision of the last round and the
    final limit and terms with the rule behind the terms (None while undecided)."""
    if application["status"] not in ("approved", "rejected"):
        return None
    approvals = application["approvals"]
    last_round = max((a["round"] for a in approvals), default=1)
    return {
        "status": application["status"],
        "tiers": [a for a in approvals if a["round"] == last_round],
        "limit": application["approved_limit"],
        "terms_days": application["approved_terms_days"],
        "grade": application["grade"],
        "currency": application["currency"],
        "decided_at": application["decided_at"],
        "terms_rule": terms_rule(application),
    }


def credit_decisions(session: so.Session, customer_id: int) -> list[dict[str, Any]]:
    """The outcomes of the customer's decided applications, latest first."""
    ids = session.scalars(
        sa.select(CreditApplication.id)
        .where(
            CreditApplication.customer_id == customer_id,
            CreditApplication.status.in_(("approved", "rejected")),
        )
        .order_by(CreditApplication.decided_at.desc(), CreditApplication.id.desc())
    )
    return [
        {"application_id": app_id, **outcome(application_view(session, app_id))} for app_id in ids
    ]


def after_completion(session: so.Session, task_id: str) -> dict[str, Any] | None:
    """What happened when a task was completed and where the case went next."""
    task = session.get(HumanTask, task_id)
    if task is None or task.status != TaskStatus.COMPLETED.value:
        return None
    waiting = session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.instance_id == task.instance_id, HumanTask.status.in_(OPEN_STATES))
        .order_by(HumanTask.created_at)
    ).all()
    note: dict[str, Any] = {
        "task_title": task.title,
        "task_name": task.name,
        "by": task.completed_by,
        "next": [
            {"title": t.title, "groups": list(t.candidate_groups), "assignee": t.assignee}
            for t in waiting
        ],
        "application": None,
        "decision": None,
    }
    if task.process_key == PROCESS_KEY and (task.business_key or "").isdigit():
        application = application_view(session, int(task.business_key))
        note["application"] = application
        mine = [a for a in application["approvals"] if a["user"] == task.completed_by]
        if task.name.startswith("approve_") and mine:
            note["decision"] = mine[-1]
        note["outcome"] = outcome(application)
    return note


def visible_application(
    session: so.Session, username: str, groups: set[str], application_id: int
) -> dict[str, Any]:
    """The application view as this user may see it.

    :raises NotFound: no such application.
    :raises Forbidden: a sales rep's view of a case they do not own.
    """
    view = application_view(session, application_id)
    app = session.get(CreditApplication, application_id)
    if not may_see_application(session, username, groups, app):
        raise Forbidden(f"user '{username}' does not own application {application_id}")
    return redact(view, groups)


def application_instance_id(session: so.Session, application_id: int) -> int:
    """The process instance of an application.

    :raises NotFound: no such application, or it has no process yet.
    """
    instance_id = session.scalar(
        sa.select(CreditApplication.process_instance_id).where(
            CreditApplication.id == application_id
        )
    )
    if instance_id is None:
        raise NotFound(f"no credit application with id {application_id}")
    return instance_id
