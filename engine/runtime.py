"""The engine's composition: registry, service functions, clock, script engine, listeners."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.clock import Clock
from engine.registry import Registry
from engine.services import ServiceRegistry

Listener = Callable[[Any, Any], None]


class WorkflowCache:
    """Process-local live workflows keyed by (instance, revision); an optimisation only."""

    def __init__(self, size: int = 256) -> None:
        self._items: dict[int, tuple[int, Any]] = {}
        self._size = size
        self._lock = threading.Lock()

    def checkout(self, instance_id: int, revision: int) -> Any | None:
        """Take the workflow out (one owner at a time); None when absent or stale."""
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None or item[0] != revision:
            return None
        return item[1]

    def checkin(self, instance_id: int, revision: int, workflow: Any) -> None:
        """Keep a workflow after its revision was committed."""
        with self._lock:
            if len(self._items) >= self._size:
                self._items.pop(next(iter(self._items)))
            self._items[instance_id] = (revision, workflow)

    def evict(self, instance_id: int) -> None:
        """Forget an instance (after any failure)."""
        with self._lock:
            self._items.pop(instance_id, None)


@dataclass
class Runtime:
    """Everything an engine service needs besides the unit of work."""

    clock: Clock
    services: ServiceRegistry
    script_engine: Any
    registry: Registry
    context_keys: tuple[str, ...] = ()
    listeners: list[Listener] = field(default_factory=list)
    deadline: Callable[..., Any] | None = None
    calendar: Any = None
    cache: WorkflowCache = field(default_factory=WorkflowCache)

    def notify(self, session: Any, change: Any) -> None:
        """Tell every listener about a committed-to-be change (same transaction)."""
        for listener in self.listeners:
            listener(session, change)
