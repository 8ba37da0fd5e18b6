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
    rows = session.execute(_RECIPIENTS, {"names": list(usernames), "groups": list(groups)})
    skip = set(excluded)
    return [row for row in rows if row.username not in skip]


# Built once with expanding IN parameters: this query runs in every step that creates a task.
_RECIPIENTS = (
    sa.select(User.username, User.email, User.language, User.display_name)
    .where(
        User.active.is_(True),
        sa.or_(
            User.username.in_(sa.bindparam("names", expanding=True)),
            User.id.in_(
                sa.select(user_group.c.user_id).where(
                    user_group.c.group_name.in_(sa.bindparam("groups", expanding=True))
                )
            ),
        ),
    )
    .order_by(User.username)
)
