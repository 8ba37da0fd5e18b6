"""Which shipped files make up each deployable bundle."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent

BUNDLES: dict[str, tuple[str, ...]] = {
    "credit_application": (
        "credit_application.bpmn",
        "credit_assessment.bpmn",
        "credit_scoring.bpmn",
        "tiered_approval.bpmn",
        "scorecard.dmn",
        "grade.dmn",
        "grade_terms.dmn",
        "approval_matrix.dmn",
        "security_cover.dmn",
        "data_freshness.dmn",
    ),
    "early_warning": ("early_warning.bpmn", "early_warning.dmn"),
    "periodic_review": (
        "periodic_review.bpmn",
        "tiered_approval.bpmn",
        "scorecard.dmn",
        "grade.dmn",
        "grade_terms.dmn",
        "approval_matrix.dmn",
    ),
    "credit_decision": (
        "credit_decision.bpmn",
        "credit_decision_tiers.bpmn",
        "approval_matrix.dmn",
        "credit_check_points.dmn",
        "credit_check_tolerance.dmn",
        "credit_check_reasons.dmn",
    ),
    "collection_escalation": (
        "collection_escalation.bpmn",
        "dunning_ladder.dmn",
        "collection_terms.dmn",
    ),
}


def bundle_files(key: str) -> dict[str, str]:
    """The BPMN and DMN texts of a shipped bundle."""
    return {name: (MODELS_DIR / name).read_text(encoding="utf-8") for name in BUNDLES[key]}
