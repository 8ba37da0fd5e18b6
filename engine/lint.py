"""Deploy-time checks of a parsed bundle beyond what the BPMN parser refuses."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.errors import Invalid


def call_graph(specs: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """For each process: (call activity id, called process id) of its call activities."""
    return {
        name: [
            (task_spec.name, task_spec.spec)
            for task_spec in spec.task_specs.values()
            if isinstance(task_spec, SubWorkflowTask) and task_spec.spec
        ]
        for name, spec in specs.items()
    }


def call_cycles(specs: dict[str, Any]) -> list[list[str]]:
    """Every chain of call activities that leads back to a process already on it.

    Each cycle is listed once, as process → process → … → the first process again.
    """
    graph = call_graph(specs)
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(name: str, path: list[str]) -> None:
        for _activity, called in graph.get(name, []):
            if called in path:
                cycle = path[path.index(called) :] + [called]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append(cycle)
            elif called in graph:
                walk(called, [*path, called])

    for name in graph:
        walk(name, [name])
    return cycles


def refuse_call_cycles(parser: Any) -> None:
    """Refuse a bundle whose call activities call back into a process on the same chain.

    Such a chain nests a new subprocess at every pass and never waits.

    :raises Invalid: naming the file and the chain.
    """
    try:
        specs = {pid: parser.get_spec(pid) for pid in parser.get_process_ids()}
    except Exception:  # the parse errors are reported where the bundle is parsed
        return
    errors: dict[str, list[str]] = {}
    for cycle in call_cycles(specs):
        where = getattr(specs[cycle[0]], "file", None) or "files"
        errors.setdefault(where, []).append(
            "call activities call back into a running process: "
            + " → ".join(cycle)
            + " (a process may not call itself, directly or through others)"
        )
    if errors:
        raise Invalid("the bundle has recursive call activities", errors)
