"""Score a customer for a periodic review exactly as an application is scored, and compare.

The inputs come from credit.scoring_inputs (the function applications use), the points, grade
and terms from the same DMN decisions (`scorecard`, `grade`, `grade_terms`) of the review's
bundle; ``compare`` sets the result beside the previous assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from credit import scorecard
from credit.models import ApplicationStatus, CreditApplication, Customer
from credit.monitoring_models import CreditReview, ReviewStatus
from credit.scoring_inputs import scoring_inputs_for
from engine.audit import plain
from engine.clock import from_db
from engine.services import StepContext

# What the analyst enters that the scorecard reads (the review form's assess fields).
ANALYST_INPUTS = ("years_in_business", "qualitative_rating", "industry_risk")


@dataclass(frozen=True)
class Scored:
    """A customer's score, grade (as the model gives it), reason codes and factor rows."""

    score: Decimal
    grade: str
    reason_codes: list[str]
    factors: list[dict[str, Any]]
    inputs: dict[str, Any]
    terms: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """Plain values for the review row and the task's context."""
        return plain(
            {
                "score": scorecard.as_points(self.score),
                "grade": self.grade,
                "reason_codes": self.reason_codes,
                "factors": [
                    {
                        **row,
                        "points": _points(row["points"]),
                        "max_points": _points(row["max_points"]),
                    }
                    for row in self.factors
                ],
                "ratios": self.inputs.get("ratios"),
                "altman_zone": self.inputs.get("altman_zone"),
                "external_score": self.inputs.get("external_score"),
                "max_days_past_due": self.inputs.get("max_days_past_due"),
                "years_in_business": self.inputs.get("years_in_business"),
                "qualitative_rating": self.inputs.get("qualitative_rating"),
                "industry_risk": self.inputs.get("industry_risk"),
                "review_months": self.terms.get("review_months"),
                "terms_days": self.terms.get("terms_days"),
            }
        )


def score_customer(ctx: StepContext, customer: Customer, entered: Mapping[str, Any]) -> Scored:
    """Score the customer today with the analyst's entries (missing ones as in an application)."""
    inputs = scoring_inputs_for(ctx.session, customer, ctx.today, entered.get("years_in_business"))
    inputs["industry_risk"] = entered.get("industry_risk") or customer.industry_risk
    inputs["qualitative_rating"] = entered.get("qualitative_rating")
    data = {**inputs, **ctx.decide("scorecard", inputs)}
    score, reasons = scorecard.score_and_reasons(data)
    grade = ctx.decide(
        "grade",
        {
            "score": score,
            "altman_zone": inputs["altman_zone"],
            "enforcement_flag": inputs["enforcement_flag"],
        },
    )["grade"]
    terms = ctx.decide("grade_terms", {"grade": grade})
    return Scored(score, grade, reasons, scorecard.factor_rows(data), inputs, terms)


def previous_assessment(ctx: StepContext, customer_id: int) -> dict[str, Any]:
    """The assessment behind the active terms: the latest approved application or review."""
    app = ctx.session.scalar(
        sa.select(CreditApplication)
        .where(
            CreditApplication.customer_id == customer_id,
            CreditApplication.status == ApplicationStatus.APPROVED.value,
        )
        .order_by(CreditApplication.decided_at.desc(), CreditApplication.id.desc())
        .limit(1)
    )
    review = ctx.session.scalar(
        sa.select(CreditReview)
        .where(
            CreditReview.customer_id == customer_id,
            CreditReview.status == ReviewStatus.COMPLETED.value,
            CreditReview.outcome.is_not(None),
            CreditReview.outcome != "rejected",
        )
        .order_by(CreditReview.completed_at.desc(), CreditReview.id.desc())
        .limit(1)
    )
    app_at = from_db(app.decided_at) if app is not None else None
    review_at = from_db(review.completed_at) if review is not None else None
    if review is not None and (app_at is None or review_at >= app_at):
        return _assessment(
            "review",
            review.id,
            review_at,
            review.score,
            review.grade,
            review.reason_codes,
            review.assessment,
        )
    if app is None:
        return {}
    return _assessment(
        "application", app.id, app_at, app.score, app.grade, app.reason_codes, app.assessment
    )


def _assessment(
    kind: str,
    key: int,
    at: Any,
    score: Decimal | None,
    grade: str | None,
    codes: list[Any] | None,
    assessment: dict[str, Any] | None,
) -> dict[str, Any]:
    """One stored assessment as the comparison reads it."""
    stored = assessment or {}
    return plain(
        {
            "kind": kind,
            "id": key,
            "at": at,
            "score": scorecard.as_points(score),
            "grade": grade,
            "reason_codes": list(codes or []),
            "factors": stored.get("factors") or [],
            **{k: stored.get(k) for k in ANALYST_INPUTS},
        }
    )


def compare(previous: Mapping[str, Any], now: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two assessments: score, grade, reason codes, points per factor."""
    before = {row["factor"]: row for row in previous.get("factors") or []}
    factors = []
    for row in now.get("factors") or []:
        old = before.get(row["factor"])
        factors.append(
            {
                "factor": row["factor"],
                "points": _points(row["points"]),
                "previous_points": _points(old["points"]) if old else None,
            }
        )
    old_codes = list(previous.get("reason_codes") or [])
    new_codes = list(now.get("reason_codes") or [])
    return plain(
        {
            "score": now.get("score"),
            "previous_score": previous.get("score"),
            "grade": now.get("grade"),
            "previous_grade": previous.get("grade"),
            "grade_changed": bool(previous) and previous.get("grade") != now.get("grade"),
            "new_reason_codes": [code for code in new_codes if code not in old_codes],
            "resolved_reason_codes": [code for code in old_codes if code not in new_codes],
            "factors": factors,
        }
    )


def _points(value: Any) -> int | float | None:
    """Points as a JSON number whether stored as Decimal, string or number."""
    return None if value is None else scorecard.as_points(Decimal(str(value)))
