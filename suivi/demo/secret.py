"""The demo's secrets: generated once into var/, never committed."""

import os
import secrets
from pathlib import Path


def _var_dir() -> Path:
    var_dir = Path(os.environ.get("SUIVI_VAR_DIR", Path.cwd() / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    return var_dir


def _generated(path: Path, length: int) -> Path:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path


def ensure_secret_key() -> Path:
    """Create var/secret_key if missing and point SUIVI_SECRET_KEY_FILE at it."""
    key_file = _generated(_var_dir() / "secret_key", 50)
    if not os.environ.get("SUIVI_SECRET_KEY"):
        os.environ.setdefault("SUIVI_SECRET_KEY_FILE", str(key_file))
    # The demo's other secret, read by settings like the key (the web server and the
    # worker started by `run` inherit the environment).
    ensure_phone_webhook_secret()
    return key_file


def ensure_phone_webhook_secret() -> Path:
    """Create var/phone_webhook_secret if missing and point
    SUIVI_PHONE_WEBHOOK_SECRET_FILE at it, unless a secret is configured already."""
    path = _generated(_var_dir() / "phone_webhook_secret", 32)
    if not os.environ.get("SUIVI_PHONE_WEBHOOK_SECRET"):
        os.environ.setdefault("SUIVI_PHONE_WEBHOOK_SECRET_FILE", str(path))
    return path
