"""A person signs only their own words: a user task's form fields start empty.

SpiffWorkflow gives each task a merged copy of its parent's data, so an approver's task would
carry the previous approver's `decision` and `comment` as if they were its own values. When a
user task becomes ready, the keys its form declares are blanked (None) in its data (the gateways
after earlier tasks have already read them). Spec events are not serialized; the hook is
connected on the parsed specs a bundle keeps, which every restored workflow shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from SpiffWorkflow.spiff.specs.defaults import UserTask

# Keys a form-js component writes to: `key` for fields, `path` for groups and dynamic lists.
_WRITES = ("key", "path")


def form_keys(form: dict[str, Any] | None) -> frozenset[str]:
    """The top-level data keys a form-js schema fills in."""
    keys: set[str] = set()
    stack = list((form or {}).get("components") or [])
    while stack:
        component = stack.pop()
        if not isinstance(component, dict):
            continue
        written = next((component[a] for a in _WRITES if component.get(a)), None)
        if isinstance(written, str):
            keys.add(written.split(".")[0])
        elif component.get("type") == "group":  # a group without a path writes its children
            stack.extend(component.get("components") or [])
    return frozenset(keys)


def _clearer(keys: frozenset[str]) -> Callable[[Any, Any], None]:
    def clear(workflow: Any, task: Any) -> None:
        # Blank rather than delete: the key keeps its place in the data, so the serialized
        # delta (and a snapshot restored and saved again) stays byte-for-byte the same.
        for key in keys & task.data.keys():
            task.data[key] = None

    return clear


def isolate_forms(specs: Iterable[Any], keys_of: Callable[[Any], frozenset[str]]) -> None:
    """Connect, on every user task spec, a ready hook that empties the task's form fields.

    :param keys_of: the keys to empty for a user task spec: its form's keys less the inputs
        the model maps explicitly (the `formInputs` property, e.g. a context value a form may
        override, such as the customer's industry risk).
    """
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, UserTask):
                keys = keys_of(task_spec)
                if keys:
                    task_spec.ready_event.connect(_clearer(keys))
