"""The dunning ladder as pure functions: which step an escalation takes next, and when.

The days on which each stage starts come from the ``dunning_ladder`` decision table and the
grace and follow-up periods from ``collection_terms`` (bpmn/*.dmn); this module only knows the
order of the stages (the API's contract) and the rules of credit-policy.md "Dunning ladder":

- the ladder stage is the furthest stage whose day the days past due (DPD) of the oldest open
  invoice have reached; the ladder never moves back;
- a broken promise resumes one stage further than where it paused (or at the stage of the DPD,
  whichever is further); the ladder ends at ``legal``, so a promise broken there re-opens the
  legal review;
- after a dispute the ladder resumes where it paused (or further, by the DPD);
- a stage task that was interrupted (by a promise, a dispute, a payment that did not clear
  everything) is owed and is opened again when the ladder returns to its stage;
- after a legal decision other than a write-off, the legal review is opened again once the
  follow-up period has passed;
- nothing overdue closes the escalation.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from credit.errors import PolicyError


class Stage(enum.StrEnum):
    """Collection stages, in ladder order, then the pauses and the end."""

    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    CALL = "call"
    HOLD = "hold"
    DEMAND_LETTER = "demand_letter"
    LEGAL = "legal"
    WRITE_OFF = "write_off"
    PAUSED_PROMISE = "paused_promise"
    PAUSED_DISPUTE = "paused_dispute"
    CLOSED = "closed"


LADDER: tuple[Stage, ...] = (
    Stage.REMINDER_1,
    Stage.REMINDER_2,
    Stage.CALL,
    Stage.HOLD,
    Stage.DEMAND_LETTER,
    Stage.LEGAL,
)
STAGE_TASKS: dict[Stage, str] = {
    Stage.CALL: "call_customer",
    Stage.DEMAND_LETTER: "send_demand_letter",
    Stage.LEGAL: "legal_review",
}
TERMS = ("promise_grace", "legal_follow_up", "demand_payment")


class Action(enum.StrEnum):
    """What the escalation does next."""

    CLOSE = "close"
    ENTER = "enter"  # take a stage: its action or task
    RETURN = "return"  # back to a stage after a pause, nothing to do there
    WAIT = "wait"


@dataclass(frozen=True)
class Ladder:
    """The policy: the day (DPD) each ladder stage starts, and the terms in days."""

    days: Mapping[Stage, int]
    terms: Mapping[str, int]

    @classmethod
    def from_tables(
        cls, stages: Sequence[str], days: Sequence[int], names: Sequence[str], values: Sequence[int]
    ) -> Ladder:
        """Build the ladder from the decision tables' COLLECT outputs, checking it is usable.

        :raises PolicyError: a stage missing or twice, days not rising from 1, a term missing.
        """
        if len(stages) != len(days) or sorted(stages) != sorted(s.value for s in LADDER):
            raise PolicyError(
                "dunning_ladder must list each stage exactly once: "
                + ", ".join(LADDER)
                + f" (it lists {', '.join(map(str, stages)) or 'none'})"
            )
        by_stage = {Stage(s): int(d) for s, d in zip(stages, days, strict=True)}
        ordered = [by_stage[s] for s in LADDER]
        if ordered[0] < 1 or any(a >= b for a, b in zip(ordered, ordered[1:], strict=False)):
            raise PolicyError(
                "dunning_ladder days must start at 1 or later and rise stage by stage "
                f"({', '.join(f'{s}={by_stage[s]}' for s in LADDER)})"
            )
        terms = {str(n): int(v) for n, v in zip(names, values, strict=True)}
        missing = [t for t in TERMS if t not in terms or terms[t] < 0]
        if missing:
            raise PolicyError(f"collection_terms needs a number of days ≥ 0 for: {missing}")
        return cls(by_stage, terms)

    @property
    def first_day(self) -> int:
        """The DPD on which an escalation starts."""
        return self.days[LADDER[0]]

    def stage_for(self, dpd: int) -> Stage | None:
        """The furthest ladder stage whose day the DPD has reached (None: not yet late enough)."""
        reached = [s for s in LADDER if dpd >= self.days[s]]
        return reached[-1] if reached else None


@dataclass(frozen=True)
class Facts:
    """The customer's overdue receivables on a day (from the ledger)."""

    today: dt.date
    overdue_amount: Decimal
    oldest_due: dt.date | None

    @property
    def days_past_due(self) -> int:
        """DPD of the oldest open invoice (0 when nothing is overdue)."""
        return max((self.today - self.oldest_due).days, 0) if self.oldest_due else 0


