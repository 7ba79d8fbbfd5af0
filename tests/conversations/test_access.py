import pytest

from suivi.conversations.selectors import case_access, customer_access, customers_visible_to
from suivi.conversations.services import case_hand_over
from suivi.core.errors import NotFound
from suivi.people.services import advisor_set_backup

from .. import builders

pytestmark = pytest.mark.django_db


def _visible(advisor) -> set[int]:
    return set(customers_visible_to(advisor).values_list("pk", flat=True))


def test_advisor_sees_the_customers_of_their_team(advisor, colleague):
    # given
    of_colleague = builders.customer(advisor=colleague)
    of_team = builders.customer(team=advisor.team)

    # when / then
    assert _visible(advisor) == {of_colleague.pk, of_team.pk}


def test_advisor_does_not_see_another_teams_customers(advisor, outsider):
    # given
    builders.customer(advisor=outsider)

    # when / then
    assert _visible(advisor) == set()


def test_backup_sees_the_customers_of_the_advisor_they_back_up(advisor, outsider):
    # given
    theirs = builders.customer(advisor=outsider)
    advisor_set_backup(advisor=outsider, backup=advisor)

    # when / then
    assert _visible(advisor) == {theirs.pk}


def test_advisor_sees_the_customer_of_a_case_they_own(advisor, outsider):
    # given
    theirs = builders.customer(advisor=outsider)
    case = builders.case(customer=theirs)
    case_hand_over(case=case, to=advisor, by=outsider, context_note="Parle allemand.")

    # when / then
    assert _visible(advisor) == {theirs.pk}


def test_teamless_advisor_sees_their_own_customers_only(team):
    # given
    loner = builders.advisor()
    mine = builders.customer(advisor=loner)
    builders.customer(team=team)

    # when / then
    assert _visible(loner) == {mine.pk}


def test_admin_sees_everyone(admin, advisor, outsider):
    # given
    builders.customer(advisor=advisor)
    builders.customer(advisor=outsider)
    builders.customer()

    # when / then
    assert len(_visible(admin)) == 3


def test_customer_access_returns_a_visible_customer(advisor):
    # given
    customer = builders.customer(advisor=advisor)

    # when / then
    assert customer_access(advisor=advisor, customer_id=customer.pk) == customer


def test_customer_access_to_an_invisible_customer_is_not_found(advisor, outsider):
    # given
    theirs = builders.customer(advisor=outsider)

    # when / then
    with pytest.raises(NotFound):
        customer_access(advisor=advisor, customer_id=theirs.pk)


def test_customer_access_to_an_absent_customer_is_not_found(advisor):
    with pytest.raises(NotFound):
        customer_access(advisor=advisor, customer_id=987654)


def test_case_access_through_the_customer(advisor, colleague):
    # given
    case = builders.case(customer=builders.customer(advisor=colleague))

    # when / then
    assert case_access(advisor=advisor, case_id=case.pk) == case


def test_case_access_of_another_teams_case_is_not_found(advisor, outsider):
    # given
    case = builders.case(customer=builders.customer(advisor=outsider))

    # when / then
    with pytest.raises(NotFound):
        case_access(advisor=advisor, case_id=case.pk)


def test_case_access_for_the_owner_of_a_case_of_another_team(advisor, outsider):
    # given
    case = builders.case(customer=builders.customer(advisor=outsider))
    case_hand_over(case=case, to=advisor, by=outsider, context_note="Parle allemand.")

    # when / then
    assert case_access(advisor=advisor, case_id=case.pk) == case


def test_case_access_for_an_admin(admin, outsider):
    # given
    case = builders.case(customer=builders.customer(advisor=outsider))

    # when / then
    assert case_access(advisor=admin, case_id=case.pk) == case


def test_case_access_to_an_absent_case_is_not_found(admin):
    with pytest.raises(NotFound):
        case_access(advisor=admin, case_id=987654)
