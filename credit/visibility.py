"""Who sees which credit case: staff see every case; a sales rep sees the cases they own.

A sales rep owns an application they filed and the applications of customers they opened.
What a sales rep sees of an owned case leaves out the analyst's internal notes (the assessment
comment); decisions and their reasons stay visible, since the applicant is told of them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.models import CreditApplication, Customer

# Groups that work on or oversee every case (the role table's staff roles).
CASE_STAFF = frozenset(
    {
        "credit_analyst",
        "credit_manager",
        "finance_director",
        "general_manager",
        "collector",
        "legal",
        "process_designer",
        "auditor",
        "admin",
        "integration",
    }
)
INTERNAL_NOTES = ("comment",)


def sees_every_case(groups: set[str] | frozenset[str]) -> bool:
    """Whether the groups make the user case staff."""
    return bool(set(groups) & CASE_STAFF)


def owns_application(session: so.Session, username: str, app: CreditApplication) -> bool:
    """Whether the user filed the application or opened its customer's credit file."""
    if app.applicant == username:
        return True
    created_by = session.scalar(
        sa.select(Customer.created_by).where(Customer.id == app.customer_id)
    )
    return created_by == username


def may_see_application(
    session: so.Session, username: str, groups: set[str], app: CreditApplication
) -> bool:
    """Staff see every application; others only the ones they own."""
    return sees_every_case(groups) or owns_application(session, username, app)


def application_of_instance(session: so.Session, instance_id: int) -> CreditApplication | None:
    """The credit application a process instance belongs to, if any."""
    return session.scalar(
        sa.select(CreditApplication).where(CreditApplication.process_instance_id == instance_id)
    )


def redact(view: dict[str, Any], groups: set[str]) -> dict[str, Any]:
    """An application view without the analyst's internal notes, for non-staff readers."""
    if sees_every_case(groups):
        return view
    assessment = {
        k: v for k, v in (view.get("assessment") or {}).items() if k not in INTERNAL_NOTES
    }
    return {**view, "assessment": assessment}
