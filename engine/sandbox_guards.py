"""Runtime guards and builtins that sandbox-compiled scripts call.

The time limit interrupts Python code between bytecodes, never inside one C call. The guards
here keep single C calls short: they refuse operations whose result size an argument controls
(``'a' * n``, ``10 ** n``, ``s.ljust(n)``, ``sep.join(...)``, ``int()`` of a huge Decimal).
Growth by a constant factor per call (``s + s``, ``s.encode().hex()``) stays bounded by the
time limit within that factor. Memory is not bounded here: give workers an OS limit.
"""

from __future__ import annotations

import builtins
import operator
import re
import types
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from RestrictedPython.Eval import default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr_raise,
)

from engine.sandbox_policy import MAX_FORMAT_WIDTH

MAX_SIZE = 1_000_000  # items of a str, bytes, list, tuple or range built in one operation
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_DECIMAL_DIGITS = 4_300  # Python's own limit for int <-> str conversion

Args = tuple[Any, ...]
Kwargs = dict[str, Any]

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_OPAQUE = tuple(  # objects whose attributes lead to frames, globals or code
    getattr(types, name)
    for name in (
        "ModuleType FunctionType BuiltinFunctionType MethodType FrameType CodeType TracebackType "
        "GeneratorType CoroutineType AsyncGeneratorType MethodWrapperType WrapperDescriptorType "
        "MethodDescriptorType ClassMethodDescriptorType GetSetDescriptorType MemberDescriptorType "
        "CellType"
    ).split()
)
_CLOCK_READERS = frozenset({"now", "today", "utcnow"})
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class ScriptLimitExceeded(Exception):
    """Stop a script whose next operation would exceed a limit of the sandbox."""


def _check_size(size: int, what: str) -> None:
    if size > MAX_SIZE:
        raise ScriptLimitExceeded(f"{what} would have {size:,} items; the limit is {MAX_SIZE:,}")


def _check_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptLimitExceeded(
            f"{what} would have about {bits:,} bits; the limit is {MAX_INT_BITS:,}"
        )


def _check_decimal(value: Any) -> None:
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_DECIMAL_DIGITS:
        raise ScriptLimitExceeded(
            f"a Decimal with {value.adjusted():,} digits is too large to convert to an integer"
        )


def _check_power(base: Any, exponent: Any) -> None:
    if type(base) in (int, bool) and type(exponent) in (int, bool) and abs(base) > 1:
        _check_bits(base.bit_length() * max(exponent, 0), "the power")


def _check_printf(template: str | bytes | bytearray, values: Any) -> None:
    text = template if isinstance(template, str) else bytes(template).decode("latin-1")
    for match in _PRINTF_FIELD.finditer(text):
        for width in match.groups():
            if width == "*" or (width and int(width) > MAX_FORMAT_WIDTH):
                raise ScriptLimitExceeded(f"% formatting widths are limited to {MAX_FORMAT_WIDTH}")
    for value in (
        values.values()
        if isinstance(values, dict)
        else (values if isinstance(values, tuple) else (values,))
    ):
        _check_decimal(value)


def _check_binop(symbol: str, left: Any, right: Any) -> None:
    if symbol == "*":
        if type(left) in (int, bool) and type(right) in (int, bool):
            _check_bits(left.bit_length() + right.bit_length(), "the product")
        elif isinstance(left, _SEQUENCES) and isinstance(right, int):
            _check_size(len(left) * right, "the repeated sequence")
        elif isinstance(right, _SEQUENCES) and isinstance(left, int):
            _check_size(len(right) * left, "the repeated sequence")
    elif symbol == "**":
        _check_power(left, right)
    elif symbol == "<<":
        if isinstance(left, int) and isinstance(right, int) and left:
            _check_bits(left.bit_length() + right, "the shifted integer")
    elif symbol == "%" and isinstance(left, (str, bytes, bytearray)):
        _check_printf(left, right)


_BINARY = {"*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    f"{symbol}=": getattr(operator, name)
    for symbol, name in zip(
        "+ - * / // % ** << >> & | ^ @".split(),
        "iadd isub imul itruediv ifloordiv imod ipow ilshift irshift iand ior ixor imatmul".split(),
        strict=True,
    )
}


def guarded_binop(symbol: str, left: Any, right: Any) -> Any:
    """Compute ``left <symbol> right`` for *, **, << and % after the size checks."""
    _check_binop(symbol, left, right)
    return _BINARY[symbol](left, right)


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    """Compute ``target <op>= value`` after the size checks."""
    _check_binop(op[:-1], target, value)
    return _INPLACE[op](target, value)


def guarded_getattr(obj: Any, name: str) -> Any:
    """Read an attribute, refusing "_" names and the internals of functions, modules, frames."""
    if isinstance(obj, _OPAQUE):
        raise AttributeError(f"scripts cannot read attributes of {type(obj).__name__} objects")
    if name == "mro":
        raise AttributeError('"mro" is not available in scripts')
    if name in _CLOCK_READERS and (
        isinstance(obj, date) or (isinstance(obj, type) and issubclass(obj, date))
    ):
        raise AttributeError(
            f'"{name}" would read the wall clock; use the engine\'s clock functions'
        )
    return safer_getattr_raise(obj, name)


def guarded_write(obj: Any) -> Any:
    """Allow item and attribute writes to dicts and lists only."""
    if type(obj) in (dict, list):
        return obj
    raise TypeError(f"scripts can change dicts and lists only, not {type(obj).__name__}")


