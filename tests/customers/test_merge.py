import threading
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import connection, models, transaction

from suivi.conversations.models import Case, Handoff, Interaction
from suivi.conversations.services import case_hand_over
from suivi.core import clock
from suivi.core.errors import NotFound
from suivi.customers.models import Customer, CustomerMerge, Identity, PossibleDuplicate
from suivi.customers.services import (
    MergeWithItself,
    customers_merge,
    duplicate_dismiss,
    duplicates_detect,
)

from .. import builders

pytestmark = pytest.mark.django_db


def _customer_foreign_keys() -> list[tuple[type[models.Model], models.ForeignKey]]:
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is Customer
    ]


def _history(advisor, colleague):
    """Two customers, the duplicate with a bit of everything."""
    keep = builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    duplicate = builders.customer(
        given_name="Anne", family_name="Roy", email="anne.roy@example.fr", phone="0612345678"
    )
    case = builders.case(customer=duplicate, owner=advisor)
    builders.inbound(case)
    builders.answer(case, advisor)
    case_hand_over(case=case, to=colleague, by=advisor, context_note="Attend un avoir.")
    return keep, duplicate, case


def test_merge_moves_identities_cases_and_interactions(advisor, colleague):
    # given
    keep, duplicate, case = _history(advisor, colleague)

    # when
    customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    assert set(Identity.objects.filter(customer=keep).values_list("value", flat=True)) == {
        "anne@example.fr",
        "anne.roy@example.fr",
        "+33612345678",
    }
    case.refresh_from_db()
    assert case.customer_id == keep.pk
    assert Interaction.objects.filter(customer=keep).count() == 2
    assert Handoff.objects.get().case.customer_id == keep.pk
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_merge_leaves_no_foreign_key_pointing_at_the_duplicate(advisor, colleague):
    # given
    keep, duplicate, _case = _history(advisor, colleague)
    third = builders.customer(given_name="Zoé", family_name="Blanc", email="anne.roy+z@example.fr")
    duplicates_detect(customer_id=duplicate.pk)
    earlier = builders.customer(given_name="Anne", family_name="Roy")
    customers_merge(keep=duplicate, duplicate=earlier, by=advisor)
    assert PossibleDuplicate.objects.filter(other=third).exists()

    # when
    customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    foreign_keys = _customer_foreign_keys()
    assert {model for model, _field in foreign_keys} >= {
        Identity,
        Case,
        Interaction,
        PossibleDuplicate,
        CustomerMerge,
    }
    for model, field in foreign_keys:
        leftovers = model._default_manager.filter(**{field.attname: duplicate.pk})
        assert not leftovers.exists(), f"{model._meta.label}.{field.name} still points at it"


def test_merge_records_who_merged_what_and_when(advisor, colleague):
    # given
    keep, duplicate, _case = _history(advisor, colleague)
    moment = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)

    # when
    with clock.frozen_at(moment):
        customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    merge = CustomerMerge.objects.get()
    assert merge.kept_id == keep.pk
    assert merge.duplicate_id == duplicate.pk
    assert merge.merged_by == advisor
    assert merge.merged_at == moment
    assert merge.duplicate_snapshot["family_name"] == "Roy"
    assert merge.moved["customers.Identity.customer"] == 2
    assert merge.moved["conversations.Case.customer"] == 1
    assert merge.moved["conversations.Interaction.customer"] == 2


def test_merge_with_itself_is_refused(advisor):
    # given
    customer = builders.customer()

    # when / then
    with pytest.raises(MergeWithItself):
        customers_merge(keep=customer, duplicate=customer, by=advisor)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_merge_fills_empty_preferences_from_the_duplicate(advisor):
    # given
    keep = builders.customer(contact_hours="le matin")
    duplicate = builders.customer(
        advisor=advisor,
        address_as="Mme Roy",
        preferred_channel="phone",
        contact_hours="après 18 h",
    )

    # when
    kept = customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    kept.refresh_from_db()
    assert kept.address_as == "Mme Roy"
    assert kept.preferred_channel == "phone"
    assert kept.contact_hours == "le matin"
    assert kept.dedicated_advisor == advisor
    assert kept.team_id == advisor.team_id


