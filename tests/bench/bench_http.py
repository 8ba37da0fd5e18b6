"""Benchmark: the latency a user feels through the production server, with a company's inbox.

    creditflow bench http [--db postgresql+psycopg://…] [--workers N] [--requests 300]
                          [--open 100000] [--completed 1000000] [--clients 2] [--no-write]

A fresh PostgreSQL database gets the schema, the shipped models, the demo users and the inbox of
`bench inbox` (generated straight into the tables), offered to the groups of a user
`inbox_bench` who signs in like anyone else. `creditflow serve --no-scheduler` runs with N
gunicorn workers on 127.0.0.1. Through the API (not timed) customers are created, applications
for 1,000,000 CNY filed and assessed by analyst1, and each first approval task is claimed by
manager1. Then C clients in a closed loop on keep-alive connections time, from outside (the wall
clock around each request, after a warm-up that is not counted):

1. the approval step: `POST /tasks/{id}/complete` by manager1, who claimed it (its reply must name
   the next tier's task, and afterwards director1's inbox must hold one per approval);
2. the inbox: `GET /tasks?scope=candidate&limit=50` of inbox_bench, in the default order
   (priority) and by due date;
3. the filing: `POST /credit-applications` (the process starts and runs to the analyst's task).

Figures: p50 / p95 / p99 / max, requests/s, errors, and the load average while it ran.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration"),
                str(ROOT / "tests" / "bench")]  # fmt: skip

import http_load as load  # noqa: E402

HEADING = "HTTP latency through the production server"
LIMIT = "1000000"  # the approval matrix asks two tiers for it: an approval has a next task
APPROVER, NEXT_APPROVER, FILER = "manager1", "director1", "sales1"
NEXT_TASK = "approve_finance_director"  # the second tier's task, in NEXT_APPROVER's inbox
PER_CUSTOMER = 20  # applications filed per customer
SHOWN = {  # how docs/benchmarks.md names each timed request
    "approval step": "approval step, `POST /tasks/{id}/complete`",
    "inbox page, default order": "inbox page, `GET /tasks?scope=candidate&limit=50`",
    "inbox page, by due date": "same, `&sort=due`",
    "filing": "filing, `POST /credit-applications`",
}
PAGES = {
    "default order": "/api/v1/tasks?scope=candidate&limit=50",
    "by due date": "/api/v1/tasks?scope=candidate&limit=50&sort=due",
}


def _add_inbox_user(app) -> None:
    """The user the generated inbox is offered to, in its two groups (password demo)."""
    from bench_inbox import USER, USER_GROUPS

    from engine.models import Group, User
    from web.auth import hash_password
    from web.extensions import db

    with app.app_context():
        groups = [Group(name=name, title_en=name, title_zh=name) for name in sorted(USER_GROUPS)]
        db.session.add_all(groups)
        db.session.add(User(username=USER, password_hash=hash_password("demo"),
                            email=f"{USER}@example.com", display_name=USER, language="en",
                            groups=groups))  # fmt: skip
        db.session.commit()


def _waiting_approvals(api, count: int) -> tuple[list[str], int]:
    """File and assess `count` applications; return their first approval tasks, claimed by
    APPROVER, and a customer to file more for."""
    from flow import assess, file_application, new_customer

    tasks: list[str] = []
    customer = 0
    for n in range(count):
        if n % PER_CUSTOMER == 0:
            customer = new_customer(api)
        application = file_application(api, customer, limit=LIMIT, user=FILER)
        (task_id,) = assess(api, application["id"])["next_tasks"]
        claimed = api.post(APPROVER, f"/api/v1/tasks/{task_id}/claim")
        assert claimed.status_code == 200, claimed.get_json()
        assert claimed.get_json()["name"] == "approve_credit_manager", claimed.get_json()
        tasks.append(task_id)
    return tasks, customer


def _count_visible(api, user: str, name: str) -> int:
    """How many open tasks `name` the user's candidate inbox lists (page by page)."""
    seen, offset = 0, 0
    while True:
        path = f"/api/v1/tasks?scope=candidate&name={name}&limit=1000&offset={offset}"
        items = api.get(user, path).get_json()["items"]
        seen, offset = seen + len(items), offset + 1000
        if len(items) < 1000:
            return seen


def _timed(port: int, user: str, requests: list, warmup: int, clients: int, **kw) -> dict:
    """Warm up on the first `warmup` requests, then time the rest."""
    bearer = load.token(port, user)
    load.run(load.closed_loop(port, bearer, requests[:warmup], clients, kw.get("expect", 200)))
    return load.run(load.closed_loop(port, bearer, requests[warmup:], clients, **kw))


