from datetime import UTC, datetime, timedelta

import pytest

from suivi.conversations.selectors import customer_file, inbox_page, my_customers, timeline_page
from suivi.conversations.services import case_hand_over, case_update
from suivi.core.pagination import InvalidCursor

from .. import builders

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _history(advisor, colleague, *, interactions: int):
    customer = builders.customer(advisor=advisor, phone="0612345678")
    cases = [builders.case(customer=customer, subject=f"Sujet {n}") for n in range(3)]
    case_hand_over(case=cases[0], to=colleague, by=advisor, context_note="Avoir promis.")
    for n in range(interactions):
        case = cases[n % 3]
        if n % 2:
            builders.answer(
                case, colleague if case is cases[0] else advisor, occurred_at=MONDAY + n * MINUTE
            )
        else:
            builders.inbound(case, occurred_at=MONDAY + n * MINUTE)
    return customer


def _read_file(customer) -> None:
    file = customer_file(customer=customer)
    for case in file.open_cases:
        _ = (case.owner, case.last_handoff_note)
    for interaction in file.timeline.items:
        _ = interaction.author_advisor
    for identity in file.identities:
        _ = identity.value


@pytest.mark.parametrize("interactions", [3, 200])
def test_customer_file_runs_three_queries_whatever_the_history(
    advisor, colleague, interactions, django_assert_num_queries
):
    # given
    customer = _history(advisor, colleague, interactions=interactions)

    # when / then
    with django_assert_num_queries(3):
        _read_file(customer)


def test_customer_file_shows_open_cases_with_their_last_handoff(advisor, colleague):
    # given
    customer = builders.customer(advisor=advisor)
    handed = builders.case(customer=customer, subject="Relais")
    case_hand_over(case=handed, to=colleague, by=advisor, context_note="Avoir promis.")
    done = builders.case(customer=customer, subject="Fini")
    case_update(case=done, changes={"status": "resolved"})

    # when
    file = customer_file(customer=customer)

    # then
    assert [c.subject for c in file.open_cases] == ["Relais"]
    assert file.open_cases[0].last_handoff_note == "Avoir promis."


def test_timeline_is_newest_first_across_cases_and_channels(advisor):
    # given
    customer = builders.customer(advisor=advisor)
    first = builders.case(customer=customer)
    second = builders.case(customer=customer)
    a = builders.inbound(first, occurred_at=MONDAY, channel="phone")
    b = builders.inbound(second, occurred_at=MONDAY + MINUTE, channel="email")
    c = builders.answer(first, advisor, occurred_at=MONDAY + 2 * MINUTE, channel="sms")

    # when
    page = timeline_page(customer_id=customer.pk)

    # then
    assert page.items == [c, b, a]


def test_timeline_pages_do_not_repeat_or_lose_contacts_at_the_same_minute(advisor):
    # given
    customer = builders.customer(advisor=advisor)
    case = builders.case(customer=customer)
    made = {builders.inbound(case, occurred_at=MONDAY).pk for _ in range(5)}

    # when
    first = timeline_page(case_id=case.pk, limit=2)
    second = timeline_page(case_id=case.pk, limit=2, cursor=first.next_cursor)
    third = timeline_page(case_id=case.pk, limit=2, cursor=second.next_cursor)

    # then
    served = [i.pk for page in (first, second, third) for i in page.items]
    assert sorted(served) == sorted(made)
    assert third.next_cursor is None


def test_timeline_refuses_an_invalid_cursor(advisor):
    # given
    customer = builders.customer(advisor=advisor)

    # when / then
    with pytest.raises(InvalidCursor):
        timeline_page(customer_id=customer.pk, cursor="garbage")


def test_timeline_needs_a_customer_or_a_case():
    with pytest.raises(ValueError):
        timeline_page()


def _waiting_cases(owner, count: int, *, start: datetime = MONDAY):
    cases = []
    for n in range(count):
        case = builders.case(customer=builders.customer(advisor=owner))
        builders.inbound(case, occurred_at=start + n * MINUTE)
        cases.append(case)
    return cases


def test_inbox_lists_the_owners_waiting_cases_longest_wait_first(advisor, colleague):
    # given
    waiting = _waiting_cases(advisor, 3)
    answered = builders.case(customer=builders.customer(advisor=advisor))
    builders.inbound(answered, occurred_at=MONDAY - MINUTE)
    builders.answer(answered, advisor, occurred_at=MONDAY)
    _waiting_cases(colleague, 2, start=MONDAY - timedelta(days=1))
    builders.case(customer=builders.customer(advisor=advisor))

    # when
    page = inbox_page(advisor=advisor)

    # then
    assert [c.pk for c in page.items] == [c.pk for c in waiting]


def test_inbox_flags_an_unseen_handoff(advisor, colleague):
    # given
    (case,) = _waiting_cases(colleague, 1)
    case_hand_over(case=case, to=advisor, by=colleague, context_note="Urgent.")

    # when
    (item,) = inbox_page(advisor=advisor).items

    # then
    assert item.unseen_handoff is True


@pytest.mark.parametrize("count", [3, 60])
def test_inbox_page_is_one_query_whatever_its_size(advisor, count, django_assert_num_queries):
    # given
    _waiting_cases(advisor, count)

    # when / then
    with django_assert_num_queries(1):
        page = inbox_page(advisor=advisor, limit=50)
        for case in page.items:
            _ = (case.customer.full_name, case.unseen_handoff)


def test_inbox_pages_serve_each_case_once_with_equal_waits(advisor):
    # given
    made = [c.pk for c in _waiting_cases(advisor, 3)]
    made += [c.pk for c in _waiting_cases(advisor, 4, start=MONDAY + MINUTE)]

    # when
    served, cursor = [], None
    while True:
        page = inbox_page(advisor=advisor, cursor=cursor, limit=2)
        served += [c.pk for c in page.items]
        if not (cursor := page.next_cursor):
            break

    # then
    assert sorted(served) == sorted(made)
    assert len(served) == len(made)


def test_my_customers_are_the_advisors_dedicated_customers_by_name(advisor, colleague):
    # given
    b = builders.customer(advisor=advisor, family_name="Blanc")
    a = builders.customer(advisor=advisor, family_name="Abel")
    builders.customer(advisor=colleague, family_name="Aaron")

    # when / then
    assert my_customers(advisor=advisor) == [a, b]
