"""The credit assessment report (信用评估报告) of a decided application or a completed review.

The report is built as a plain document (credit.pdf) in Chinese or English: the customer's
profile, what was assessed, the ratios, the scorecard with its reason codes, the grade, the
decision and every approval. It reads only stored facts, so it can be printed again later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import get_customer
from credit.models import ApplicationStatus, Approval, CreditApplication, Customer
from credit.monitoring_models import ReviewApproval, ReviewStatus
from credit.pdf import Document, Facts, Heading, Paragraph, Table, render_pdf
from credit.reviews import get_review
from credit.scorecard import as_points
from engine.clock import from_db
from engine.errors import Conflict, NotFound

_TEXT = {
    "zh": {
        "title": "信用评估报告",
        "profile": "一、客户概况",
        "subject": "二、评估事项",
        "ratios": "三、财务比率",
        "scorecard": "四、评分卡",
        "comparison": "五、与上次评估的比较",
        "decision": "六、评估结论与授信决定",
        "approvals": "七、审批记录",
        "name": "客户名称",
        "uscc": "统一社会信用代码",
        "industry": "行业（风险）",
        "capital": "注册资本",
        "founded": "成立日期",
        "legal_rep": "法定代表人",
        "address": "地址",
        "application": "授信申请",
        "review": "定期复审",
        "requested_limit": "申请额度",
        "requested_terms": "申请账期（天）",
        "monthly": "预计月采购额",
        "reason": "申请理由",
        "applicant": "申请人",
        "analyst": "评估分析师",
        "trigger": "复审触发",
        "requested_by": "发起人",
        "ratio": "比率",
        "value": "数值",
        "factor": "评分因素",
        "points": "得分",
        "max": "满分",
        "total": "总分",
        "grade": "信用等级",
        "model_grade": "模型等级",
        "reason_codes": "原因代码",
        "override": "人工调整",
        "override_reason": "调整理由",
        "previous": "上次评估",
        "now": "本次评估",
        "new_codes": "新增原因代码",
        "resolved_codes": "消除的原因代码",
        "recommendation": "复审建议",
        "proposed_limit": "建议额度",
        "suggested_limit": "建议额度",
        "approved_limit": "批准额度",
        "terms": "账期（天）",
        "review_due": "下次复审日期",
        "status": "结论",
        "tier": "审批层级",
        "approver": "审批人",
        "decision_col": "意见",
        "comment": "说明",
        "at": "时间",
        "none": "无",
        "generated": "生成时间",
        "days": "天",
    },
    "en": {
        "title": "Credit assessment report",
        "profile": "1. Customer profile",
        "subject": "2. What was assessed",
        "ratios": "3. Financial ratios",
        "scorecard": "4. Scorecard",
        "comparison": "5. Compared with the previous assessment",
        "decision": "6. Conclusion and credit decision",
        "approvals": "7. Approvals",
        "name": "Customer",
        "uscc": "Unified social credit code",
        "industry": "Industry (risk)",
        "capital": "Registered capital",
        "founded": "Founded on",
        "legal_rep": "Legal representative",
        "address": "Address",
        "application": "Credit application",
        "review": "Periodic review",
        "requested_limit": "Requested limit",
        "requested_terms": "Requested terms (days)",
        "monthly": "Expected monthly purchases",
        "reason": "Reason",
        "applicant": "Applicant",
        "analyst": "Analyst",
        "trigger": "Trigger",
        "requested_by": "Requested by",
        "ratio": "Ratio",
        "value": "Value",
        "factor": "Factor",
        "points": "Points",
        "max": "Maximum",
        "total": "Total score",
        "grade": "Grade",
        "model_grade": "Model grade",
        "reason_codes": "Reason codes",
        "override": "Overrides",
        "override_reason": "Override reason",
        "previous": "Previous",
        "now": "This assessment",
        "new_codes": "New reason codes",
        "resolved_codes": "Reason codes no longer present",
        "recommendation": "Recommendation",
        "proposed_limit": "Proposed limit",
        "suggested_limit": "Suggested limit",
        "approved_limit": "Approved limit",
        "terms": "Payment terms (days)",
        "review_due": "Next review",
        "status": "Outcome",
        "tier": "Tier",
        "approver": "Approver",
        "decision_col": "Decision",
        "comment": "Comment",
        "at": "At",
        "none": "none",
        "generated": "Generated",
        "days": "days",
    },
}


def application_report_pdf(
    session: so.Session, application_id: int, language: str, now: dt.datetime, zone: dt.tzinfo
) -> bytes:
    """The report of a decided (approved or rejected) application, as PDF bytes.

    :raises NotFound: no such application.
    :raises Conflict: the application is not decided yet.
    """
    app = session.get(CreditApplication, application_id)
    if app is None:
        raise NotFound(f"no credit application with id {application_id}")
    if app.status not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        raise Conflict(f"credit application {app.id} is {app.status}; it has no report yet")
    t = _texts(language)
    customer = get_customer(session, app.customer_id)
    assessment = app.assessment or {}
    approvals = session.scalars(
        sa.select(Approval).where(Approval.application_id == app.id).order_by(Approval.id)
    )
    blocks = [
        *_profile(t, customer),
        Heading(t["subject"]),
        Facts(
            [
                (t["application"], f"#{app.id}"),
                (t["requested_limit"], _money(app.requested_limit, app.currency)),
                (t["requested_terms"], str(app.requested_terms_days)),
                (t["monthly"], _money(app.expected_monthly_purchases, app.currency)),
                (t["reason"], app.reason or "—"),
                (t["applicant"], app.applicant),
                (t["analyst"], app.analyst or "—"),
            ]
        ),
        *_ratios(t, assessment.get("ratios")),
        *_scorecard(t, app.score, app.grade, app.reason_codes, assessment),
        Heading(t["decision"]),
        Facts(
            [
                (t["status"], str(app.status)),
                (t["suggested_limit"], _money(app.suggested_limit, app.currency)),
                (t["approved_limit"], _money(app.approved_limit, app.currency)),
                (t["terms"], _text(app.approved_terms_days or app.suggested_terms_days)),
                (t["at"], _moment(app.decided_at, zone)),
            ]
        ),
        *_approvals(t, approvals, zone),
    ]
    return _render(
        t, language, f"{t['application']} #{app.id} · {customer.name}", blocks, now, zone
    )


def review_report_pdf(
    session: so.Session,
    customer_id: int,
    process_instance_id: int,
    language: str,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> bytes:
    """The report of a completed review, as PDF bytes.

    :raises NotFound: no such review of the customer.
    :raises Conflict: the review has not completed.
    """
    review = get_review(session, customer_id, process_instance_id)
    if review.status != ReviewStatus.COMPLETED or review.grade is None:
        raise Conflict(f"review {review.id} is {review.status}; it has no report yet")
    t = _texts(language)
    customer = get_customer(session, customer_id)
    assessment = review.assessment or {}
    changes = assessment.get("changes") or {}
    approvals = session.scalars(
        sa.select(ReviewApproval)
        .where(ReviewApproval.review_id == review.id)
        .order_by(ReviewApproval.id)
    )
    blocks = [
        *_profile(t, customer),
        Heading(t["subject"]),
        Facts(
            [
                (t["review"], f"#{review.id}"),
                (t["trigger"], review.trigger),
                (t["reason"], review.reason or "—"),
                (t["requested_by"], review.requested_by),
                (t["analyst"], review.analyst or "—"),
            ]
        ),
        *_ratios(t, assessment.get("ratios")),
        *_scorecard(t, review.score, review.grade, review.reason_codes, assessment),
        Heading(t["comparison"]),
        Table(
            ["", t["previous"], t["now"]],
            [
                [t["total"], _text(changes.get("previous_score")), _text(changes.get("score"))],
                [t["grade"], _text(changes.get("previous_grade")), _text(review.grade)],
            ],
            widths=[0.4, 0.3, 0.3],
        ),
        Facts(
            [
                (t["new_codes"], ", ".join(changes.get("new_reason_codes") or []) or t["none"]),
                (
                    t["resolved_codes"],
                    ", ".join(changes.get("resolved_reason_codes") or []) or t["none"],
                ),
            ]
        ),
        Heading(t["decision"]),
        Facts(
            [
                (t["recommendation"], _text(review.recommendation)),
                (t["status"], _text(review.outcome)),
                (t["proposed_limit"], _money(review.proposed_limit, customer.currency)),
                (t["approved_limit"], _money(review.approved_limit, customer.currency)),
                (t["terms"], _text(review.terms_days)),
                (t["review_due"], _text(review.review_due_on)),
                (t["at"], _moment(review.completed_at, zone)),
            ]
        ),
        *_approvals(t, approvals, zone),
    ]
    return _render(t, language, f"{t['review']} #{review.id} · {customer.name}", blocks, now, zone)


def _texts(language: str) -> dict[str, str]:
    return _TEXT["en" if (language or "").lower().startswith("en") else "zh"]


def _render(
    t: dict[str, str],
    language: str,
    subject: str,
    blocks: list[Any],
    now: dt.datetime,
    zone: dt.tzinfo,
) -> bytes:
    generated = f"{t['generated']}: {now.astimezone(zone):%Y-%m-%d %H:%M}"
    document = Document(
        title=t["title"],
        blocks=[Paragraph(f"{subject}\n{generated}", align="center"), *blocks],
        language="en" if t is _TEXT["en"] else "zh",
        subject=subject,
        footer=f"creditflow · {subject}",
    )
    return render_pdf(document)


def _profile(t: dict[str, str], customer: Customer) -> list[Any]:
    return [
        Heading(t["profile"]),
        Facts(
            [
                (t["name"], customer.name),
                (t["uscc"], customer.uscc),
                (t["industry"], f"{customer.industry or '—'} ({customer.industry_risk})"),
                (t["capital"], _money(customer.registered_capital, customer.currency)),
                (t["founded"], _text(customer.founded_on)),
                (t["legal_rep"], customer.legal_representative or "—"),
                (t["address"], customer.address or "—"),
            ]
        ),
    ]


def _ratios(t: dict[str, str], ratios: dict[str, Any] | None) -> list[Any]:
    shown = {k: v for k, v in (ratios or {}).items() if k != "not_available"}
    if not shown:
        return []
    return [
        Heading(t["ratios"]),
        Table([t["ratio"], t["value"]], [[k, _text(v)] for k, v in shown.items()], numeric=[1]),
    ]


def _scorecard(
    t: dict[str, str],
    score: Decimal | None,
    grade: str | None,
    codes: list[Any] | None,
    assessment: dict[str, Any],
) -> list[Any]:
    rows = [
        [row["factor"], _text(as_points(Decimal(str(row["points"])))), _text(row["max_points"])]
        for row in assessment.get("factors") or []
    ]
    overrides = assessment.get("overrides") or {}
    facts = [
        (t["total"], _text(as_points(score))),
        (t["grade"], _text(grade)),
        (t["model_grade"], _text(assessment.get("model_grade"))),
        (t["reason_codes"], ", ".join(str(c) for c in codes or []) or t["none"]),
    ]
    if overrides:
        facts.append((t["override"], ", ".join(f"{k}: {v}" for k, v in overrides.items())))
        facts.append((t["override_reason"], _text(assessment.get("override_reason"))))
    return [
        Heading(t["scorecard"]),
        Table([t["factor"], t["points"], t["max"]], rows, numeric=[1, 2], widths=[0.5, 0.25, 0.25]),
        Facts(facts),
    ]


def _approvals(t: dict[str, str], approvals: Any, zone: dt.tzinfo) -> list[Any]:
    rows = [[a.tier, a.user, a.decision, a.comment or "—", _moment(a.at, zone)] for a in approvals]
    return [
        Heading(t["approvals"]),
        Table(
            [t["tier"], t["approver"], t["decision_col"], t["comment"], t["at"]],
            rows,
            widths=[0.2, 0.14, 0.12, 0.32, 0.22],
        )
        if rows
        else Paragraph(t["none"]),
    ]


def _money(amount: Any, currency: str | None) -> str:
    return "—" if amount is None else f"{Decimal(amount):,.2f} {currency or 'CNY'}"


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _moment(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    return "—" if value is None else f"{from_db(value).astimezone(zone):%Y-%m-%d %H:%M}"