def _guard_key(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """Make a builtin passed as ``key=`` (e.g. ``key=int``) go through the call guard too."""
    key = kwargs.get("key")
    if isinstance(key, types.BuiltinFunctionType | types.MethodDescriptorType | type):
        kwargs["key"] = lambda *a, **k: guarded_call(key, *a, **k)
    return args, kwargs


def _range_args(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    _check_size(len(range(*args)), "the range")
    return args, kwargs


def _pow_args(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    if len(args) == 2 and kwargs.get("mod") is None:
        _check_power(*args)
    return args, kwargs


def _sum_args(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if isinstance(start, _SEQUENCES):
        raise ScriptLimitExceeded("sum() adds numbers only; concatenate in a loop or comprehension")
    return args, kwargs


def _to_int_args(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    if args:
        _check_decimal(args[0])
    return args, kwargs


def _join_args(sep: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    items = list(args[0]) if args else []
    size = sum(len(item) for item in items if isinstance(item, _SEQUENCES))
    _check_size(size + len(sep) * max(len(items) - 1, 0), "the joined text")
    return (items, *args[1:]), kwargs


def _replace_args(text: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    if len(args) >= 2 and all(isinstance(a, type(text)) for a in args[:2]):
        old, new = args[:2]
        count = text.count(old)
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        _check_size(len(text) + count * max(len(new) - len(old), 0), "the replaced text")
    return args, kwargs


def _width_args(text: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    if args and isinstance(args[0], int):
        _check_size(args[0], "the padded text")
    return args, kwargs


def _tabs_args(text: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if isinstance(size, int):
        _check_size(
            len(text) + text.count("\t" if isinstance(text, str) else b"\t") * size,
            "the expanded text",
        )
    return args, kwargs


def _translate_args(text: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    table = args[0] if args else None
    if isinstance(text, str) and not isinstance(table, dict):
        raise ScriptLimitExceeded("str.translate() takes a dict table in scripts")
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        _check_size(len(text) * longest, "the translated text")
    return args, kwargs


def _to_bytes_args(number: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    length = args[0] if args else kwargs.get("length", 1)
    if isinstance(length, int):
        _check_size(length, "the bytes")
    return args, kwargs


def _from_bytes_args(cls: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    data = args[0] if args else kwargs.pop("bytes", b"")
    data = data if isinstance(data, _SEQUENCES) else list(data)
    _check_bits(len(data) * 8, "the integer")
    return (data, *args[1:]), kwargs


def _decimal_self(value: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    _check_decimal(value)
    return args, kwargs


def _sort_args(lst: Any, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    return _guard_key(args, kwargs)


_TEXT_METHODS = {
    "join": _join_args,
    "replace": _replace_args,
    "ljust": _width_args,
    "rjust": _width_args,
    "center": _width_args,
    "zfill": _width_args,
    "expandtabs": _tabs_args,
    "translate": _translate_args,
}
_METHOD_GUARDS: dict[type, dict[str, Callable[[Any, Args, Kwargs], tuple[Args, Kwargs]]]] = {
    str: _TEXT_METHODS,
    bytes: _TEXT_METHODS,
    bytearray: _TEXT_METHODS,
    int: {"to_bytes": _to_bytes_args},
    bool: {"to_bytes": _to_bytes_args},
    type: {"from_bytes": _from_bytes_args},
    Decimal: {"as_integer_ratio": _decimal_self},
    list: {"sort": _sort_args},
}
_CALL_GUARDS: dict[int, Callable[[Args, Kwargs], tuple[Args, Kwargs]]] = {
    id(range): _range_args,
    id(pow): _pow_args,
    id(sum): _sum_args,
    id(int): _to_int_args,
    id(round): _to_int_args,
    id(sorted): _guard_key,
    id(min): _guard_key,
    id(max): _guard_key,
}


def guarded_call(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Call func after the checks that keep this one call short."""
    guard = _CALL_GUARDS.get(id(func))
    if guard is not None:
        args, kwargs = guard(args, kwargs)
    elif type(func) is types.BuiltinMethodType:  # a bound built-in method: "a,b".split
        owner = func.__self__
        method = _METHOD_GUARDS.get(type(owner), {}).get(func.__name__)
        if method is not None:
            args, kwargs = method(owner, args, kwargs)
    elif type(func) is types.MethodDescriptorType and args:  # unbound: str.join(sep, items)
        method = _METHOD_GUARDS.get(type(args[0]), {}).get(func.__name__)
        if method is not None:
            rest, kwargs = method(args[0], args[1:], kwargs)
            args = (args[0], *rest)
    return func(*args, **kwargs)


_UNSAFE_BUILTINS = frozenset(
    "__build_class__ _getattr_ setattr delattr BaseException SystemExit KeyboardInterrupt "
    "GeneratorExit".split()
)
_CURATED_BUILTINS = (
    "len min max sum abs round sorted any all enumerate zip reversed range list dict set "
    "frozenset tuple str int float bool isinstance"
)
SAFE_BUILTINS: dict[str, Any] = {
    **{k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS},
    **{name: getattr(builtins, name) for name in _CURATED_BUILTINS.split()},
    "Decimal": Decimal,
    "date": date,
    "datetime": datetime,
    "timedelta": timedelta,
    "timezone": timezone,
}

# The names RestrictedPython-compiled code and the policy's rewrites call.
GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getitem_": operator.getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": guarded_write,
    "_inplacevar_": guarded_inplacevar,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_binop_": guarded_binop,
    "_call_": guarded_call,
    "_apply_": guarded_call,
}
