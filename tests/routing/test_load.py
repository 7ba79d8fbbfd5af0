"""Load and availability are read in one query, whatever the number of advisors."""

from django.db.models import Q

from suivi.routing.availability import advisor_states, within_working_hours
from suivi.routing.services import capacity_set

from .conftest import WEDNESDAY_10AM, give_open_cases, make_advisor


def _states_query_count(world, django_assert_num_queries, expected_advisors):
    with django_assert_num_queries(1):
        states = advisor_states(
            who=Q(team=world.team),
            moment=WEDNESDAY_10AM,
            channel="email",
            lead_of_team=world.team.pk,
        )
    assert len(states) == expected_advisors
    return {s.advisor.display_name: s for s in states}


def test_one_query_for_five_advisors_and_for_twenty_five(world, django_assert_num_queries):
    # given five advisors
    _states_query_count(world, django_assert_num_queries, 5)

    # when twenty more join, each with cases
    for n in range(20):
        give_open_cases(make_advisor(world.team, f"Extra{n}"), 2)

    # then still one query
    states = _states_query_count(world, django_assert_num_queries, 25)
    assert states["Extra7"].open_cases == 2


def test_states_carry_open_cases_capacity_and_the_lead(world, django_assert_num_queries):
    capacity_set(advisor=world.karim, channel="email", limit=7)

    states = _states_query_count(world, django_assert_num_queries, 5)

    assert states["Nadia"].open_cases == 5 and states["Nadia"].is_team_lead
    assert states["Karim"].capacity == 7
    assert states["Marie"].capacity == 20 and not states["Marie"].is_team_lead


def test_working_hours_in_the_sites_time_zone_and_overnight():
    hours = {"wed": [["22:00", "06:00"]], "thu": [["09:00", "12:00"]]}
    # Wednesday 10:00 in Paris is 08:00 UTC
    assert not within_working_hours(hours, WEDNESDAY_10AM)
    assert within_working_hours(hours, WEDNESDAY_10AM.replace(hour=21))  # 23:00 Paris
    assert within_working_hours(hours, WEDNESDAY_10AM.replace(day=17, hour=3))  # Thu 05:00
    assert not within_working_hours(hours, WEDNESDAY_10AM.replace(day=17, hour=5))  # Thu 07:00
    assert within_working_hours({}, WEDNESDAY_10AM)
