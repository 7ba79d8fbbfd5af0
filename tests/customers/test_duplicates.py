import pytest
from django.db import connection

from suivi.conversations.selectors import customers_visible_to
from suivi.customers.models import PossibleDuplicate
from suivi.customers.selectors import possible_duplicates
from suivi.customers.services import (
    IdentityInput,
    customer_create,
    duplicate_dismiss,
    duplicates_detect,
    duplicates_detect_many,
    identity_add,
)

from .. import builders

pytestmark = pytest.mark.django_db


def _pairs() -> set[tuple[int, int]]:
    return set(PossibleDuplicate.objects.values_list("customer_id", "other_id"))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("anne.roy@example.fr", "anne.roy+banque@example.fr"),
        ("anne.roy@gmail.com", "anneroy@googlemail.com"),
        ("a.roy+x@gmail.com", "aroy@gmail.com"),
    ],
)
def test_same_loose_email_is_a_possible_duplicate(first, second):
    # given
    one = builders.customer(given_name="Anne", family_name="Roy", email=first)
    two = builders.customer(given_name="Zélie", family_name="Blanc", email=second)

    # when
    found = duplicates_detect(customer_id=two.pk)

    # then
    assert [(p.customer_id, p.other_id) for p in found] == [(one.pk, two.pk)]
    assert found[0].reason == PossibleDuplicate.Reason.SAME_EMAIL


def test_same_national_phone_number_is_a_possible_duplicate():
    # given
    one = builders.customer(given_name="Anne", family_name="Roy", phone="04 70 12 34 56")
    two = builders.customer(given_name="Zélie", family_name="Blanc")
    identity_add(customer=two, kind="phone", value="+32 470 12 34 56")

    # when
    duplicates_detect(customer_id=one.pk)

    # then
    assert _pairs() == {(one.pk, two.pk)}


def test_very_similar_name_is_a_possible_duplicate():
    # given
    one = builders.customer(given_name="Hélène", family_name="Dupont")
    two = builders.customer(given_name="Helene", family_name="Dupond")

    # when
    duplicates_detect(customer_id=two.pk)

    # then
    assert _pairs() == {(one.pk, two.pk)}


def test_different_people_are_not_flagged():
    # given
    builders.customer(given_name="Hélène", family_name="Dupont", email="helene@example.fr")
    two = builders.customer(given_name="Marc", family_name="Dupuis", email="marc@example.fr")

    # when
    found = duplicates_detect(customer_id=two.pk)

    # then
    assert found == []
    assert _pairs() == set()


def test_a_handle_equal_to_a_phone_number_is_not_a_duplicate():
    # given
    one = customer_create(
        given_name="Anne", family_name="Roy", identities=[IdentityInput("phone", "0612345678")]
    )
    two = customer_create(
        given_name="Zélie",
        family_name="Blanc",
        identities=[IdentityInput("customer_number", "612345678")],
    )

    # when
    duplicates_detect(customer_id=one.pk)
    duplicates_detect(customer_id=two.pk)

    # then
    assert _pairs() == set()


def test_pair_is_stored_once_lowest_id_first_whichever_side_detects():
    # given
    one = builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zélie", family_name="Blanc", email="anne+x@example.fr")

    # when
    duplicates_detect(customer_id=two.pk)
    duplicates_detect(customer_id=one.pk)

    # then
    assert list(PossibleDuplicate.objects.values_list("customer_id", "other_id")) == [
        (one.pk, two.pk)
    ]


def test_duplicates_detect_is_idempotent():
    # given
    builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zélie", family_name="Blanc", email="anne+x@example.fr")
    duplicates_detect(customer_id=two.pk)

    # when
    again = duplicates_detect(customer_id=two.pk)

    # then
    assert len(again) == 1
    assert PossibleDuplicate.objects.count() == 1


def test_dismissed_pair_stays_dismissed():
    # given
    builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zélie", family_name="Blanc", email="anne+x@example.fr")
    (pair,) = duplicates_detect(customer_id=two.pk)
    duplicate_dismiss(pair=pair)

    # when
    found = duplicates_detect(customer_id=two.pk)

    # then
    assert found == []
    pair.refresh_from_db()
    assert pair.status == PossibleDuplicate.Status.DISMISSED


def test_detecting_a_deleted_customer_does_nothing():
    assert duplicates_detect(customer_id=987654) == []


