"""Timer event definitions that ask the engine's Clock instead of the wall clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


def engine_now(task: Any) -> dt.datetime:
    """Now, from the Clock the script engine carries (the wall clock only if none)."""
    clock = getattr(task.workflow.script_engine, "clock", None)
    return clock.now() if clock is not None else dt.datetime.now(dt.UTC)


def zone_of(workflow: Any) -> dt.tzinfo:
    """The installation's time zone (the clock's), for moments written without an offset."""
    clock = getattr(workflow.script_engine, "clock", None)
    return getattr(clock, "tz", None) or dt.UTC


def due_moment(value: Any, zone: dt.tzinfo) -> dt.datetime:
    """A timer's due moment, aware; one without an offset is read in `zone`.

    Spiff reads a naive moment in the host's zone, with the offset it had at import (no DST).
    """
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _due(value: Any, task: Any) -> dt.datetime:
    return due_moment(value, zone_of(task.workflow))


class ClockTimeDateTimerEventDefinition(TimeDateEventDefinition):
    """A timeDate timer; fires when the engine clock reaches the due moment (inclusive)."""

    def has_fired(self, my_task: Any) -> bool:
        """Evaluate the expression once, then compare with the engine clock."""
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            value = _due(value, my_task).astimezone(dt.UTC).isoformat()
            my_task._set_internal_data(event_value=value)
        if _due(value, my_task) <= engine_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockDurationTimerEventDefinition(DurationTimerEventDefinition):
    """A timeDuration timer started and compared on the engine clock."""

    def has_fired(self, my_task: Any) -> bool:
        """Freeze start + duration on first sight, then compare with the engine clock."""
        now = engine_now(my_task)
        value = my_task._get_internal_data("event_value")
        if value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            value = (now + TimerEventDefinition.get_timedelta_from_start(parsed, now)).isoformat()
            my_task._set_internal_data(event_value=value)
        if _due(value, my_task) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockCycleTimerEventDefinition(CycleTimerEventDefinition):
    """A timeCycle timer (R<n>/<start>/<duration> or R<n>/<duration>) on the engine clock."""

    def cycle_complete(self, my_task: Any) -> bool:
        """Advance one cycle when its moment has passed on the engine clock."""
        now = engine_now(my_task)
        value = my_task._get_internal_data("event_value")
        if value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            value = _parse_cycle(str(expression), now)
        ready = False
        if value["cycles"] != 0:
            moment = dt.datetime.fromisoformat(value["next"])
            if moment <= now:
                value["next"] = (moment + dt.timedelta(seconds=value["duration"])).isoformat()
                value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=value)
        return ready


def _parse_cycle(expression: str, now: dt.datetime) -> dict[str, Any]:
    parts = expression.upper().replace("--", "/").strip("R").split("/")
    if len(parts) == 2:
        cycles = int(parts[0]) if parts[0] else -1
        duration = TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(parts[1]), now
        )
        start = now + duration
    else:
        cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
    return {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}


_CLASSES = {
    TimeDateEventDefinition: ClockTimeDateTimerEventDefinition,
    DurationTimerEventDefinition: ClockDurationTimerEventDefinition,
    CycleTimerEventDefinition: ClockCycleTimerEventDefinition,
}


class _ClockTimers:
    """Mixin for event parsers: swap Spiff's timer definitions for clock-aware ones."""

    def parse_timer_event(self, event: Any) -> Any:
        """Parse as Spiff does, then rebuild the definition with our class."""
        parsed = super().parse_timer_event(event)
        ours = _CLASSES.get(type(parsed))
        if ours is None:
            return parsed
        return ours(parsed.name, parsed.expression, description=parsed.description)


class ClockStartEventParser(_ClockTimers, SpiffStartEventParser):
    """Start events with clock-aware timers."""


class ClockBoundaryEventParser(_ClockTimers, SpiffBoundaryEventParser):
    """Boundary events with clock-aware timers."""


class ClockIntermediateCatchEventParser(_ClockTimers, SpiffIntermediateCatchEventParser):
    """Intermediate catch events with clock-aware timers."""


def timer_parser_overrides() -> dict[str, tuple[Any, Any]]:
    """Spiff's parser classes with our timer-aware event parsers swapped in."""
    overrides = dict(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
    for tag, parser in (
        ("startEvent", ClockStartEventParser),
        ("boundaryEvent", ClockBoundaryEventParser),
        ("intermediateCatchEvent", ClockIntermediateCatchEventParser),
    ):
        overrides[full_tag(tag)] = (parser, overrides[full_tag(tag)][1])
    return overrides


def timer_serializer_config() -> dict[Any, Any]:
    """Spiff's serializer config plus our timer classes."""
    config = dict(SPIFF_CONFIG)
    for ours in _CLASSES.values():
        config[ours] = TimerConditionalEventDefinitionConverter
    return config
