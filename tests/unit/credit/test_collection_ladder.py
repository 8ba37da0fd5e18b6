"""The dunning ladder's rules as pure functions, with the shipped tables' days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from credit.collection_ladder import Action, CaseState, Facts, Ladder, Stage, plan
from credit.collections import load_ladder
from credit.errors import PolicyError

TODAY = dt.date(2026, 6, 1)
DAYS = {"reminder_1": 1, "reminder_2": 7, "call": 15, "hold": 30, "demand_letter": 45, "legal": 60}
TERMS = {"promise_grace": 3, "legal_follow_up": 30, "demand_payment": 7}


def ladder(days=DAYS, terms=TERMS) -> Ladder:
    return Ladder.from_tables(list(days), list(days.values()), list(terms), list(terms.values()))


def late(dpd: int, amount: str = "100.00") -> Facts:
    return Facts(TODAY, Decimal(amount), TODAY - dt.timedelta(days=dpd))


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_shipped_ladder_table_gives_the_policy_days(decide):
    shipped = load_ladder(lambda decision, inputs: decide(decision, **inputs), "B")
    assert {str(k): v for k, v in shipped.days.items()} == DAYS
    assert dict(shipped.terms) == TERMS


@pytest.mark.parametrize(
    ("dpd", "stage"),
    [
        (0, None),
        (1, "reminder_1"),
        (6, "reminder_1"),
        (7, "reminder_2"),
        (14, "reminder_2"),
        (15, "call"),
        (29, "call"),
        (30, "hold"),
        (44, "hold"),
        (45, "demand_letter"),
        (59, "demand_letter"),
        (60, "legal"),
        (400, "legal"),
    ],
)
def test_stage_of_days_past_due(dpd, stage):
    assert ladder().stage_for(dpd) == (Stage(stage) if stage else None)


def step_of(state: CaseState, facts: Facts) -> tuple[Action, Stage | None]:
    step = plan(state, facts, ladder())
    return step.action, step.stage


@pytest.mark.parametrize(("dpd", "stage"), [(1, "reminder_1"), (20, "call"), (61, "legal")])
def test_a_new_escalation_starts_at_the_stage_of_its_days_past_due(dpd, stage):
    assert step_of(CaseState(), late(dpd)) == (Action.ENTER, Stage(stage))


def test_the_ladder_waits_for_the_day_of_the_next_stage():
    step = plan(CaseState(Stage.CALL, Stage.CALL), late(20), ladder())
    assert (step.action, step.next_check_on) == (Action.WAIT, day(10))


def test_the_ladder_never_moves_back_when_the_oldest_invoice_is_paid():
    step = plan(CaseState(Stage.HOLD, Stage.HOLD), late(3), ladder())
    assert step.action == Action.WAIT
    assert step.next_check_on == day(42)  # the remaining invoice reaches demand_letter


def test_nothing_overdue_closes():
    assert step_of(CaseState(Stage.LEGAL, Stage.LEGAL), late(0, "0"))[0] == Action.CLOSE
    nothing = Facts(TODAY, Decimal(0), None)
    assert step_of(CaseState(Stage.CALL, Stage.CALL), nothing)[0] == Action.CLOSE


@pytest.mark.parametrize(
    ("paused_at", "dpd", "resumes_at"),
    [
        ("reminder_1", 3, "reminder_2"),
        ("reminder_2", 10, "call"),
        ("call", 20, "hold"),
        ("hold", 35, "demand_letter"),
        ("demand_letter", 50, "legal"),
        ("legal", 70, "legal"),  # the ladder ends at legal: the review opens again
        ("reminder_1", 33, "hold"),  # the days past due are further still
    ],
)
def test_a_broken_promise_resumes_one_stage_further_or_at_the_days_past_due(
    paused_at, dpd, resumes_at
):
    state = CaseState(Stage.PAUSED_PROMISE, Stage(paused_at), promise_ends_on=day(-1))
    step = plan(state, late(dpd), ladder())
    assert (step.action, step.stage, step.reason) == (
        Action.ENTER,
        Stage(resumes_at),
        "promise_broken",
    )


def test_a_promise_holds_through_the_promised_date_plus_grace():
    state = CaseState(Stage.PAUSED_PROMISE, Stage.CALL, promise_ends_on=TODAY)
    step = plan(state, late(25), ladder())
    assert (step.action, step.next_check_on) == (Action.WAIT, day(1))


def test_after_a_dispute_the_ladder_returns_where_it_paused():
    step = plan(CaseState(Stage.PAUSED_DISPUTE, Stage.REMINDER_2), late(9), ladder())
    assert (step.action, step.stage, step.next_check_on) == (
        Action.RETURN,
        Stage.REMINDER_2,
        day(6),
    )


def test_after_a_dispute_a_task_it_interrupted_is_opened_again():
    state = CaseState(Stage.PAUSED_DISPUTE, Stage.CALL, awaiting="call_customer")
    assert step_of(state, late(18)) == (Action.ENTER, Stage.CALL)


def test_after_a_long_dispute_the_days_past_due_decide():
    state = CaseState(Stage.PAUSED_DISPUTE, Stage.CALL)
    assert step_of(state, late(47)) == (Action.ENTER, Stage.DEMAND_LETTER)


def test_the_legal_review_opens_again_after_the_follow_up_period():
    state = CaseState(Stage.LEGAL, Stage.LEGAL, follow_up_on=TODAY)
    assert step_of(state, late(90)) == (Action.ENTER, Stage.LEGAL)
    waiting = CaseState(Stage.LEGAL, Stage.LEGAL, follow_up_on=day(1))
    assert step_of(waiting, late(90)) == (Action.WAIT, None)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({**DAYS, "call": 5}, "rise stage by stage"),
        ({**DAYS, "reminder_1": 0}, "start at 1"),
        ({k: v for k, v in DAYS.items() if k != "hold"}, "exactly once"),
    ],
)
def test_a_ladder_table_that_cannot_work_is_a_policy_error(days, message):
    with pytest.raises(PolicyError, match=message):
        ladder(days)


def test_terms_need_every_period():
    with pytest.raises(PolicyError, match="promise_grace"):
        ladder(terms={"legal_follow_up": 30, "demand_payment": 7})