@dataclass(frozen=True)
class CaseState:
    """What the escalation has done so far (from its case row)."""

    stage: Stage | None = None
    ladder_stage: Stage | None = None
    awaiting: str | None = None
    promise_ends_on: dt.date | None = None
    follow_up_on: dt.date | None = None


@dataclass(frozen=True)
class Step:
    """The next step and, for a wait, the day to look again (None: a task decides)."""

    action: Action
    stage: Stage | None = None
    reason: str = ""
    next_check_on: dt.date | None = None


def rank(stage: Stage | None) -> int:
    """Position on the ladder (-1 before the first stage)."""
    return LADDER.index(stage) if stage in LADDER else -1


def later(a: Stage | None, b: Stage | None) -> Stage | None:
    """The further of two ladder stages."""
    return a if rank(a) >= rank(b) else b


def beyond(stage: Stage | None) -> Stage:
    """One stage further on the ladder; the ladder ends at legal."""
    return LADDER[min(rank(stage) + 1, len(LADDER) - 1)]


def plan(state: CaseState, facts: Facts, ladder: Ladder) -> Step:
    """Decide the escalation's next step from its state and the ledger (see the module doc)."""
    if facts.overdue_amount <= 0 or facts.oldest_due is None:
        return Step(Action.CLOSE, reason="nothing_overdue")
    by_dpd = ladder.stage_for(facts.days_past_due)
    if state.stage == Stage.PAUSED_PROMISE:
        ends = state.promise_ends_on
        if ends is not None and facts.today <= ends:
            return Step(Action.WAIT, next_check_on=ends + dt.timedelta(days=1))
        return Step(Action.ENTER, later(beyond(state.ladder_stage), by_dpd), "promise_broken")
    target = later(state.ladder_stage, by_dpd)
    if target is None:
        return Step(Action.WAIT, next_check_on=_day_of(ladder, facts, LADDER[0]))
    if rank(target) > rank(state.ladder_stage):
        return Step(Action.ENTER, target, "days_past_due")
    if state.awaiting:
        return Step(Action.ENTER, target, "task_owed")
    if target == Stage.LEGAL and state.follow_up_on and facts.today >= state.follow_up_on:
        return Step(Action.ENTER, target, "legal_follow_up")
    after = CaseState(target, target, None, None, state.follow_up_on)
    check = next_check(after, facts, ladder)
    if state.stage == Stage.PAUSED_DISPUTE:
        return Step(Action.RETURN, target, "dispute_resolved", check)
    return Step(Action.WAIT, next_check_on=check)


def next_check(state: CaseState, facts: Facts, ladder: Ladder) -> dt.date | None:
    """The day the sweep should look at a case again (None while a task or dispute decides)."""
    if state.stage == Stage.PAUSED_PROMISE and state.promise_ends_on:
        return state.promise_ends_on + dt.timedelta(days=1)
    if state.stage in (Stage.PAUSED_DISPUTE, Stage.WRITE_OFF, Stage.CLOSED):
        return None
    if state.ladder_stage == Stage.LEGAL:
        return state.follow_up_on
    if facts.oldest_due is None:
        return None
    return _day_of(ladder, facts, beyond(state.ladder_stage))


def _day_of(ladder: Ladder, facts: Facts, stage: Stage) -> dt.date:
    """The day the oldest open invoice reaches a stage (never before tomorrow)."""
    day = facts.oldest_due + dt.timedelta(days=ladder.days[stage])
    return max(day, facts.today + dt.timedelta(days=1))
