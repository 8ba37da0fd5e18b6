"""The script sandbox: what scripts cannot do, what they can, its time bound, and Spiff on it."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import Invalid
from engine.scripts import (
    SandboxEnvironment,
    SandboxScriptEngine,
    SandboxViolation,
    ScriptLimitExceeded,
    ScriptTimeLimitExceeded,
    make_script_engine,
)


def business_deadline(days: int) -> str:
    return (date(2026, 3, 2) + timedelta(days=days)).isoformat()


def spin_and_swallow() -> str:
    """An engine function that (wrongly) catches every Exception while a script waits on it."""
    ends = time.monotonic() + 5
    while time.monotonic() < ends:
        try:
            time.sleep(0.001)
        except Exception:
            pass
    return "ran on"


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment(
        functions={"business_deadline": business_deadline, "spin": spin_and_swallow},
        time_limit=0.2,
    )


def run(env: SandboxEnvironment, source: str) -> Any:
    """Execute a script (text ending in a newline) or evaluate an expression, with x = 1."""
    data = {"x": 1}
    if source.endswith("\n"):
        env.execute(source, data)
        return data
    return env.evaluate(source, data)


# --- escapes -------------------------------------------------------------------------------

ESCAPES = [
    ("dunder import", "__import__('os')", SandboxViolation),
    ("import statement", "import os\n", SandboxViolation),
    ("from import", "from os import system\n", SandboxViolation),
    ("open a file", "open('/etc/hostname').read()", NameError),
    ("subclass walk", "().__class__.__base__.__subclasses__()", SandboxViolation),
    ("getattr builtin", "getattr(x, '__class__')", NameError),
    ("type builtin", "type(x)", NameError),
    ("str.format attribute walk", "'{0.__class__}'.format(1)", NotImplementedError),
    ("str.format through the class", "str.format('{0.__class__}', 1)", NotImplementedError),
    ("exec", "exec('1')", SandboxViolation),
    ("eval", "eval('1')", SandboxViolation),
    ("compile", "compile('1', 'f', 'eval')", NameError),
    ("globals", "globals()", NameError),
    ("vars", "vars()", NameError),
    ("locals", "locals()", NameError),
    ("dir", "dir(x)", NameError),
    ("builtins dict", "__builtins__['open']", SandboxViolation),
    (
        "try catching the timeout",
        "try:\n    spin()\nexcept BaseException:\n    pass\n",
        SandboxViolation,
    ),
    ("with", "with x:\n    pass\n", SandboxViolation),
    ("class", "class A:\n    pass\n", SandboxViolation),
    ("global", "global x\nx = 2\n", SandboxViolation),
    ("nonlocal", "def f():\n    def g():\n        nonlocal y\n    y = 1\n", SandboxViolation),
    ("decorator", "def f(g):\n    return g\n@f\ndef h():\n    pass\n", SandboxViolation),
    ("generator function", "def f():\n    yield 1\n", SandboxViolation),
    ("async", "async def f():\n    pass\n", SandboxViolation),
    ("print", "print(x)", SandboxViolation),
    ("list class", "[].__class__", SandboxViolation),
    ("engine function globals", "business_deadline.__globals__", SandboxViolation),
    ("engine function attributes", "business_deadline.keys", AttributeError),
    ("generator frame", "(i for i in [1]).gi_frame", SandboxViolation),
    ("generator attributes", "[(i for i in [1])][0].send", AttributeError),
    ("method of a builtin", "'a'.split.keys", AttributeError),
    ("mro", "int.mro()", AttributeError),
    ("raise SystemExit", "raise SystemExit\n", NameError),
    ("raise KeyboardInterrupt", "raise KeyboardInterrupt\n", NameError),
    ("wall clock", "datetime.now()", AttributeError),
    ("wall clock through an instance", "date(2026, 1, 1).today()", AttributeError),
    ("attribute write", "d = Decimal(1)\nd.real = 2\n", TypeError),
    ("computed format spec", "f'{x:>{x}}'", SandboxViolation),
]

LIMITS = [
    ("tower of powers", "10**10**10", ScriptLimitExceeded),
    ("pow builtin", "pow(10, 10**10)", ScriptLimitExceeded),
    ("huge integer product", "(10**20000) * (10**20000)", ScriptLimitExceeded),
    ("huge shift", "1 << 10**9", ScriptLimitExceeded),
    ("string repeat", "'a' * 10**9", ScriptLimitExceeded),
    ("list repeat", "[0] * 10**9", ScriptLimitExceeded),
    ("in-place repeat", "s = 'a'\ns *= 10**9\n", ScriptLimitExceeded),
    ("huge range", "range(10**9)", ScriptLimitExceeded),
    ("padding", "'a'.ljust(10**9)", ScriptLimitExceeded),
    ("padding through the class", "str.rjust('a', 10**9)", ScriptLimitExceeded),
    ("join with a long separator", "('x' * 10**6).join(['', '', ''])", ScriptLimitExceeded),
    ("replace amplification", "('a' * 1000).replace('', 'b' * 10000)", ScriptLimitExceeded),
    ("tab expansion", "('\\t' * 1000).expandtabs(10**6)", ScriptLimitExceeded),
    ("to_bytes", "(1).to_bytes(10**9, 'big')", ScriptLimitExceeded),
    ("from_bytes", "int.from_bytes(b'\\xff' * 10**6, 'big')", ScriptLimitExceeded),
    ("quadratic sum of lists", "sum([[0]] * 1000, [])", ScriptLimitExceeded),
    ("printf width", "'%1000000000d' % 1", ScriptLimitExceeded),
    ("printf star width", "'%*d' % (10**9, 1)", ScriptLimitExceeded),
    ("f-string width", "f'{x:>1000000000}'", SandboxViolation),
    ("int of a huge Decimal", "int(Decimal('1e999999'))", ScriptLimitExceeded),
    ("int as a sort key", "sorted([Decimal('1e999999')], key=int)", ScriptLimitExceeded),
    ("printf of a huge Decimal", "'%d' % Decimal('1e999999')", ScriptLimitExceeded),
]


@pytest.mark.parametrize(
    ("source", "expected"), [(s, e) for _, s, e in ESCAPES], ids=[name for name, _, _ in ESCAPES]
)
def test_escape_is_blocked(env: SandboxEnvironment, source: str, expected: type) -> None:
    with pytest.raises(expected):
        run(env, source)


@pytest.mark.parametrize(
    ("source", "expected"), [(s, e) for _, s, e in LIMITS], ids=[name for name, _, _ in LIMITS]
)
def test_size_amplifier_is_refused_before_it_runs(
    env: SandboxEnvironment, source: str, expected: type
) -> None:
    started = time.monotonic()
    with pytest.raises(expected):
        run(env, source)
    assert time.monotonic() - started < 0.5


def test_policy_violation_reports_the_offending_line(env: SandboxEnvironment) -> None:
    with pytest.raises(SandboxViolation) as caught:
        env.execute("a = 1\nb = 2\nimport os\n", {})
    assert caught.value.lineno == 3
    assert caught.value.text == "import os"


@pytest.mark.parametrize("source", ["x = (", "if x:\n", "x = 1\n  y = 2\n"])
def test_syntax_error_has_a_line_inside_the_script(env: SandboxEnvironment, source: str) -> None:
    with pytest.raises(SyntaxError) as caught:
        env.execute(source, {})
    assert 1 <= caught.value.lineno <= len(source.splitlines())


# --- time bound ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "while True:\n    pass\n",
        "n = 0\nwhile True:\n    n += 1\n",
        "[a for a in range(10**6) for b in range(10**6)]\n",
        "spin()\n",
    ],
)
def test_runaway_script_stops_at_the_time_limit(env: SandboxEnvironment, source: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptTimeLimitExceeded, match="limit of 0.2 s"):
        env.execute(source, {})
    assert time.monotonic() - started < 1.0


def test_runaway_expression_stops_at_the_time_limit(env: SandboxEnvironment) -> None:
    with pytest.raises(ScriptTimeLimitExceeded):
        env.evaluate("[a for a in range(10**6) for b in range(10**6)]", {})


def test_timeout_names_the_line_it_stopped(env: SandboxEnvironment) -> None:
    with pytest.raises(ScriptTimeLimitExceeded, match=r"stopped at line 3"):
        env.execute("a = 1\nb = 2\nwhile True:\n    pass\n", {})


def test_time_limits_are_per_thread(env: SandboxEnvironment) -> None:
    def busy(_: int) -> str:
        try:
            env.execute("while True:\n    pass\n", {})
        except ScriptTimeLimitExceeded:
            return "stopped"
        return "ran on"

    def quick(n: int) -> int:
        return env.evaluate("sum([i for i in range(n)])", {"n": n})

    with ThreadPoolExecutor(max_workers=4) as pool:
        loops = [pool.submit(busy, i) for i in range(2)]
        sums = [pool.submit(quick, 1000) for _ in range(50)]
        assert [f.result(timeout=5) for f in loops] == ["stopped", "stopped"]
        assert {f.result(timeout=5) for f in sums} == {499500}


def test_no_interrupt_leaks_out_of_calls_that_end_at_their_deadline() -> None:
    # Scripts about as long as the limit: some finish, some are stopped, some finish just as
    # the watchdog fires. A leaked interrupt would surface below as a bare ScriptTimeout.
    env = SandboxEnvironment(time_limit=0.0005)
    outcomes = []
    for _ in range(300):
        try:
            env.execute("n = 0\nwhile n < 3000:\n    n += 1\n", {})
            outcomes.append("done")
        except ScriptTimeLimitExceeded:
            outcomes.append("stopped")
    ends = time.monotonic() + 0.05
    while time.monotonic() < ends:
        pass
    assert len(outcomes) == 300


class _SlowToCollect:
    """Garbage in a reference cycle whose finalizer takes a while (a large heap's collection)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.cycle = self

    def __del__(self) -> None:
        time.sleep(self.seconds)  # releases the GIL, so the watchdog runs during the collection


def test_time_spent_collecting_garbage_does_not_count_against_the_limit(
    recwarn: pytest.WarningsRecorder,
) -> None:
    # A full collection of a large heap can start inside any expression. Without the discount the
    # watchdog fires during the collection: the interrupt lands in a finalizer (an unraisable
    # exception), and the expression is reported as having run past its limit.
    def collect() -> int:
        _SlowToCollect(0.6)
        gc.collect()
        return 1

    env = SandboxEnvironment(functions={"collect": collect}, time_limit=0.3)
    assert env.evaluate("collect() + 1", {}) == 2
    unraisable = pytest.PytestUnraisableExceptionWarning
    assert not [w for w in recwarn if issubclass(w.category, unraisable)]


def _spin(seconds: float) -> None:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        pass


def _assert_stopped_within(function: Callable[[], str], limit: float, seconds: float) -> None:
    """Call function from an expression limited to limit; it must be stopped within seconds."""
    env = SandboxEnvironment(functions={"run": function}, time_limit=limit)
    started = time.monotonic()
    with pytest.raises(ScriptTimeLimitExceeded):
        env.evaluate("run()", {})
    assert time.monotonic() - started < seconds


def test_time_outside_garbage_collection_still_counts_after_one() -> None:
    def collect_then_spin() -> str:
        _SlowToCollect(0.3)
        gc.collect()
        _spin(5)
        return "ran on"

    _assert_stopped_within(collect_then_spin, limit=0.2, seconds=2.0)


def test_an_interrupt_that_is_lost_is_sent_again() -> None:
    # An interrupt landing in a finalizer or a garbage-collector callback is reported and dropped
    # by Python; here an engine function drops one itself.
    def lose_one_interrupt() -> str:
        try:
            _spin(5)
        except BaseException:  # noqa: BLE001 - what a finalizer does to it
            pass
        _spin(5)
        return "ran on"

    _assert_stopped_within(lose_one_interrupt, limit=0.1, seconds=4.0)


def test_no_time_limit_when_disabled() -> None:
    env = SandboxEnvironment(time_limit=None)
    assert env.evaluate("sum([i for i in range(1000)])", {}) == 499500


# --- legitimate scripts --------------------------------------------------------------------

EXPRESSIONS = [
    (
        "decimal arithmetic",
        "(amount * Decimal('0.15')).quantize(Decimal('0.01'))",
        {"amount": Decimal("1000.004")},
        Decimal("150.00"),
    ),
    ("list comprehension", "[i * i for i in items if i > 1]", {"items": [1, 2, 3]}, [4, 9]),
    ("dict comprehension", "{k: v * 2 for k, v in d.items()}", {"d": {"a": 1}}, {"a": 2}),
    ("injected function", "business_deadline(2)", {}, "2026-03-04"),
    ("string methods", "'a,b'.split(',')", {}, ["a", "b"]),
    ("string join", "'-'.join(['a', 'b'])", {}, "a-b"),
    ("membership", "grade in ['A', 'B']", {"grade": "B"}, True),
    ("len min max", "(len(xs), min(xs), max(xs))", {"xs": [3, 1, 2]}, (3, 1, 3)),
    ("comparison with None", "limit is None or limit > 5", {"limit": None}, True),
    ("equality with None", "limit == None", {"limit": 0}, False),
    ("guarded None comparison", "limit is not None and limit > 5", {"limit": None}, False),
    ("dates", "date(2026, 3, 2) + timedelta(days=1)", {}, date(2026, 3, 3)),
    ("f-string", "f'{amount:,.2f}'", {"amount": Decimal("1234.5")}, "1,234.50"),
    ("printf", "'%s-%05d' % ('A', 42)", {}, "A-00042"),
    ("small powers", "(n ** 2, Decimal('1.1') ** 2)", {"n": 12}, (144, Decimal("1.21"))),
    ("sort key builtin", "sorted(['b', 'A'], key=str.lower)", {}, ["A", "b"]),
    ("sort key lambda", "sorted(xs, key=lambda v: -v)", {"xs": [1, 3, 2]}, [3, 2, 1]),
    ("ternary", "'high' if score >= 85 else 'low'", {"score": 90}, "high"),
    ("dmn range cell", "84 < dmninputexpr <= 100", {}, True),
]


@pytest.mark.parametrize(
    ("source", "data", "expected"), [e[1:] for e in EXPRESSIONS], ids=[e[0] for e in EXPRESSIONS]
)
def test_expression_evaluates(
    env: SandboxEnvironment, source: str, data: dict, expected: Any
) -> None:
    assert env.evaluate(source, data, external_context={"dmninputexpr": 90}) == expected


def test_script_writes_new_and_changed_variables_into_task_data(
    env: SandboxEnvironment,
) -> None:
    data = {"amount": Decimal("100"), "items": [1, 2], "old": 1, "counter": 1}
    env.execute(
        "def fee(v):\n"
        "    return v * Decimal('0.01')\n"
        "total = amount + fee(amount)\n"
        "items.append(3)\n"
        "summary = {'n': len(items)}\n"
        "summary['due'] = business_deadline(1)\n"
        "counter += 1\n"
        "first, second = items[0], items[1]\n"
        "for k, v in {'a': 1}.items():\n"
        "    pair = (k, v)\n"
        "del old\n",
        data,
    )
    assert data == {
        "amount": Decimal("100"),
        "items": [1, 2, 3],
        "counter": 2,
        "total": Decimal("101.00"),
        "summary": {"n": 3, "due": "2026-03-03"},
        "first": 1,
        "second": 2,
        "k": "a",
        "v": 1,
        "pair": ("a", 1),
    }


def test_expression_may_be_wrapped_in_whitespace(env: SandboxEnvironment) -> None:
    assert env.evaluate("\n    grade == 'A'\n  ", {"grade": "A"}) is True


def test_evaluate_leaves_task_data_alone(env: SandboxEnvironment) -> None:
    data = {"a": 1}
    assert env.evaluate("a + 1", data) == 2
    assert data == {"a": 1}


def test_task_data_may_not_shadow_an_engine_function(env: SandboxEnvironment) -> None:
    with pytest.raises(ValueError, match="business_deadline"):
        env.execute("a = 1\n", {"business_deadline": "tomorrow"})


def test_failed_script_leaves_no_builtins_or_guards_in_task_data(
    env: SandboxEnvironment,
) -> None:
    data = {"a": 1}
    with pytest.raises(ScriptTimeLimitExceeded):
        env.execute("b = 2\nwhile True:\n    pass\n", data)
    assert data == {"a": 1, "b": 2}


def test_compiled_code_is_cached_by_text(env: SandboxEnvironment) -> None:
    assert env.compile("a = 1\n", "exec") is env.compile("a = 1\n", "exec")


def test_engine_function_names_must_be_public() -> None:
    with pytest.raises(ValueError):
        SandboxEnvironment(functions={"_hidden": len})


# --- through SpiffWorkflow -----------------------------------------------------------------

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="sandbox_definitions" targetNamespace="urn:creditflow:test">
  <bpmn:process id="sandbox_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:scriptTask id="prepare" name="Prepare">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="lookup"/>
    <bpmn:serviceTask id="lookup" name="Look up the customer">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="credit.lookup" resultVariable="customer">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="customer_id" type="str" value="'C-' + str(number)"/>
            <spiffworkflow:parameter id="requested" type="any" value="requested"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="lookup" targetRef="route"/>
    <bpmn:exclusiveGateway id="route" default="to_review">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>to_approve</bpmn:outgoing><bpmn:outgoing>to_review</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_approve" sourceRef="route" targetRef="approve">
      <bpmn:conditionExpression>
        customer["grade"] == "A" and requested &lt;= 1000
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_review" sourceRef="route" targetRef="review"/>
    <bpmn:scriptTask id="approve" name="Approve">
      <bpmn:incoming>to_approve</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>outcome = "approved"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:scriptTask id="review" name="Review">
      <bpmn:incoming>to_review</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:script>outcome = "review"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="end"/>
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
GOOD_SCRIPT = "number = 7\nrequested = Decimal('250.50') * 2"


class FakeServices:
    def __init__(self, grade: str = "A") -> None:
        self.grade = grade
        self.calls: list[tuple[str, dict, dict]] = []

    def __call__(self, name: str, params: dict, task_data: dict) -> Any:
        self.calls.append((name, params, dict(task_data)))
        if self.grade == "boom":
            raise RuntimeError("registry unavailable")
        return {"id": params["customer_id"], "grade": self.grade, "limit": Decimal("1000.00")}


def start(script: str, services: Callable[..., Any], time_limit: float = 0.2) -> BpmnWorkflow:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(PROCESS.replace("{script}", script).encode())
    engine = make_script_engine(
        functions={"business_deadline": business_deadline},
        service_caller=services,
        time_limit=time_limit,
    )
    assert isinstance(engine, SandboxScriptEngine)
    return BpmnWorkflow(parser.get_spec("sandbox_check"), script_engine=engine)


@pytest.mark.parametrize(("grade", "outcome"), [("A", "approved"), ("B", "review")])
def test_workflow_runs_script_service_and_gateway_in_the_sandbox(grade: str, outcome: str) -> None:
    services = FakeServices(grade)
    workflow = start(GOOD_SCRIPT, services)
    workflow.do_engine_steps()

    assert workflow.completed
    [(name, params, seen)] = services.calls
    assert name == "credit.lookup"
    assert params == {"customer_id": "C-7", "requested": Decimal("501.00")}
    assert seen["number"] == 7
    data = workflow.last_task.data
    # Spiff 3.2 stores json.loads(call_service(...)): Decimal arrives as its string.
    assert data["customer"] == {"id": "C-7", "grade": grade, "limit": "1000.00"}
    assert data["outcome"] == outcome
    assert "__builtins__" not in data and "business_deadline" not in data


@pytest.mark.parametrize(
    ("script", "error"),
    [
        ("x = ().__class__.__base__.__subclasses__()", "SandboxViolation"),
        ("import os", "SandboxViolation"),
        ("x = open('/etc/hostname').read()", "NameError"),
        ("n = 0\nwhile True:\n    n += 1", "ScriptTimeLimitExceeded"),
        ("raise SystemExit", "NameError"),
    ],
)
def test_malicious_script_task_puts_the_task_in_error(script: str, error: str) -> None:
    services = FakeServices()
    workflow = start(script, services)
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert caught.value.task.task_spec.name == "prepare"
    assert caught.value.task.state == TaskState.ERROR
    assert caught.value.error_type == error
    assert services.calls == []
    assert not workflow.completed


def test_policy_violation_in_a_script_task_reports_its_line() -> None:
    workflow = start("a = 1\nimport os", FakeServices())
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert caught.value.line_number == 2
    assert caught.value.error_line == "import os"


def test_failing_service_puts_the_service_task_in_error() -> None:
    workflow = start(GOOD_SCRIPT, FakeServices("boom"))
    with pytest.raises(WorkflowTaskException, match="registry unavailable") as caught:
        workflow.do_engine_steps()
    assert caught.value.task.task_spec.name == "lookup"
    assert caught.value.task.state == TaskState.ERROR


def test_service_task_without_a_service_caller_is_an_error_of_the_task() -> None:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(PROCESS.replace("{script}", GOOD_SCRIPT).encode())
    workflow = BpmnWorkflow(parser.get_spec("sandbox_check"), script_engine=make_script_engine())
    with pytest.raises(WorkflowTaskException, match="no service caller"):
        workflow.do_engine_steps()


def test_engine_error_from_a_service_reaches_the_caller_unchanged() -> None:
    def refuse(name: str, params: dict, task_data: dict) -> Any:
        raise Invalid.field("requested", "exceeds the open limit")

    workflow = start(GOOD_SCRIPT, refuse)
    with pytest.raises(Invalid, match="requested"):
        workflow.do_engine_steps()
    assert workflow.get_next_task(spec_name="lookup").state == TaskState.ERROR
