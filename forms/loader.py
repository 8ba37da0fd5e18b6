"""Find and read the form-js schemas shipped in this package."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from forms.errors import FormNotFound

FORMS_DIR = Path(__file__).resolve().parent
FORM_SUFFIX = ".form.json"
_KEY = re.compile(r"[A-Za-z0-9_-]+")


def shipped_forms() -> dict[str, str]:
    """Return the text of every shipped form, by file name ("<key>.form.json")."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(FORMS_DIR.glob(f"*{FORM_SUFFIX}"))
    }


def load_form(key: str) -> dict[str, Any]:
    """Return the parsed form-js schema of the shipped form `key`; raise FormNotFound if none."""
    path = FORMS_DIR / f"{key}{FORM_SUFFIX}"
    if not _KEY.fullmatch(key) or not path.is_file():
        known = ", ".join(sorted(name[: -len(FORM_SUFFIX)] for name in shipped_forms()))
        raise FormNotFound(f"No shipped form {key!r}; shipped forms are: {known}.")
    return json.loads(path.read_text(encoding="utf-8"))
