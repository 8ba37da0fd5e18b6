"""POST /auth/token: exchange username and password for a bearer token."""

from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields

from web.api import bp
from web.api.request import load
from web.auth import Unauthorized, authenticate, issue_token
from web.ratelimit import limit_logins


class TokenRequest(Schema):
    """Credentials."""

    username = fields.String(required=True)
    password = fields.String(required=True)


@bp.post("/auth/token")
@limit_logins
def create_token():
    """Issue a bearer token."""
    body = load(TokenRequest())
    user = authenticate(body["username"], body["password"])
    if user is None:
        raise Unauthorized("wrong username or password")
    return jsonify(token=issue_token(user), username=user.username, groups=sorted(user.group_names))
