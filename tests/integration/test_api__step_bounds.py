"""A runaway model cannot hold a request: recursion is refused at deploy, loops are bounded."""

from __future__ import annotations

from runaway_models import LOOP, SELF_CALL
from sample_models import deploy, instance, start, upload


def test_a_call_chain_back_into_its_own_process_is_refused_at_deploy(api):
    r = upload(api, {"recursive.bpmn": SELF_CALL})
    assert r.status_code == 422
    problems = r.get_json()["errors"]["recursive.bpmn"]
    assert any("rec → rec" in p for p in problems), problems


def test_a_loop_without_wait_state_ends_as_an_incident_naming_the_element(api):
    deploy(api, {"spin.bpmn": LOOP})
    got = start(api, "spin", data={"n": 0})
    assert got["status"] == "error"
    assert got["error"]["task"] in {"count", "again"}
    assert "more than 1000 tasks" in got["error"]["title"]
    assert instance(api, got["id"])["status"] == "error"
    # The stopped instance holds nothing: the next request is served as usual.
    assert api.get("admin", "/api/v1/process-models").status_code == 200
