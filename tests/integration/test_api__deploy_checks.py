"""Deploying: an unchanged bundle creates no version; task settings the engine reads as numbers
are checked at deploy time, not when an instance reaches them."""

from __future__ import annotations

import io

from bpmn.catalog import bundle_files
from forms.loader import shipped_forms


def _deploy(api, files: dict[str, str]):
    parts = [(io.BytesIO(text.encode()), name) for name, text in files.items()]
    return api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": parts},
        content_type="multipart/form-data",
    )


def _shipped() -> dict[str, str]:
    return {**bundle_files("credit_application"), **shipped_forms()}


def test_an_unchanged_bundle_answers_with_the_latest_version_and_creates_none(api):
    r = _deploy(api, _shipped())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["created"] is False
    versions = {m["key"]: m for m in api.get("sales1", "/api/v1/process-models").get_json()}
    assert versions["credit_application"]["versions"] == [r.get_json()["version"]]


def test_a_due_date_that_is_not_a_whole_number_is_refused_at_deploy(api):
    files = _shipped()
    files["tiered_approval.bpmn"] = files["tiered_approval.bpmn"].replace(
        'name="dueInBusinessDays" value="1"', 'name="dueInBusinessDays" value="abc"', 1
    )
    r = _deploy(api, files)
    assert r.status_code == 422
    problems = " ".join(m for msgs in r.get_json()["errors"].values() for m in msgs)
    assert "dueInBusinessDays must be a whole number" in problems
