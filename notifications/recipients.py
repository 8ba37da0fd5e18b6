"""Who an event reaches: named users and members of groups, active and not excluded."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import User, user_group


def recipients_of(
    session: so.Session,
    usernames: Collection[str],
    groups: Collection[str],
    excluded: Collection[str] = (),
) -> list[sa.Row]:
    """Active users named or in one of the groups, minus excluded ones, by username.

    One query returning only the columns a notification needs (username, email, language,
    display name): this runs in every engine step that creates a task.
    """
    if not usernames and not groups:
        return []
    members = sa.select(user_group.c.user_id).where(user_group.c.group_name.in_(list(groups)))
    query = (
        sa.select(User.username, User.email, User.language, User.display_name)
        .where(
            User.active.is_(True),
            sa.or_(User.username.in_(list(usernames)), User.id.in_(members)),
        )
        .order_by(User.username)
    )
    return [row for row in session.execute(query) if row.username not in set(excluded)]
