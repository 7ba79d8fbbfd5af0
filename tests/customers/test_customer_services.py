import threading

import pytest
from django.db import connection, transaction

from suivi.core.errors import InvalidInput
from suivi.customers.identities import InvalidIdentity
from suivi.customers.models import Customer, Identity
from suivi.customers.services import (
    CustomerNameRequired,
    IdentityInput,
    IdentityTaken,
    customer_create,
    customer_create_for_identity,
    customer_update,
    identity_add,
)

from .. import builders

pytestmark = pytest.mark.django_db


def test_customer_create_stores_normalised_identities(advisor):
    # when
    customer = customer_create(
        given_name=" Nicolas ",
        family_name="Lefèvre",
        dedicated_advisor=advisor,
        identities=[
            IdentityInput("email", "Nicolas.Lefevre@Example.FR"),
            IdentityInput("phone", "06 12 34 56 78"),
            IdentityInput("email", "nicolas.lefevre@example.fr"),
        ],
    )

    # then
    assert customer.given_name == "Nicolas"
    assert customer.family_key == "lefevre"
    assert set(customer.identities.values_list("kind", "value")) == {
        ("email", "nicolas.lefevre@example.fr"),
        ("phone", "+33612345678"),
    }


def test_customer_follows_the_dedicated_advisors_team(advisor, outsider):
    # when
    customer = builders.customer(advisor=advisor, team=outsider.team)

    # then
    assert customer.team_id == advisor.team_id


def test_customer_without_advisor_follows_the_given_team(team):
    # when
    customer = builders.customer(team=team)

    # then
    assert customer.team_id == team.pk


def test_customer_create_needs_a_name():
    with pytest.raises(CustomerNameRequired):
        customer_create(given_name=" ", family_name="")


def test_customer_create_refuses_an_identity_of_another_customer():
    # given
    builders.customer(email="anne@example.fr")

    # when / then
    with pytest.raises(IdentityTaken):
        builders.customer(email="ANNE@example.fr")
    assert Customer.objects.count() == 1


def test_customer_create_refuses_an_invalid_identity():
    with pytest.raises(InvalidIdentity):
        builders.customer(phone="12")


@pytest.mark.parametrize(("field", "value"), [("language", "de"), ("preferred_channel", "pigeon")])
def test_customer_create_refuses_an_unknown_choice(field, value):
    with pytest.raises(InvalidInput):
        builders.customer(**{field: value})


def test_customer_update_saves_the_changes_and_name_keys():
    # given
    customer = builders.customer()

    # when
    customer_update(
        customer=customer, changes={"family_name": "Dupré", "contact_hours": "après 18 h"}
    )

    # then
    customer.refresh_from_db()
    assert customer.family_name == "Dupré"
    assert customer.family_key == "dupre"
    assert customer.contact_hours == "après 18 h"


def test_customer_update_refuses_unknown_fields():
    # given
    customer = builders.customer()

    # when / then
    with pytest.raises(InvalidInput):
        customer_update(customer=customer, changes={"created_at": None})


@pytest.mark.parametrize(("field", "value"), [("language", "de"), ("preferred_channel", "fax")])
def test_customer_update_refuses_an_unknown_choice(field, value):
    # given
    customer = builders.customer()

    # when / then
    with pytest.raises(InvalidInput):
        customer_update(customer=customer, changes={field: value})


def test_customer_update_refusing_an_empty_name_leaves_the_customer_unchanged():
    # given
    customer = builders.customer(given_name="Anne", family_name="Roy")

    # when
    with pytest.raises(CustomerNameRequired):
        customer_update(customer=customer, changes={"given_name": "", "family_name": " "})

    # then
    assert customer.full_name == "Anne Roy"


def test_new_dedicated_advisor_brings_their_team(advisor, outsider):
    # given
    customer = builders.customer(advisor=advisor)

    # when
    customer_update(customer=customer, changes={"dedicated_advisor": outsider})

    # then
    customer.refresh_from_db()
    assert customer.dedicated_advisor == outsider
    assert customer.team_id == outsider.team_id


