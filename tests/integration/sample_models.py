"""Small BPMN models for engine tests, written as XML fragments, and helpers to run them."""

from __future__ import annotations

import datetime as dt
import io
import json

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{pid}"
  targetNamespace="http://creditflow.example.com/test">
{messages}  <bpmn:process id="{pid}" isExecutable="true">
{body}
{flows}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{pid}"><bpmndi:BPMNPlane id="plane_{pid}" bpmnElement="{pid}">
{layout}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def text_form(key: str) -> bytes:
    """A form-js form with one text field."""
    field = {"type": "textfield", "key": key, "label": key.title()}
    return json.dumps({"type": "default", "components": [field]}).encode()


NOTE_FORM = text_form("note")


def process(pid: str, chain: list[str], messages: tuple[str, ...] = ()) -> str:
    """A process whose elements (XML with {i} / {o} for flows) run one after another.

    Each element string gets `<incoming>`/`<outgoing>` filled in by position.
    """
    body, flows = [], []
    for n, element in enumerate(chain):
        incoming = f"<bpmn:incoming>f{n}</bpmn:incoming>" if n else ""
        outgoing = f"<bpmn:outgoing>f{n + 1}</bpmn:outgoing>" if n < len(chain) - 1 else ""
        body.append("    " + element.format(io=incoming + outgoing))
    ids = [element.split('id="', 1)[1].split('"', 1)[0] for element in chain]
    for n in range(1, len(chain)):
        flows.append(
            f'    <bpmn:sequenceFlow id="f{n}" sourceRef="{ids[n - 1]}" targetRef="{ids[n]}"/>'
        )
    declared = "".join(f'  <bpmn:message id="{m}" name="{m}"/>\n' for m in messages)
    return HEADER.format(
        pid=pid,
        messages=declared,
        body="\n".join(body),
        flows="\n".join(flows),
        layout=_layout(chain, ids),
    )


def _layout(chain: list[str], ids: list[str]) -> str:
    """A left-to-right diagram (BPMN DI) so the models show in the browser."""
    shapes, edges, x, right = [], [], 60, []
    for n, (element, element_id) in enumerate(zip(chain, ids, strict=True)):
        tag = element.split(None, 1)[0]
        w, h = (36, 36) if "Event" in tag else (50, 50) if "Gateway" in tag else (100, 80)
        shapes.append(
            f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}">'
            f'<dc:Bounds x="{x}" y="{150 - h // 2}" width="{w}" height="{h}"/></bpmndi:BPMNShape>'
        )
        if n:
            edges.append(
                f'<bpmndi:BPMNEdge id="f{n}_di" bpmnElement="f{n}">'
                f'<di:waypoint x="{right[-1]}" y="150"/><di:waypoint x="{x}" y="150"/>'
                "</bpmndi:BPMNEdge>"
            )
        right.append(x + w)
        x += w + 60
    return "\n".join("    " + line for line in shapes + edges)


START = '<bpmn:startEvent id="start">{io}</bpmn:startEvent>'
END = '<bpmn:endEvent id="end">{io}</bpmn:endEvent>'


def user_task(task_id: str, name: str, group: str = "credit_analyst") -> str:
    """A user task offered to one group (its form is `<task_id>.form.json`)."""
    return (
        f'<bpmn:userTask id="{task_id}" name="{name}"><bpmn:extensionElements>'
        f'<spiffworkflow:properties><spiffworkflow:property name="candidateGroups" '
        f'value="{group}"/></spiffworkflow:properties></bpmn:extensionElements>{{io}}'
        "</bpmn:userTask>"
    )


def script(task_id: str, text: str, name: str = "") -> str:
    """A script task."""
    text = text.replace("{", "{{").replace("}", "}}")
    return (
        f'<bpmn:scriptTask id="{task_id}" name="{name or task_id}">{{io}}'
        f"<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>"
    )


