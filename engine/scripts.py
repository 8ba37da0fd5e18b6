"""The one restricted evaluator for script tasks, conditions, DMN cells, timers and correlations.

Script text is compiled by RestrictedPython under ``engine.sandbox_policy`` (cached by text) and
runs with the guards and builtins of ``engine.sandbox_guards``, task data as its namespace, and a
time limit enforced by one shared watchdog thread. Time the process spends collecting garbage does
not count against the limit (a full collection of a large heap can start inside any expression),
and the watchdog never interrupts a collection; an interrupt that is lost anyway (delivered into
a finalizer) is delivered again until the call ends.

Limits: the interrupt lands between bytecodes, so one long C-level call (or a blocking call in
an engine function) overruns the limit until it returns; memory is not bounded, so run workers
under an OS limit (RLIMIT_AS / cgroup). Engine functions run inside the limit and may be
interrupted at any bytecode: keep them short, lock-free or on plain ``with lock:`` blocks, and
returning plain data (scripts may call any public method of what they return).
"""

from __future__ import annotations

import ast
import ctypes
import gc
import heapq
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import EngineError
from engine.sandbox_guards import GUARDS, SAFE_BUILTINS, ScriptLimitExceeded
from engine.sandbox_policy import FILENAME, Mode, SandboxViolation, compile_script

__all__ = [
    "SandboxEnvironment",
    "SandboxScriptEngine",
    "SandboxViolation",
    "ScriptLimitExceeded",
    "ScriptTimeLimitExceeded",
    "ServiceCaller",
    "make_script_engine",
]

ServiceCaller = Callable[[str, dict[str, Any], dict[str, Any]], Any]


class ScriptTimeout(BaseException):
    """Interrupt a script at its deadline (a BaseException, so nothing on the way catches it)."""


class ScriptTimeLimitExceeded(ScriptLimitExceeded):
    """Report that a script or expression ran past its time limit."""


class _GcClock:
    """Seconds this process has spent collecting garbage (every thread waits for a collection).

    A collection is never taken to last longer than ``LONGEST``: should an interrupt land in the
    stop callback before it clears ``started``, the flag goes stale instead of disabling the limit.
    """

    LONGEST = 30.0  # seconds

    __slots__ = ("total", "started")

    def __init__(self) -> None:
        self.total = 0.0
        self.started: float | None = None

    def phase(self, phase: str, _info: dict) -> None:
        """The ``gc.callbacks`` hook: note when a collection starts and add its length at stop."""
        now = time.monotonic()  # the one call; no interrupt can land between the lines below
        if phase == "start":
            self.started = now
        else:
            started, self.started = self.started, None
            if started is not None:
                self.total += now - started

    def running(self) -> float:
        """Seconds the collection under way has run (0 when none is)."""
        started = self.started
        return 0.0 if started is None else min(time.monotonic() - started, self.LONGEST)

    @property
    def collecting(self) -> bool:
        return 0.0 < self.running() < self.LONGEST

    def seconds(self) -> float:
        """Collection time so far, counting a collection under way up to now."""
        return self.total + self.running()


_gc_clock = _GcClock()
gc.callbacks.append(_gc_clock.phase)


class _Deadline:
    """One bounded call: the thread running it, its limit, and the collection time to discount."""

    __slots__ = ("thread_id", "at", "gc_base", "armed", "fired")

    def __init__(self, thread_id: int, limit: float) -> None:
        self.thread_id = thread_id
        self.at = time.monotonic() + limit
        self.gc_base = _gc_clock.seconds()
        self.armed = True
        self.fired = False

    def due(self) -> float:
        """When the limit is reached, moved on by the garbage collection since the call began."""
        return self.at + (_gc_clock.seconds() - self.gc_base)


