"""Models that never reach a wait state: a loop without one, and a process calling itself."""

from __future__ import annotations

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="x"'
)
EXPR = 'xsi:type="bpmn:tFormalExpression"'
LOOP = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS}>
  <bpmn:process id="spin" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="count" name="Count"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:incoming>back</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>back</bpmn:outgoing><bpmn:outgoing>out</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>out</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="count"/>
    <bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="again"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="count">
      <bpmn:conditionExpression {EXPR}>n &gt; -1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="out" sourceRef="again" targetRef="e">
      <bpmn:conditionExpression {EXPR}>n &lt; -1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""
SELF_CALL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS}>
  <bpmn:process id="top" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="go" calledElement="rec"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="go"/>
    <bpmn:sequenceFlow id="f2" sourceRef="go" targetRef="e"/>
  </bpmn:process>
  <bpmn:process id="rec" isExecutable="true">
    <bpmn:startEvent id="rs"><bpmn:outgoing>r1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="again" calledElement="rec"><bpmn:incoming>r1</bpmn:incoming>
      <bpmn:outgoing>r2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="re"><bpmn:incoming>r2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="r1" sourceRef="rs" targetRef="again"/>
    <bpmn:sequenceFlow id="r2" sourceRef="again" targetRef="re"/>
  </bpmn:process>
</bpmn:definitions>
"""
