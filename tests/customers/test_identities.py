import pytest

from suivi.customers.identities import InvalidIdentity, guess_kind, normalise


@pytest.mark.parametrize(
    ("raw", "value", "loose"),
    [
        ("Anne.Roy@Example.FR", "anne.roy@example.fr", "anne.roy@example.fr"),
        ("  anne+factures@example.fr ", "anne+factures@example.fr", "anne@example.fr"),
        ("Anne.Roy+x@GoogleMail.com", "anne.roy+x@googlemail.com", "anneroy@gmail.com"),
        ("a.n.n.e@gmail.com", "a.n.n.e@gmail.com", "anne@gmail.com"),
    ],
)
def test_email_is_lower_cased_and_loosened(raw, value, loose):
    # when
    normalised = normalise("email", raw)

    # then
    assert (normalised.kind, normalised.value, normalised.loose_value) == ("email", value, loose)


@pytest.mark.parametrize(
    "raw", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"]
)
def test_phone_is_e164_with_france_as_default_region(raw):
    # when
    normalised = normalise("phone", raw)

    # then
    assert normalised.value == "+33612345678"
    assert normalised.loose_value == "612345678"


def test_foreign_phone_keeps_its_country():
    assert normalise("phone", "+44 20 7946 0958").value == "+442079460958"


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("email", "not-an-address"),
        ("email", "anne@"),
        ("phone", "12"),
        ("phone", "bonjour"),
        ("phone", "+33 1"),
        ("fax", "0102030405"),
        ("email", "   "),
        ("instagram", "two words"),
        ("instagram", "@"),
    ],
)
def test_invalid_identity_is_refused(kind, raw):
    with pytest.raises(InvalidIdentity):
        normalise(kind, raw)


def test_handle_loses_its_at_sign_and_case():
    assert normalise("instagram", "@Anne_Roy").value == "anne_roy"


def test_customer_number_loses_spaces_and_case():
    assert normalise("customer_number", " ab 123 45 ").value == "AB12345"


@pytest.mark.parametrize(
    ("query", "kind"),
    [("anne@example.fr", "email"), ("06 12 34 56 78", "phone"), ("Anne Roy", None), ("123", None)],
)
def test_guess_kind(query, kind):
    assert guess_kind(query) == kind
