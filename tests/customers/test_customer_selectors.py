import pytest

from suivi.customers.models import Customer
from suivi.customers.selectors import customer_by_identity, customer_identities, customers_search
from suivi.customers.services import IdentityInput, customer_create, identity_add

from .. import builders

pytestmark = pytest.mark.django_db


def test_customer_by_identity_is_one_query(django_assert_num_queries):
    # given
    customer = builders.customer(email="anne.roy@example.fr", phone="06 12 34 56 78")

    # when
    with django_assert_num_queries(1):
        found = customer_by_identity(kind="phone", value="+33 6 12 34 56 78")

    # then
    assert found == customer


def test_customer_by_identity_normalises_the_value():
    # given
    customer = builders.customer(email="anne.roy@example.fr")

    # when
    found = customer_by_identity(kind="email", value="  Anne.Roy@EXAMPLE.fr ")

    # then
    assert found == customer


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "nobody@example.fr"), ("email", "not an address"), ("fax", "x")],
)
def test_customer_by_identity_of_an_unknown_identity_is_none(kind, value):
    # given
    builders.customer(email="anne.roy@example.fr")

    # when / then
    assert customer_by_identity(kind=kind, value=value) is None


def test_customer_by_identity_finds_social_handles_and_numbers():
    # given
    customer = customer_create(
        given_name="Anne",
        family_name="Roy",
        identities=[
            IdentityInput("instagram", "@AnneRoy"),
            IdentityInput("customer_number", "cl 0042"),
        ],
    )

    # when / then
    assert customer_by_identity(kind="instagram", value="anneroy") == customer
    assert customer_by_identity(kind="customer_number", value="CL0042") == customer


def test_same_value_may_exist_under_two_kinds():
    # given
    first = customer_create(
        given_name="Anne", family_name="Roy", identities=[IdentityInput("instagram", "anne")]
    )
    second = customer_create(
        given_name="Bea", family_name="Roy", identities=[IdentityInput("tiktok", "anne")]
    )

    # when / then
    assert customer_by_identity(kind="instagram", value="anne") == first
    assert customer_by_identity(kind="tiktok", value="anne") == second


def _search(q: str) -> set[int]:
    return set(customers_search(queryset=Customer.objects.all(), q=q).values_list("pk", flat=True))


def test_search_by_name_prefix_ignores_accents_and_order():
    # given
    helene = builders.customer(given_name="Hélène", family_name="Dupré")
    builders.customer(given_name="Marc", family_name="Durand")

    # when / then
    assert _search("dupr") == {helene.pk}
    assert _search("helene dupre") == {helene.pk}
    assert _search("Dupré Hélène") == {helene.pk}


def test_search_by_email_and_phone():
    # given
    anne = builders.customer(email="anne@example.fr", phone="0612345678")
    builders.customer()

    # when / then
    assert _search("ANNE@example.fr") == {anne.pk}
    assert _search("06 12 34 56 78") == {anne.pk}


def test_search_by_customer_number():
    # given
    anne = builders.customer()
    identity_add(customer=anne, kind="customer_number", value="cl0042")

    # when / then
    assert _search("cl0042") == {anne.pk}


def test_blank_search_returns_everyone():
    # given
    builders.customer()
    builders.customer()

    # when / then
    assert len(_search("  ")) == 2


def test_customer_identities_are_listed_by_kind():
    # given
    customer = builders.customer(email="anne@example.fr", phone="0612345678")

    # when
    identities = customer_identities(customer_id=customer.pk)

    # then
    assert [i.kind for i in identities] == ["email", "phone"]
