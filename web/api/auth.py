"""POST /auth/token: exchange username and password for a bearer token."""

from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from forms.fields import PlainText
from web.api import bp
from web.api.request import body, no_body, responds
from web.auth import Unauthorized, current_user, issue_token, requires, revoke_sign_ins
from web.extensions import db
from web.signin import sign_in


class TokenRequest(Schema):
    """Credentials."""

    username = PlainText(required=True, max_length=64)
    password = fields.String(required=True, validate=validate.Length(max=1024))


class TokenOut(Schema):
    """A bearer token and who it belongs to."""

    token = fields.String()
    username = fields.String()
    groups = fields.List(fields.String())


@bp.post("/auth/token")
@body(TokenRequest)
@responds(200, TokenOut)
@responds(429, None, "too many failed sign-ins from this address (Retry-After)")
def create_token(body):
    """Issue a bearer token (failed attempts are throttled per user and address)."""
    user = sign_in(body["username"], body["password"])
    if user is None:
        raise Unauthorized("wrong username or password")
    db.session.commit()
    return jsonify(token=issue_token(user), username=user.username, groups=sorted(user.group_names))


@bp.post("/auth/logout-everywhere")
@requires()
@no_body
@responds(204, None, "every token and browser session of the user ended")
def logout_everywhere():
    """Revoke every token and browser session of the signed-in user."""
    revoke_sign_ins(current_user())
    db.session.commit()
    return "", 204
