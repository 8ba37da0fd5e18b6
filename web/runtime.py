"""Compose the engine runtime with the credit service functions."""

from __future__ import annotations

from typing import Any

from engine.budget import StepLimits
from engine.clock import Clock
from engine.registry import Registry
from engine.runtime import Runtime
from engine.scripts import make_script_engine
from engine.services import ServiceRegistry
from forms import form_schema
from web.config import Config

# Task-data keys copied onto inbox rows, so lists never deserialize workflows.
CONTEXT_KEYS = (
    "application_id",
    "customer_id",
    "customer_name",
    "requested_limit",
    "currency",
    "grade",
    "score",
    "suggested_limit",
    "applicant",
    "review_id",
    "current_limit",
    "to_level",
    "order_ref",
    "amount",
    "excess_cny",
    "overdue_amount",
    "days_past_due",
    "collection_stage",
    "dispute_invoice_number",
    "dispute_reason",
)


def build_runtime(cfg: Config, clock: Clock) -> Runtime:
    """Build the engine with credit's service functions and listeners."""
    from credit import collection_tasks, decision_tasks, warning_tasks
    from credit import tasks as credit_tasks
    from engine import sla
    from web.calendar import business_time

    services = ServiceRegistry()
    credit_tasks.register(services, cfg.fx_rates)
    decision_tasks.register(services)
    collection_tasks.register(services)
    sla.register(services)
    calendar, calendar_functions, deadline = business_time(cfg, clock)

    def service_caller(name: str, params: dict[str, Any], task_data: dict[str, Any]) -> Any:
        values = {
            k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
            for k, v in (params or {}).items()
        }
        result = services.call(name, values, task_data)
        if isinstance(result, dict):
            task_data.update(result)
        return True

    script_engine = make_script_engine(
        functions=calendar_functions,
        service_caller=service_caller,
        time_limit=cfg.script_time_limit,
    )
    script_engine.clock = clock
    runtime = Runtime(
        clock=clock,
        deadline=deadline,
        calendar=calendar,
        services=services,
        script_engine=script_engine,
        registry=Registry(services.names, form_check=form_schema),
        context_keys=CONTEXT_KEYS,
        amount_key="requested_limit_cny",  # credit applications and reviews carry it
        listeners=[notification_listener(cfg)],  # notifications: outbox rows per step
        limits=StepLimits(cfg.step_max_tasks, cfg.step_max_depth, cfg.step_max_seconds),
    )
    # The actions of an early-warning rise start other processes: they need the runtime.
    warning_tasks.register(services, lambda: runtime)
    return runtime


def notification_listener(cfg: Config) -> Any:
    """The notifications outbox listener, with the configured broadcast channels."""
    from notifications.outbox import make_listener
    from web.outbox import channel_settings

    link = cfg.base_url.rstrip("/") + "/process-instances/{process_instance_id}"
    return make_listener(channel_settings(cfg).broadcast(), case_link=link)
