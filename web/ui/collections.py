"""The collectors' worklist (/collections) and the collection forms of the credit file."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from credit.collection_ladder import LADDER, Stage, rank
from credit.collection_worklist import worklist
from credit.collections import collection_view, escalations_of
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page

VIEWERS = (
    "collector",
    "credit_manager",
    "legal",
    "finance_director",
    "general_manager",
    "auditor",
    "admin",
)
PAGE_SIZE = 50
STAGES = [*LADDER, Stage.WRITE_OFF, Stage.PAUSED_PROMISE, Stage.PAUSED_DISPUTE]


@bp.get("/collections")
@page(*VIEWERS)
def collections():
    """Customers in escalation: stage, days past due, overdue amount, promise, next step."""
    stage = request.args.get("stage") or None
    if stage not in STAGES:
        stage = None
    offset = min(max(request.args.get("offset", 0, type=int), 0), 10**9)
    listing = worklist(db.session, runtime().clock.today(), stage, PAGE_SIZE, offset)
    return render_template(
        "collections.html",
        listing=listing,
        stage=stage,
        stages=[s.value for s in STAGES],
        offset=offset,
        page_size=PAGE_SIZE,
    )


def collection_file(customer_id: int) -> dict[str, Any]:
    """The credit file's collection section: today's view and every escalation's history."""
    view = collection_view(db.session, customer_id, runtime().clock.today())
    running = view["stage"] not in ("none", Stage.CLOSED.value)
    reached = (view.get("escalation") or {}).get("ladder_stage")
    letter = running and reached and rank(Stage(reached)) >= rank(Stage.DEMAND_LETTER)
    return {
        "view": view,
        "escalations": escalations_of(db.session, customer_id),
        "letter_ready": bool(letter),
    }
