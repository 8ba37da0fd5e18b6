"""The one place that reads the wall clock; a test clock kept in the database can replace it."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

UTC = dt.UTC


def to_db(moment: dt.datetime) -> dt.datetime:
    """Store moments as naive UTC, the same on SQLite and PostgreSQL."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(moment: dt.datetime | None) -> dt.datetime | None:
    """Turn a stored naive UTC moment back into an aware one."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_step_now: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "creditflow_step_now", default=None
)


class Clock:
    """Current time in the installation's time zone; a test clock overrides `now`."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz)

    def now(self) -> dt.datetime:
        """Return the current aware moment (the step's moment while one runs)."""
        frozen = _step_now.get()
        return frozen if frozen is not None else self.read()

    def read(self) -> dt.datetime:
        """Read the time source itself."""
        return dt.datetime.now(UTC)

    @contextlib.contextmanager
    def frozen(self, moment: dt.datetime) -> Iterator[None]:
        """Within the block, `now` is `moment`: one engine step sees one instant."""
        token = _step_now.set(moment)
        try:
            yield
        finally:
            _step_now.reset(token)

    def local_now(self) -> dt.datetime:
        """Return now in the installation's time zone."""
        return self.now().astimezone(self.tz)

    def today(self) -> dt.date:
        """Return today's date in the installation's time zone."""
        return self.local_now().date()


class StoredClock(Clock):
    """A frozen test clock whose value lives in the database, shared by every process."""

    def __init__(self, read: Callable[[], dt.datetime | None], tz: str = "Asia/Shanghai") -> None:
        super().__init__(tz)
        self._read = read

    def read(self) -> dt.datetime:
        """Return the stored moment, or the wall clock while none was set."""
        stored = self._read()
        return stored if stored is not None else super().read()