def _interrupt(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise exception in the thread at its next bytecode (None clears a pending one)."""
    exc = ctypes.py_object(exception) if exception is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), exc)


class _Watchdog:
    """A single daemon thread that interrupts bounded calls whose deadline passed.

    Script threads take the plain lock with ``with self._lock``: entering a C-level lock cannot
    be interrupted between acquiring it and the block that releases it, whereas entering a
    Python-level Condition can, which would leave the lock held forever.
    """

    _IDLE_WAIT = 1.0  # seconds; re-check even without a notify (e.g. an interrupted arm)
    _GC_RECHECK = 0.01  # seconds; look again this soon when a deadline comes up mid-collection
    _REFIRE = 0.1  # seconds; interrupt again this often until the call ends

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._queue: list[tuple[float, int, _Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: _Deadline) -> None:
        """Start watching a deadline."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._watch, name="creditflow-script-watchdog", daemon=True
                )
                self._thread.start()
            self._push(deadline, deadline.at)
            if self._queue[0][2] is deadline:
                self._wakeup.notify()

    def disarm(self, deadline: _Deadline) -> bool:
        """Stop watching; return whether the deadline fired (never leaving an interrupt pending)."""
        while True:
            try:
                with self._lock:
                    deadline.armed = False
                    if deadline.fired:
                        _interrupt(deadline.thread_id, None)
                    return deadline.fired
            except ScriptTimeout:  # an interrupt sent before armed was cleared; none comes after
                continue

    def _watch(self) -> None:
        with self._wakeup:
            while True:
                now = time.monotonic()
                while self._queue and (self._queue[0][0] <= now or not self._queue[0][2].armed):
                    deadline = heapq.heappop(self._queue)[2]
                    if deadline.armed:
                        self._push(deadline, self._check(deadline, now))
                wait = self._queue[0][0] - now if self._queue else self._IDLE_WAIT
                self._wakeup.wait(min(wait, self._IDLE_WAIT))

    def _check(self, deadline: _Deadline, now: float) -> float:
        """Interrupt deadline's thread if its time is up; return when to look at it again."""
        if _gc_clock.collecting:
            return now + self._GC_RECHECK
        due = deadline.due()
        if due > now:
            return due
        deadline.fired = True
        _interrupt(deadline.thread_id, ScriptTimeout)
        return now + self._REFIRE  # until disarmed: a finalizer may have swallowed this one

    def _push(self, deadline: _Deadline, at: float) -> None:
        heapq.heappush(self._queue, (at, next(self._order), deadline))


_watchdog = _Watchdog()


def _reset_watchdog_after_fork() -> None:
    global _watchdog
    _watchdog = _Watchdog()


os.register_at_fork(after_in_child=_reset_watchdog_after_fork)


class SandboxEnvironment(TaskDataEnvironment):
    """Evaluate expressions and execute scripts in the sandbox, with Spiff's task-data semantics.

    :param functions: engine functions scripts may call by name (e.g. ``business_deadline``).
    :param time_limit: seconds per evaluate/execute call; None for no limit.
    :param cache_size: compiled texts kept (least recently used are dropped).
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        time_limit: float | None = 1.0,
        cache_size: int = 1024,
    ) -> None:
        functions = dict(functions or {})
        for name, function in functions.items():
            if not name.isidentifier() or name.startswith("_") or not callable(function):
                raise ValueError(f"engine function '{name}' needs a public name and a callable")
        self._protected: dict[str, Any] = {**GUARDS, "__builtins__": SAFE_BUILTINS}
        super().__init__({**functions, **self._protected})
        self.time_limit = time_limit
        self._compile = lru_cache(maxsize=cache_size)(compile_script)

    def compile(self, source: str, mode: Mode) -> CodeType:
        """Compile (or fetch from the cache) source under the policy; usable as a deploy lint.

        :raises SyntaxError: the text is not Python.
        :raises SandboxViolation: the text breaks the sandbox policy.
        """
        return self._compile(source, mode)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict | None = None
    ) -> Any:
        """Return the value of expression over the task data (context)."""
        code = self._compile(expression, "eval")
        namespace = {**self.globals, **(external_context or {}), **context, **self._protected}
        return self._bounded(eval, code, namespace)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict | None = None
    ) -> bool:
        """Run script with the task data (context) as its namespace; assignments stay in it."""
        code = self._compile(script, "exec")
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        context.update(external_context)
        context.update(self.globals)
        try:
            self._bounded(exec, code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def _bounded(self, run: Callable[[CodeType, dict], Any], code: CodeType, ns: dict) -> Any:
        """Run code, interrupting it at the time limit; the timeout leaves as an Exception."""
        if self.time_limit is None:
            return run(code, ns)
        deadline = _Deadline(threading.get_ident(), self.time_limit)
        watchdog, line, interrupted = _watchdog, None, False
        try:
            try:
                watchdog.arm(deadline)
                result = run(code, ns)
            except ScriptTimeout as stop:
                line, interrupted = _script_line(stop), True
            finally:
                fired = watchdog.disarm(deadline)
        except ScriptTimeout:  # delivered while leaving, before disarm cleared it
            fired = True
        if fired:
            where = f" (stopped at line {line})" if line else ""
            raise ScriptTimeLimitExceeded(
                f"the script ran longer than its limit of {self.time_limit:g} s{where}"
            )
        if interrupted:  # the deadline of an enclosing bounded call in this thread
            raise ScriptTimeout
        return result


def _script_line(error: BaseException) -> int | None:
    """Return the innermost script line in the traceback of error."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@lru_cache(maxsize=4096)
