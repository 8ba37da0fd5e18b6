"""Deploy-time checks of decision tables: every cell compiles in the sandbox; visible overlaps."""

from __future__ import annotations

import ast
import copy
import functools
import itertools
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.dmn.specs.model import HitPolicy

from engine.decisions import FailClosedDMNEngine
from engine.sandbox_policy import compile_script

# "?" stands for the input value, as Spiff's DMN engine reads it (outside quotes only).
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
MAX_COMBINATIONS = 20_000


def _python_parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def entry_expression(input_expression: str, entry: str) -> tuple[str, str | None]:
    """The expression Spiff evaluates for one input entry, and the input it evaluates apart.

    Mirrors `DMNEngine.evaluate`: with "?" the entry is evaluated against the input value;
    otherwise it is compared with `==` when it parses alone, else glued to the input.
    """
    if _QUESTION.search(entry):
        return _QUESTION.sub("dmninputexpr", entry), input_expression
    if _python_parses(entry):
        return f"({input_expression}) == ({entry})", None
    return input_expression + entry, None


def _cells(table: Any) -> Iterator[tuple[str, str]]:
    """(where, expression) of every input, input entry and output entry of a table."""
    for column, item in enumerate(table.inputs, start=1):
        if item.expression:
            yield f"input {column} ('{item.label or item.expression}')", item.expression
    for rule in table.rules:
        for column, entry in enumerate(rule.inputEntries, start=1):
            for text in entry.lhs:
                if text is None or not text.strip():
                    continue
                expression, apart = entry_expression(entry.input.expression or "", text)
                yield f"row {rule.row_number}, input {column} ('{text}')", expression
                if apart:
                    yield f"row {rule.row_number}, input {column}", apart
        for column, entry in enumerate(rule.outputEntries, start=1):
            if entry.text and entry.text.strip():
                yield f"row {rule.row_number}, output {column} ('{entry.text}')", entry.text


def cell_problems(table: Any, decision_id: str) -> list[str]:
    """Cells that do not compile under the sandbox policy (each named by row and column)."""
    problems = []
    for where, expression in _cells(table):
        try:
            compile_script(expression, "eval")
        except SyntaxError as err:
            problems.append(f"decision '{decision_id}', {where}: {err.msg}")
    return problems


def _samples(table: Any, column: int) -> list[Any]:
    """Values around every literal of a column: numbers ±0.5 and the strings it names."""
    values: set[Any] = set()
    for rule in table.rules:
        for text in rule.inputEntries[column].lhs:
            if not text:
                continue
            for number in _NUMBER.findall(text):
                value = float(number)
                values.update({value - 0.5, value, value + 0.5})
            for double, single in _STRING.findall(text):
                values.add(double or single)
            if "True" in text or "False" in text:
                values.update({True, False})
    return sorted(values, key=repr) or [0]


@functools.cache
def _lint_engine() -> Any:
    """The sandboxed script engine that samples tables at deploy (a short time limit)."""
    from engine.scripts import make_script_engine

    return make_script_engine(time_limit=0.5)


def overlap_warnings(table: Any, decision_id: str, script_engine: Any = None) -> list[str]:
    """Where two rows of a UNIQUE table match the same inputs, as far as literals show it.

    Each column is sampled at its literals (and just around numbers), evaluated with the
    product's own matcher in the sandbox; two matching rows are one warning per pair.
    """
    if table.hit_policy != HitPolicy.UNIQUE.value or len(table.rules) < 2:
        return []
    probe = copy.deepcopy(table)
    for column, item in enumerate(probe.inputs):
        item.expression = f"dmn_lint_{column}"
    samples = [_samples(probe, column) for column in range(len(probe.inputs))]
    combinations = 1
    for values in samples:
        combinations *= len(values)
    if combinations > MAX_COMBINATIONS:
        return [
            f"decision '{decision_id}' (UNIQUE): {combinations} input combinations, too many to "
            "check the rows for overlaps"
        ]
    engine = FailClosedDMNEngine(probe)
    workflow = SimpleNamespace(script_engine=script_engine or _lint_engine())
    seen: dict[tuple[int, ...], tuple[Any, ...]] = {}
    for combo in itertools.product(*samples):
        task = SimpleNamespace(
            data={f"dmn_lint_{n}": v for n, v in enumerate(combo)}, workflow=workflow
        )
        rows = tuple(r.row_number for r in probe.rules if _matches(engine, r, task))
        if len(rows) > 1 and rows not in seen:
            seen[rows] = combo
    return [
        f"decision '{decision_id}' (UNIQUE): rows {', '.join(map(str, rows))} all match when "
        + ", ".join(
            f"{item.label or item.expression} = {value!r}"
            for item, value in zip(table.inputs, combo, strict=True)
        )
        for rows, combo in seen.items()
    ]


def _matches(engine: FailClosedDMNEngine, rule: Any, task: Any) -> bool:
    try:
        return bool(engine._DMNEngine__check_rule(rule, task))  # Spiff's own matcher (pinned 3.2)
    except Exception:  # a type mismatch at a sample value is no match
        return False
