"""Configuration, read once from the environment; nothing else reads os.environ."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


INSTANCE = ROOT / "instance"
# Written by `creditflow init` (owner-only); read when CREDITFLOW_SECRET_KEY is unset.
SECRET_KEY_FILE = INSTANCE / "secret_key"


def _default_db_url() -> str:
    INSTANCE.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE / 'creditflow.db'}"


def read_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    """The key kept in the instance folder, or "" when there is none."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _job_lock_path(database_url: str) -> str:
    """One lock file per database: the processes of one installation on this host share it."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return str(Path(tempfile.gettempdir()) / f"creditflow-jobs-{digest}.lock")


@dataclass
class Config:
    """Settings of one installation."""

    database_url: str = ""
    secret_key: str = ""  # no usable default: create_app refuses to start without one
    test_clock: bool = False
    timezone: str = "Asia/Shanghai"
    token_max_age: int = 12 * 3600
    script_time_limit: float = 1.0
    step_max_tasks: int = 1000
    step_max_depth: int = 16
    step_max_seconds: float = 10.0
    max_upload_bytes: int = 5 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024
    documents_dir: str = ""  # the document store; "" = instance/documents
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "creditflow@example.com"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    wecom_webhook_url: str | None = None
    dingtalk_webhook_url: str | None = None
    base_currency: str = "CNY"
    fx_rates: dict[str, str] = field(
        default_factory=lambda: {"CNY": "1", "USD": "7.10", "EUR": "7.70", "HKD": "0.91"}
    )
    scheduler: bool = True
    testing: bool = False
    # The file that serializes scheduler runs and /admin/tick among this host's processes.
    job_lock_path: str = ""
    company_name: str = "creditflow 示例贸易有限公司"
    login_limit_user: int = 10  # failed sign-ins per (user name, address) in the window
    login_limit_address: int = 50  # failed sign-ins per address, across user names
    login_window: int = 300  # seconds
    trusted_proxies: int = 0  # reverse proxies in front of the app (X-Forwarded-For / -Proto)
    secure_cookies: bool = False  # Secure cookies always (they are Secure over HTTPS anyway)
    base_url: str = "http://127.0.0.1:5000"
    # Retention: a finished instance's snapshot is compacted after this many days; a delivered
    # (or read, in-app) notification is removed after that many.
    retention_days: int = 30
    notification_retention_days: int = 180

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build the configuration from CREDITFLOW_* environment variables."""
        env = os.environ if environ is None else environ
        cfg = cls(
            database_url=env.get("CREDITFLOW_DATABASE_URL") or _default_db_url(),
            secret_key=env.get("CREDITFLOW_SECRET_KEY") or read_secret_key(),
            test_clock=_flag(env.get("CREDITFLOW_TEST_CLOCK")),
            timezone=env.get("CREDITFLOW_TIMEZONE", cls.timezone),
            smtp_host=env.get("CREDITFLOW_SMTP_HOST") or None,
            smtp_port=int(env.get("CREDITFLOW_SMTP_PORT") or 25),
            smtp_sender=env.get("CREDITFLOW_SMTP_SENDER", cls.smtp_sender),
            webhook_url=env.get("CREDITFLOW_WEBHOOK_URL") or None,
            webhook_secret=env.get("CREDITFLOW_WEBHOOK_SECRET") or None,
            wecom_webhook_url=env.get("CREDITFLOW_WECOM_WEBHOOK_URL") or None,
            dingtalk_webhook_url=env.get("CREDITFLOW_DINGTALK_WEBHOOK_URL") or None,
            documents_dir=env.get("CREDITFLOW_DOCUMENTS_DIR", ""),
            company_name=env.get("CREDITFLOW_COMPANY_NAME") or cls.company_name,
            base_url=env.get("CREDITFLOW_BASE_URL") or cls.base_url,
        )
        cfg.job_lock_path = env.get("CREDITFLOW_JOB_LOCK") or _job_lock_path(cfg.database_url)
        cfg.trusted_proxies = int(env.get("CREDITFLOW_TRUSTED_PROXIES") or 0)
        cfg.secure_cookies = _flag(env.get("CREDITFLOW_SECURE_COOKIES"))
        if env.get("CREDITFLOW_SCRIPT_TIME_LIMIT"):
            cfg.script_time_limit = float(env["CREDITFLOW_SCRIPT_TIME_LIMIT"])
        if env.get("CREDITFLOW_STEP_MAX_TASKS"):
            cfg.step_max_tasks = int(env["CREDITFLOW_STEP_MAX_TASKS"])
        if env.get("CREDITFLOW_STEP_MAX_DEPTH"):
            cfg.step_max_depth = int(env["CREDITFLOW_STEP_MAX_DEPTH"])
        if env.get("CREDITFLOW_STEP_MAX_SECONDS"):
            cfg.step_max_seconds = float(env["CREDITFLOW_STEP_MAX_SECONDS"])
        if env.get("CREDITFLOW_RETENTION_DAYS"):
            cfg.retention_days = int(env["CREDITFLOW_RETENTION_DAYS"])
        if env.get("CREDITFLOW_NOTIFICATION_RETENTION_DAYS"):
            cfg.notification_retention_days = int(env["CREDITFLOW_NOTIFICATION_RETENTION_DAYS"])
        return cfg

    def documents_root(self) -> Path:
        """Where credit-file documents are stored (outside the database rows)."""
        return Path(self.documents_dir) if self.documents_dir else ROOT / "instance" / "documents"
