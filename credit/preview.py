"""What the analyst's assessment would give, before it is submitted: score, grade, suggested
limit and terms, and warnings about missing or stale data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.exceptions import WorkflowException

from credit.case_view import terms_rule
from credit.errors import PolicyError
from credit.models import CreditApplication, CreditReport, Customer, FinancialStatement
from credit.scorecard import as_points, factor_rows
from credit.tasks import scoring_inputs, suggest_terms, total_score
from engine.errors import EngineError, NotFound
from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.steps import step_context

CENT = Decimal("0.01")
ENTERED = (
    "years_in_business",
    "qualitative_rating",
    "industry_risk",
    "override_limit",
    "override_grade",
    "override_terms_days",
    "override_reason",
)


def data_warnings(
    session: so.Session, customer: Customer, today: dt.date, decide: Any
) -> list[dict[str, Any]]:
    """Missing or stale data the score would rest on (ages from the data_freshness decision)."""
    warnings: list[dict[str, Any]] = []
    statement = session.scalar(
        sa.select(FinancialStatement.period_end)
        .where(FinancialStatement.customer_id == customer.id)
        .order_by(FinancialStatement.period_end.desc())
        .limit(1)
    )
    report = session.scalar(
        sa.select(CreditReport.report_date)
        .where(CreditReport.customer_id == customer.id)
        .order_by(CreditReport.report_date.desc())
        .limit(1)
    )
    for kind, latest in (("statement", statement), ("credit_report", report)):
        if latest is None:
            warnings.append({"code": f"no_{kind}", "kind": kind})
            continue
        try:
            limit = int(decide("data_freshness", {"kind": kind})["max_age_days"])
        except (KeyError, EngineError, PolicyError):
            continue  # a model without the decision: no staleness check
        age = (today - latest).days
        if age > limit:
            warnings.append(
                {"code": f"stale_{kind}", "kind": kind, "on": latest, "age": age, "limit": limit}
            )
    if customer.founded_on is None:
        warnings.append({"code": "no_founding_date", "kind": "profile"})
    return warnings


def assessment_warnings(
    session: so.Session, rt: Runtime, customer_id: int, instance_id: int
) -> list[dict[str, Any]]:
    """``data_warnings`` of a customer, the ages from the decisions of the application's model."""
    from engine.decisions import evaluate

    customer = session.get(Customer, customer_id)
    row = session.get(ProcessInstance, instance_id)
    if customer is None or row is None:
        return []
    bundle = rt.registry.get(session, row.process_key, row.version)

    def decide(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return evaluate(bundle.decisions[name], inputs, rt.script_engine)

    return data_warnings(session, customer, rt.clock.today(), decide)


def score_preview(
    session: so.Session, rt: Runtime, application_id: int, actor: str, entered: dict[str, Any]
) -> dict[str, Any]:
    """Run the scoring services and decisions of the application's model on the entered values
    inside a savepoint that is rolled back: nothing is stored, nothing is audited."""
    app = session.get(CreditApplication, application_id)
    if app is None or app.process_instance_id is None:
        raise NotFound(f"no credit application with id {application_id}")
    row = session.get(ProcessInstance, app.process_instance_id)
    customer = session.get(Customer, app.customer_id)
    bundle = rt.registry.get(session, row.process_key, row.version)
    ctx = step_context(rt, session, row, bundle, actor, rt.clock.now())
    data: dict[str, Any] = dict.fromkeys(ENTERED)
    data.update(application_id=app.id, industry_risk=customer.industry_risk)
    data.update({k: v for k, v in entered.items() if k in ENTERED and v not in (None, "")})
    data["analyst"] = actor
    result: dict[str, Any] = {"warnings": data_warnings(session, customer, ctx.today, ctx.decide)}
    savepoint = session.begin_nested()
    try:
        data.update(scoring_inputs(ctx, data))
        data.update(ctx.decide("scorecard", data))
        data.update(total_score(ctx, data))
        data.update(ctx.decide("grade", data))
        data.update(ctx.decide("grade_terms", data))
        data.update(suggest_terms(ctx, data))
        assessment = dict(app.assessment or {})
    except (EngineError, PolicyError, WorkflowException, KeyError, ValueError) as exc:
        result["problem"] = getattr(exc, "detail", str(exc))
        result["errors"] = getattr(exc, "errors", {})
        return result
    finally:
        savepoint.rollback()
    result.update(
        score=as_points(data["score"]),
        grade=data["grade"],
        model_grade=assessment.get("model_grade"),
        reason_codes=list(data["reason_codes"]),
        factors=factor_rows(data),
        suggested_limit=Decimal(data["suggested_limit"]).quantize(CENT),
        suggested_terms_days=data["suggested_terms_days"],
        currency=app.currency,
        terms_rule=terms_rule(
            {
                "suggested_terms_days": data["suggested_terms_days"],
                "requested_terms_days": app.requested_terms_days,
                "grade": data["grade"],
                "assessment": assessment,
            }
        ),
    )
    return result
