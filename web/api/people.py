"""Admin endpoints of users and groups: create, change, deactivate, reset a password."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine import identity
from engine.models import Group, User
from forms.fields import PlainText
from web.api import bp
from web.api.request import body, responds
from web.auth import hash_password, requires
from web.extensions import db
from web.runtime_access import actor, runtime


class UserOut(Schema):
    """A user as administrators see it (never the password hash)."""

    username = fields.String()
    display_name = fields.String()
    email = fields.String()
    language = fields.String()
    active = fields.Boolean()
    groups = fields.List(fields.String())


class UserCreate(Schema):
    """Body of POST /admin/users."""

    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    display_name = PlainText(load_default="", max_length=120)
    email = fields.Email(load_default="")
    language = fields.String(load_default="zh", validate=validate.OneOf(identity.LANGUAGES))
    groups = fields.List(fields.String(), load_default=list, validate=validate.Length(max=50))


class UserChange(Schema):
    """Body of PATCH /admin/users/{username}: only the fields given change."""

    display_name = PlainText(max_length=120)
    email = fields.Email()
    language = fields.String(validate=validate.OneOf(identity.LANGUAGES))
    groups = fields.List(fields.String(), validate=validate.Length(max=50))
    active = fields.Boolean()


class PasswordBody(Schema):
    """Body of POST /admin/users/{username}/password."""

    password = fields.String(required=True, validate=validate.Length(min=8, max=200))


class GroupBody(Schema):
    """Body of PUT /admin/groups/{name}."""

    title_en = PlainText(load_default="", max_length=120)
    title_zh = PlainText(load_default="", max_length=120)
    supervisor = fields.String(load_default=None, allow_none=True)


class GroupOut(Schema):
    """A group with its titles, supervising group and members."""

    name = fields.String()
    title_en = fields.String()
    title_zh = fields.String()
    supervisor = fields.String(allow_none=True)
    members = fields.List(fields.String())


class UserPage(Schema):
    """Every user."""

    items = fields.List(fields.Nested(UserOut))


class GroupPage(Schema):
    """Every group."""

    items = fields.List(fields.Nested(GroupOut))


def user_view(user: User) -> dict[str, Any]:
    """A user as the API shows it."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "active": user.active,
        "groups": sorted(user.group_names),
    }


def group_view(group: Group, members: list[str]) -> dict[str, Any]:
    """A group as the API shows it."""
    return {
        "name": group.name,
        "title_en": group.title_en,
        "title_zh": group.title_zh,
        "supervisor": group.supervisor,
        "members": members,
    }


def _now_actor() -> tuple[Any, str]:
    return runtime().clock.now(), actor().username


@bp.get("/admin/users")
@requires("admin")
@responds(200, UserPage)
def list_users():
    """Every user with groups, language and whether they may sign in."""
    users, _ = identity.users_and_groups(db.session)
    return jsonify(items=[user_view(u) for u in users])


@bp.post("/admin/users")
@requires("admin")
@body(UserCreate)
@responds(201, UserOut)
def create_user(body):
    """Add a user (audited); the password is stored as an argon2 hash only."""
    identity.check_password(body["password"])
    user = identity.create_user(db.session, *_now_actor(), body, hash_password(body["password"]))
    db.session.commit()
    return jsonify(user_view(user)), 201


@bp.patch("/admin/users/<username>")
@requires("admin")
@body(UserChange)
@responds(200, UserOut)
def change_user(username: str, body):
    """Change a user's name, email, language, groups, or deactivate / reactivate them."""
    user = identity.update_user(db.session, *_now_actor(), username, body)
    db.session.commit()
    return jsonify(user_view(user))


@bp.post("/admin/users/<username>/password")
@requires("admin")
@body(PasswordBody)
@responds(200, UserOut)
def reset_user_password(username: str, body):
    """Set a new password for a user (audited without the password)."""
    identity.check_password(body["password"])
    user = identity.reset_password(
        db.session, *_now_actor(), username, hash_password(body["password"])
    )
    db.session.commit()
    return jsonify(user_view(user))


@bp.get("/admin/groups")
@requires("admin")
@responds(200, GroupPage)
def list_groups():
    """Every group with its supervising group and members."""
    users, groups = identity.users_and_groups(db.session)
    return jsonify(
        items=[
            group_view(g, sorted(u.username for u in users if g.name in u.group_names))
            for g in groups
        ]
    )


@bp.put("/admin/groups/<name>")
@requires("admin")
@body(GroupBody)
@responds(200, GroupOut)
def put_group(name: str, body):
    """Create a group or change its titles and supervising group (audited)."""
    group = identity.save_group(db.session, *_now_actor(), {"name": name, **body})
    db.session.commit()
    users, _ = identity.users_and_groups(db.session)
    return jsonify(group_view(group, sorted(u.username for u in users if name in u.group_names)))
