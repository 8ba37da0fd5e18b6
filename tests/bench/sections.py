"""Where a benchmark's time goes: exclusive wall time per named section of the engine.

Benchmarks wrap a few engine functions (by patching their module attributes for the length of
one run) and report each section's own time, its children's excluded, per unit of work. The
wrappers cost ~1 µs a call, so the split is measured on a separate run from the headline figure.
`cpu_of` and `cpu_of_matching` read what other processes (PostgreSQL's backends, a server's
workers) spent, from /proc.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path


class Sections:
    """Exclusive time per section; nested sections are subtracted from their parent."""

    def __init__(self) -> None:
        self.own: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._stack: list[list[float]] = []

    def wrap(self, label: str, function):
        """A function timed as `label` (exclusive of sections it calls)."""

        def timed(*args, **kwargs):
            frame = [time.perf_counter(), 0.0]
            self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                elapsed = time.perf_counter() - frame[0]
                self.own[label] += elapsed - frame[1]
                self.calls[label] += 1
                if self._stack:
                    self._stack[-1][1] += elapsed

        return timed

    @contextlib.contextmanager
    def patched(self, targets: dict[str, str | tuple[str, ...]]) -> Iterator[Sections]:
        """Time `module:attribute` (or `module:Class.method`) as label, for the block.

        A label may name several targets: a function imported by name into other modules is
        patched where each caller looks it up.
        """
        undo = []
        pairs = [
            (label, target)
            for label, value in targets.items()
            for target in ((value,) if isinstance(value, str) else value)
        ]
        for label, target in pairs:
            module_name, _, path = target.partition(":")
            owner = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
            setattr(owner, name, self.wrap(label, original))
            undo.append((owner, name, original))
        try:
            yield self
        finally:
            for owner, name, original in reversed(undo):
                setattr(owner, name, original)

    def report(self, total_seconds: float, units: int, unit: str) -> list[str]:
        """Lines 'section  ms per unit  share', largest first, the unwrapped rest as 'other'."""
        measured = sum(self.own.values())
        rows = [*self.own.most_common(), ("other (not in a section)", total_seconds - measured)]
        lines = [f"{'section':<34} {'ms/' + unit:>10} {'share':>7}"]
        for label, seconds in rows:
            lines.append(
                f"{label:<34} {seconds / units * 1000:>10.2f} {seconds / total_seconds:>7.1%}"
            )
        lines.append(f"{'total':<34} {total_seconds / units * 1000:>10.2f} {1:>7.0%}")
        return lines


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of_matching(matches: Callable[[str], bool]) -> float:
    """CPU seconds of the live processes whose command line matches (those that end meanwhile
    are skipped)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if matches(command):
                total += cpu_of(int(pid))
        except OSError:
            continue
    return total
