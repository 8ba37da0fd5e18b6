"""A bearer token is checked against its user's row on every request, in one statement: a
revocation or a group change applies on the very next request, on every host of the database."""

from __future__ import annotations

import sqlalchemy as sa
from support import statements

from engine.models import Group, User
from web.extensions import db

CUSTOMERS = "/api/v1/customers"
CHECK = "/api/v1/credit-check"


def _other_host(app, database_url):
    """A second app on the same database and key, as another host of the installation runs."""
    from web import create_app
    from web.config import Config

    cfg = Config(
        database_url=database_url,
        secret_key=app.config["SECRET_KEY"],
        test_clock=True,
        testing=True,
        scheduler=False,
    )
    return create_app(cfg)


def _change(app, name, change):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == name))
        change(user)
        db.session.commit()


def test_deactivation_refuses_the_token_on_the_next_request_on_every_host(app, api, database_url):
    from web.auth import deactivate

    other = _other_host(app, database_url).test_client()
    headers = {"Authorization": f"Bearer {api.token('sales1')}"}
    assert api.client.get(CUSTOMERS, headers=headers).status_code == 200
    assert other.get(CUSTOMERS, headers=headers).status_code == 200
    _change(app, "sales1", deactivate)
    for client in (api.client, other):
        r = client.get(CUSTOMERS, headers=headers)
        assert r.status_code == 401 and "revoked" in r.get_json()["detail"]


def test_a_password_change_on_one_host_refuses_the_token_on_another(app, api, database_url):
    from web.auth import set_password

    other = _other_host(app, database_url)
    headers = {"Authorization": f"Bearer {api.token('sales1')}"}
    assert other.test_client().get(CUSTOMERS, headers=headers).status_code == 200
    _change(other, "sales1", lambda user: set_password(user, "another"))
    r = api.client.get(CUSTOMERS, headers=headers)
    assert r.status_code == 401 and "revoked" in r.get_json()["detail"]


def test_leaving_a_group_takes_the_role_away_on_the_next_request(app, api):
    body = {"customer_id": 1, "amount": "10"}
    assert api.post("erp1", CHECK, json=body).status_code != 403
    _change(app, "erp1", lambda user: user.groups.clear())
    r = api.post("erp1", CHECK, json=body)
    assert r.status_code == 403 and "erp1" in r.get_json()["detail"]


def test_joining_a_group_grants_the_role_on_the_next_request(app, api):
    assert api.get("sales1", "/api/v1/kpis?from=2026-01-01&to=2026-01-31").status_code == 403

    def join(user):
        user.groups.append(db.session.get(Group, "auditor"))

    _change(app, "sales1", join)
    assert api.get("sales1", "/api/v1/kpis?from=2026-01-01&to=2026-01-31").status_code == 200


def test_an_inactive_users_fresh_token_is_refused(app, api):
    headers = {"Authorization": f"Bearer {api.token('sales1')}"}

    def deactivate_only(user):
        user.active = False  # without bumping the token version

    _change(app, "sales1", deactivate_only)
    r = api.client.get(CUSTOMERS, headers=headers)
    assert r.status_code == 401 and "inactive" in r.get_json()["detail"]


def test_the_token_user_and_groups_are_one_statement(app, api):
    headers = {"Authorization": f"Bearer {api.token('auditor1')}"}
    with statements(app, test_clock=False) as seen:
        r = api.client.get("/api/v1/kpis?from=2026-01-01&to=2026-01-31", headers=headers)
    assert r.status_code == 200
    assert len([s for s in seen if "app_user" in s]) == 1
