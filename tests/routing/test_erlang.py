"""Erlang C against textbook values."""

import math

import pytest

from suivi.routing.erlang import average_speed_of_answer, erlang_c, estimated_wait


@pytest.mark.parametrize(
    ("agents", "traffic", "waits"),
    [
        (1, 0.5, 0.5),  # M/M/1: the probability to wait is the utilisation ρ
        (2, 1.0, 1 / 3),  # M/M/2: 2ρ² / (1 + ρ) with ρ = 0.5
        (3, 2.0, 4 / 9),  # M/M/3, A = 2 erlangs
        # The classic call-centre example: 360 calls per half hour of 240 s, 55 agents.
        (55, 48.0, 0.2387),
    ],
)
def test_probability_of_waiting(agents, traffic, waits):
    assert erlang_c(agents, traffic) == pytest.approx(waits, abs=1e-4)


def test_average_speed_of_answer_of_the_call_centre_example():
    assert average_speed_of_answer(55, 48.0, 240) == pytest.approx(8.18, abs=0.01)


def test_an_overloaded_queue_has_no_steady_state():
    assert erlang_c(2, 2.0) == 1.0
    assert math.isinf(average_speed_of_answer(2, 2.5, 300))


def test_nobody_on_duty_means_no_honest_figure():
    assert math.isinf(estimated_wait(agents=0, arrivals_per_hour=1, handling_seconds=60, waiting=0))


def test_contacts_already_waiting_are_served_first():
    # 4 waiting ahead, 2 agents, 5 minutes each: the newcomer is the fifth, 2 at a time.
    wait = estimated_wait(agents=2, arrivals_per_hour=0, handling_seconds=300, waiting=4)
    assert wait == pytest.approx(5 * 300 / 2)
