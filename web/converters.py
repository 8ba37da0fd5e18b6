"""URL converters: ids in paths are bounded, so a 30-digit id is a 404, never a database error."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, UnicodeConverter

from forms.fields import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` everywhere: a positive id up to ID_MAX (else the route is a 404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


class TaskIdConverter(UnicodeConverter):
    """`<task:...>`: a task id, the text form of a UUID (else the route is a 404)."""

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def install_converters(app) -> None:
    """Register the converters before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["task"] = TaskIdConverter
