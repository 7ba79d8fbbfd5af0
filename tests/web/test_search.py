import pytest

from tests import builders


@pytest.fixture
def found(advisor):
    return builders.customer(
        given_name="Véronique",
        family_name="Lemaire",
        advisor=advisor,
        email="v.lemaire@example.org",
        phone="+33698765432",
    )


@pytest.fixture
def other(advisor):
    return builders.customer(given_name="Paul", family_name="Martin", advisor=advisor)


def _names(response) -> list[str]:
    return [customer.full_name for customer in response.context["results"]]


def test_search_by_email_finds_the_customer(web, found, other):
    # given two customers
    # when I search an e-mail, typed with capitals
    response = web.get("/search/", {"q": "V.Lemaire@Example.org"})

    # then only its owner is found
    assert _names(response) == ["Véronique Lemaire"]


def test_search_by_phone_finds_the_customer(web, found, other):
    # given two customers
    # when I search a phone number as people write it
    response = web.get("/search/", {"q": "06 98 76 54 32"})

    # then its owner is found
    assert _names(response) == ["Véronique Lemaire"]


def test_search_by_name_prefix_ignores_accents_and_case(web, found, other):
    # given two customers
    # when I search the beginning of a name, without its accent
    response = web.get("/search/", {"q": "veron"})

    # then the customer is found
    assert _names(response) == ["Véronique Lemaire"]


def test_search_result_shows_the_dedicated_advisor(web, found, advisor):
    # given a customer with a dedicated advisor
    # when I find them
    page = web.get("/search/", {"q": "lemaire"}).content.decode()

    # then the result names the advisor and links to the file
    assert advisor.display_name in page
    assert f'href="/customers/{found.pk}/"' in page


def test_search_does_not_reveal_customers_of_another_team(web_as, outsider, found):
    # given a customer of our team
    # when an advisor of another team searches their e-mail
    response = web_as(outsider).get("/search/", {"q": "v.lemaire@example.org"})

    # then nothing is found
    assert _names(response) == []


def test_search_runs_a_fixed_number_of_queries(web, advisor, django_assert_num_queries):
    # given many customers sharing a family name
    for _ in range(12):
        builders.customer(family_name="Lefebvre", advisor=advisor, phone=None)

    # when I search that name
    # then customers and their identities come in two queries (after session, user, advisor)
    with django_assert_num_queries(5):
        response = web.get("/search/", {"q": "lefebvre"})
    assert len(response.context["results"]) == 12
