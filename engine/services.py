"""Named service functions that BPMN service tasks call, and the context they run in."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.orm as so

from engine.audit import AuditEntry
from engine.errors import Forbidden, NotFound


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
    # Rows a service loaded, held for the services after it in this step (one transaction): the
    # session's identity map holds rows only weakly, so a row nobody references is read again.
    kept: dict[Any, Any] = field(default_factory=dict)

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
    """Service-task operations by name; domain packages register theirs at start-up.

    A privileged operation (one that changes money, limits or statuses) names the process keys
    it belongs to; it then runs only in instances whose top-level process has one of those keys,
    so a model a designer deploys under another key cannot call it. Process keys that only a
    domain service may start (e.g. by filing an application) are reserved with
    `started_by_domain`; the public start endpoint refuses them.
    """

    def __init__(self) -> None:
        self._functions: dict[str, ServiceFunction] = {}
        self._process_keys: dict[str, frozenset[str]] = {}
        self._domain_started: set[str] = set()

    def register(
        self, name: str, function: ServiceFunction, process_keys: tuple[str, ...] | None = None
    ) -> None:
        """Register a function called as function(ctx, task_data, **params).

        It returns a dict of variables to merge into the task data (or None).

        :param process_keys: the only top-level process keys it may run in (None: any).
        """
        self._functions[name] = function
        if process_keys is not None:
            self._process_keys[name] = frozenset(process_keys)

    def started_by_domain(self, *process_keys: str) -> None:
        """Reserve process keys that only domain services start (never the public endpoint)."""
        self._domain_started.update(process_keys)

    def is_domain_started(self, process_key: str) -> bool:
        """Whether only a domain service may start instances of this key."""
        return process_key in self._domain_started

    def allowed_keys(self, name: str) -> frozenset[str] | None:
        """The process keys an operation is confined to (None: unconfined)."""
        return self._process_keys.get(name)

    def names(self) -> set[str]:
        """Names of all registered operations."""
        return set(self._functions)

    def call(self, name: str, params: dict[str, Any], task_data: dict[str, Any]) -> Any:
        """Call an operation inside the current step, within the processes it belongs to."""
        function = self._functions.get(name)
        if function is None:
            raise NotFound(f"no service operation named '{name}' is registered")
        ctx = current_step()
        allowed = self._process_keys.get(name)
        if allowed is not None and ctx.process_key not in allowed:
            raise Forbidden(
                f"service '{name}' runs only in the processes {sorted(allowed)}, "
                f"not in '{ctx.process_key}'"
            )
        return function(ctx, task_data, **params)
