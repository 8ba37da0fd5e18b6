"""Bound every engine step: tasks run, call nesting and wall time, so no step runs forever."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepLimits:
    """How much one engine step may do before it stops as an incident."""

    max_tasks: int = 1000
    max_depth: int = 16
    max_seconds: float = 10.0


class StepBudgetExceeded(Exception):
    """An engine step ran past one of its limits; `task` is the element it stopped at."""

    def __init__(self, message: str, task: Any) -> None:
        super().__init__(message)
        self.task = task


def run_bounded(workflow: Any, limits: StepLimits) -> None:
    """Run the workflow's engine steps until it waits, within the limits.

    The guard runs before each task: the task it stops at stays READY, so the instance's last
    committed state is untouched and a retry after a fix starts from there. A single long script
    is bounded by the sandbox's own time limit, not here.
    """
    count = 0
    deadline = time.monotonic() + limits.max_seconds

    def guard(task: Any) -> None:
        nonlocal count
        count += 1
        name = task.task_spec.bpmn_name or task.task_spec.name
        if count > limits.max_tasks:
            raise StepBudgetExceeded(
                f"the step ran more than {limits.max_tasks} tasks and stopped at '{name}' "
                "(a loop without a wait state?)",
                task,
            )
        if task.workflow.depth > limits.max_depth:
            raise StepBudgetExceeded(
                f"call activities nest deeper than {limits.max_depth} levels at '{name}' "
                "(a process that calls itself?)",
                task,
            )
        if time.monotonic() > deadline:
            raise StepBudgetExceeded(
                f"the step ran longer than {limits.max_seconds:g} s and stopped at '{name}'", task
            )

    workflow.do_engine_steps(will_complete_task=guard)
