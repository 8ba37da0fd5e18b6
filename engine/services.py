"""Named service functions that BPMN service tasks call, and the context they run in."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.orm as so

from engine.audit import AuditEntry
from engine.errors import NotFound


@dataclass
class StepContext:
    """What a service function may use during one engine step."""

    session: so.Session
    now: dt.datetime
    today: dt.date
    instance_id: int
    process_key: str
    business_key: str | None
    subject: str | None
    actor: str
    decide: Callable[[str, dict[str, Any]], dict[str, Any]]
    audit_entries: list[AuditEntry] = field(default_factory=list)
    effects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    submitted: dict[str, dict[str, Any]] = field(default_factory=dict)

    def audit(self, action: str, data: dict[str, Any] | None = None) -> None:
        """Record an audit event of this step (written with the step's commit)."""
        self.audit_entries.append(
            AuditEntry(self.actor, action, self.instance_id, subject=self.subject, data=data)
        )

    def emit(self, kind: str, **data: Any) -> None:
        """Announce a domain effect to the step's listeners (e.g. notifications)."""
        self.effects.append((kind, data))


_current: contextvars.ContextVar[StepContext] = contextvars.ContextVar("creditflow_step")


def current_step() -> StepContext:
    """The context of the engine step running in this thread."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("a service function ran outside an engine step") from None


def enter_step(ctx: StepContext) -> contextvars.Token:
    """Make ctx the current step context."""
    return _current.set(ctx)


def leave_step(token: contextvars.Token) -> None:
    """Restore the previous step context."""
    _current.reset(token)


ServiceFunction = Callable[..., Any]


class ServiceRegistry:
    """Service-task operations by name; domain packages register theirs at start-up."""

    def __init__(self) -> None:
        self._functions: dict[str, ServiceFunction] = {}

    def register(self, name: str, function: ServiceFunction) -> None:
        """Register a function called as function(ctx, task_data, **params).

        It returns a dict of variables to merge into the task data (or None).
        """
        self._functions[name] = function

    def names(self) -> set[str]:
        """Names of all registered operations."""
        return set(self._functions)

    def call(self, name: str, params: dict[str, Any], task_data: dict[str, Any]) -> Any:
        """Call an operation inside the current step."""
        function = self._functions.get(name)
        if function is None:
            raise NotFound(f"no service operation named '{name}' is registered")
        return function(current_step(), task_data, **params)
