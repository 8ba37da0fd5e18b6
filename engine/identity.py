"""Users and groups: titles for display, and the administrator's changes (each audited)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Group


def group_titles(session: so.Session) -> dict[str, tuple[str, str]]:
    """Every group's (English, Chinese) title by name."""
    rows = session.execute(sa.select(Group.name, Group.title_en, Group.title_zh))
    return {name: (en or name, zh or en or name) for name, en, zh in rows}
