"""Templates keep the CSP's promise: no inline script, no inline event handlers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).parents[3] / "web" / "ui" / "templates").glob("*.html"))
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    assert not HANDLER.search(text), HANDLER.search(text).group(0)
    assert not SCRIPT.search(text), SCRIPT.search(text).group(0)
    assert "javascript:" not in text