def _parses(expression: str) -> None:
    # A text that fails raises each time (lru_cache keeps only results).
    ast.parse(expression)


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff's script engine on the sandbox; service tasks go to the engine's service caller."""

    environment: SandboxEnvironment

    def __init__(
        self,
        environment: SandboxEnvironment | None = None,
        service_caller: ServiceCaller | None = None,
    ) -> None:
        super().__init__(environment=environment or SandboxEnvironment())
        self.service_caller = service_caller

    def validate(self, expression: str) -> None:
        """Raise SyntaxError unless the text parses (remembered: DMN rules ask on every call)."""
        _parses(expression)

    def call_service(
        self,
        task: Any,
        operation_name: str,
        operation_params: dict[str, dict[str, Any]],
        **kwargs: Any,
    ) -> str:
        """Call a service operation for a Spiff service task and return its result as JSON.

        Spiff 3.2 calls ``call_service(task, operation_name=..., operation_params=...)`` with
        each parameter as ``{"value": <already evaluated by this engine>, "type": ...}`` and
        stores ``json.loads(<return value>)`` under the task's result variable.
        """
        if self.service_caller is None:
            raise WorkflowTaskException(
                f"service task operation '{operation_name}' cannot run: the script engine has "
                "no service caller (pass service_caller to make_script_engine)",
                task=task,
            )
        params = {
            name: param.get("value") if isinstance(param, dict) else param
            for name, param in (operation_params or {}).items()
        }
        try:
            result = self.service_caller(operation_name, params, task.data)
            return json.dumps(result, default=_json_default)
        except (SpiffWorkflowException, EngineError):
            # EngineError (e.g. Invalid from a domain rule) must reach the caller unchanged:
            # the step is rolled back and the user gets a 4xx, the instance is not broken.
            raise
        except Exception as err:
            raise WorkflowTaskException(
                f"service operation '{operation_name}' failed: {err}", task=task, exception=err
            ) from err


def _json_default(value: Any) -> Any:
    """Encode what Spiff's JSON round trip of service results cannot carry as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"a service result of type {type(value).__name__} is not JSON")


def make_script_engine(
    functions: Mapping[str, Callable[..., Any]] | None = None,
    service_caller: ServiceCaller | None = None,
    time_limit: float | None = 1.0,
) -> SandboxScriptEngine:
    """Build the sandboxed script engine the workflows run with (re-attach it after each load)."""
    environment = SandboxEnvironment(functions=functions, time_limit=time_limit)
    return SandboxScriptEngine(environment=environment, service_caller=service_caller)
