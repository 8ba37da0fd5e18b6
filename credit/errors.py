"""Errors raised by the credit domain."""

from __future__ import annotations


class PolicyError(Exception):
    """The credit policy (a DMN table or its output) cannot be applied as it stands.

    The message names the decision or factor and says what to fix in the table.
    """
