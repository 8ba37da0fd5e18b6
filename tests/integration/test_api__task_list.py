"""GET /tasks filters by the case's customer and amount and sorts by due date; the list is one
service (engine.tasklist) and its query plans use indexes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flow import file_application, new_customer

from engine.models import HumanTask
from engine.tasklist import TaskFilter, page_queries
from web.extensions import db


def analyst_tasks(api, query: str = "") -> list[dict]:
    r = api.get("analyst1", f"/api/v1/tasks?scope=candidate{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_tasks_filter_by_customer_and_amount_range(api):
    first, second = new_customer(api), new_customer(api)
    small = file_application(api, first, limit="300000")
    large = file_application(api, second, limit="2500000")
    other = file_application(api, second, limit="800000")
    business = {t["business_key"] for t in analyst_tasks(api)}
    assert {str(a["id"]) for a in (small, large, other)} <= business
    assert [t["business_key"] for t in analyst_tasks(api, f"&customer_id={first}")] == [
        str(small["id"])
    ]
    ranged = analyst_tasks(api, f"&customer_id={second}&min_amount=500000&max_amount=1000000.00")
    assert [t["business_key"] for t in ranged] == [str(other["id"])]
    at_least = analyst_tasks(api, "&min_amount=2000000")
    assert str(large["id"]) in {t["business_key"] for t in at_least}
    assert str(small["id"]) not in {t["business_key"] for t in at_least}


def test_tasks_sort_by_due_date_and_count_the_whole_list(app, api):
    customer = new_customer(api)
    for limit in ("300000", "400000", "500000"):
        file_application(api, customer, limit=limit)
    with app.app_context():
        ids = db.session.scalars(
            sa.select(HumanTask.id).where(HumanTask.subject == f"customer:{customer}")
        ).all()
        for days, task_id in enumerate(ids):
            due = dt.datetime(2026, 7, 1) - dt.timedelta(days=days)
            db.session.execute(
                sa.update(HumanTask).where(HumanTask.id == task_id).values(due_at=due)
            )
        db.session.commit()
    page = api.get("analyst1", f"/api/v1/tasks?scope=candidate&customer_id={customer}&sort=due"
                   "&limit=2").get_json()  # fmt: skip
    assert page["total"] == 3
    assert [t["id"] for t in page["items"]] == list(reversed(ids))[:2]


def test_bad_filters_are_named(api):
    r = api.get("analyst1", "/api/v1/tasks?min_amount=abc&sort=random&customer_id=-1")
    assert r.status_code == 422
    assert {"min_amount", "sort", "customer_id"} <= set(r.get_json()["errors"])


def test_the_filtered_lists_read_indexes(app):
    """The plans of the list by due date, for one customer and for an amount range."""
    with app.app_context():
        dialect = db.engine.dialect
        if dialect.name == "postgresql":
            db.session.execute(sa.text("SET enable_seqscan = off"))  # an empty table: can it?
        # Which of human_task's indexes the planner picks on a tiny table is its choice (at
        # scale, `creditflow bench inbox` prints the plans); here: never a scan of the table.
        for flt in (
            TaskFilter(sort="due"),
            TaskFilter(sort="due", subject="customer:7"),
            TaskFilter(sort="due", min_amount=1, max_amount=2),
        ):
            groups = {"credit_manager", "finance_director"}
            for query in page_queries("manager1", groups, flt, 50):
                sql = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
                explain = "EXPLAIN" if dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
                plan = " ".join(str(r[-1]) for r in db.session.execute(sa.text(f"{explain} {sql}")))
                assert "ix_human_task" in plan, plan
                assert "Seq Scan on human_task " not in plan, plan
                assert "SCAN human_task " not in plan + " ", plan
