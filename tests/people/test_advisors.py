import pytest
from django.contrib.auth.models import AnonymousUser

from suivi.core.errors import NotFound
from suivi.people.models import Advisor
from suivi.people.selectors import advisor_for_user, advisor_get, advisors_list
from suivi.people.services import (
    InvalidBackup,
    UsernameTaken,
    advisor_create,
    advisor_set_backup,
    team_create,
)

from .. import builders

pytestmark = pytest.mark.django_db


def test_advisor_create_makes_a_user_who_can_log_in(team):
    # when
    advisor = advisor_create(
        username="lea", password="a-long-test-password", display_name="Léa", team=team
    )

    # then
    assert advisor.user.username == "lea"
    assert advisor.user.check_password("a-long-test-password")
    assert advisor.team == team
    assert advisor.languages == ["fr"]
    assert not advisor.is_admin


def test_advisor_create_refuses_a_taken_username(advisor):
    # when / then
    with pytest.raises(UsernameTaken):
        advisor_create(username=advisor.user.username, password=None, display_name="Other")


def test_admin_advisor_is_staff_and_admin():
    # when
    admin = advisor_create(username="root", password=None, display_name="Root", role="admin")

    # then
    assert admin.is_admin
    assert admin.user.is_staff


def test_first_lead_of_a_team_becomes_its_lead(team):
    # when
    lead = builders.advisor(team=team, role=Advisor.Role.LEAD)
    builders.advisor(team=team, role=Advisor.Role.LEAD)

    # then
    team.refresh_from_db()
    assert team.lead == lead


def test_team_create_is_idempotent():
    # when
    first = team_create(name="Pros")
    again = team_create(name="Pros")

    # then
    assert first.pk == again.pk


def test_advisor_set_backup_names_the_backup(advisor, colleague):
    # when
    advisor_set_backup(advisor=advisor, backup=colleague)

    # then
    advisor.refresh_from_db()
    assert advisor.backup == colleague


def test_advisor_set_backup_can_clear_the_backup(advisor, colleague):
    # given
    advisor_set_backup(advisor=advisor, backup=colleague)

    # when
    advisor_set_backup(advisor=advisor, backup=None)

    # then
    advisor.refresh_from_db()
    assert advisor.backup is None


def test_advisor_cannot_back_themselves_up(advisor):
    # when / then
    with pytest.raises(InvalidBackup):
        advisor_set_backup(advisor=advisor, backup=advisor)


def test_advisor_for_user_finds_the_advisor(advisor):
    assert advisor_for_user(advisor.user) == advisor


def test_advisor_for_anonymous_user_is_none():
    assert advisor_for_user(AnonymousUser()) is None


def test_advisor_get_of_an_unknown_id_is_not_found():
    with pytest.raises(NotFound):
        advisor_get(advisor_id=987654)


def test_advisors_list_is_ordered_by_name(team):
    # given
    builders.advisor(team=team, name="Zoé")
    builders.advisor(team=team, name="Ali")

    # when
    names = [a.display_name for a in advisors_list()]

    # then
    assert names == sorted(names)
