import pytest

from suivi.customers.models import PossibleDuplicate
from suivi.customers.services import customer_update, identity_add
from suivi.customers.tasks import detect_duplicates

from .. import builders

pytestmark = pytest.mark.django_db


def test_detect_duplicates_task_runs_the_detection():
    # given
    builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zoé", family_name="Blanc", email="anne+x@example.fr")

    # when
    result = detect_duplicates.enqueue(customer_id=two.pk)

    # then
    assert result.return_value == 1
    assert PossibleDuplicate.objects.count() == 1


def test_customer_create_enqueues_the_detection_after_commit(django_capture_on_commit_callbacks):
    # given
    one = builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        two = builders.customer(given_name="Zoé", family_name="Blanc", email="anne+x@example.fr")

    # then
    assert len(callbacks) == 1
    assert set(PossibleDuplicate.objects.values_list("customer_id", "other_id")) == {
        (one.pk, two.pk)
    }


def test_nothing_is_enqueued_before_commit():
    # given
    builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")

    # when: the test transaction never commits
    builders.customer(given_name="Zoé", family_name="Blanc", email="anne+x@example.fr")

    # then
    assert not PossibleDuplicate.objects.exists()


def test_identity_add_enqueues_the_detection_after_commit(django_capture_on_commit_callbacks):
    # given
    one = builders.customer(given_name="Anne", family_name="Roy", email="anne@example.fr")
    two = builders.customer(given_name="Zoé", family_name="Blanc")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        identity_add(customer=two, kind="email", value="anne+banque@example.fr")

    # then
    assert PossibleDuplicate.objects.filter(customer=one, other=two).exists()


def test_renaming_enqueues_the_detection_after_commit(django_capture_on_commit_callbacks):
    # given
    one = builders.customer(given_name="Hélène", family_name="Dupont")
    two = builders.customer(given_name="Marc", family_name="Blanc")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=two, changes={"given_name": "Helene", "family_name": "Dupond"})

    # then
    assert PossibleDuplicate.objects.filter(customer=one, other=two).exists()
