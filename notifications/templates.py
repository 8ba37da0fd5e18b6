"""Message templates in Chinese and English; the recipient's language picks one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_LANGUAGE = "zh"

# template -> language -> (subject, body); placeholders are filled by `render`.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "task_assigned": {
        "zh": (
            "【待办】{task_title}",
            "您好 {name}：\n\n有一项新任务进入您的待办：{task_title}。\n"
            "客户：{customer_name}；申请额度：{requested_limit} {currency}。\n"
            "任务编号：{task_id}（流程实例 {process_instance_id}）。\n",
        ),
        "en": (
            "[To do] {task_title}",
            "Hello {name},\n\nA new task is waiting in your inbox: {task_title}.\n"
            "Customer: {customer_name}; requested limit: {requested_limit} {currency}.\n"
            "Task {task_id} (process instance {process_instance_id}).\n",
        ),
    },
    "task_reminder": {
        "zh": (
            "【提醒】任务待处理：{task_title}",
            "您好 {name}：\n\n任务“{task_title}”（客户：{customer_name}）"
            "尚未处理，已超过处理时限，请尽快办理。\n任务编号：{task_id}。\n",
        ),
        "en": (
            "[Reminder] Task waiting: {task_title}",
            'Hello {name},\n\nThe task "{task_title}" (customer: {customer_name}) is still '
            "waiting and has passed its time limit; please handle it soon.\nTask {task_id}.\n",
        ),
    },
    "task_escalated": {
        "zh": (
            "【升级】任务已升级：{task_title}",
            "您好 {name}：\n\n任务“{task_title}”（客户：{customer_name}）超时未处理，"
            "已升级至您所在的上级组，优先级为高。\n任务编号：{task_id}。\n",
        ),
        "en": (
            "[Escalated] {task_title}",
            'Hello {name},\n\nThe task "{task_title}" (customer: {customer_name}) is overdue '
            "and was escalated to your supervising group with high priority.\n"
            "Task {task_id}.\n",
        ),
    },
    "task_reassigned": {
        "zh": (
            "【转办】任务已转交：{task_title}",
            "您好 {name}：\n\n任务“{task_title}”（客户：{customer_name}）长时间未处理，"
            "已转交给您所在的组办理。\n任务编号：{task_id}。\n",
        ),
        "en": (
            "[Reassigned] {task_title}",
            'Hello {name},\n\nThe task "{task_title}" (customer: {customer_name}) was not '
            "handled in time and has been reassigned to your group.\nTask {task_id}.\n",
        ),
    },
    "application_approved": {
        "zh": (
            "【已批准】信用申请 {application_id}：{approved_limit} {currency}，{terms_days} 天",
            "您好 {name}：\n\n客户 {customer_name} 的信用申请（编号 {application_id}）已获批准：\n"
            "授信额度 {approved_limit} {currency}，账期 {terms_days} 天，信用等级 {grade}。\n"
            "查看案件：{link}\n",
        ),
        "en": (
            "[Approved] Credit application {application_id}: {approved_limit} {currency}, "
            "{terms_days} days",
            "Hello {name},\n\nThe credit application {application_id} for {customer_name} "
            "has been approved: credit limit {approved_limit} {currency}, payment terms "
            "{terms_days} days, grade {grade}.\nOpen the case: {link}\n",
        ),
    },
    "application_rejected": {
        "zh": (
            "【已拒绝】信用申请 {application_id}",
            "您好 {name}：\n\n客户 {customer_name} 的信用申请（编号 {application_id}）未获批准。\n"
            "查看案件：{link}\n",
        ),
        "en": (
            "[Rejected] Credit application {application_id}",
            "Hello {name},\n\nThe credit application {application_id} for {customer_name} "
            "has been rejected.\nOpen the case: {link}\n",
        ),
    },
    "application_returned": {
        "zh": (
            "【退回补充】信用申请 {application_id}",
            "您好 {name}：\n\n客户 {customer_name} 的信用申请（编号 {application_id}）"
            "已被退回，请补充资料后重新提交。\n",
        ),
        "en": (
            "[Returned] Credit application {application_id}",
            "Hello {name},\n\nThe credit application {application_id} for {customer_name} "
            "was returned for more information; please complete it and resubmit.\n",
        ),
    },
    "warning_raised": {
        "zh": (
            "【预警·{level_zh}】{customer_name}",
            "您好 {name}：\n\n客户 {customer_name} 的预警级别由{from_level_zh}升至{level_zh}。\n"
            "预警信号：{signals_zh}\n资信档案：/customers/{customer_id}\n",
        ),
        "en": (
            "[Early warning · {level}] {customer_name}",
            "Hello {name},\n\nThe early-warning level of {customer_name} rose from {from_level} "
            "to {level}.\nSignals: {signals_en}\nCredit file: /customers/{customer_id}\n",
        ),
    },
    "security_expiring": {
        "zh": (
            "【担保到期提醒】{customer_name}：{days} 天后到期",
            "您好 {name}：\n\n客户 {customer_name} 的{kind_zh}（金额 {amount} {currency}）"
            "将于 {expires_on} 到期（{days} 天后）。\n资信档案：/customers/{customer_id}\n",
        ),
        "en": (
            "[Security expiring] {customer_name}: in {days} days",
            "Hello {name},\n\nThe {kind} of {customer_name} ({amount} {currency}) expires on "
            "{expires_on}, in {days} days.\nCredit file: /customers/{customer_id}\n",
        ),
    },
    "review_due": {
        "zh": (
            "【复审到期提醒】{customer_name}：{days} 天后到期",
            "您好 {name}：\n\n客户 {customer_name} 的授信额度（{credit_limit} {currency}）"
            "应于 {review_due_on} 复审（{days} 天后）。\n资信档案：/customers/{customer_id}\n",
        ),
        "en": (
            "[Review due] {customer_name}: in {days} days",
            "Hello {name},\n\nThe credit limit of {customer_name} ({credit_limit} {currency}) "
            "is due for review on {review_due_on}, in {days} days.\n"
            "Credit file: /customers/{customer_id}\n",
        ),
    },
    "credit_decision_release_once": {
        "zh": (
            "【信用放行】订单 {order_ref} 已单次放行",
            "您好 {name}：\n\n客户 {customer_name} 的订单 {order_ref}（{amount} {currency}）"
            "因信用检查被冻结，现已批准单次放行。\n理由：{reason}\n",
        ),
        "en": (
            "[Released] Order {order_ref} released once",
            "Hello {name},\n\nThe order {order_ref} of {customer_name} ({amount} {currency}) "
            "was blocked by the credit check and has been released once.\nReason: {reason}\n",
        ),
    },
    "credit_decision_temporary_limit": {
        "zh": (
            "【临时额度】客户 {customer_name} 获临时额度",
            "您好 {name}：\n\n客户 {customer_name} 的订单 {order_ref} 因信用检查被冻结；"
            "已批准临时增加额度 {temporary_limit} 元，有效期至 {valid_until}。\n理由：{reason}\n",
        ),
        "en": (
            "[Temporary limit] {customer_name}",
            "Hello {name},\n\nThe order {order_ref} of {customer_name} was blocked by the "
            "credit check; a temporary limit increase of {temporary_limit} CNY until "
            "{valid_until} was granted.\nReason: {reason}\n",
        ),
    },
    "credit_decision_reject": {
        "zh": (
            "【未放行】订单 {order_ref} 的放行申请被拒绝",
            "您好 {name}：\n\n客户 {customer_name} 的订单 {order_ref}（{amount} {currency}）"
            "的放行申请未获批准，订单仍被冻结。\n理由：{reason}\n",
        ),
        "en": (
            "[Not released] Order {order_ref}",
            "Hello {name},\n\nThe request to release the order {order_ref} of {customer_name} "
            "({amount} {currency}) was rejected; the order stays blocked.\nReason: {reason}\n",
        ),
    },
    "collection_reminder_1": {
        "zh": (
            "【付款提醒】{customer_name} 应收账款已逾期",
            "尊敬的 {name}：\n\n贵司（{customer_name}）有应收账款已逾期 {days_past_due} 天，"
            "逾期金额合计人民币 {overdue_amount} 元。请尽快安排付款；如已付款，请忽略本提醒。\n"
            "如对账款有异议，请及时与我司联系。\n",
        ),
        "en": (
            "[Payment reminder] Overdue invoices of {customer_name}",
            "Dear {name},\n\nInvoices of {customer_name} are {days_past_due} days past due; "
            "the overdue amount is CNY {overdue_amount}. Please arrange payment soon; if you have "
            "already paid, please ignore this reminder.\nIf you dispute an invoice, please "
            "contact us.\n",
        ),
    },
    "collection_reminder_2": {
        "zh": (
            "【第二次付款提醒】{customer_name} 应收账款逾期未付",
            "尊敬的 {name}：\n\n贵司（{customer_name}）的应收账款已逾期 {days_past_due} 天，"
            "逾期金额合计人民币 {overdue_amount} 元，我司此前已发出提醒。请于收到本函后立即付款，"
            "否则我司将电话催收并可能暂停对贵司的赊销。\n",
        ),
        "en": (
            "[Second reminder] Overdue invoices of {customer_name}",
            "Dear {name},\n\nInvoices of {customer_name} are now {days_past_due} days past due; "
            "the overdue amount is CNY {overdue_amount}. We already reminded you once. Please pay "
            "immediately; otherwise we will call you and may suspend deliveries on credit.\n",
        ),
    },
    "collection_hold": {
        "zh": (
            "【信用冻结】客户 {customer_name} 因逾期被冻结",
            "您好 {name}：\n\n客户 {customer_name} 的应收账款逾期 {days_past_due} 天，"
            "逾期金额 {overdue_amount} 元。催收流程已对其实施信用冻结，新订单将被信用检查拦截。\n"
            "流程实例 {process_instance_id}。\n",
        ),
        "en": (
            "[Credit hold] {customer_name} is on hold for overdue invoices",
            "Hello {name},\n\n{customer_name} is {days_past_due} days past due with "
            "{overdue_amount} CNY overdue. The collection escalation put the customer on credit "
            "hold: the credit check blocks new orders.\nProcess instance {process_instance_id}.\n",
        ),
    },
    "collection_promise_broken": {
        "zh": (
            "【承诺未兑现】客户 {customer_name}",
            "您好 {name}：\n\n客户 {customer_name} 未按承诺付款，催收已升级到下一阶段。"
            "流程实例 {process_instance_id}。\n",
        ),
        "en": (
            "[Promise broken] {customer_name}",
            "Hello {name},\n\n{customer_name} did not pay as promised; the collection "
            "escalation moved on to its next stage.\nProcess instance {process_instance_id}.\n",
        ),
    },
}

LEVELS_ZH = {"none": "无", "blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
KINDS_ZH = {"guarantee": "保证", "collateral": "抵押", "insurance": "信用保险", "deposit": "保证金"}


class _Blank(dict):
    """Format values where a missing placeholder renders as a dash, never an error."""

    def __missing__(self, key: str) -> str:
        return "-"


@dataclass(frozen=True)
class Rendered:
    """A filled template."""

    language: str
    subject: str
    body: str


def pick_language(language: str | None) -> str:
    """The template language for a user's preference (zh unless English was chosen)."""
    return "en" if (language or "").lower().startswith("en") else DEFAULT_LANGUAGE


def render(template: str, language: str | None, values: dict[str, Any]) -> Rendered:
    """Fill a template in the recipient's language; unknown templates raise KeyError."""
    lang = pick_language(language)
    subject, body = TEMPLATES[template][lang]
    filled = _Blank({k: v for k, v in values.items() if v is not None})
    for key, names in (("level", LEVELS_ZH), ("from_level", LEVELS_ZH), ("kind", KINDS_ZH)):
        if key in filled:
            filled[f"{key}_zh"] = names.get(str(filled[key]), filled[key])
    return Rendered(lang, subject.format_map(filled), body.format_map(filled))
