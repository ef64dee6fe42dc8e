"""Application settings, read from the environment once.

Every domain number that regions set differently (ratios, deadlines) is a setting
with the default DOMAIN.md gives.
"""
import json
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-secret-change-me"


def instance_audit_key(instance: Path) -> str:
    """Development and tests only: the audit HMAC key kept in instance/audit_hmac.key, made on first use.

    Written to a temporary file and linked into place, so two processes starting at once agree on one key.
    """
    path = instance / "audit_hmac.key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".audit_hmac.key.{os.getpid()}"
        tmp.write_text(secrets.token_hex(32), encoding="ascii")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def _sqlite_default() -> str:
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'app.db'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_default()
    # A PostgreSQL streaming replica for the reads that only read (public pages, dashboard, board, reports,
    # exports; services/reading.py). Unset: everything on the primary. A signed-in user's reads stay on the
    # primary for READ_AFTER_WRITE_SECONDS after each of their writes, so they see what they just did.
    DATABASE_READ_URL = os.environ.get("DATABASE_READ_URL") or None
    READ_AFTER_WRITE_SECONDS = float(os.environ.get("READ_AFTER_WRITE_SECONDS", "10"))
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"
    # Responses compressed by Flask-Compress (web/ops/assets.py); static files are streamed, so their
    # conditional requests (ETag → 304) are answered for these endpoints too.
    COMPRESS_STREAMING_ENDPOINT_CONDITIONAL = ["static", "vendor.asset"]

    # Domain settings (DOMAIN.md defaults).
    MAX_CAMPAIGN_DEPARTMENTS = int(os.environ.get("MAX_CAMPAIGN_DEPARTMENTS", "5"))
    DEFAULT_RATIOS = {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0}
    MIN_OFFICERS_PER_ENTERPRISE = 2
    PUBLICATION_WORKING_DAYS = int(os.environ.get("PUBLICATION_WORKING_DAYS", "20"))
    REPORT_WORKING_DAYS = int(os.environ.get("REPORT_WORKING_DAYS", "5"))
    RECTIFICATION_WORKING_DAYS = int(os.environ.get("RECTIFICATION_WORKING_DAYS", "15"))
    # 首违不罚 / 轻微免罚: once per matter and enterprise within this many months, unless the matter sets its own.
    LENIENCY_PERIOD_MONTHS = int(os.environ.get("LENIENCY_PERIOD_MONTHS", "24"))
    API_TOKEN_HOURS = 12
    # Directory uploads through the page; the CLI has no limit (it streams from disk).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
    # An XLSX may inflate to at most this multiple of IMPORT_MAX_BYTES (zip bombs; the CLI too): else use CSV.
    IMPORT_XLSX_EXPANSION = int(os.environ.get("IMPORT_XLSX_EXPANSION", "10"))
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
    # A complaint (投诉举报) not triaged by the responsible department within this many working days escalates.
    COMPLAINT_TRIAGE_WORKING_DAYS = int(os.environ.get("COMPLAINT_TRIAGE_WORKING_DAYS", "7"))
    # 信用风险分类抽查占比: the share of random inspections drawn on credit-risk classes a region aims for (蕲春: 80%).
    CREDIT_DRAW_SHARE_GOAL = float(os.environ.get("CREDIT_DRAW_SHARE_GOAL", "80"))
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
    # An emergency joint action (应急) runs on hours, not working days: each stage, and every task in it, is due
    # this many hours after it starts; EMERGENCY_SLA_HOURS='{"joint_inspection": 12}' overrides.
    EMERGENCY_SLA_HOURS = {"plan": 2, "initiation": 4, "draw": 2, "joint_inspection": 24, "publication": 48,
                           "diagnosis": 24, "follow_up": 72, "review": 24,
                           **json.loads(os.environ.get("EMERGENCY_SLA_HOURS") or "{}")}
    # A department's invitation (要约) to a joint action waits for the coordinating office's approval unless its
    # region (or a region above it) has a rule saying notify-only (services/stages/invitations.py).
    INVITATION_APPROVAL_REQUIRED = os.environ.get("INVITATION_APPROVAL_REQUIRED", "1") == "1"
    # A task due within this many working days is marked urgent (inbox, campaign page, dashboard, API).
    TASK_URGENT_WORKING_DAYS = int(os.environ.get("TASK_URGENT_WORKING_DAYS", "2"))
    WORKER_BATCH = int(os.environ.get("WORKER_BATCH", "20"))          # timers fired per loop
    WORKER_IDLE_SECONDS = float(os.environ.get("WORKER_IDLE_SECONDS", "2"))  # sleep when nothing was due

    # Designer-supplied code and timers (docs/sandbox.md): the sandbox worker pool and its budgets,
    # the timer rules checked at deploy and at run time, the cap on one instance's saved state.
    SANDBOX_WORKERS = int(os.environ.get("SANDBOX_WORKERS", "2"))               # worker processes per app process
    SANDBOX_MAX_STEPS = int(os.environ.get("SANDBOX_MAX_STEPS", "100000"))      # traced lines/calls per evaluation
    SANDBOX_MAX_SECONDS = float(os.environ.get("SANDBOX_MAX_SECONDS", "5"))     # checked by the tracer in the worker
    SANDBOX_WALL_SECONDS = float(os.environ.get("SANDBOX_WALL_SECONDS", "6"))   # then the worker is killed
    SANDBOX_CPU_SECONDS = int(os.environ.get("SANDBOX_CPU_SECONDS", "5"))       # RLIMIT_CPU per evaluation
    SANDBOX_MEMORY_MB = int(os.environ.get("SANDBOX_MEMORY_MB", "512"))         # RLIMIT_AS of a worker
    INSTANCE_DATA_MAX_BYTES = int(os.environ.get("INSTANCE_DATA_MAX_BYTES", str(1024 * 1024)))
    TIMER_MIN_INTERVAL_SECONDS = int(os.environ.get("TIMER_MIN_INTERVAL_SECONDS", "60"))
    TIMER_MAX_REPEATS = int(os.environ.get("TIMER_MAX_REPEATS", "1000"))
    TIMER_MIN_DURATION_SECONDS = int(os.environ.get("TIMER_MIN_DURATION_SECONDS", "60"))
    TIMER_MAX_DURATION_DAYS = int(os.environ.get("TIMER_MAX_DURATION_DAYS", "3653"))
    TIMER_EARLIEST_YEAR = int(os.environ.get("TIMER_EARLIEST_YEAR", "2000"))
    TIMER_LATEST_YEAR = int(os.environ.get("TIMER_LATEST_YEAR", "2100"))

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
    # Production refuses the demo: `demo load` exits non-zero, the demo password cannot log in (services/org).
    DEMO_ALLOWED = True
    CERT_EXPIRY_WARNING_DAYS = int(os.environ.get("CERT_EXPIRY_WARNING_DAYS", "30"))  # dashboard warning

    # Availability (web/ops/database.py, docs/deploy.md). Writes wait this long for a row lock, then answer
    # 409 with Retry-After: a row held by a stuck session costs its own requests 2 s, never a worker's whole
    # queue. Reads take no row locks on PostgreSQL (MVCC), so they never wait on one.
    DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "2000"))
    RETRY_AFTER_BUSY_SECONDS = int(os.environ.get("RETRY_AFTER_BUSY_SECONDS", "2"))
    RETRY_AFTER_UNAVAILABLE_SECONDS = int(os.environ.get("RETRY_AFTER_UNAVAILABLE_SECONDS", "5"))
    # Every pooled connection is pinged before use: one killed by a fail-over or pg_terminate_backend is
    # replaced instead of failing the next request.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # The shared clock (services/workflow/clock.py): an operator's offset of "now" for every process.
    # Refused in production unless CLOCK_DRILL=1 (a drill on a staging copy).
    CLOCK_SHIFT_ALLOWED = True
    CLOCK_REFRESH_SECONDS = float(os.environ.get("CLOCK_REFRESH_SECONDS", "1"))

    # The audit chain's HMAC key: from the environment, never the database (production refuses to start
    # without one; development and tests use instance/audit_hmac.key). After a rotation the retired keys
    # stay here, comma-separated, so the records they made still verify.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY")
    AUDIT_HMAC_PREVIOUS_KEYS = [k for k in os.environ.get("AUDIT_HMAC_PREVIOUS_KEYS", "").split(",") if k.strip()]
    AUDIT_CHECKPOINT_HOURS = int(os.environ.get("AUDIT_CHECKPOINT_HOURS", "24"))  # the worker's checkpoints


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET
    DRAW_ALGORITHM = os.environ.get("DRAW_ALGORITHM", "hmac-sha256-ctr/v2")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    DATABASE_READ_URL = None  # tests/pgreplica.py sets one for the replica tests
    WTF_CSRF_ENABLED = True
    DRAW_ALGORITHM = "hmac-sha256-ctr/v2"  # v3 tests set it: their draws wait for an auditor's public value


