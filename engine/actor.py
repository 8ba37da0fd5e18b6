"""Who asks the engine to act: a user name and the user's groups."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asks: a username and the user's groups."""

    username: str
    groups: frozenset[str] = frozenset()


SYSTEM = Actor("system", frozenset())
