"""Deploy lint: every expression compiles in the sandbox; generic forms; visible DMN overlaps."""

from __future__ import annotations

from sample_models import (
    END,
    START,
    business_rule,
    decision_table,
    deploy,
    instance,
    open_task,
    process,
    script,
    service,
    start,
    timer,
    upload,
    user_task,
)

BANDS = decision_table(
    "band",
    ["score"],
    "band",
    [([">= 85"], '"high"'), (["70 <= ? <= 85"], '"mid"'), (["< 70"], '"low"')],
)


def _errors(r, name: str) -> list[str]:
    assert r.status_code == 422, r.get_json()
    return r.get_json()["errors"][name]


def test_a_user_task_without_a_form_gets_a_generic_one_and_a_warning(api):
    model = process("formless", [START, user_task("look", "Look at it"), END])
    got = deploy(api, {"formless.bpmn": model})
    [warning] = got["warnings"]
    assert "formless.bpmn" in warning and "'look'" in warning and "generic" in warning
    instance_id = start(api, "formless")["id"]
    task = open_task(api, instance_id)
    form = api.get("analyst1", f"/api/v1/tasks/{task['id']}").get_json()["form"]
    assert form["generated"] is True
    assert [c["type"] for c in form["components"]] == ["text"]
    assert "Look at it" in form["components"][0]["text"]
    r = api.post("analyst1", f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert r.status_code == 200, r.get_json()
    assert instance(api, instance_id)["status"] == "completed"


def test_overlapping_rows_of_a_unique_table_are_a_deploy_warning(api):
    model = process("banded", [START, business_rule("rate", "band"), END])
    got = deploy(api, {"banded.bpmn": model, "band.dmn": BANDS})
    assert got["warnings"] == [
        "band.dmn: decision 'band' (UNIQUE): rows 1, 2 all match when score = 85.0"
    ]


def test_disjoint_rows_and_collect_tables_deploy_without_warnings(api):
    bands = BANDS.replace("70 &lt;= ? &lt;= 85", "70 &lt;= ? &lt; 85")
    model = process("banded", [START, business_rule("rate", "band"), END])
    assert deploy(api, {"banded.bpmn": model, "band.dmn": bands})["warnings"] == []
    collect = BANDS.replace('hitPolicy="UNIQUE"', 'hitPolicy="COLLECT"')
    assert deploy(api, {"banded.bpmn": model, "band.dmn": collect})["warnings"] == []


def test_the_shipped_models_deploy_without_lint_warnings(app):
    from web.extensions import db
    from web.setup import BUNDLES, bundle_files, shipped_forms

    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        for key in BUNDLES:
            warnings: list[str] = []
            files = {**bundle_files(key), **shipped_forms()}
            rt.registry.deploy(db.session, files, "test", rt.clock.now(), warnings)
            assert warnings == [], key


def test_a_forbidden_script_is_refused_naming_file_element_and_line(api):
    model = process("sneaky", [START, script("peek", "a = 1\nimport os"), END])
    [problem] = _errors(upload(api, {"sneaky.bpmn": model}), "sneaky.bpmn")
    assert problem.startswith("script of 'peek' (line 2)")


def test_forbidden_expressions_in_parameters_and_timers_are_refused(api):
    model = process(
        "sneaky",
        [
            START,
            timer("wait", "Wait", '" + str(().__class__) + "'),
            service("mark", "credit.set_status", {"status": "__import__('os').name"}),
            END,
        ],
    )
    problems = _errors(upload(api, {"sneaky.bpmn": model}), "sneaky.bpmn")
    assert any("of 'wait'" in p for p in problems), problems
    assert any("parameter 'status' of 'mark'" in p for p in problems), problems


def test_a_dmn_cell_that_cannot_run_is_refused_naming_decision_row_and_column(api):
    broken = decision_table(
        "band",
        ["score"],
        "band",
        [(["[1..5]"], '"odd"'), (["> 5"], "().__class__.__name__")],
    )
    model = process("banded", [START, business_rule("rate", "band"), END])
    problems = _errors(upload(api, {"banded.bpmn": model, "band.dmn": broken}), "band.dmn")
    assert any(p.startswith("decision 'band', row 1, input 1 ('[1..5]')") for p in problems)
    assert any(p.startswith("decision 'band', row 2, output 1") for p in problems)


def test_a_no_match_in_a_decision_is_an_incident_of_its_task(api):
    upper = decision_table(
        "band", ["score"], "band", [([">= 85"], '"high"'), (["70 <= ? < 85"], '"mid"')]
    )
    model = process("banded", [START, business_rule("rate", "band"), END])
    deploy(api, {"banded.bpmn": model, "band.dmn": upper})
    got = start(api, "banded", data={"score": 10})
    assert got["status"] == "error"
    assert got["error"]["task"] == "rate"
    assert "no rule matched" in got["error"]["title"]
    [item] = api.get("admin", "/api/v1/incidents").get_json()["items"]
    assert item["element"] == "rate"
