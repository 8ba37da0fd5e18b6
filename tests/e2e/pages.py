"""Every page of the UI with a user who may open it, for the tests that walk them all.

A page added to the UI gets a line here; placeholders name the records of `walk_data`
(tests/e2e/test_ui__language.py): customer, assess_task, approve_task, approved_app,
running_instance. A user of None means signed out."""

from __future__ import annotations

PAGES: list[tuple[str, str | None]] = [
    ("/login", None),
    ("/dashboard", "analyst1"),
    ("/inbox", "analyst1"),
    ("/inbox?scope=groups", "manager1"),
    ("/tasks/{assess_task}", "analyst1"),
    ("/tasks/{approve_task}", "manager1"),
    ("/applications/{approved_app}", "sales1"),
    ("/process-instances/{running_instance}", "sales1"),
    ("/customers", "sales1"),
    ("/customers/{customer}", "analyst1"),
    ("/customers/new", "sales1"),
    ("/customers/{customer}/profile", "analyst1"),
    ("/customers/{customer}/statements/new", "analyst1"),
    ("/customers/{customer}/credit-reports/new", "analyst1"),
    ("/customers/{customer}/securities/new", "analyst1"),
    ("/applications/new", "sales1"),
    ("/notifications", "sales1"),
    ("/designer", "designer1"),
    ("/designer/credit_application", "designer1"),
    ("/audit", "auditor1"),
    ("/admin", "admin"),
    ("/admin/users/new", "admin"),
    ("/admin/users/analyst1", "admin"),
    ("/admin/groups/credit_manager", "admin"),
    ("/admin/outbox", "admin"),
    ("/admin/calendar", "admin"),
    ("/warnings", "manager1"),
    ("/incidents", "admin"),
    ("/no-such-page", "sales1"),
]