def test_dedicated_advisor_without_team_keeps_the_customers_team(advisor, admin):
    # given
    customer = builders.customer(advisor=advisor)

    # when
    customer_update(customer=customer, changes={"dedicated_advisor": admin})

    # then
    customer.refresh_from_db()
    assert customer.team_id == advisor.team_id


def test_identity_add_gives_the_customer_a_new_identity():
    # given
    customer = builders.customer()

    # when
    identity, created = identity_add(customer=customer, kind="phone", value="+33 6 11 22 33 44")

    # then
    assert created
    assert identity.customer == customer
    assert identity.value == "+33611223344"


def test_identity_add_of_an_identity_already_held_is_a_no_op():
    # given
    customer = builders.customer(email="anne@example.fr")

    # when
    identity, created = identity_add(customer=customer, kind="email", value="Anne@Example.fr")

    # then
    assert not created
    assert Identity.objects.filter(customer=customer).count() == 1
    assert identity.value == "anne@example.fr"


def test_identity_add_refuses_an_identity_of_another_customer():
    # given
    builders.customer(email="anne@example.fr")
    other = builders.customer()

    # when / then
    with pytest.raises(IdentityTaken):
        identity_add(customer=other, kind="email", value="anne@example.fr")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_identity_taken_by_a_concurrent_request_is_identity_taken():
    # given
    first = builders.customer(email="first@example.fr")
    second = builders.customer(email="second@example.fr")
    outcome: dict[str, object] = {}

    def concurrent_add() -> None:
        try:
            identity_add(customer=second, kind="email", value="anne@example.fr")
            outcome["result"] = "added"
        except Exception as error:  # reported to the main thread
            outcome["result"] = error
        finally:
            connection.close()

    # when: our insert is not committed yet when the other request checks
    with transaction.atomic():
        identity_add(customer=first, kind="email", value="anne@example.fr")
        thread = threading.Thread(target=concurrent_add)
        thread.start()
        thread.join(0.5)
    thread.join(10)

    # then
    assert isinstance(outcome["result"], IdentityTaken)
    assert Identity.objects.get(value="anne@example.fr").customer_id == first.pk


def test_customer_create_for_identity_creates_the_customer_and_their_identity():
    # when an unknown address writes
    customer, created = customer_create_for_identity(
        identity=IdentityInput("email", "Nouveau@Example.org"),
        given_name="Nouveau",
        family_name="Client",
        language="en",
        preferred_channel="email",
    )

    # then the customer is stored with the normalised identity and their name keys
    assert created
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.given_name, stored.family_key, stored.language) == ("Nouveau", "client", "en")
    assert list(stored.identities.values_list("kind", "value")) == [
        ("email", "nouveau@example.org")
    ]


def test_customer_create_for_identity_returns_whoever_took_the_identity_meanwhile():
    # given the address taken by another customer after the caller looked it up
    holder = builders.customer(given_name="Anne", family_name="Déjà", email="anne@example.org")
    customers = Customer.objects.count()

    # when the caller creates its own customer for it
    customer, created = customer_create_for_identity(
        identity=IdentityInput("email", "anne@example.org"), given_name="A", family_name="D"
    )

    # then the holder comes back and no customer without identity is left behind
    assert (customer.pk, created) == (holder.pk, False)
    assert Customer.objects.count() == customers


def test_customer_create_for_identity_refuses_an_invalid_identity_before_writing():
    # given a transaction that must go on (no savepoint around the call)
    from suivi.core import db

    with transaction.atomic(), db.no_nested_savepoints():
        # when
        with pytest.raises(InvalidIdentity):
            customer_create_for_identity(
                identity=IdentityInput("email", "a..b@example.org"), given_name="A", family_name=""
            )

        # then the transaction is still usable, and nothing was written
        assert not Customer.objects.exists()
