"""Application settings, read from the environment once.

Every domain number that regions set differently (ratios, deadlines) is a setting
with the default DOMAIN.md gives.
"""
import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-secret-change-me"


def _sqlite_default() -> str:
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'app.db'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_default()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"

    # Domain settings (DOMAIN.md defaults).
    MAX_CAMPAIGN_DEPARTMENTS = int(os.environ.get("MAX_CAMPAIGN_DEPARTMENTS", "5"))
    DEFAULT_RATIOS = {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}
    MIN_OFFICERS_PER_ENTERPRISE = 2
    PUBLICATION_WORKING_DAYS = int(os.environ.get("PUBLICATION_WORKING_DAYS", "20"))
    REPORT_WORKING_DAYS = int(os.environ.get("REPORT_WORKING_DAYS", "5"))
    RECTIFICATION_WORKING_DAYS = int(os.environ.get("RECTIFICATION_WORKING_DAYS", "15"))
    API_TOKEN_HOURS = 12
    # Directory uploads through the page; the CLI has no limit (it streams from disk).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
    DRAW_NATIONAL_FLOOR_PERCENT = float(os.environ.get("DRAW_NATIONAL_FLOOR_PERCENT", "3"))  # warned below it
    DRAW_EXCLUDE_INSPECTED_MONTHS = int(os.environ.get("DRAW_EXCLUDE_INSPECTED_MONTHS", "12"))  # plan default
    # Minutes the draw's commitment is public before the seed is used (0: commit and draw at once;
    # production defaults to 30, see ProductionConfig).
    DRAW_REVEAL_DELAY_MINUTES = int(os.environ.get("DRAW_REVEAL_DELAY_MINUTES", "0"))
    # New draws: "hmac-sha256-ctr/v3" (anonymised lists, seed from a public value an auditor enters after the
    # commitment; docs/draw-algorithm.md part II) or "hmac-sha256-ctr/v2" (lists public, platform seed).
    # Development and tests default to v2 so whole campaigns draw at once, as with the reveal delay of 0.
    DRAW_ALGORITHM = os.environ.get("DRAW_ALGORITHM", "hmac-sha256-ctr/v3")
    # v3: the public value is the named lottery's result of the first draw on or after this many days
    # after the commitment (Beijing date).
    DRAW_BEACON_SOURCE = os.environ.get("DRAW_BEACON_SOURCE", "中国福利彩票双色球开奖号码")
    DRAW_BEACON_DAYS = int(os.environ.get("DRAW_BEACON_DAYS", "1"))
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR") or str(BASE_DIR / "instance" / "evidence")
    REFERRAL_WORKING_DAYS = int(os.environ.get("REFERRAL_WORKING_DAYS", "5"))
    # An enterprise may object to its published result this many working days after publication (异议期),
    # and the lead department answers within OBJECTION_WORKING_DAYS.
    OBJECTION_WINDOW_WORKING_DAYS = int(os.environ.get("OBJECTION_WINDOW_WORKING_DAYS", "10"))
    OBJECTION_WORKING_DAYS = int(os.environ.get("OBJECTION_WORKING_DAYS", "5"))
    # The enterprise is reminded this many working days before its rectification deadline (through the outbox).
    RECTIFICATION_REMINDER_WORKING_DAYS = int(os.environ.get("RECTIFICATION_REMINDER_WORKING_DAYS", "3"))
    ABNORMAL_LIST_WORKING_DAYS = int(os.environ.get("ABNORMAL_LIST_WORKING_DAYS", "10"))
    # Stage SLAs in working days (dashboard and escalations); STAGE_SLA_WORKING_DAYS='{"draw": 2}' overrides.
    STAGE_SLA_WORKING_DAYS = {"plan": 5, "initiation": 5, "draw": 3, "joint_inspection": 20, "publication": 20,
                              "diagnosis": 10, "follow_up": 30, "review": 10,
                              **json.loads(os.environ.get("STAGE_SLA_WORKING_DAYS") or "{}")}
    WORKER_BATCH = int(os.environ.get("WORKER_BATCH", "20"))          # timers fired per loop
    WORKER_IDLE_SECONDS = float(os.environ.get("WORKER_IDLE_SECONDS", "2"))  # sleep when nothing was due

    # Operations (web/ops): logs, login rate limits, the worker heartbeat /healthz reads.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON line per record
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    # The enterprise portal (/enterprise/): one-time login codes and the outbox that sends them.
    PORTAL_CODE_MINUTES = int(os.environ.get("PORTAL_CODE_MINUTES", "5"))          # a code's lifetime
    PORTAL_CODE_ATTEMPTS = int(os.environ.get("PORTAL_CODE_ATTEMPTS", "5"))        # wrong tries before it dies
    PORTAL_CODES_PER_USCC_HOUR = int(os.environ.get("PORTAL_CODES_PER_USCC_HOUR", "5"))
    PORTAL_CODES_PER_CLIENT_HOUR = int(os.environ.get("PORTAL_CODES_PER_CLIENT_HOUR", "30"))
    OUTBOX_CHANNEL = os.environ.get("OUTBOX_CHANNEL", "console")   # console / webhook / sms
    OUTBOX_WEBHOOK_URL = os.environ.get("OUTBOX_WEBHOOK_URL", "")
    SMS_ADAPTER = os.environ.get("SMS_ADAPTER", "")                 # "module:callable(recipient, text)"
    OUTBOX_TIMEOUT_SECONDS = float(os.environ.get("OUTBOX_TIMEOUT_SECONDS", "5"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "5"))
    LOGIN_RATE_LIMIT_PER_IP = os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "30 per minute")
    WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "120"))


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET
    DRAW_ALGORITHM = os.environ.get("DRAW_ALGORITHM", "hmac-sha256-ctr/v2")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    DRAW_ALGORITHM = "hmac-sha256-ctr/v2"  # v3 tests set it: their draws wait for an auditor's public value


def _postgres_options() -> dict:
    """Pool and server-side limits: a hung process never holds a row lock for long, a blocked
    completion fails with 409 instead of waiting forever."""
    options = [f"-c lock_timeout={os.environ.get('DB_LOCK_TIMEOUT_MS', '10000')}",
               f"-c idle_in_transaction_session_timeout={os.environ.get('DB_IDLE_TX_TIMEOUT_MS', '120000')}"]
    if os.environ.get("DB_STATEMENT_TIMEOUT_MS"):
        options.append(f"-c statement_timeout={os.environ['DB_STATEMENT_TIMEOUT_MS']}")
    return {"pool_size": int(os.environ.get("DB_POOL_SIZE", "5")),
            "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "5")),
            "pool_pre_ping": True, "pool_recycle": 1800,
            "connect_args": {"options": " ".join(options), "application_name": "yiye"}}


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    # The draw's commitment is public this long before the seed is used (the timer worker then draws).
    DRAW_REVEAL_DELAY_MINUTES = int(os.environ.get("DRAW_REVEAL_DELAY_MINUTES", "30"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SQLALCHEMY_ENGINE_OPTIONS = _postgres_options() if os.environ.get("DATABASE_URL", "").startswith("postgres") else {}
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))  # trusted reverse proxies in front (X-Forwarded-*)

    @classmethod
    def check(cls) -> None:
        """Refuse to start with settings that are only safe on a laptop."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET:
            raise RuntimeError("SECRET_KEY must be set in production")
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise RuntimeError("production requires DATABASE_URL pointing at PostgreSQL")


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}
