"""Every page in Chinese shows no known English string of the UI, and in English no Chinese one.

"Known" strings are the catalog's: an English msgid that has a Chinese translation must not be
seen on a Chinese page, and a Chinese translation must not be seen on an English page (user
data such as customer names is left out). The pages come from tests/e2e/pages.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import login
from flow import approve, assess, file_application, find_task, new_customer
from pages import PAGES
from support import Api

pytestmark = pytest.mark.e2e

CATALOG = Path(__file__).resolve().parents[2] / "web" / "translations" / "zh.json"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Visible text plus the attributes people read (placeholders, titles, labels of controls);
# records kept as written (translate="no", e.g. an audit event's data, a model being edited,
# the properties panel's name of the selected element) are left out.
READ = """() => {
  document.querySelectorAll('.bio-properties-panel-header-labels').forEach(el => {
    el.setAttribute('translate', 'no');
  });
  document.querySelectorAll('[translate=no]').forEach(el => { el.style.display = 'none'; });
  const parts = [document.title, document.body.innerText];
  document.querySelectorAll('[placeholder],[title],[aria-label]').forEach(el => {
    if (el.closest('[translate=no]')) return;
    ['placeholder', 'title', 'aria-label'].forEach(a => {
      if (el.getAttribute(a)) parts.push(el.getAttribute(a));
    });
  });
  document.querySelectorAll('svg text').forEach(t => {
    if (!t.closest('[translate=no]')) parts.push(t.textContent);
  });
  return parts.join('\\n');
}"""


def _catalog() -> dict[str, str]:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


def english_strings() -> list[str]:
    """UI phrases that must be translated on a Chinese page (identifiers and codes left out)."""
    out = []
    for msgid, text in _catalog().items():
        if text == msgid or "%(" in msgid or not re.search(r"[a-z]{3}", msgid):
            continue
        if " " not in msgid and re.search(r"[_.]", msgid):
            continue  # keys such as in_assessment or factor.net_margin, not English text
        out.append(msgid)
    return out


def chinese_strings() -> list[str]:
    """Chinese UI phrases that must not show on an English page."""
    return [t for t in _catalog().values() if CJK.search(t) and "%(" not in t and len(t) >= 2]


@pytest.fixture(scope="module")
def module_api(live_app):
    """An API client for the module's fixtures (the per-test one is function-scoped)."""
    return Api(live_app.test_client())


@pytest.fixture(scope="module")
def walk_data(module_api):
    """One record of each kind the pages need: a customer, tasks, a decided application."""
    api = module_api
    customer = new_customer(api)
    waiting = file_application(api, customer)
    approving = file_application(api, customer)
    assess(api, approving["id"])
    decided = file_application(api, customer)
    assess(api, decided["id"])
    approve(api, "manager1", "credit_manager", decided["id"])
    return {
        "customer": customer,
        "assess_task": find_task(api, "analyst1", "assess_customer", waiting["id"])["id"],
        "approve_task": find_task(api, "manager1", "approve_credit_manager", approving["id"])["id"],
        "approved_app": decided["id"],
        "running_instance": waiting["process_instance_id"],
    }


@pytest.fixture(scope="module")
def user_data(module_api, walk_data):
    """Text that is data, not UI (customer names, addresses…): it may be in either language."""
    items = module_api.get("admin", "/api/v1/customers?limit=500").get_json()["items"]
    fields = ("name", "address", "industry", "legal_representative")
    return [str(c.get(f) or "") for c in items for f in fields] + ["李四", "张三"]


def _visit(page, url: str, user: str | None, lang: str) -> str:
    if user:
        login(page, user, lang)
    else:
        page.goto("/login")
        page.click(f"button[name=lang][value={lang}]")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    for ready in ("#task-form", "#diagram", "#canvas"):
        if page.locator(ready).count():
            page.wait_for_selector(f"{ready}[data-ready='1']", timeout=15000)
    return page.evaluate(READ)


def _found(text: str, phrase: str) -> bool:
    """A phrase standing on its own, not part of an identifier such as E2E-red or credit_limit."""
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


@pytest.mark.parametrize(("url", "user"), PAGES, ids=[p[0] for p in PAGES])
def test_chinese_pages_show_no_english_ui_text(page, walk_data, url, user):
    text = _visit(page, url.format(**walk_data), user, "zh")
    leaks = sorted({p for p in english_strings() if _found(text, p)})
    assert not leaks, f"{url} in Chinese shows English: {leaks}"
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize(("url", "user"), PAGES, ids=[p[0] for p in PAGES])
def test_english_pages_show_no_chinese_ui_text(page, walk_data, user_data, url, user):
    text = _visit(page, url.format(**walk_data), user, "en")
    data = "\n".join(user_data)
    leaks = sorted({t for t in chinese_strings() if t in text and t not in data})
    assert not leaks, f"{url} in English shows Chinese: {leaks}"
    assert not page.js_errors, page.js_errors
