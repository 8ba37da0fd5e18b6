"""Task data shows context, never another task's answers as this task's values."""

from __future__ import annotations

from flow import approve, assess, file_application, find_task, new_customer


def _data(api, user, name, application_id):
    task = find_task(api, user, name, application_id)
    return api.get(user, f"/api/v1/tasks/{task['id']}").get_json()["data"]


def test_no_task_inherits_the_previous_forms_answers(api):
    a = file_application(api, new_customer(api), limit="2500000", monthly="3000000")
    assess(api, a["id"], comment="analyst words")
    manager = _data(api, "manager1", "approve_credit_manager", a["id"])
    assert manager.get("comment") is None and manager.get("decision") is None
    assert manager["application_id"] == a["id"]  # context stays
    approve(api, "manager1", "credit_manager", a["id"], comment="manager words")
    director = _data(api, "director1", "approve_finance_director", a["id"])
    assert director.get("comment") is None and director.get("decision") is None
    approve(api, "director1", "finance_director", a["id"], comment="director words")
    gm = _data(api, "gm1", "approve_general_manager", a["id"])
    assert (
        gm.get("comment") is None
        and gm.get("decision") is None
        and gm.get("approved_limit") is None
    )


def test_after_a_return_the_analysts_revision_form_is_empty(api):
    a = file_application(api, new_customer(api))
    assess(api, a["id"], comment="first look")
    approve(api, "manager1", "credit_manager", a["id"], decision="return", comment="need more")
    revise = _data(api, "analyst1", "revise_application", a["id"])
    assert revise.get("comment") is None and revise.get("qualitative_rating") is None