def main(
    db_url: str | None,
    workers: int,
    requests: int,
    open_tasks: int,
    completed: int,
    clients: int,
    write: bool,
) -> dict:
    """Prepare, serve, time the three requests; print the figures (and record them)."""
    from bench_inbox import USER, generate
    from flow import application_body
    from flow_setup import bench_database
    from support import Api, dispose_test_app, make_test_app

    from engine.tasklist import COUNT_CAP

    db_url = db_url or os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    if not db_url:
        raise RuntimeError("bench http runs on PostgreSQL: pass --db or set "
                           "CREDITFLOW_TEST_POSTGRES_URL")  # fmt: skip
    warmup = max(clients, requests // 10)
    results: dict = {}
    with bench_database(db_url) as url:
        app = make_test_app(url)
        _add_inbox_user(app)
        dispose_test_app(app)
        seconds = generate(url, open_tasks, completed)
        print(f"generated {open_tasks:,} open and {completed:,} completed tasks in {seconds:.1f} s")
        with load.served(url, workers) as port:
            api = Api(load.LiveClient(port))
            tasks, customer = _waiting_approvals(api, warmup + requests)
            print(f"{len(tasks)} applications wait for {APPROVER}'s approval")
            load_before = os.getloadavg()[0]
            approve = load.json_bytes({"data": {"decision": "approve", "comment": "ok"}})
            approval = _timed(port, APPROVER, [("POST", f"/api/v1/tasks/{t}/complete", approve)
                                              for t in tasks], warmup, clients,
                              keep_replies=True)  # fmt: skip
            replies = approval.pop("replies")
            approval["with_next"] = sum(
                status == 200 and bool(load.Reply(status, body).get_json()["next_tasks"])
                for status, body in replies
            )
            approval["next_visible"] = _count_visible(api, NEXT_APPROVER, NEXT_TASK)
            results["approval step"] = approval
            for label, path in PAGES.items():
                pages = [("GET", path, b"")] * (warmup + requests)
                page = results[f"inbox page, {label}"] = _timed(port, USER, pages, warmup, clients)
                shown = api.get(USER, path).get_json()
                page["rows"], page["total"] = len(shown["items"]), shown["total"]
            filing = ("POST", "/api/v1/credit-applications",
                      load.json_bytes(application_body(customer, LIMIT)))  # fmt: skip
            results["filing"] = _timed(
                port, FILER, [filing] * (warmup + requests), warmup, clients, expect=201
            )
            load_after = os.getloadavg()[0]
    run_info = {"workers": workers, "requests": requests, "open": open_tasks,
                "completed": completed, "clients": clients, "warmup": warmup,
                "generated_s": seconds, "load": (load_before, load_after),
                "count_cap": COUNT_CAP}  # fmt: skip
    for label, r in results.items():
        print(f"{label}: {r['requests']} requests, {r['rate']:.0f}/s, p50 {r['p50']:.1f} ms, "
              f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms, "
              f"errors {r['errors']}")  # fmt: skip
    print(f"inbox page: {page['rows']} rows of {page['total']} (counted up to {COUNT_CAP}); "
          f"next task named in {approval['with_next']} of {requests} approval replies; "
          f"{approval['next_visible']} in {NEXT_APPROVER}'s inbox; load average "
          f"{load_before:.1f} → {load_after:.1f}")  # fmt: skip
    if write:
        _write(run_info, results)
    return {**run_info, "results": results}


def _write(info: dict, results: dict) -> None:
    a, page = results["approval step"], results["inbox page, by due date"]
    lines = [
        "",
        f"### {dt.date.today()}: `creditflow bench http --workers {info['workers']} --requests "
        f"{info['requests']} --open {info['open']} --completed {info['completed']} --clients "
        f"{info['clients']}`",
        "",
        f"PostgreSQL, {info['workers']} gunicorn workers (gthread), {info['clients']} "
        f"client{'s' if info['clients'] != 1 else ''} in a "
        f"closed loop from 127.0.0.1, each kind after {info['warmup']} warm-up requests; inbox of "
        f"{info['open']:,} open and {info['completed']:,} completed tasks (generated in "
        f"{info['generated_s']:.0f} s). Load average (1 min) {info['load'][0]:.1f} when the "
        f"timing began, {info['load'][1]:.1f} when it ended.",
        "",
        "| request | count | p50 | p95 | p99 | max | requests/s | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in results.items():
        lines.append(f"| {SHOWN[label]} | {r['requests']} | {r['p50']:.1f} ms | "
                     f"{r['p95']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.0f} ms | "
                     f"{r['rate']:.0f} | {r['errors']} |")  # fmt: skip
    lines += [
        "",
        f"An inbox page held {page['rows']} tasks of {page['total']:,} (`total` counts up to "
        f"{info['count_cap']}). "
        f"Each approval reply named the next tier's task in {a['with_next']} of {a['requests']} "
        f"cases; {a['next_visible']} were in {NEXT_APPROVER}'s inbox afterwards (warm-up "
        "included).",
    ]
    load.append_to_benchmarks(HEADING, lines)
