"""Chinese and English: the locale of a request and a small catalog (web/translations)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from flask import has_request_context, request, session

LANGUAGES = {"zh": "中文", "en": "English"}
CATALOG_DIR = Path(__file__).resolve().parent.parent / "translations"


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """The msgid → text map of a language (English is the msgid itself)."""
    path = CATALOG_DIR / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def locale() -> str:
    """The language of this request: session choice, else the browser's, else Chinese."""
    if not has_request_context():
        return "zh"
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "zh"


def gettext(text: str, **values: object) -> str:
    """Translate a msgid into the request's language and fill %(name)s placeholders."""
    translated = catalog(locale()).get(text, text)
    return translated % values if values else translated


def client_catalog() -> dict[str, str]:
    """The whole catalog of the request's language for scripts that show messages of the server,
    of form-js and of bpmn-js (empty in English, where the msgids are the text)."""
    return {} if locale() == "en" else catalog(locale())


@functools.cache
def _patterns(language: str) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for msgid, text in catalog(language).items():
        if "%(" in msgid:
            names = re.findall(r"%\((\w+)\)s", msgid)
            regex = re.escape(msgid)
            for name in names:
                regex = regex.replace(re.escape(f"%({name})s"), f"(?P<{name}>.+?)", 1)
            out.append((re.compile(f"^{regex}$"), text))
    return out


def translate_message(message: str) -> str:
    """Translate a message from a service or validator, also one with values filled in."""
    table = catalog(locale())
    if message in table:
        return table[message]
    for pattern, text in _patterns(locale()):
        match = pattern.match(message)
        if match:
            return text % match.groupdict()
    return message
