"""The demo company: deterministic, loaded once, and coherent with the services' rules."""

from datetime import UTC, datetime

import phonenumbers
import pytest
from django.db.models import Min

from suivi.conversations.models import Case, Interaction
from suivi.conversations.selectors import inbox_page
from suivi.customers.models import Customer, Identity, PossibleDuplicate
from suivi.demo.data import DEMO_PASSWORD, DEMO_USERNAME, load_demo, plan_demo
from suivi.people.models import Advisor
from suivi.promises.models import Promise

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SMALL = 60


@pytest.fixture
def demo(db):
    return load_demo(customers=SMALL)


def test_same_seed_gives_the_same_plan():
    # given / when
    first = plan_demo(seed=7, customers=SMALL, now=MOMENT)
    second = plan_demo(seed=7, customers=SMALL, now=MOMENT)

    # then
    assert first == second
    assert [c.family_name for c in first] != [
        c.family_name for c in plan_demo(seed=8, customers=SMALL, now=MOMENT)
    ]


def test_plan_speaks_both_languages_with_valid_phone_numbers():
    plan = plan_demo(customers=200, now=MOMENT)

    assert {c.language for c in plan} == {"fr", "en"}
    phones = [value for c in plan for kind, value in c.identities if kind == "phone"]
    regions = set()
    for raw in phones:
        number = phonenumbers.parse(raw, "FR")
        assert phonenumbers.is_valid_number(number), raw
        regions.add(phonenumbers.region_code_for_number(number))
    assert regions == {"FR", "GB"}


def test_demo_user_can_log_in_and_has_an_inbox(demo, client):
    # given
    advisor = Advisor.objects.get(user__username=DEMO_USERNAME)

    # when
    page = inbox_page(advisor=advisor, limit=100)

    # then
    assert demo.created and demo.demo_inbox == len(page.items) >= 5
    waits = [case.awaiting_reply_since for case in page.items]
    assert waits == sorted(waits)  # the longest wait first
    assert client.login(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    assert advisor.team is not None and advisor.customers.exists()


def test_a_customer_history_spans_at_least_five_channels(demo):
    channels = max(
        Interaction.objects.filter(customer=customer).values("channel").distinct().count()
        for customer in Customer.objects.filter(dedicated_advisor__user__username=DEMO_USERNAME)
    )

    assert channels >= 5


def test_planted_duplicates_are_flagged(demo):
    pairs = PossibleDuplicate.objects.filter(status=PossibleDuplicate.Status.OPEN)

    assert pairs.count() >= 5
    assert demo.possible_duplicates == pairs.count()


def test_case_clocks_match_the_interactions(demo):
    # The inbox is the awaiting_reply_since column: it must equal the oldest inbound
    # contact nobody has answered, exactly as interaction_record keeps it.
    unanswered = dict(
        Interaction.objects.filter(direction="in", first_answered_at__isnull=True)
        .values("case_id")
        .annotate(oldest=Min("occurred_at"))
        .values_list("case_id", "oldest")
    )
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        assert case.awaiting_reply_since == unanswered.get(case.pk), case.pk
        last = case.interactions.order_by("-occurred_at").first()
        assert last is not None and case.last_interaction_at == last.occurred_at
        if case.awaiting_reply_since is not None:
            assert case.status == Case.Status.OPEN


def test_answered_contacts_were_answered_after_they_arrived(demo):
    answered = Interaction.objects.filter(direction="in", first_answered_at__isnull=False)

    assert answered.exists()
    assert all(i.first_answered_at >= i.occurred_at for i in answered)


def test_customers_follow_their_advisor_team_and_have_search_keys(demo):
    for customer in Customer.objects.select_related("dedicated_advisor"):
        if customer.dedicated_advisor is not None:
            assert customer.team_id == customer.dedicated_advisor.team_id
        assert customer.team_id is not None
        assert customer.family_key == customer.family_key.lower()
    assert Identity.objects.filter(kind="email").count() == Customer.objects.count()


def test_loading_twice_changes_nothing(demo):
    # given
    before = (Customer.objects.count(), Interaction.objects.count())

    # when
    again = load_demo(customers=SMALL)

    # then
    assert not again.created
    assert (Customer.objects.count(), Interaction.objects.count()) == before


def test_every_waiting_case_has_a_first_answer_promise(demo):
    waiting = Case.objects.filter(awaiting_reply_since__isnull=False)
    promised = Promise.objects.filter(kind=Promise.Kind.FIRST_ANSWER, case__in=waiting)

    assert waiting.exists()
    assert set(promised.values_list("case_id", flat=True)) == set(
        waiting.values_list("pk", flat=True)
    )


def test_the_demo_advisor_has_callbacks_to_make(demo):
    from suivi.scheduling.models import Callback
    from suivi.scheduling.selectors import callbacks_due

    advisor = Advisor.objects.get(user__username=DEMO_USERNAME)

    due = callbacks_due(advisor=advisor)

    assert len(due) >= 3
    assert all(c.status == Callback.Status.REQUESTED and c.promise_id for c in due)
    assert any(c.source == Callback.Source.MISSED_CALL for c in due)
