"""Admin page: users, groups and (when available) the business calendar."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from engine.models import Group, User
from web.extensions import db
from web.ui import bp
from web.ui.access import page


@bp.get("/admin")
@page("admin")
def admin():
    """List users with their groups and every group with its supervisor."""
    users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    groups = db.session.scalars(sa.select(Group).order_by(Group.name)).all()
    members: dict[str, list[str]] = {g.name: [] for g in groups}
    for user in users:
        for group in user.groups:
            members.setdefault(group.name, []).append(user.username)
    return render_template("admin.html", users=users, groups=groups, members=members)
