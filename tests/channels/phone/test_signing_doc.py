"""The worked example of docs/channels/phone.md is what the code computes, and the shell
recipe there (OpenSSL) signs like the code."""

import re
import subprocess
from pathlib import Path

from suivi.channels.phone import signing

DOC = Path(__file__).resolve().parents[3] / "docs" / "channels" / "phone.md"


def test_the_documented_signature_is_the_one_we_check():
    documented = re.search(r"X-Suivi-Signature: (sha256=[0-9a-f]{64})", DOC.read_text())

    assert documented is not None
    assert signing.sign(body=b'{"id":"e1"}', timestamp=1767258000, key="s3cret") == (
        documented.group(1)
    )


def test_the_shell_recipe_signs_like_the_code():
    body = '{"id":"evt-1001","type":"call.ringing","call_id":"1"}'
    script = (
        'printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex'
        " | sed 's/^.* //'"
    )

    result = subprocess.run(
        ["/bin/bash", "-c", script],
        env={"TS": "1767258000", "BODY": body, "SECRET": "s3cret", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )

    expected = signing.sign(body=body.encode(), timestamp=1767258000, key="s3cret")
    assert f"sha256={result.stdout.strip()}" == expected
