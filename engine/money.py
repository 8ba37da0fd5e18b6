"""How large an amount of money creditflow accepts and keeps, the same on every database.

Amounts live in ``Numeric(18, 2)`` columns. PostgreSQL keeps them exactly; SQLite stores a
NUMERIC value as an 8-byte binary float, which holds every amount with two decimals exactly only
below 2^46 (about 7.04 × 10^13): above it, neighbouring floats are more than a cent apart and an
amount would come back changed. So:

- a ledger amount (invoice, payment, promise, credit note, limit, order, credit check) is at most
  ``MONEY_MAX``, just under ten trillion;
- a customer's exposure, the largest sum kept in a column, stays below ``EXPOSURE_MAX``: a write
  that would take it further is refused (credit.exposure), so a sum never overflows its column
  on PostgreSQL nor loses a cent on SQLite;
- a figure of a financial statement (total assets, revenue, registered capital) is analysis
  input, not ledger money: it may be as large as ``FIGURE_MAX`` (the column's range, in any
  currency), and on SQLite such a figure above 7 × 10^13 may come back rounded to a float's
  precision, which no ratio notices.
"""

from __future__ import annotations

from decimal import Decimal

MONEY_MAX = Decimal("9999999999999.99")
EXPOSURE_MAX = Decimal("10000000000000")  # exclusive: every exposure is at most MONEY_MAX
FIGURE_MAX = Decimal("999999999999999.99")
