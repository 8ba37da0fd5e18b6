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
) -> list[User]:
    """Active users named or in one of the groups, minus excluded ones, by username."""
    found: dict[str, User] = {}
    if usernames:
        for user in session.scalars(
            sa.select(User)
            .options(so.lazyload(User.groups))
            .where(User.username.in_(list(usernames)))
        ):
            found[user.username] = user
    if groups:
        members = session.scalars(
            sa.select(User)
            .options(so.lazyload(User.groups))
            .join(user_group, user_group.c.user_id == User.id)
            .where(user_group.c.group_name.in_(list(groups)))
        )
        for user in members:
            found.setdefault(user.username, user)
    return [u for name, u in sorted(found.items()) if u.active and name not in excluded]