def timer(event_id: str, name: str, duration: str) -> str:
    """An intermediate timer catch event waiting `duration` (ISO 8601, e.g. PT1H)."""
    return (
        f'<bpmn:intermediateCatchEvent id="{event_id}" name="{name}">{{io}}'
        f'<bpmn:timerEventDefinition id="{event_id}_def"><bpmn:timeDuration '
        f'xsi:type="bpmn:tFormalExpression">"{duration}"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def catch_message(event_id: str, message: str, variable: str | None = None) -> str:
    """An intermediate message catch event (correlated by the business key).

    :param variable: the task data key the payload is stored under.
    """
    keep = (
        "<bpmn:extensionElements><spiffworkflow:messageVariable>"
        f"{variable}</spiffworkflow:messageVariable></bpmn:extensionElements>"
        if variable
        else ""
    )
    return (
        f'<bpmn:intermediateCatchEvent id="{event_id}" name="{event_id}">{{io}}'
        f'<bpmn:messageEventDefinition id="{event_id}_def" messageRef="{message}">{keep}'
        "</bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>"
    )


def service(task_id: str, operation: str, params: dict[str, str]) -> str:
    """A service task calling a registered operation with expression parameters."""
    rows = "".join(
        f'<spiffworkflow:parameter id="{k}" type="str" value="{v}"/>' for k, v in params.items()
    )
    return (
        f'<bpmn:serviceTask id="{task_id}" name="{task_id}"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{operation}" resultVariable="result">'
        f"<spiffworkflow:parameters>{rows}</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>{io}</bpmn:serviceTask>"
    )


def upload(api, files: dict[str, str | bytes], user: str = "designer1"):
    """POST /process-models with the files; return the response."""
    parts = [
        (io.BytesIO(text.encode() if isinstance(text, str) else text), name)
        for name, text in files.items()
    ]
    return api.post(
        user, "/api/v1/process-models", data={"files": parts}, content_type="multipart/form-data"
    )


def deploy(api, files: dict[str, str | bytes]) -> dict:
    """Deploy and return {"key", "version"}, failing the test on any refusal."""
    r = upload(api, files)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def start(api, key: str, business_key: str | None = None, data: dict | None = None) -> dict:
    """Start an instance through the API; return {"id", "status", "error"}."""
    r = api.post(
        "designer1",
        "/api/v1/process-instances",
        json={"process_key": key, "business_key": business_key, "data": data or {}},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def instance(api, instance_id: int) -> dict:
    """GET /process-instances/{id}."""
    return api.get("admin", f"/api/v1/process-instances/{instance_id}").get_json()


def set_clock(api, moment: dt.datetime) -> None:
    """Move the shared test clock."""
    r = api.put("admin", "/api/v1/admin/clock", json={"now": moment.isoformat()})
    assert r.status_code == 200, r.get_json()


def tick(api) -> dict:
    """Run every scheduler job once."""
    r = api.post("admin", "/api/v1/admin/tick")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def open_task(api, instance_id: int, user: str = "analyst1") -> dict:
    """The open task of an instance that `user` may work."""
    items = api.get(user, "/api/v1/tasks?scope=candidate").get_json()["items"]
    return next(t for t in items if t["process_instance_id"] == instance_id)


def complete(api, task_id: str, data: dict, user: str = "analyst1"):
    """POST /tasks/{id}/complete; return the response."""
    return api.post(user, f"/api/v1/tasks/{task_id}/complete", json={"data": data})


def decision_table(
    decision_id: str,
    inputs: list[str],
    output: str,
    rules: list[tuple[list[str], str]],
    hit_policy: str = "UNIQUE",
) -> str:
    """A DMN file with one decision table: input expressions, one output, rows of entries."""
    cols = "".join(
        f'<input id="{decision_id}_in{n}" label="{text}"><inputExpression '
        f'id="{decision_id}_ie{n}"><text>{text}</text></inputExpression></input>'
        for n, text in enumerate(inputs)
    )
    rows = "".join(
        f'<rule id="{decision_id}_r{r}">'
        + "".join(
            f'<inputEntry id="{decision_id}_r{r}_i{n}"><text>{_xml(e)}</text></inputEntry>'
            for n, e in enumerate(entries)
        )
        + f'<outputEntry id="{decision_id}_r{r}_o"><text>{_xml(out)}</text></outputEntry></rule>'
        for r, (entries, out) in enumerate(rules)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
        f'id="{decision_id}_defs" name="{decision_id}" namespace="urn:test">'
        f'<decision id="{decision_id}" name="{decision_id}">'
        f'<decisionTable id="{decision_id}_table" hitPolicy="{hit_policy}">{cols}'
        f'<output id="{decision_id}_out" name="{output}" typeRef="string"/>{rows}'
        "</decisionTable></decision></definitions>"
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def business_rule(task_id: str, decision_id: str) -> str:
    """A business rule task calling a decision."""
    return (
        f'<bpmn:businessRuleTask id="{task_id}" name="{task_id}"><bpmn:extensionElements>'
        f"<spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements>{io}</bpmn:businessRuleTask>"
    )


# A start that divides by a variable given as 0: an incident at 'ratio' until count is fixed.
DIVIDE = process(
    "divide",
    [
        START,
        script("ratio", "ratio = total / count", "Compute ratio"),
        user_task("check", "Check"),
        END,
    ],
)
