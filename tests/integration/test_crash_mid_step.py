"""kill -9 in the middle of an engine step leaves the last committed state, intact and resumable."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState
from support import Api, dispose_test_app, make_test_app

SLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="slow" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="confirm" name="Confirm">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="credit_analyst"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="crunch" name="Crunch"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>n = 0
while n &lt; 10 ** 9:
    n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="confirm"/>
    <bpmn:sequenceFlow id="f2" sourceRef="confirm" targetRef="crunch"/>
    <bpmn:sequenceFlow id="f3" sourceRef="crunch" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
FORM = b'{"type": "default", "components": [{"type": "textfield", "key": "note", "label": "Note"}]}'

CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = {path!r}
    from support import make_test_app
    from web.extensions import db
    from engine.instances import Actor, complete_task
    app = make_test_app({url!r}, script_time_limit=600)
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        print("working", flush=True)
        complete_task(rt, db.session, {task!r}, Actor("analyst1", frozenset({{"credit_analyst"}})),
                      {{"note": "x"}})
        db.session.commit()
        print("committed", flush=True)
    """
)


def test_sigkill_during_a_step_keeps_the_last_committed_state(tmp_path):
    from engine.models import HumanTask, ProcessInstance
    from web.extensions import db

    url = f"sqlite:///{tmp_path / 'crash.db'}"
    app = make_test_app(url)
    api = Api(app.test_client())
    files = [(io.BytesIO(SLOW.encode()), "slow.bpmn"), (io.BytesIO(FORM), "confirm.form.json")]
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": files},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    instance_id = api.post(
        "designer1", "/api/v1/process-instances", json={"process_key": "slow"}
    ).get_json()["id"]
    with app.app_context():
        before = db.session.get(ProcessInstance, instance_id)
        revision, state = before.revision, before.state
        task_id = db.session.scalar(
            sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        )
    path = [p for p in sys.path if p]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(path=path, url=url, task=task_id)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    assert child.stdout.readline().strip() == "working"
    time.sleep(1.5)  # the child is inside the step now, looping in the script task
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    with app.app_context():
        db.session.expire_all()
        after = db.session.get(ProcessInstance, instance_id)
        assert (after.revision, after.state, after.status) == (revision, state, "waiting")
        task = db.session.get(HumanTask, task_id)
        assert task.status == "open"
        rt = app.extensions["creditflow.runtime"]
        bundle = rt.registry.get(db.session, after.process_key, after.version)
        restored = bundle.serializer.deserialize_json(after.state)
        assert [
            t.task_spec.name for t in restored.get_tasks(manual=True) if t.state == TaskState.READY
        ] == ["confirm"]
    assert api.get("admin", "/api/v1/audit/verify").get_json()["ok"] is True
    dispose_test_app(app)
