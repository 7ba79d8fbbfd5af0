"""Suivi settings: one module, configured only from SUIVI_* environment variables.

Nothing secret lives in the repository. `suivi demo` writes a generated secret key to
`var/secret_key` and points SUIVI_SECRET_KEY_FILE at it.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SUIVI_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SUIVI_SECRET_KEY"):
        return key
    if key_file := os.environ.get("SUIVI_SECRET_KEY_FILE"):
        return Path(key_file).read_text().strip()
    raise ImproperlyConfigured(
        "Set SUIVI_SECRET_KEY (or SUIVI_SECRET_KEY_FILE); `suivi demo` generates one in var/."
    )


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SUIVI_DEBUG")
ALLOWED_HOSTS = _env_list("SUIVI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("SUIVI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "suivi.core",
    "suivi.people",
    "suivi.customers",
    "suivi.conversations",
    "suivi.routing",
    "suivi.promises",
    "suivi.scheduling",
    "suivi.knowledge",
    "suivi.channels",
    "suivi.web",
    "suivi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "suivi.urls"
ASGI_APPLICATION = "suivi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if "SUIVI_DATABASE_URL" not in os.environ:
    # The embedded database lives in var/; make sure the folder exists.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SUIVI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'suivi.sqlite3'}"),
        conn_max_age=int(os.environ.get("SUIVI_DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker use the embedded database together.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif _env_bool("SUIVI_DATABASE_POOL", default=True):
    # One pool of PostgreSQL connections per process (Django's own, psycopg-pool): under
    # ASGI each request may run in another thread, and kept connections (CONN_MAX_AGE)
    # pile up per thread until PostgreSQL refuses clients, while a new connection per
    # request costs more than the routing answer itself. A request borrows a connection
    # and gives it back when it ends. See docs/configuration.md for sizing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A pooled connection the server closed meanwhile (a restart, an idle timeout) is
    # replaced when borrowed instead of failing the request: one short round trip.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("SUIVI_DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("SUIVI_DATABASE_POOL_MAX_SIZE", "20")),
        # Seconds a request waits for a free connection before failing.
        "timeout": float(os.environ.get("SUIVI_DATABASE_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.environ.get("SUIVI_LANGUAGE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("SUIVI_TIME_ZONE", "Europe/Paris")
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the packages (WhiteNoise finders); collectstatic is optional.
STATIC_ROOT = os.environ.get("SUIVI_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
# WhiteNoise streams files with a synchronous iterator; under ASGI Django reads it in a
# thread and warns on every file. That is fine for static files, so keep the log clean.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SUIVI_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# E-mail: a real relay when SUIVI_EMAIL_HOST is set, otherwise .eml files in var/outbox/.
EMAIL_HOST = os.environ.get("SUIVI_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("SUIVI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SUIVI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SUIVI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("SUIVI_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("SUIVI_EMAIL_FROM", "support@suivi.localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"

REDIS_URL = os.environ.get("SUIVI_REDIS_URL", "")
# Rate limits count in the cache: shared between web processes only with Redis.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def redis_channel_layer(url: str, prefix: str) -> dict[str, object]:
    """The Redis channel layer of the live inbox (also used by its tests and bench)."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": url,
                    # A Redis that does not answer must not hold a request for long...
                    "socket_connect_timeout": 2,
                    # ...but a socket waits up to 5 s in BZPOPMIN for its next push: a
                    # read timeout of redis-py's default 5 s would cut it off.
                    "socket_timeout": 15,
                }
            ],
            "prefix": prefix,
        },
    }


# The live inbox (docs/live.md): pushes reach the sockets of this process only with the
# in-memory layer; Redis carries them between web processes and from the worker.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": redis_channel_layer(REDIS_URL, os.environ.get("SUIVI_CHANNELS_PREFIX", "suivi"))
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "suivi.core.memory_layer.SweptInMemoryChannelLayer"}}

