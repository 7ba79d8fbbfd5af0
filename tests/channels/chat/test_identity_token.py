from datetime import UTC, datetime

import pytest

from suivi.channels.chat import identity

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = "s3cret-of-the-widget"


def test_a_signed_token_gives_its_claims():
    token = identity.sign(
        secret=SECRET, claims={"email": "a@example.org", "name": "Ann Lee", "exp": 1_900_000_000}
    )
    claims = identity.verify(secret=SECRET, token=token, now=NOW)
    assert claims == identity.Claims(email="a@example.org", external_id="", name="Ann Lee")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "v1",
        "v2.abc.def",
        "v1..sig",
        "v1.éé.sig",
        identity.sign(secret="other", claims={"email": "a@example.org", "exp": 1_900_000_000}),
        identity.sign(secret=SECRET, claims={"exp": 1_900_000_000}),
        identity.sign(secret=SECRET, claims={"email": "a@example.org"}),
        identity.sign(secret=SECRET, claims={"email": 3, "exp": 1_900_000_000}),
        identity.sign(secret=SECRET, claims=["not", "an", "object"]),  # type: ignore[arg-type]
        "v1." + "a" * 3000,
    ],
)
def test_a_forged_or_malformed_token_is_invalid(token):
    with pytest.raises(identity.IdentityInvalid):
        identity.verify(secret=SECRET, token=token, now=NOW)


def test_an_expired_token_is_refused():
    token = identity.sign(
        secret=SECRET, claims={"email": "a@example.org", "exp": NOW.timestamp() - 1}
    )
    with pytest.raises(identity.IdentityExpired):
        identity.verify(secret=SECRET, token=token, now=NOW)


def test_the_documented_example_verifies():
    # docs/channels/chat.md shows this exact token for the secret "demo-secret".
    token = identity.sign(
        secret="demo-secret",
        claims={"email": "helene@example.org", "name": "Hélène Durand", "exp": 1893456000},
    )
    assert identity.verify(secret="demo-secret", token=token, now=NOW).email == "helene@example.org"
