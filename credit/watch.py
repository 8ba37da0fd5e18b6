"""Mark customers whose early-warning facts changed in this transaction.

Services that record an event early warning looks at (an invoice, a payment, a reversal, a
credit note or write-off, a credit report, a grade or limit change) call ``customer_changed``.
The host re-evaluates the marked customers once, right before the transaction commits
(credit.warnings.reevaluate), so the level is stored with the event that changed it.
"""

from __future__ import annotations

import sqlalchemy.orm as so

_KEY = "creditflow.customers_changed"


def customer_changed(session: so.Session, customer_id: int) -> None:
    """Ask for the customer's early warning to be re-evaluated before this commit."""
    session.info.setdefault(_KEY, set()).add(int(customer_id))


def take_changed(session: so.Session) -> set[int]:
    """The customers marked since the last call (and forget them)."""
    return session.info.pop(_KEY, set())
