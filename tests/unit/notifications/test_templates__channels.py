"""Templates, webhook signature and backoff, without a database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from notifications.dispatch import backoff
from notifications.templates import TEMPLATES, pick_language, render


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_exists_in_chinese_and_english_and_renders(template):
    assert set(TEMPLATES[template]) == {"zh", "en"}
    for language in ("zh", "en"):
        text = render(template, language, {"task_title": "T", "application_id": 7})
        assert text.subject and text.body and "{" not in text.subject + text.body


@pytest.mark.parametrize(
    ("preference", "language"),
    [
        ("zh", "zh"),
        ("en", "en"),
        ("en-US", "en"),
        (None, "zh"),
        ("fr", "zh"),
    ],
)
def test_language_preference_picks_a_template_language(preference, language):
    assert pick_language(preference) == language


def test_missing_values_render_as_a_dash_not_an_error():
    assert (
        render("application_approved", "en", {}).subject
        == "[Approved] Credit application -: - -, - days"
    )


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (1, 30),
        (2, 60),
        (3, 120),
        (4, 240),
        (5, 480),
        (10, 3600),
        (30, 3600),
    ],
)
def test_backoff_doubles_from_thirty_seconds_capped_at_an_hour(attempts, seconds):
    assert backoff(attempts) == dt.timedelta(seconds=seconds)


def test_webhook_signature_is_hmac_sha256_of_the_body():
    from notifications.channels.webhook import signature

    body = '{"a":"中文"}'.encode()
    assert signature(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
