"""Deploy-time checks of a parsed bundle beyond what the BPMN parser refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.errors import Invalid
from engine.sandbox_policy import Mode, compile_script


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


def expressions(spec: Any) -> Iterator[tuple[str, str, str, Mode]]:
    """Every text the script engine will run for a process: (element, what, text, mode)."""
    for task_spec in spec.task_specs.values():
        name = task_spec.name
        for attribute, what, mode in _TEXTS:
            text = getattr(task_spec, attribute, None)
            if isinstance(text, str) and text.strip():
                yield name, what, text, mode
        for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
            if isinstance(condition, str) and condition.strip():
                yield name, f"condition of the flow to '{target}'", condition, "eval"
        for param, value in (getattr(task_spec, "operation_params", None) or {}).items():
            text = value.get("value") if isinstance(value, dict) else None
            if isinstance(text, str) and text.strip():
                yield name, f"parameter '{param}'", text, "eval"
        yield from _event_texts(name, getattr(task_spec, "event_definition", None))
        props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
        for prop in _EXPRESSION_PROPERTIES:
            if props.get(prop):
                yield name, f"property '{prop}'", props[prop], "eval"


_TEXTS: tuple[tuple[str, str, Mode], ...] = (
    ("script", "script", "exec"),
    ("prescript", "pre-script", "exec"),
    ("postscript", "post-script", "exec"),
    ("cardinality", "loop cardinality", "eval"),
    ("condition", "loop condition", "eval"),
)
_EXPRESSION_PROPERTIES = ("correlationKey", "excludedUsers")


def _event_texts(name: str, definition: Any) -> Iterator[tuple[str, str, str, Mode]]:
    if definition is None:
        return
    for definition_part in getattr(definition, "event_definitions", None) or [definition]:
        text = getattr(definition_part, "expression", None)
        if isinstance(text, str) and text.strip():
            yield name, f"{type(definition_part).__name__} expression", text, "eval"
        properties = [
            *(getattr(definition_part, "correlation_properties", None) or []),
            *(getattr(definition_part, "process_correlations", None) or []),
        ]
        for prop in properties:
            text = getattr(prop, "retrieval_expression", None) or getattr(prop, "expression", None)
            if isinstance(text, str) and text.strip():
                yield name, f"correlation '{prop.name}'", text, "eval"


def sandbox_problems(specs: list[Any]) -> dict[str, list[str]]:
    """Compile every script and expression under the sandbox policy; problems by file.

    A forbidden construct is then a deploy error naming the file and element, not an error
    of a running instance.
    """
    problems: dict[str, list[str]] = {}
    for spec in specs:
        where = getattr(spec, "file", None) or "files"
        for element, what, text, mode in expressions(spec):
            try:
                compile_script(text, mode)
            except SyntaxError as err:
                problems.setdefault(where, []).append(
                    f"{what} of '{element}' (line {err.lineno or 1}): {err.msg}"
                )
    return problems
