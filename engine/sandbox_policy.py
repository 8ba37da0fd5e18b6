"""Compile script and expression text under the sandbox policy (checked before anything runs)."""

from __future__ import annotations

import ast
import re
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

Mode = Literal["exec", "eval"]

# Spiff looks for frames of this file name in a traceback to report the failing script line.
FILENAME = "<string>"
# The widest field a literal f-string format spec may ask for ("{x:>20}" is fine).
MAX_FORMAT_WIDTH = 1_000

# Operators whose result size an operand controls; compiled code routes them through _binop_.
_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Mod: "%",
}
_ERROR_LINE = re.compile(r"^Line (\d+):")


class SandboxViolation(SyntaxError):
    """Refuse a script that breaks the sandbox policy; raised before the script runs.

    A ``SyntaxError`` subclass with a real ``lineno``, so Spiff reports the offending line.
    """


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's checks plus creditflow's bans and size guards."""

    def _ban(self, node: ast.AST, what: str, why: str) -> None:
        self.error(node, f"{what} is not allowed in scripts: {why}")

    def visit_Import(self, node: ast.Import) -> None:
        """Ban import: scripts get engine functions instead of modules."""
        self._ban(node, "import", "ask for an engine function instead")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        """Ban from-import: scripts get engine functions instead of modules."""
        self._ban(node, "import", "ask for an engine function instead")

    def visit_Try(self, node: ast.Try) -> None:
        """Ban try: a script that can catch errors could also outlive its time limit."""
        self._ban(node, "try/except", "a failing script puts the step in error")

    def visit_TryStar(self, node: ast.AST) -> None:
        """Ban try/except*, for the same reason as try."""
        self._ban(node, "try/except*", "a failing script puts the step in error")

    def visit_With(self, node: ast.With) -> None:
        """Ban with: context managers can swallow errors."""
        self._ban(node, "with", "context managers can swallow errors")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        """Ban class definitions."""
        self._ban(node, "class", "use dicts for structured values")

    def visit_Global(self, node: ast.Global) -> None:
        """Ban global."""
        self._ban(node, "global", "assign task data at the top level of the script")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        """Ban nonlocal."""
        self._ban(node, "nonlocal", "return values from functions instead")

    def visit_Yield(self, node: ast.Yield) -> None:
        """Ban generator functions (their objects carry frames)."""
        self._ban(node, "yield", "build a list instead")

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        """Ban generator delegation."""
        self._ban(node, "yield from", "build a list instead")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        """Allow plain def (lambda too); ban decorators."""
        if node.decorator_list:
            self._ban(node, "a decorator", "call the function explicitly")
        return super().visit_FunctionDef(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        """Ban print: a script's output would go nowhere."""
        if node.id in ("print", "printed"):
            self._ban(node, node.id, "write results into task data")
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """Route size-amplifying operators through the _binop_ guard."""
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        copy_locations(call, node)
        return call

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """Route every call through the _call_ guard (star-calls already go through _apply_)."""
        node = super().visit_Call(node)
        if isinstance(node.func, ast.Name) and node.func.id == "_apply_":
            return node
        node.args.insert(0, node.func)
        node.func = ast.Name("_call_", ast.Load())
        copy_locations(node.func, node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """Allow f-string format specs only as literals with modest widths."""
        spec = node.format_spec
        if isinstance(spec, ast.JoinedStr):
            if any(isinstance(part, ast.FormattedValue) for part in spec.values):
                self._ban(node, "a computed format spec", "write the width as a literal")
            text = "".join(str(p.value) for p in spec.values if isinstance(p, ast.Constant))
            if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
                self._ban(node, f"a format width over {MAX_FORMAT_WIDTH}", "it allocates memory")
        return super().visit_FormattedValue(node)


def compile_script(source: str, mode: Mode) -> CodeType:
    """Compile source ("exec" for scripts, "eval" for expressions) under the policy.

    :raises SyntaxError: the text is not Python (``lineno`` always set).
    :raises SandboxViolation: the text breaks the policy.
    """
    if mode == "eval":  # modelers wrap conditions in newlines and indentation
        source = source.strip()
    try:
        tree = ast.parse(source, FILENAME, mode)
    except SyntaxError as err:
        raise _with_line(err, source) from None
    compile_mode = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compile_mode(tree, filename=FILENAME, policy=SandboxPolicy)
    if result.errors:
        match = _ERROR_LINE.match(result.errors[0])
        line = int(match.group(1)) if match else 1
        raise _with_line(SandboxViolation("; ".join(result.errors)), source, line)
    assert result.code is not None
    return result.code


def _with_line(err: SyntaxError, source: str, line: int | None = None) -> SyntaxError:
    """Give err a line number inside source (Spiff indexes the script's lines with it)."""
    lines = source.splitlines()
    line = line if line is not None else err.lineno
    err.lineno = max(1, min(line or 1, len(lines) or 1))
    err.filename = FILENAME
    err.text = lines[err.lineno - 1] if lines else ""
    return err
