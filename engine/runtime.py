"""The engine's composition: registry, service functions, clock, script engine, listeners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.budget import StepLimits
from engine.clock import Clock
from engine.live import WorkflowCache
from engine.registry import Registry
from engine.services import ServiceRegistry

Listener = Callable[[Any, Any], None]


@dataclass
class Runtime:
    """Everything an engine service needs besides the unit of work."""

    clock: Clock
    services: ServiceRegistry
    script_engine: Any
    registry: Registry
    context_keys: tuple[str, ...] = ()
    amount_key: str | None = None  # the task-data key of a task's amount in the base currency
    listeners: list[Listener] = field(default_factory=list)
    deadline: Callable[..., Any] | None = None
    calendar: Any = None
    cache: WorkflowCache = field(default_factory=WorkflowCache)
    limits: StepLimits = field(default_factory=StepLimits)

    def notify(self, session: Any, change: Any) -> None:
        """Tell every listener about a committed-to-be change (same transaction)."""
        for listener in self.listeners:
            listener(session, change)