# Where customers reach Suivi: the base of links in e-mails (booking, check-in).
SUIVI_PUBLIC_URL = os.environ.get("SUIVI_PUBLIC_URL", "http://localhost:8000")
# Public booking page: requests per IP address per 10 minutes.
SUIVI_BOOKING_RATE_LIMIT = int(os.environ.get("SUIVI_BOOKING_RATE_LIMIT", "120"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SUIVI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Finished background-task results are deleted after this many days.
SUIVI_TASK_RESULTS_KEEP_DAYS = int(os.environ.get("SUIVI_TASK_RESULTS_KEEP_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SUIVI_LOG_LEVEL", "INFO")},
    # Every task's start and end at INFO would drown the rest; failures are still logged.
    "loggers": {"django_tasks": {"level": os.environ.get("SUIVI_TASKS_LOG_LEVEL", "WARNING")}},
}

# Knowledge: scheduled versions go live at these wall-clock times of TIME_ZONE
# (comma-separated "tue 10:00", "daily 08:00"); see docs/knowledge.md.
SUIVI_KNOWLEDGE_WINDOWS = os.environ.get("SUIVI_KNOWLEDGE_WINDOWS", "tue 10:00")
# Public help pages: requests per IP address per 10 minutes.
SUIVI_HELP_RATE_LIMIT = int(os.environ.get("SUIVI_HELP_RATE_LIMIT", "300"))

# API lists never return more than this many items per page.
SUIVI_PAGE_MAX = 100

# Phone (CTI webhooks): the HMAC secret the PBX bridge signs its events with (no secret:
# the phone endpoints refuse everything), and requests per IP address per minute.
SUIVI_PHONE_WEBHOOK_SECRET = os.environ.get("SUIVI_PHONE_WEBHOOK_SECRET", "") or (
    Path(os.environ["SUIVI_PHONE_WEBHOOK_SECRET_FILE"]).read_text().strip()
    if os.environ.get("SUIVI_PHONE_WEBHOOK_SECRET_FILE")
    else ""
)
SUIVI_PHONE_RATE_LIMIT = int(os.environ.get("SUIVI_PHONE_RATE_LIMIT", "1200"))

# Web chat (docs/channels/chat.md): limits of the public socket.
SUIVI_CHAT_MAX_FRAME_BYTES = int(os.environ.get("SUIVI_CHAT_MAX_FRAME_BYTES", "16384"))
SUIVI_CHAT_FRAME_BURST = int(os.environ.get("SUIVI_CHAT_FRAME_BURST", "20"))
SUIVI_CHAT_FRAMES_PER_MINUTE = int(os.environ.get("SUIVI_CHAT_FRAMES_PER_MINUTE", "120"))
SUIVI_CHAT_IP_CONNECTIONS = int(os.environ.get("SUIVI_CHAT_IP_CONNECTIONS", "50"))
SUIVI_CHAT_IP_CONNECTS_PER_MINUTE = int(os.environ.get("SUIVI_CHAT_IP_CONNECTS_PER_MINUTE", "60"))
SUIVI_CHAT_IP_MESSAGES_PER_MINUTE = int(os.environ.get("SUIVI_CHAT_IP_MESSAGES_PER_MINUTE", "300"))
# Called for each customer chat message while no advisor has joined: the knowledge
# assistant (docs/channels/chat.md); empty: no assistant, the chat waits for a person.
SUIVI_CHAT_ASSISTANT = os.environ.get(
    "SUIVI_CHAT_ASSISTANT", "suivi.channels.chat.assistant.assistant_turn"
).strip()
# Threads (and so database connections) each web process gives the chat sockets.
SUIVI_CHAT_DB_THREADS = int(os.environ.get("SUIVI_CHAT_DB_THREADS", "16"))
# Customer messages are stored and processed in batches by writers (each with its own
# thread and database connection) sharing the conversations of a web process: at most
# SUIVI_CHAT_BATCH_MAX in one transaction, after waiting SUIVI_CHAT_BATCH_WAIT_MS for
# more (0: write what is queued at once; under load the next batch gathers while one is
# written).
SUIVI_CHAT_WRITERS = int(os.environ.get("SUIVI_CHAT_WRITERS", "2"))
SUIVI_CHAT_BATCH_MAX = int(os.environ.get("SUIVI_CHAT_BATCH_MAX", "200"))
SUIVI_CHAT_BATCH_WAIT_MS = float(os.environ.get("SUIVI_CHAT_BATCH_WAIT_MS", "0"))
# The web process's garbage collector (suivi/core/runtime.py): objects allocated before
# a young collection runs. Python's 700 let thousands of sockets' objects reach the old
# generation, whose full collections then stopped every socket for 70–240 ms under load.
# 0 keeps Python's defaults.
SUIVI_GC_YOUNG_THRESHOLD = int(os.environ.get("SUIVI_GC_YOUNG_THRESHOLD", "20000"))