def test_review_list_shows_open_pairs_the_reviewer_can_see(advisor, outsider):
    # given
    mine = builders.customer(advisor=advisor, email="anne@example.fr")
    also_mine = builders.customer(advisor=advisor, email="anne+x@example.fr")
    theirs = builders.customer(advisor=outsider, email="anne+y@example.fr")
    duplicates_detect(customer_id=also_mine.pk)
    duplicates_detect(customer_id=theirs.pk)

    # when
    pairs = list(possible_duplicates(visible=customers_visible_to(advisor)))

    # then
    assert [(p.customer_id, p.other_id) for p in pairs] == [(mine.pk, also_mine.pk)]


def test_several_new_customers_are_compared_at_once_and_with_each_other(
    django_assert_max_num_queries,
):
    # given known customers, and new ones: a namesake, the holder of a known address's
    # variant, two newcomers alike, and someone else entirely
    anne = builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    helene = builders.customer(given_name="Hélène", family_name="Dupont")
    new = [
        builders.customer(given_name="Helene", family_name="Dupond"),
        builders.customer(given_name="Zélie", family_name="Blanc", email="anne+x@example.fr"),
        builders.customer(given_name="Marc", family_name="Lefebvre"),
        builders.customer(given_name="Marc", family_name="Lefèvre"),
        builders.customer(given_name="Paul", family_name="Martin", email="paul@example.fr"),
    ]

    # when they are compared together, in five statements whatever their number (the
    # customers, their identities, the same identities, the namesakes, the pairs; and
    # a savepoint and its release inside the test's transaction). SQLite cannot limit
    # each part of a UNION: one namesakes query per customer there.
    limit = 7 if connection.vendor == "postgresql" else 6 + len(new)
    with django_assert_max_num_queries(limit):
        found = duplicates_detect_many(customer_ids=[c.pk for c in new])

    # then the same pairs as one by one, each once
    assert found == 3
    assert _pairs() == {
        (helene.pk, new[0].pk),
        (anne.pk, new[1].pk),
        (new[2].pk, new[3].pk),
    }
    reasons = dict(PossibleDuplicate.objects.values_list("other_id", "reason"))
    assert reasons[new[1].pk] == PossibleDuplicate.Reason.SAME_EMAIL
    assert reasons[new[0].pk] == PossibleDuplicate.Reason.SIMILAR_NAME


def test_comparing_customers_at_once_is_idempotent_and_knows_nobody_unknown():
    # given a pair already flagged and dismissed
    builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zélie", family_name="Blanc", email="anne+x@example.fr")
    (pair,) = duplicates_detect(customer_id=two.pk)
    duplicate_dismiss(pair=pair)

    # when compared again, with an id nobody has
    assert duplicates_detect_many(customer_ids=[two.pk, 999_999]) == 1
    assert duplicates_detect_many(customer_ids=[999_999]) == 0

    # then the pair is still the one, still dismissed
    assert list(PossibleDuplicate.objects.values_list("status", flat=True)) == [
        PossibleDuplicate.Status.DISMISSED
    ]


def test_a_common_name_does_not_crowd_out_another_customer_s_namesakes(monkeypatch):
    # given at most two names compared per customer, a new customer with many namesakes
    # and another with one
    from suivi.customers import services

    monkeypatch.setattr(services, "_NAMESAKES_PER_CUSTOMER", 2)
    for _ in range(5):
        builders.customer(given_name="Marie", family_name="Martin")
    louise = builders.customer(given_name="Louise", family_name="Bernard")
    new = [
        builders.customer(given_name="Marie", family_name="Martins"),
        builders.customer(given_name="Louise", family_name="Bernart"),
    ]

    # when both are compared at once
    duplicates_detect_many(customer_ids=[c.pk for c in new])

    # then the second still found her namesake, and the first two of hers at most
    pairs = _pairs()
    assert (louise.pk, new[1].pk) in pairs
    assert len([p for p in pairs if new[0].pk in p]) == 2


def test_an_address_many_customers_share_flags_a_bounded_number(monkeypatch):
    # given at most two shared identities read per customer, and five customers with
    # variants of one shop's address
    from suivi.customers import services

    monkeypatch.setattr(services, "_SHARED_PER_CUSTOMER", 2)
    for n in range(5):
        builders.customer(given_name=f"Client{n}", family_name="Boutique",
                          email=f"shop+{n}@example.fr")  # fmt: skip
    newcomer = builders.customer(given_name="Zélie", family_name="Blanc", email="shop@example.fr")

    # when the newcomer is compared
    duplicates_detect_many(customer_ids=[newcomer.pk])

    # then a couple of pairs to review, not one per holder of the address
    assert 1 <= len([p for p in _pairs() if newcomer.pk in p]) <= 2
