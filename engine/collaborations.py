"""Collaborations: several executable pools exchanging messages, run as one instance.

Spiff's `get_collaboration` builds a synthetic process with each pool as a call activity; the
pool whose start event waits for no message starts with the instance, the others start when a
message their start event catches is thrown (by another pool, in the same workflow).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ElementTree
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.errors import Invalid
from engine.serializer import summary_of


def initiating_pool(parser: Any, tops: list[str]) -> tuple[str, str]:
    """The collaboration that holds the bundle's top-level processes, and its initiating pool.

    :raises Invalid: the processes are in no collaboration, or it has not exactly one pool
        whose start event waits for no message.
    """
    for collaboration, pools in parser.collaborations.items():
        if set(tops) <= set(pools):
            spec, _ = parser.get_collaboration(collaboration)
            starters = sorted(task.name for task in spec.start.outputs)
            if len(starters) != 1:
                raise Invalid.field(
                    "files",
                    f"collaboration '{collaboration}' needs exactly one pool whose start event "
                    f"waits for no message (it starts the instance), found {starters}",
                )
            return collaboration, starters[0]
    raise Invalid.field(
        "files",
        f"expected exactly one executable top-level process, found {sorted(tops)} "
        "(several pools must be participants of one collaboration)",
    )


def is_collaboration(bundle: Any) -> bool:
    """Whether a deployed bundle runs a collaboration (its spec is the synthetic one)."""
    return bundle.spec.name != bundle.key


def pool_states(bundle: Any, workflow: Any) -> list[dict[str, Any]]:
    """Each pool of a collaboration instance: its process, name and state."""
    pools = sorted(name for name in bundle.spec.task_specs if name in bundle.subprocess_specs)
    running: dict[str, list[Any]] = {}
    for sub in workflow.subprocesses.values() if workflow is not None else ():
        if sub.spec.name in pools:
            running.setdefault(sub.spec.name, []).append(sub)
    names: dict[str, str] = {}
    for name, text in bundle.files.items():
        if name.endswith(".bpmn"):
            names.update(participant_names(text))
    states = []
    for pool in pools:
        spec = bundle.subprocess_specs[pool]
        title = names.get(pool) or getattr(spec, "description", None) or pool
        subs = running.get(pool) or [None]
        for sub in subs:
            states.append({"process": pool, "title": title, "status": _status(sub)})
    return states


@functools.lru_cache(maxsize=64)
def participant_names(xml: str) -> dict[str, str]:
    """{process id: participant name} of a BPMN file's collaboration.

    Deployed files carry no DOCTYPE or entity declarations (refused at upload).
    """
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return {}
    return {
        node.get("processRef"): node.get("name") or node.get("processRef")
        for node in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}participant")
        if node.get("processRef")
    }


def _status(sub: Any) -> str:
    if sub is None:
        return "not_started"
    if sub.completed:
        return "completed"
    if sub.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        return "waiting"
    return "running"


def instance_pools(rt: Any, session: Any, row: Any) -> list[dict[str, Any]] | None:
    """The pools of a collaboration instance and their states; None for a single process."""
    from engine.steps import load_workflow, release_workflow  # steps depends on the registry

    bundle = rt.registry.get(session, row.process_key, row.version)
    if not is_collaboration(bundle) or not row.state:
        return None
    summary = summary_of(row.state)
    if summary is not None:  # finished and compacted (retention): the pools that ran completed
        done = set(summary["completed"])
        return [
            {**pool, "status": "completed" if pool["process"] in done else "not_started"}
            for pool in pool_states(bundle, None)
        ]
    workflow = load_workflow(rt, session, row, bundle)
    try:
        return pool_states(bundle, workflow)
    finally:
        release_workflow(rt, session, row, workflow)