def test_merge_moves_pairs_with_other_customers_to_the_kept_one(advisor):
    # given
    keep = builders.customer(given_name="Anne", family_name="Roy", email="a@example.fr")
    duplicate = builders.customer(given_name="Zoé", family_name="Blanc", email="z@example.fr")
    third = builders.customer(given_name="Luc", family_name="Noir", email="z+1@example.fr")
    duplicates_detect(customer_id=third.pk)

    # when
    customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    assert list(PossibleDuplicate.objects.values_list("customer_id", "other_id", "status")) == [
        (keep.pk, third.pk, PossibleDuplicate.Status.OPEN)
    ]


def test_merge_keeps_a_dismissed_pair_dismissed(advisor):
    # given
    keep = builders.customer(given_name="Anne", family_name="Roy", email="a@example.fr")
    duplicate = builders.customer(given_name="Zoé", family_name="Blanc", email="z@example.fr")
    third = builders.customer(given_name="Luc", family_name="Noir", email="z+1@example.fr")
    (pair,) = duplicates_detect(customer_id=third.pk)
    duplicate_dismiss(pair=pair)

    # when
    customers_merge(keep=keep, duplicate=duplicate, by=advisor)
    found = duplicates_detect(customer_id=keep.pk)

    # then
    assert found == []
    assert list(PossibleDuplicate.objects.values_list("customer_id", "other_id", "status")) == [
        (keep.pk, third.pk, PossibleDuplicate.Status.DISMISSED)
    ]


def test_merge_drops_the_pair_of_the_two_merged_customers(advisor):
    # given
    keep = builders.customer(given_name="Anne", family_name="Roy", email="a@example.fr")
    duplicate = builders.customer(given_name="Zoé", family_name="Blanc", email="a+1@example.fr")
    duplicates_detect(customer_id=duplicate.pk)

    # when
    customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    assert not PossibleDuplicate.objects.exists()


def test_merge_of_a_customer_already_merged_away_is_not_found(advisor):
    # given
    keep = builders.customer()
    duplicate = builders.customer()
    other = builders.customer()
    customers_merge(keep=other, duplicate=duplicate, by=advisor)

    # when / then
    with pytest.raises(NotFound):
        customers_merge(keep=keep, duplicate=duplicate, by=advisor)


def test_merge_rechecks_the_kept_customer_for_duplicates_after_commit(
    advisor, django_capture_on_commit_callbacks
):
    # given
    keep = builders.customer(given_name="Anne", family_name="Roy", email="a@example.fr")
    duplicate = builders.customer(given_name="Zoé", family_name="Blanc", email="z@example.fr")
    third = builders.customer(given_name="Luc", family_name="Noir", email="z+1@example.fr")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    assert set(PossibleDuplicate.objects.values_list("customer_id", "other_id")) == {
        (keep.pk, third.pk)
    }


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_merge_waits_for_a_concurrent_merge_and_then_finds_the_duplicate_gone(team):
    # given
    advisor = builders.advisor(team=team)
    keep = builders.customer(advisor=advisor)
    duplicate = builders.customer(advisor=advisor)
    other = builders.customer(advisor=advisor)
    outcome: dict[str, object] = {}
    started = threading.Event()

    def second_merge() -> None:
        try:
            started.set()
            customers_merge(keep=keep, duplicate=duplicate, by=advisor)
            outcome["result"] = "merged"
        except Exception as error:
            outcome["result"] = error
        finally:
            connection.close()

    # when: a first merge holds the rows while a second one starts
    with transaction.atomic():
        customers_merge(keep=other, duplicate=duplicate, by=advisor)
        thread = threading.Thread(target=second_merge)
        thread.start()
        started.wait(5)
        thread.join(0.5)
        assert thread.is_alive(), f"the second merge did not wait for the first: {outcome}"
    thread.join(10)

    # then
    assert isinstance(outcome["result"], NotFound)
    assert Customer.objects.filter(pk=keep.pk).exists()
    assert CustomerMerge.objects.count() == 1


def test_merge_fills_an_empty_given_name_and_its_search_key(advisor):
    # given
    keep = builders.customer(given_name="", family_name="Roy")
    duplicate = builders.customer(given_name="Hélène", family_name="Roy")

    # when
    kept = customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    kept.refresh_from_db()
    assert kept.given_name == "Hélène"
    assert kept.given_key == "helene"


def test_merge_gives_the_customer_the_team_of_the_dedicated_advisor_it_gains(advisor, outsider):
    # given
    keep = builders.customer(team=outsider.team)
    duplicate = builders.customer(advisor=advisor)

    # when
    kept = customers_merge(keep=keep, duplicate=duplicate, by=advisor)

    # then
    kept.refresh_from_db()
    assert kept.team_id == advisor.team_id
