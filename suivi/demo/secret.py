"""The demo's secret key: generated once into var/, never committed."""

import os
import secrets
from pathlib import Path


def ensure_secret_key() -> Path:
    """Create var/secret_key if missing and point SUIVI_SECRET_KEY_FILE at it."""
    var_dir = Path(os.environ.get("SUIVI_VAR_DIR", Path.cwd() / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    if not os.environ.get("SUIVI_SECRET_KEY"):
        os.environ.setdefault("SUIVI_SECRET_KEY_FILE", str(key_file))
    return key_file
