"""Checking a value against a set of choices (suivi/core/vocabulary.py)."""

from suivi.core.vocabulary import Channel, Language, is_choice


def test_a_value_is_one_of_the_choices_or_not():
    assert is_choice(Channel, "email")
    assert is_choice(Channel, Channel.PHONE)
    assert is_choice(Language, "en")
    assert not is_choice(Language, "de")
    assert not is_choice(Channel, "")
    assert not is_choice(Channel, None)
    assert not is_choice(Channel, ["email"])  # unhashable: not a value, no error
