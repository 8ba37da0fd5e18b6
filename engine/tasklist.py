"""The task list: one page of a user's tasks, filtered and sorted on indexed columns only.

What a user sees is two disjoint sets: tasks assigned to the user, and open unclaimed tasks
offered to one of the user's groups (four-eyes exclusions left out). Sorted by due date, the
offered tasks are read group by group from the candidate rows' (group, due date) index, joined
to their task and filtered, up to the page's end; the user's own tasks come from the assignee
index; the parts are merged. A page therefore costs about the same with 100 or 100,000 open
tasks. A filter on one customer, instance or business key reads that one's few tasks instead.
Tasks without a due date come last (read only when the dated ones do not fill the page).
`total` is counted the same way, up to 200.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.inbox import OPEN_STATES, not_excluded
from engine.models import CLAIMED, OFFERED, HumanTask, HumanTaskCandidate

SCOPES = ("mine", "candidate", "all")
SORTS = ("priority", "due")
COUNT_CAP = 200  # `total` counts this far: counting every visible task would read them all


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a list shows and in what order.

    `subject` is the instance's subject (a customer: ``customer:<id>``); `min_amount` and
    `max_amount` bound the task's business amount (in the base currency).
    """

    scope: str = "all"
    status: str = "open"
    name: str | None = None
    business_key: str | None = None
    instance_id: int | None = None
    subject: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    sort: str = "priority"

    @property
    def narrow(self) -> bool:
        """Whether the filter names one case's tasks (few rows: read those, then sort)."""
        return bool(self.subject or self.instance_id or self.business_key)


def _amounts(flt: TaskFilter, column: Any) -> list[Any]:
    conditions = []
    if flt.min_amount is not None:
        conditions.append(column >= flt.min_amount)
    if flt.max_amount is not None:
        conditions.append(column <= flt.max_amount)
    return conditions


def _filters(flt: TaskFilter) -> list[Any]:
    conditions: list[Any] = []
    if flt.name:
        conditions.append(HumanTask.name == flt.name)
    if flt.business_key:
        conditions.append(HumanTask.business_key == flt.business_key)
    if flt.instance_id:
        conditions.append(HumanTask.instance_id == flt.instance_id)
    if flt.subject:
        conditions.append(HumanTask.subject == flt.subject)
    return conditions


@dataclass(frozen=True)
class _Lists:
    """What to read for one page: the user's own tasks, the groups whose offers to read."""

    own: Any  # a condition on HumanTask, or None
    groups: tuple[str, ...]  # offered tasks of these groups
    username: str
    conditions: tuple[Any, ...]  # the filters on HumanTask, amounts included
    task_conditions: tuple[Any, ...]  # the filters on HumanTask but amounts
    candidate_amounts: tuple[Any, ...]  # the amount filters on the candidate rows

    def offered(self) -> Any:
        """Offered to one of the groups and not four-eyes excluded from the user."""
        candidate = sa.exists().where(
            HumanTaskCandidate.task_id == HumanTask.id,
            HumanTaskCandidate.group_name.in_(self.groups),
        )
        # literally the offered predicate: the planner reads it as it is written
        return sa.and_(sa.text(OFFERED), not_excluded(self.username), candidate)


def _lists(username: str, groups: set[str], flt: TaskFilter, overseer: bool) -> _Lists:
    if flt.status == "open":
        status = HumanTask.status.in_(OPEN_STATES)
        mine = sa.and_(HumanTask.assignee == username, sa.text(CLAIMED))
    else:
        status = HumanTask.status == flt.status
        mine = sa.and_(HumanTask.assignee == username, status)
    offers = tuple(sorted(groups)) if flt.status == "open" else ()  # only open tasks are offered
    filters = (
        tuple(_filters(flt) + _amounts(flt, HumanTask.amount)),
        tuple(_filters(flt)),
        tuple(_amounts(flt, HumanTaskCandidate.amount)),
    )
    if flt.scope == "mine":
        return _Lists(mine, (), username, *filters)
    if flt.scope == "candidate":
        return _Lists(None, offers, username, *filters)
    if overseer:
        return _Lists(status, (), username, *filters)
    return _Lists(mine, offers, username, *filters)


