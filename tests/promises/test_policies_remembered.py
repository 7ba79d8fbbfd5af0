"""Policies and calendars remembered for one unit of work or one batch of them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.promises import policies
from suivi.promises.models import Policy


def test_a_nested_block_shares_the_lookups_and_a_change_applies_from_the_next_block(db):
    Policy.objects.create(first_answer_minutes=60)
    with policies.remembered():
        with CaptureQueriesContext(connection) as queries:
            assert policies.policy_for(team_id=None, channel="email").first_answer_minutes == 60
            # a message's own block inside the batch's reads nothing again
            with policies.remembered():
                assert policies.policy_for(team_id=None).first_answer_minutes == 60
        assert len(queries.captured_queries) == 1
        # a change saved meanwhile is not seen by this batch
        Policy.objects.update(first_answer_minutes=30)
        assert policies.policy_for(team_id=None).first_answer_minutes == 60
    # the next one reads it
    with policies.remembered():
        assert policies.policy_for(team_id=None).first_answer_minutes == 30
