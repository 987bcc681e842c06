"""One settings file; every value comes from the environment, with an embedded default that needs no server."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
JIANFU_HOME = Path(os.environ.get("JIANFU_HOME", ".jianfu")).resolve()
JIANFU_HOME.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret(env_name: str, file_name: str) -> str:
    """A secret from the environment, else one generated once and kept in JIANFU_HOME (mode 600)."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    path = JIANFU_HOME / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("JIANFU_SECRET_KEY", "secret_key")
# Phones are matched by keyed hash; a separate key means a leaked SECRET_KEY alone cannot confirm a number.
PHONE_HASH_KEY = _secret("JIANFU_PHONE_KEY", "phone_key")
DEBUG = _env_bool("JIANFU_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("JIANFU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIANFU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "ninja",  # its static files: the API docs page (Swagger UI) is served locally, never from a CDN
    "jianfu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jianfu.middleware.DeploymentLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "jianfu.api.middleware.ApiMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

_SQLITE_PATH = JIANFU_HOME / "jianfu.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
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
SESSION_COOKIE_AGE = int(os.environ.get("JIANFU_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# By default the page language is LANGUAGE_CODE or the switcher's choice, not the browser's system locale.
JIANFU_HONOUR_BROWSER_LANGUAGE = _env_bool("JIANFU_HONOUR_BROWSER_LANGUAGE", False)
USE_I18N = True
TIME_ZONE = os.environ.get("JIANFU_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = JIANFU_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request while it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = JIANFU_HOME / "uploads"
JIANFU_MAX_UPLOAD_MB = int(os.environ.get("JIANFU_MAX_UPLOAD_MB", 200))


def _env_positive_int(name: str, default: int) -> int:
    """An integer setting: unset or empty gives the default; anything but a positive integer stops start-up."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a positive integer, not {text!r}")
    return int(text)


# HTTP API (/api/v1/): token lifetime, requests per token per minute, and the body limit of non-upload requests.
JIANFU_API_TOKEN_DAYS = _env_positive_int("JIANFU_API_TOKEN_DAYS", 90)
JIANFU_API_RATE_PER_MINUTE = _env_positive_int("JIANFU_API_RATE_PER_MINUTE", 120)
JIANFU_API_MAX_JSON_KB = _env_positive_int("JIANFU_API_MAX_JSON_KB", 64)
# Behind a reverse proxy the client address arrives in X-Forwarded-For; trust it only when told to.
JIANFU_TRUST_X_FORWARDED_FOR = _env_bool("JIANFU_TRUST_X_FORWARDED_FOR", False)

EMAIL_BACKEND = os.environ.get("JIANFU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("JIANFU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JIANFU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JIANFU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JIANFU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("JIANFU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("JIANFU_EMAIL_FROM", "jianfu@localhost")
# Reminders and review requests link back here (e.g. https://jianfu.example.gov.cn); empty: relative links.
JIANFU_BASE_URL = os.environ.get("JIANFU_BASE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"jianfu": {"handlers": ["console"], "level": os.environ.get("JIANFU_LOG_LEVEL", "WARNING")}},
}
