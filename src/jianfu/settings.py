"""One settings file; every value comes from the environment, with an embedded default that needs no server.

An empty variable means unset. Every bad value is collected and reported together at the end
(ImproperlyConfigured; the CLI prints it and exits 1), so an operator fixes the environment in one pass.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
_errors: list[str] = []
_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}


def _refuse(name: str, shown: str, expected: str, default: object, english: str, default_en: str = "") -> None:
    """Collect one bad variable as one line: the Chinese users read, then the English detail for the log."""
    fallback = f"不设或留空时为 {default}" if default != "" else "可不设或留空"
    fallback_en = f"unset or empty means {default_en or default}" if default != "" else "may be unset or empty"
    _errors.append(f"{name}={shown}：{expected}（{fallback}） | {name}={shown}: expected {english} ({fallback_en})")


def env_str(name: str, default: str) -> str:
    """The variable's value without surrounding blanks; empty or unset gives the default."""
    return os.environ.get(name, "").strip() or default


def env_int(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env_str(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        _refuse(
            name,
            repr(raw),
            f"应为 {minimum} 到 {maximum} 之间的整数",
            default,
            f"an integer from {minimum} to {maximum}",
        )
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "").lower()
    if raw in _TRUE_WORDS:
        return True
    if raw in _FALSE_WORDS:
        return False
    if raw:
        _refuse(
            name, repr(raw), "应为 1/true/yes/on 或 0/false/no/off", int(default), "1/true/yes/on or 0/false/no/off"
        )
    return default


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env_str(name, default)
    if raw.upper() in choices:
        return raw.upper()
    _refuse(name, repr(raw), "应为 " + "、".join(choices) + " 之一", default, "one of " + ", ".join(choices))
    return default


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are dropped."""
    raw = env_str(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else list(default)


def env_origins(name: str) -> list[str]:
    origins = env_list(name, [])
    for origin in origins:
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            _refuse(
                name,
                repr(origin),
                "每一项应为 https://主机[:端口] 的形式（不带路径），多项用逗号分隔",
                "",
                "each item as https://host[:port] (no path), items separated by commas",
            )
    return origins


def env_date(name: str) -> dt.date | None:
    raw = env_str(name, "")
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        _refuse(name, repr(raw), "应为 YYYY-MM-DD 格式的日期", "", "a date as YYYY-MM-DD")
        return None


def env_time_zone(name: str, default: str) -> str:
    raw = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        _refuse(
            name,
            repr(raw),
            "应为 IANA 时区名，如 Asia/Shanghai",
            default,
            "an IANA time zone name such as Asia/Shanghai",
        )
        return default
    return raw


def env_database(name: str, default: str) -> dict:
    raw = env_str(name, default)
    scheme = raw.split("://", 1)[0]
    try:
        config = dj_database_url.parse(raw, conn_max_age=60)
    except Exception:  # dj_database_url raises ValueError, KeyError or others on a malformed URL
        config = None
    if config is None or config["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        # The URL may carry a password: show only its scheme.
        _refuse(
            name,
            f"{scheme}://…",
            "应为 postgres://用户:密码@主机:端口/库名 或 sqlite:///绝对路径",
            "JIANFU_HOME 中的 SQLite",
            "postgres://user:password@host:port/database or sqlite:///absolute/path",
            "SQLite in JIANFU_HOME",
        )
        return dj_database_url.parse(default, conn_max_age=60)
    return config


def env_class_path(name: str, default: str) -> str:
    """A dotted path to a class whose module exists (checked without importing the module itself)."""
    raw = env_str(name, default)
    module = raw.rpartition(".")[0]
    try:
        found = bool(module) and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        _refuse(
            name,
            repr(raw),
            "应为可导入的类路径，如 django.core.mail.backends.smtp.EmailBackend",
            default,
            "an importable class path such as django.core.mail.backends.smtp.EmailBackend",
        )
        return default
    return raw


def private_folder(name: str, path: Path) -> bool:
    """Create a folder only its owner can enter (0700); False, with an error collected, when that fails."""
    if path.exists() and not path.is_dir():
        _refuse(name, repr(str(path)), "这是一个文件，应为文件夹", "./.jianfu", "a folder, but this is a file")
        return False
    try:
        if not path.is_dir():
            path.mkdir(parents=True, mode=0o700)
            path.chmod(0o700)  # mkdir's mode is filtered by the umask
        return True
    except OSError as exc:
        _refuse(
            name,
            repr(str(path)),
            f"无法创建或使用该文件夹（{exc.strerror}）",
            "./.jianfu",
            f"a folder this process can create and use ({exc.strerror})",
        )
        return False


def private_secret(env_name: str, path: Path) -> str:
    """A secret from the environment, else one generated once into a file that is 0600 from its first byte."""
    if env_str(env_name, ""):
        return env_str(env_name, "")
    if not path.exists():
        # Written whole under a private name, then linked into place: a process starting beside this one
        # sees either no file or the complete secret, never an empty one.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # the other process won; both use its secret
        finally:
            draft.unlink()
    value = path.read_text().strip()
    if not value:
        _refuse(
            env_name,
            "（未设置）",
            f"{path} 是空文件：请设置该变量，或删除这个空文件让系统重新生成",
            "",
            f"the secret: {path} is empty; set the variable, or delete the empty file to have one generated",
        )
    return value


def private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it exists (SQLite gives -wal/-shm the same mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


# Relative to the current folder; empty means the default, "./.jianfu".
JIANFU_HOME = Path(env_str("JIANFU_HOME", ".jianfu")).resolve()
_HOME_READY = private_folder("JIANFU_HOME", JIANFU_HOME)

if _HOME_READY:
    SECRET_KEY = private_secret("JIANFU_SECRET_KEY", JIANFU_HOME / "secret_key")
    # Phones are matched by keyed hash; a separate key means a leaked SECRET_KEY alone cannot confirm a number.
    PHONE_HASH_KEY = private_secret("JIANFU_PHONE_KEY", JIANFU_HOME / "phone_key")
    # Signs each audit row and checkpoint: kept outside the database, so a database editor cannot re-sign a forged log.
    AUDIT_KEY = private_secret("JIANFU_AUDIT_KEY", JIANFU_HOME / "audit_key")
    # Encrypts a clue reporter's optional call-back phone: only that clue's handler may reveal it (audited).
    CLUE_CONTACT_KEY = private_secret("JIANFU_CLUE_KEY", JIANFU_HOME / "clue_key")
else:
    SECRET_KEY = PHONE_HASH_KEY = AUDIT_KEY = CLUE_CONTACT_KEY = ""
# Checkpoints of the audit log's head, appended (never rewritten) outside the database; every N rows and daily.
JIANFU_AUDIT_CHECKPOINTS = Path(env_str("JIANFU_AUDIT_CHECKPOINTS", str(JIANFU_HOME / "audit-checkpoints.jsonl")))
JIANFU_AUDIT_CHECKPOINT_EVERY = env_int("JIANFU_AUDIT_CHECKPOINT_EVERY", 100, 1, 1_000_000)
DEBUG = env_bool("JIANFU_DEBUG", False)
# The names this site answers to (Host header); `jianfu serve --host 0.0.0.0` adds this machine's names only.
ALLOWED_HOSTS = env_list("JIANFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Origins (scheme://host[:port]) a form may be posted from, e.g. https://jianfu.example.gov.cn behind a TLS proxy.
CSRF_TRUSTED_ORIGINS = env_origins("JIANFU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "jianfu.accounts",
    "jianfu.registry",
    "jianfu.audit",
    "jianfu.jobs",
    "jianfu.findings",
    "jianfu.filings",
    "jianfu.inbox",
    "jianfu.cases",
    "jianfu.elements",
    "jianfu.surveys",
    "jianfu.reports",
    "jianfu.security",
    "jianfu.clues",
    "ninja",  # its static files: the API docs page (Swagger UI) is served locally, never from a CDN
    "jianfu.api",
]

MIDDLEWARE = [
    # First, so that nothing after it can see, keep or log a clue reporter's network address.
    "jianfu.clues.middleware.ForgetReporterAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jianfu.security.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jianfu.middleware.DeploymentLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "jianfu.api.middleware.ApiMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Browser*: Django's own, standing aside for /api/, where only a bearer token counts (api/middleware.py).
    # Sessions and CSRF keep Django's names (its deployment checks look for them); for /api/ the session is
    # never read, as nothing there asks for the session's user.
    "jianfu.api.middleware.BrowserAuthenticationMiddleware",
    "jianfu.api.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jianfu.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "jianfu.urls"
WSGI_APPLICATION = "jianfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianfu.accounts.context_processors.permissions",
                "jianfu.surveys.context_processors.navigation",
            ],
        },
    },
]

_SQLITE_PATH = JIANFU_HOME / "jianfu.sqlite3"
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if _HOME_READY and Path(DATABASES["default"]["NAME"]) == _SQLITE_PATH:
        private_file(_SQLITE_PATH)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so tests can read the bytes that would sit on a disk.
    DATABASES["default"]["TEST"] = {"NAME": str(JIANFU_HOME / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web app read while an import writes; IMMEDIATE avoids lock upgrades failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; "
            # Bulk membership inserts touch random index pages; SQLite's default 2 MB cache thrashes on them.
            "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
# PostgreSQL, when asked for: parameters bound by the server, and a statement a connection has run 5 times kept
# prepared (psycopg's prepare_threshold), so the API's per-request statements (token, rate count, page) are parsed
# once per connection; 0.3–0.85 ms of CPU less per API page (docs/performance.md). Planned afresh on every execution
# (force_custom_plan): with cached generic plans a city's import stalled on a 9 s DELETE a batch. Off by default:
# even so, that import took 115 s instead of 71 s; and poolers that cannot carry prepared statements (PgBouncer
# before 1.21 in transaction mode) need it off.
JIANFU_DB_PREPARED_STATEMENTS = env_bool("JIANFU_DB_PREPARED_STATEMENTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and JIANFU_DB_PREPARED_STATEMENTS:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.update(server_side_binding=True, prepare_threshold=5)
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_custom_plan".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("JIANFU_SESSION_SECONDS", 8 * 3600, 60, 30 * 24 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# JIANFU_HTTPS=1: users reach the site over HTTPS through a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto (and redirects http:// itself, so SECURE_SSL_REDIRECT stays off). See docs/security.md.
JIANFU_HTTPS = env_bool("JIANFU_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = JIANFU_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if JIANFU_HTTPS else None
_HSTS_SECONDS = env_int("JIANFU_HSTS_SECONDS", 365 * 24 * 3600, 0, 2 * 365 * 24 * 3600)
SECURE_HSTS_SECONDS = _HSTS_SECONDS if JIANFU_HTTPS else 0
SECURE_SSL_REDIRECT = False
# `check --deploy` warnings that are choices here: nginx redirects to HTTPS (W008); a government domain's
# subdomains are not ours to force onto HTTPS (W005) nor is an intranet site on the browsers' preload list (W021).
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W008", "security.W021"]
CSRF_FAILURE_VIEW = "jianfu.security.views.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# By default the page language is LANGUAGE_CODE or the switcher's choice, not the browser's system locale.
JIANFU_HONOUR_BROWSER_LANGUAGE = env_bool("JIANFU_HONOUR_BROWSER_LANGUAGE", False)
USE_I18N = True
TIME_ZONE = env_time_zone("JIANFU_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = JIANFU_HOME / "static"
if _HOME_READY:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request while it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = JIANFU_HOME / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
JIANFU_MAX_UPLOAD_MB = env_int("JIANFU_MAX_UPLOAD_MB", 200, 1, 10240)
# People one officer may look up by name + phone per day (each lookup can confirm a full phone number).
JIANFU_PHONE_LOOKUPS_PER_DAY = env_int("JIANFU_PHONE_LOOKUPS_PER_DAY", 2000, 0, 10_000_000)
# Each browser import runs in a child process with these limits, so no file can take the web server down.
JIANFU_IMPORT_SUBPROCESS = env_bool("JIANFU_IMPORT_SUBPROCESS", True)
JIANFU_IMPORT_MEMORY_MB = env_int("JIANFU_IMPORT_MEMORY_MB", 4096, 256, 1024 * 1024)
JIANFU_IMPORT_TIMEOUT_SECONDS = env_int("JIANFU_IMPORT_TIMEOUT_SECONDS", 2 * 3600, 10, 7 * 24 * 3600)
# HTTP API (/api/v1/): token lifetime, requests per token per minute, and the body limit of non-upload requests.
JIANFU_API_TOKEN_DAYS = env_int("JIANFU_API_TOKEN_DAYS", 90, 1, 3650)
JIANFU_API_RATE_PER_MINUTE = env_int("JIANFU_API_RATE_PER_MINUTE", 120, 1, 10_000_000)
JIANFU_API_MAX_JSON_KB = env_int("JIANFU_API_MAX_JSON_KB", 64, 1, 102_400)
# For the benchmarks only (docs/performance.md): serve with the old queries — the region scope of findings as a
# substring scan, registry search as a substring scan, the findings list paged with COUNT and OFFSET — so a
# benchmark can measure the old method beside the new one on the same database in one run.
JIANFU_BASELINE_QUERIES = env_bool("JIANFU_BASELINE_QUERIES", False)

EMAIL_BACKEND = env_class_path("JIANFU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("JIANFU_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("JIANFU_EMAIL_PORT", 25, 1, 65535)
EMAIL_HOST_USER = env_str("JIANFU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("JIANFU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JIANFU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("JIANFU_EMAIL_FROM", "jianfu@localhost")
# Reminders and review requests link back here (e.g. https://jianfu.example.gov.cn); empty: relative links.
JIANFU_BASE_URL = env_str("JIANFU_BASE_URL", "").rstrip("/")
if JIANFU_BASE_URL and not JIANFU_BASE_URL.startswith(("http://", "https://")):
    _refuse(
        "JIANFU_BASE_URL",
        repr(JIANFU_BASE_URL),
        "应以 https:// 或 http:// 开头",
        "",
        "a URL starting with https:// or http://",
    )
# The installation-wide filing cut-off (see docs/filings.md); None: every unfiled item is off-catalog.
JIANFU_FILING_SINCE = env_date("JIANFU_FILING_SINCE")
# `jianfu serve` runs imports in a thread of its own process unless this is off (a separate `jianfu worker`).
JIANFU_IMPORT_WORKER = env_bool("JIANFU_IMPORT_WORKER", True)
# An unanswered overdue case climbs one more level each time this many days pass (`jianfu cases escalate`).
JIANFU_CASE_REESCALATE_DAYS = env_int("JIANFU_CASE_REESCALATE_DAYS", 14, 1, 3650)
# Anonymous clues: posts per hour from one (hashed, never stored) address, and from everyone together.
JIANFU_CLUE_POSTS_PER_HOUR = env_int("JIANFU_CLUE_POSTS_PER_HOUR", 10, 1, 1_000_000)
JIANFU_CLUE_POSTS_PER_HOUR_ALL = env_int("JIANFU_CLUE_POSTS_PER_HOUR_ALL", 2000, 1, 100_000_000)
# Where evidence files live (random names, re-encoded without metadata).
JIANFU_CLUE_FILES = JIANFU_HOME / "clues"
# Default of `jianfu serve --workers`: web processes (more than 1 uses gunicorn).
JIANFU_WEB_WORKERS = env_int("JIANFU_WEB_WORKERS", 1, 1, 64)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "jianfu": {
            "handlers": ["console"],
            "level": env_choice("JIANFU_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
        },
        # Without DEBUG Django sends these nowhere: refused hosts, CSRF failures, tampered requests, and 500s.
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}


# --- Login: trusted proxies (accounts.client_address.client_ip) -------------------------------------------
def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR networks."""
    import ipaddress

    entries = env_list(name, [])
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            _refuse(
                name,
                repr(entry),
                "每一项应为 IP 地址或 CIDR 网段，多项用逗号分隔",
                "",
                "each item an IP address or a CIDR network, items separated by commas",
            )
    return entries


if env_str("JIANFU_TRUST_X_FORWARDED_FOR", ""):
    _refuse(
        "JIANFU_TRUST_X_FORWARDED_FOR",
        "…",
        "已停用：请在 JIANFU_TRUSTED_PROXIES 中列出反向代理的地址",
        "",
        "nothing: this variable is retired; list the reverse proxies' addresses in JIANFU_TRUSTED_PROXIES",
    )
# X-Forwarded-For is believed only when REMOTE_ADDR is one of these (empty: never).
JIANFU_TRUSTED_PROXIES = env_networks("JIANFU_TRUSTED_PROXIES")

# --- Login: two-factor (django-otp: TOTP apps plus one-time backup codes) ---------------------------------
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_AUTH_MIDDLEWARE = MIDDLEWARE.index("jianfu.api.middleware.BrowserAuthenticationMiddleware")
# OTPMiddleware makes request.user.is_verified() work; the gate keeps a half-logged-in user on the code step.
MIDDLEWARE[_AUTH_MIDDLEWARE + 1 : _AUTH_MIDDLEWARE + 1] = [
    "jianfu.api.middleware.BrowserOTPMiddleware",
    "jianfu.accounts.two_factor.TwoFactorGateMiddleware",
]
OTP_TOTP_ISSUER = env_str("JIANFU_OTP_ISSUER", "Jianfu 减负")

if _errors:
    raise ImproperlyConfigured(
        "配置有误，请修正以下环境变量（留空等于不设）/ Bad configuration, fix these environment variables "
        "(empty means unset):\n" + "\n".join(f"  {e}" for e in _errors)
    )
