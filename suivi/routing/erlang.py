"""Erlang C: how long a contact waits in a queue served by N people. Pure functions.

Offered traffic A = arrival rate × mean handling time (in erlangs). With N agents and
A < N, the probability that a contact waits is C(N, A), and the mean wait (average
speed of answer) is C(N, A) × handling time / (N − A). See docs/routing.md.
"""

import math


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability, by the stable recursion B(k) = A·B(k−1) / (k + A·B(k−1))."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait; 1 when the queue is unstable (A ≥ N)."""
    if agents <= 0 or traffic >= agents:
        return 1.0
    if traffic <= 0:
        return 0.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


def average_speed_of_answer(agents: int, traffic: float, handling_seconds: float) -> float:
    """Mean wait in seconds of all contacts; infinite when the queue is unstable."""
    if agents <= 0 or traffic >= agents:
        return math.inf
    return erlang_c(agents, traffic) * handling_seconds / (agents - traffic)


def estimated_wait(
    *, agents: int, arrivals_per_hour: float, handling_seconds: float, waiting: int
) -> float:
    """What a contact arriving now should expect, in seconds (infinite: nobody answers).

    The larger of the steady-state Erlang C wait and the wait behind the contacts
    already queued: with every agent busy, the k waiting ahead and the newcomer leave
    the queue at N / handling time per second, so the newcomer waits (k + 1)·h / N."""
    if agents <= 0:
        return math.inf
    traffic = arrivals_per_hour / 3600 * handling_seconds
    behind_queue = (waiting + 1) * handling_seconds / agents if waiting else 0.0
    steady = average_speed_of_answer(agents, traffic, handling_seconds)
    if math.isinf(steady):
        # Overloaded: no steady state exists; the queue in front is the honest figure.
        return max(behind_queue, handling_seconds / agents)
    return max(steady, behind_queue)
