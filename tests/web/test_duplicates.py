import pytest
from django.utils.html import escape

from suivi.conversations.models import Interaction
from suivi.customers import services as customers
from suivi.customers.models import Customer, PossibleDuplicate
from tests import builders


@pytest.fixture
def pair(advisor):
    """The same person known twice, through a tagged e-mail address."""
    first = builders.customer(
        given_name="Jean", family_name="Dupont", advisor=advisor, email="jean.dupont@example.org"
    )
    second = builders.customer(
        given_name="Jean",
        family_name="Dupont",
        advisor=advisor,
        email="jean.dupont+shop@example.org",
    )
    customers.duplicates_detect(customer_id=second.pk)
    return first, second


def test_duplicates_page_lists_the_pair_with_its_reason(web, pair):
    # given a possible duplicate
    # when I open the review page
    page = web.get("/customers/duplicates/").content.decode()

    # then both e-mail addresses and the reason are shown
    assert "jean.dupont@example.org" in page
    assert "jean.dupont+shop@example.org" in page
    assert "même adresse e-mail" in page


def test_merge_folds_the_duplicate_and_its_history_into_the_kept_customer(web, pair):
    # given a possible duplicate with its own history
    keep, duplicate = pair
    case = builders.case(customer=duplicate)
    builders.inbound(case, text="Écrit sur l'autre fiche")

    # when I merge it from the review page
    response = web.post(f"/customers/{keep.pk}/merge/", {"duplicate_id": duplicate.pk})

    # then I land on the kept file, which holds the history
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{keep.pk}/"
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert Interaction.objects.get(text="Écrit sur l'autre fiche").customer_id == keep.pk


def test_merge_with_itself_is_refused_with_a_message(web, pair):
    # given a customer
    keep, _duplicate = pair

    # when a merge into itself is posted
    response = web.post(f"/customers/{keep.pk}/merge/", {"duplicate_id": keep.pk})

    # then the service's message is shown with its 4xx status
    assert response.status_code == 422
    assert escape(str(customers.MergeWithItself.default_message)) in response.content.decode()


def test_merge_with_a_customer_i_cannot_see_is_not_found(web, pair, outsider):
    # given a customer of another team
    hidden = builders.customer(advisor=outsider)
    keep, _duplicate = pair

    # when I try to merge it into mine
    response = web.post(f"/customers/{keep.pk}/merge/", {"duplicate_id": hidden.pk})

    # then it looks absent and survives
    assert response.status_code == 404
    assert Customer.objects.filter(pk=hidden.pk).exists()


def test_not_a_duplicate_dismisses_the_pair(web, pair):
    # given a possible duplicate
    review = PossibleDuplicate.objects.get()

    # when I say they are two people
    response = web.post(f"/customers/duplicates/{review.pk}/dismiss/")

    # then the pair leaves the review list
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == PossibleDuplicate.Status.DISMISSED
    assert "jean.dupont+shop@example.org" not in web.get("/customers/duplicates/").content.decode()


def test_outsider_cannot_dismiss_our_pair(web_as, outsider, pair):
    # given a possible duplicate of our team
    review = PossibleDuplicate.objects.get()

    # when an advisor of another team dismisses it
    response = web_as(outsider).post(f"/customers/duplicates/{review.pk}/dismiss/")

    # then it looks absent and stays open
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == PossibleDuplicate.Status.OPEN
