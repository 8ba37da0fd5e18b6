"""The people's worklist: my and my groups' open tasks, filtered, counted, claimed in bulk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.actor import Actor
from engine.clock import to_db
from engine.errors import EngineError, Invalid, NotFound
from engine.inbox import OPEN_STATES, visible_filter
from engine.instances import claim_task
from engine.models import HumanTask, ProcessInstance, SavedFilter, TaskStatus

SCOPES = ("all", "mine", "groups")
SORTS = ("due", "priority", "age")
COUNT_CAP = 999
MAX_FILTERS = 20
MAX_BULK = 100


@dataclass(frozen=True)
class WorkFilter:
    """What a worklist shows: scope, a search text, a process, overdue / escalated only, order."""

    scope: str = "all"
    q: str = ""
    process: str = ""
    overdue: bool = False
    escalated: bool = False
    sort: str = "due"

    @classmethod
    def from_args(cls, args: Any) -> WorkFilter:
        """Read a filter from query arguments, falling back to defaults for unknown values."""
        scope = args.get("scope") or "all"
        sort = args.get("sort") or "due"
        return cls(
            scope=scope if scope in SCOPES else "all",
            q=(args.get("q") or "").strip()[:100],
            process=(args.get("process") or "").strip()[:128],
            overdue=bool(args.get("overdue")),
            escalated=bool(args.get("escalated")),
            sort=sort if sort in SORTS else "due",
        )

    def args(self) -> dict[str, str]:
        """The query arguments that reproduce this filter (defaults left out)."""
        out = {"scope": self.scope, "q": self.q, "process": self.process, "sort": self.sort}
        out |= {"overdue": "1" if self.overdue else "", "escalated": "1" if self.escalated else ""}
        defaults = {"scope": "all", "sort": "due"}
        return {k: v for k, v in out.items() if v and defaults.get(k) != v}


@dataclass(frozen=True)
class WorkItem:
    """One row of the worklist: the inbox row and when its case was submitted."""

    task: HumanTask
    submitted_at: dt.datetime


def _scoped(username: str, groups: set[str], scope: str) -> Any:
    mine = sa.and_(HumanTask.status.in_(OPEN_STATES), HumanTask.assignee == username)
    # unclaimed tasks are 'open'; coalesce keeps the planner on the (status, due_at) index
    offered = sa.and_(
        HumanTask.status == TaskStatus.OPEN.value,
        sa.func.coalesce(HumanTask.assignee, "") == "",
        visible_filter(username, groups),
    )
    return {"mine": mine, "groups": offered}.get(scope, sa.or_(mine, offered))


def worklist_query(
    username: str,
    groups: set[str],
    flt: WorkFilter,
    now: dt.datetime,
    subjects: sa.Select | None = None,
    numbered: tuple[str, ...] = (),
) -> sa.Select:
    """The filtered task query (indexed columns only, never a workflow load).

    :param subjects: process-instance subjects whose tasks match the search text (the domain
        knows which customers a text names).
    :param numbered: process keys whose business key is a case number: digits match it there
        (another process may key its instances by a customer id that looks the same).
    """
    query = (
        sa.select(HumanTask, ProcessInstance.created_at)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(_scoped(username, groups, flt.scope))
    )
    if flt.process:
        query = query.where(HumanTask.process_key == flt.process)
    if flt.q:
        matches = []
        number = flt.q.removeprefix("#").strip()
        if number.isdigit() and numbered:
            matches.append(
                sa.and_(HumanTask.business_key == number, HumanTask.process_key.in_(numbered))
            )
        if subjects is not None:
            matches.append(ProcessInstance.subject.in_(subjects))
        query = query.where(sa.or_(*matches) if matches else sa.false())
    if flt.overdue:
        query = query.where(HumanTask.due_at < to_db(now))
    if flt.escalated:
        query = query.where(HumanTask.escalation_level > 0)
    order = {
        "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority.desc()),
        "priority": (HumanTask.priority.desc(), HumanTask.due_at),
        "age": (HumanTask.created_at,),
    }[flt.sort]
    return query.order_by(*order, HumanTask.id)


def worklist(
    session: so.Session,
    username: str,
    groups: set[str],
    flt: WorkFilter,
    now: dt.datetime,
    limit: int,
    offset: int = 0,
    subjects: sa.Select | None = None,
    numbered: tuple[str, ...] = (),
) -> list[WorkItem]:
    """One page of the worklist."""
    query = worklist_query(username, groups, flt, now, subjects, numbered)
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [WorkItem(task, submitted) for task, submitted in rows]


def process_keys(session: so.Session) -> list[str]:
    """The process keys that have instances (the worklist's process filter)."""
    return sorted(session.scalars(sa.select(ProcessInstance.process_key).distinct()))


def worklist_counts(session: so.Session, username: str, groups: set[str]) -> dict[str, int]:
    """Open tasks assigned to the user, unclaimed tasks of the user's groups, and both."""
    counts = {
        scope: _capped(session, sa.select(HumanTask.id).where(_scoped(username, groups, scope)))
        for scope in ("mine", "groups")
    }
    return {**counts, "all": counts["mine"] + counts["groups"]}


def _capped(session: so.Session, query: sa.Select) -> int:
    """Count up to COUNT_CAP rows (badges show "999+" beyond), cheap on huge inboxes."""
    limited = query.limit(COUNT_CAP + 1).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0


def claim_many(
    rt: Any, session: so.Session, task_ids: list[str], actor: Actor
) -> tuple[list[str], dict[str, str]]:
    """Claim several tasks; each succeeds or fails alone. Return (claimed, {id: why not})."""
    if len(task_ids) > MAX_BULK:
        raise Invalid.field("task_ids", f"claim at most {MAX_BULK} tasks at once")
    claimed: list[str] = []
    failed: dict[str, str] = {}
    for task_id in dict.fromkeys(task_ids):
        try:
            with session.begin_nested():
                claim_task(rt, session, task_id, actor)
            claimed.append(task_id)
        except EngineError as exc:
            failed[task_id] = exc.detail
    return claimed, failed


def saved_filters(session: so.Session, username: str) -> list[SavedFilter]:
    """The user's saved filters, by name."""
    return list(
        session.scalars(
            sa.select(SavedFilter)
            .where(SavedFilter.username == username)
            .order_by(SavedFilter.name)
        )
    )


def save_filter(
    session: so.Session, now: dt.datetime, username: str, name: str, flt: WorkFilter
) -> SavedFilter:
    """Save (or replace) a named filter of the user."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise Invalid.field("name", "give the filter a name of 1 to 60 characters")
    row = session.scalar(
        sa.select(SavedFilter).where(SavedFilter.username == username, SavedFilter.name == name)
    )
    if row is None:
        if len(saved_filters(session, username)) >= MAX_FILTERS:
            raise Invalid.field("name", f"at most {MAX_FILTERS} saved filters; delete one first")
        row = SavedFilter(username=username, name=name, created_at=to_db(now))
        session.add(row)
    row.query = flt.args()
    session.flush()
    return row


def delete_filter(session: so.Session, username: str, filter_id: int) -> None:
    """Delete one of the user's saved filters."""
    row = session.get(SavedFilter, filter_id)
    if row is None or row.username != username:
        raise NotFound(f"you have no saved filter {filter_id}")
    session.delete(row)
    session.flush()
