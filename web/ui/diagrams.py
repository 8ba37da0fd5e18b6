"""Pick the BPMN file of a bundle that draws a given element, and the ids it draws."""

from __future__ import annotations

import re

_ID = re.compile(r'\bid="([^"]+)"')


def bpmn_files(files: dict[str, str]) -> dict[str, str]:
    """The *.bpmn files of a deployed bundle."""
    return {name: text for name, text in sorted(files.items()) if name.endswith(".bpmn")}


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
