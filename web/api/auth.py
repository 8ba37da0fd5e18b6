"""POST /auth/token: exchange username and password for a bearer token."""

from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from forms.fields import PlainText
from web.api import bp
from web.api.request import body, responds
from web.auth import Unauthorized, authenticate, issue_token
from web.ratelimit import limit_logins


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
@limit_logins
@body(TokenRequest)
@responds(200, TokenOut)
def create_token(body):
    """Issue a bearer token."""
    user = authenticate(body["username"], body["password"])
    if user is None:
        raise Unauthorized("wrong username or password")
    return jsonify(token=issue_token(user), username=user.username, groups=sorted(user.group_names))
