"""Administration in the browser: users and groups, the outbox, the calendar, error pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import login, logout
from flow import file_application, new_customer

from notifications.models import Notification, NotificationStatus
from web.extensions import db

pytestmark = pytest.mark.e2e


def test_admin_creates_deactivates_and_resets_a_user(page, api):
    login(page, "admin")
    page.goto("/admin")
    page.get_by_test_id("new-user").click()
    page.get_by_label("User name").fill("collector9")
    page.get_by_label("Name", exact=True).fill("Zhao Lei")
    page.get_by_label("Password").fill("short")
    page.locator("input[name=groups][value=collector]").check()
    page.get_by_role("button", name="Save").click()
    assert page.locator(".cf-field-error[data-field=password]").is_visible()
    page.get_by_label("Password").fill("collector-pass")
    page.locator("input[name=groups][value=collector]").check()
    page.get_by_role("button", name="Save").click()
    row = page.locator("tr[data-user=collector9]")
    assert "Collectors" in row.inner_text()
    row.get_by_role("link", name="Edit").click()
    page.get_by_label("Active (may sign in)").uncheck()
    page.get_by_role("button", name="Save").click()
    assert "no" in page.locator("tr[data-user=collector9]").inner_text()
    page.goto("/admin/users/collector9")
    page.get_by_label("New password").fill("new-collector-pass")
    page.get_by_role("button", name="Reset password").click()
    assert "was reset" in page.locator(".flash-ok").inner_text()
    logout(page)
    page.fill("input[name=username]", "collector9")
    page.fill("input[name=password]", "new-collector-pass")
    page.click("button[type=submit].primary")
    assert page.locator(".error").is_visible()  # deactivated: cannot sign in
    assert not page.js_errors, page.js_errors


def test_admin_sets_a_supervising_group(page, api):
    login(page, "admin")
    page.goto("/admin/groups/collector")
    page.get_by_label("Supervising group").select_option("finance_director")
    page.get_by_role("button", name="Save").click()
    assert "Finance directors" in page.locator("tr[data-group=collector]").inner_text()


def test_failed_notifications_are_listed_and_retried(page, api, live_app):
    file_application(api, new_customer(api))  # the analysts are told of the new task
    with live_app.app_context():
        row = db.session.scalars(
            sa.select(Notification).where(Notification.channel == "email").limit(1)
        ).first()
        row.status, row.last_error, row.attempts = NotificationStatus.FAILED.value, "SMTP down", 5
        db.session.commit()
        failed_id = row.id
    login(page, "admin")
    page.goto("/admin/outbox")
    line = page.locator(f"tr[data-notification='{failed_id}']")
    assert "SMTP down" in line.inner_text()
    line.get_by_role("button", name="Retry").click()
    assert "queued again" in page.locator(".flash-ok").inner_text()
    with live_app.app_context():
        assert db.session.get(Notification, failed_id).status == NotificationStatus.PENDING.value


def test_calendar_day_added_and_removed(page):
    login(page, "admin")
    page.goto("/admin/calendar?year=2026")
    page.locator("input[name=day]").fill("2026-07-01")
    page.locator("select[name=kind]").select_option("holiday")
    page.locator("input[name=name]").fill("Company day")
    page.get_by_role("button", name="Save day").click()
    day = page.locator("tr[data-day='2026-07-01']")
    assert "Company day" in day.inner_text()
    day.get_by_role("button", name="Remove").click()
    assert page.locator("tr[data-day='2026-07-01']").count() == 0
    assert "Monday–Friday" in page.locator(".flash-ok").inner_text()


def test_unknown_ui_pages_are_html_and_the_api_stays_json(page, base_url):
    login(page, "sales1")
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in page.get_by_test_id("error-page").inner_text()
    api = page.request.get(f"{base_url}/api/v1/no-such-thing")
    assert api.status == 404 and "problem+json" in api.headers["content-type"]
    icon = page.request.get(f"{base_url}/favicon.ico")
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
    page.goto("/admin")
    assert "403" in page.get_by_test_id("error-page").inner_text()