def _postgres_options() -> dict:
    """Pool and server-side limits: a hung process never holds a row lock for long (the lock timeout
    itself is set on every connection from DB_LOCK_TIMEOUT_MS, web/ops/database.py).

    The pool holds one connection per gunicorn thread (WEB_THREADS) so a thread never queues for one;
    when the pool is exhausted anyway, a request waits DB_POOL_TIMEOUT seconds and then answers 503.
    """
    options = [f"-c idle_in_transaction_session_timeout={os.environ.get('DB_IDLE_TX_TIMEOUT_MS', '120000')}"]
    if os.environ.get("DB_STATEMENT_TIMEOUT_MS"):
        options.append(f"-c statement_timeout={os.environ['DB_STATEMENT_TIMEOUT_MS']}")
    threads = os.environ.get("WEB_THREADS", "8")
    return {"pool_size": int(os.environ.get("DB_POOL_SIZE", threads)),
            "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "2")),
            "pool_timeout": float(os.environ.get("DB_POOL_TIMEOUT", "3")),
            "pool_pre_ping": True, "pool_recycle": 1800,
            "connect_args": {"options": " ".join(options), "application_name": "yiye"}}


class ProductionConfig(Config):
    DEMO_ALLOWED = False
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
    # Moving the shared clock in production falsifies deadlines and published dates: only for a drill.
    CLOCK_SHIFT_ALLOWED = os.environ.get("CLOCK_DRILL") == "1"

    @classmethod
    def check(cls) -> None:
        """Refuse to start with settings that are only safe on a laptop."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET:
            raise RuntimeError("SECRET_KEY must be set in production")
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise RuntimeError("production requires DATABASE_URL pointing at PostgreSQL")
        if not cls.AUDIT_HMAC_KEY or len(cls.AUDIT_HMAC_KEY) < 32:
            raise RuntimeError("AUDIT_HMAC_KEY (at least 32 characters) must be set in production")


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}
