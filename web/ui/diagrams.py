"""What the diagram viewer needs: every BPMN file of the instance's version, the element states,
which call activity opens which file, and the path from the top process to the step in focus."""

from __future__ import annotations

import logging
import re
from typing import Any

from engine.instances import instance_row
from engine.progress import call_targets, instance_states, process_titles
from web.extensions import db
from web.runtime_access import runtime
from web.ui.host import bilingual

log = logging.getLogger(__name__)


def bpmn_files(files: dict[str, str]) -> dict[str, str]:
    """The *.bpmn files of a deployed bundle."""
    return {name: text for name, text in sorted(files.items()) if name.endswith(".bpmn")}


_ID = re.compile(r'\bid="([^"]+)"')


def element_ids(xml: str) -> set[str]:
    """Every id attribute in a BPMN document."""
    return set(_ID.findall(xml))


def file_with(files: dict[str, str], element: str | None, process_key: str) -> tuple[str, str]:
    """The BPMN file that contains the element, else the one defining the process key."""
    diagrams = bpmn_files(files)
    for wanted in (element, process_key):
        for name, xml in diagrams.items():
            if wanted and f'id="{wanted}"' in xml:
                return name, xml
    name = next(iter(diagrams), "")
    return name, diagrams.get(name, "")


_BILINGUAL_NAME = re.compile(r'name="([^"]*? / [^"]*)"')


def one_language_xml(xml: str) -> str:
    """The diagram with "English / 中文" names showing the request's language only."""
    return _BILINGUAL_NAME.sub(lambda m: f'name="{bilingual(m.group(1))}"', xml)


def path_to(calls: dict[str, dict[str, str]], root: str, wanted: str) -> list[str]:
    """The files from the top process down to `wanted`, following call activities."""
    paths = [[root]]
    seen = {root}
    while paths:
        path = paths.pop(0)
        if path[-1] == wanted:
            return path
        for target in calls.get(path[-1], {}).values():
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    return [root]


def diagram_state(instance_id: int, focus: str | None = None) -> dict[str, Any]:
    """The viewer's data for one instance; `focus` names an element to open the diagram at."""
    rt = runtime()
    row = instance_row(db.session, instance_id)
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    files = {name: one_language_xml(xml) for name, xml in bpmn_files(bundle.files).items()}
    root = bundle.spec.file  # a collaboration's synthetic spec may name no file of its own
    if root not in files:
        root, _ = file_with(bundle.files, None, row.process_key)
    try:
        states = instance_states(rt, db.session, row)
    except Exception:  # a broken state must not hide the page; the history still shows
        log.exception("could not load instance %s to draw its progress", instance_id)
        states = {}
    calls = call_targets(bundle)
    opened = next((name for name, xml in files.items() if focus and f'id="{focus}"' in xml), root)
    return {
        "files": files,
        "root": root,
        "path": path_to(calls, root, opened),
        "calls": calls,
        "titles": {f: bilingual(title) for f, title in process_titles(bundle).items()},
        "active": {f: sorted(s.active) for f, s in states.items()},
        "completed": {f: sorted(s.completed) for f, s in states.items()},
        "focus": focus,
        "names": {
            task_spec.name: bilingual(task_spec.bpmn_name)
            for spec in bundle.all_specs()
            for task_spec in spec.task_specs.values()
            if getattr(task_spec, "bpmn_name", None)
        },
    }