def _reads(lists: _Lists, narrow: bool, dated: bool, depth: int, order: str) -> list[sa.Select]:
    """One query per part of the list, each in due-date (or creation) order, `depth` rows."""
    due = HumanTask.due_at.is_not(None) if dated else HumanTask.due_at.is_(None)
    task_order = (HumanTask.due_at if order == "due" else HumanTask.created_at, HumanTask.id)
    reads = []
    if lists.own is not None:
        reads.append(sa.select(HumanTask).where(lists.own, due, *lists.conditions))
    if lists.groups and narrow:
        reads.append(sa.select(HumanTask).where(lists.offered(), due, *lists.conditions))
    reads = [q.order_by(*task_order).limit(depth) for q in reads]
    if lists.groups and not narrow:
        for group in lists.groups:  # a group's candidate rows in due order, joined to the task
            reads.append(
                sa.select(HumanTask)
                .join(HumanTaskCandidate, HumanTaskCandidate.task_id == HumanTask.id)
                .where(
                    HumanTaskCandidate.group_name == group,
                    HumanTaskCandidate.due_at.is_not(None)
                    if dated
                    else HumanTaskCandidate.due_at.is_(None),
                    *lists.candidate_amounts,
                    sa.text(OFFERED),
                    not_excluded(lists.username),
                    *lists.task_conditions,
                )
                .order_by(
                    HumanTaskCandidate.due_at if order == "due" else HumanTask.created_at,
                    HumanTaskCandidate.task_id,
                )
                .limit(depth)
            )
    return reads


def page_queries(
    username: str,
    groups: set[str],
    flt: TaskFilter,
    limit: int,
    offset: int = 0,
    overseer: bool = False,
) -> list[sa.Select]:
    """The queries of a page: by priority one; by due date one per part of the list, for its
    dated tasks (each reads its first offset + limit rows in order; they are merged)."""
    lists = _lists(username, groups, flt, overseer)
    if flt.sort == "due":
        return _reads(lists, flt.narrow, True, offset + limit, "due")
    parts = [lists.own] if lists.own is not None else []
    if lists.groups:
        parts.append(lists.offered())
    query = sa.select(HumanTask).where(sa.or_(*parts) if parts else sa.false(), *lists.conditions)
    order = (HumanTask.priority.desc(), HumanTask.due_at.is_(None), HumanTask.due_at,
             HumanTask.created_at, HumanTask.id)  # fmt: skip
    return [query.order_by(*order).limit(limit).offset(offset)]


def task_page(
    session: so.Session,
    username: str,
    groups: set[str],
    flt: TaskFilter,
    limit: int,
    offset: int = 0,
    overseer: bool = False,
) -> tuple[list[HumanTask], int]:
    """One page of the user's tasks and how many there are (counted up to `COUNT_CAP`)."""
    lists = _lists(username, groups, flt, overseer)
    if lists.own is None and not lists.groups:
        return [], 0
    queries = page_queries(username, groups, flt, limit, offset, overseer)
    if flt.sort != "due":
        rows = list(session.scalars(queries[0]))
    else:
        rows = _merge(session, queries, ("due_at", "id"))[offset : offset + limit]
        if len(rows) < limit:
            rows += _undated(session, lists, flt.narrow, limit - len(rows), offset, len(rows))
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)  # the page holds them all: no count needed
    cap = max(COUNT_CAP, offset + len(rows))
    return rows, _count(session, lists, flt.narrow, cap)


def _merge(session: so.Session, queries: Iterable[sa.Select], keys: tuple) -> list[HumanTask]:
    """The rows of queries that are each in `keys` order, merged, each task once."""

    def key(task: HumanTask) -> tuple:
        return tuple(getattr(task, name) for name in keys)

    seen: set[str] = set()
    merged = []
    for task in heapq.merge(*(list(session.scalars(q)) for q in queries), key=key):
        if task.id not in seen:  # a task offered to two of the user's groups is read twice
            seen.add(task.id)
            merged.append(task)
    return merged


def _undated(
    session: so.Session, lists: _Lists, narrow: bool, need: int, offset: int, found: int
) -> list[HumanTask]:
    """The rest of a due-date page: the tasks without a due date, oldest first."""
    if found or not offset:
        dated = offset + found
    else:  # the page starts past the dated tasks: how many are there?
        dated = len(_merge(session, _reads(lists, narrow, True, offset, "due"), ("due_at", "id")))
    skip = max(0, offset - dated)
    reads = _reads(lists, narrow, False, skip + need, "created")
    return _merge(session, reads, ("created_at", "id"))[skip : skip + need]


def _count(session: so.Session, lists: _Lists, narrow: bool, cap: int) -> int:
    """How many tasks the list holds, up to `cap` (read like pages: ids only, in order)."""
    ids: set[str] = set()
    for dated in (True, False):
        for query in _reads(lists, narrow, dated, cap, "due"):
            ids.update(session.scalars(query.with_only_columns(HumanTask.id)))
        if len(ids) >= cap:
            break
    return min(len(ids), cap)
