import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from suivi.core import clock
from suivi.people.models import ApiToken
from suivi.people.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db


def test_token_authenticates_its_user(advisor):
    # given
    _token, clear = api_token_create(user_id=advisor.user_id, name="CTI")

    # when
    found = api_token_authenticate(clear)

    # then
    assert found is not None
    assert found.user_id == advisor.user_id
    assert found.user.advisor == advisor


def test_only_the_sha256_of_the_token_is_stored(advisor):
    # when
    token, clear = api_token_create(user_id=advisor.user_id)

    # then
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(clear.encode()).hexdigest()
    assert clear.startswith("svi_")
    assert clear not in {stored.digest, stored.prefix, stored.name}
    assert clear.startswith(stored.prefix)


def test_two_tokens_differ(advisor):
    # when
    _first, one = api_token_create(user_id=advisor.user_id)
    _second, two = api_token_create(user_id=advisor.user_id)

    # then
    assert one != two


def test_unknown_token_authenticates_nobody(advisor):
    # given
    api_token_create(user_id=advisor.user_id)

    # when / then
    assert api_token_authenticate("svi_not-a-real-token") is None
    assert api_token_authenticate("") is None


def test_revoked_token_authenticates_nobody(advisor):
    # given
    token, clear = api_token_create(user_id=advisor.user_id)
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])

    # when
    found = api_token_authenticate(clear)

    # then
    assert found is None


def test_token_of_an_inactive_user_authenticates_nobody(advisor):
    # given
    _token, clear = api_token_create(user_id=advisor.user_id)
    advisor.user.is_active = False
    advisor.user.save(update_fields=["is_active"])

    # when
    found = api_token_authenticate(clear)

    # then
    assert found is None


def test_authentication_records_when_the_token_was_last_used(advisor):
    # given
    token, clear = api_token_create(user_id=advisor.user_id)
    moment = datetime(2025, 5, 2, 10, 0, tzinfo=UTC)

    # when
    with clock.frozen_at(moment):
        api_token_authenticate(clear)

    # then
    token.refresh_from_db()
    assert token.last_used_at == moment


def test_last_use_is_written_at_most_once_a_minute(advisor, django_assert_num_queries):
    # given
    token, clear = api_token_create(user_id=advisor.user_id)
    moment = datetime(2025, 5, 2, 10, 0, tzinfo=UTC)
    with clock.frozen_at(moment) as hand:
        api_token_authenticate(clear)
        hand.advance(timedelta(seconds=30))

        # when
        with django_assert_num_queries(1):
            api_token_authenticate(clear)

    # then
    token.refresh_from_db()
    assert token.last_used_at == moment
