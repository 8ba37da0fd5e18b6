"""Demo data: the users of the API spec, their groups, and a few customers."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from engine.models import Group, User
from web.auth import hash_password
from web.extensions import db

GROUPS = {
    "sales": ("Sales", "销售", None),
    "credit_analyst": ("Credit analysts", "信用分析师", "credit_manager"),
    "credit_manager": ("Credit managers", "信用经理", "finance_director"),
    "finance_director": ("Finance directors", "财务总监", "general_manager"),
    "general_manager": ("General managers", "总经理", "general_manager"),
    "collector": ("Collectors", "催收专员", "credit_manager"),
    "legal": ("Legal", "法务", "general_manager"),
    "process_designer": ("Process designers", "流程设计", None),
    "auditor": ("Auditors", "审计", None),
    "admin": ("Administrators", "管理员", None),
    "integration": ("Integrations (ERP)", "系统集成", None),
}

USERS = {
    "sales1": ["sales"],
    "sales2": ["sales"],
    "analyst1": ["credit_analyst"],
    "analyst2": ["credit_analyst"],
    "manager1": ["credit_manager"],
    "manager2": ["credit_manager", "finance_director"],
    "director1": ["finance_director"],
    "gm1": ["general_manager"],
    "collector1": ["collector"],
    "legal1": ["legal"],
    "designer1": ["process_designer"],
    "auditor1": ["auditor"],
    "admin": ["admin"],
    "erp1": ["integration"],
}


def seed_users(password: str = "demo") -> int:
    """Create the demo groups and users that do not exist yet; return how many users were added."""
    for name, (en, zh, supervisor) in GROUPS.items():
        if db.session.get(Group, name) is None:
            db.session.add(Group(name=name, title_en=en, title_zh=zh, supervisor=supervisor))
    db.session.flush()
    added = 0
    hashed = None
    for username, groups in USERS.items():
        if db.session.scalar(sa.select(User).where(User.username == username)):
            continue
        hashed = hashed or hash_password(password)
        db.session.add(
            User(
                username=username,
                password_hash=hashed,
                email=f"{username}@example.com",
                display_name=username,
                language="zh",
                groups=[db.session.get(Group, g) for g in groups],
            )
        )
        added += 1
    db.session.commit()
    return added


def load_demo() -> Iterator[str]:
    """Load demo users and customers; running it twice changes nothing."""
    yield f"users added: {seed_users()}"
    from credit.demo import seed_customers
    from web.runtime_access import runtime

    added = seed_customers(db.session, runtime())
    db.session.commit()
    yield f"customers added: {added}"
