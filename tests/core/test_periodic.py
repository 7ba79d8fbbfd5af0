import pytest
from django.core.management import call_command

from suivi.core import periodic
from suivi.core.periodic import PeriodicTask, Schedule

from . import periodic_tasks


def test_first_tick_runs_every_task_then_each_on_its_interval():
    fast, slow = PeriodicTask("a", 10), PeriodicTask("b", 60)
    schedule = Schedule([fast, slow])

    assert schedule.due(100.0) == [fast, slow]
    assert schedule.due(105.0) == []
    assert schedule.due(110.0) == [fast]
    assert schedule.seconds_to_next(110.0) == 10.0
    assert schedule.due(160.0) == [fast, slow]


def test_an_interval_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        periodic.register("x", every_seconds=0)


def test_clock_once_enqueues_registered_tasks(monkeypatch):
    # given a registry holding only the test task (the real registry is restored after)
    monkeypatch.setattr(periodic, "_registry", {})
    periodic.register("tests.core.periodic_tasks.touch", every_seconds=30)
    periodic_tasks.calls.clear()

    # when (the test settings run tasks immediately)
    call_command("clock", "--once")

    # then
    assert periodic_tasks.calls == ["touched"]


def test_clock_survives_a_task_that_cannot_be_enqueued(monkeypatch, caplog):
    monkeypatch.setattr(periodic, "_registry", {})
    periodic.register("tests.core.periodic_tasks.missing", every_seconds=30)
    periodic.register("tests.core.periodic_tasks.touch", every_seconds=30)
    periodic_tasks.calls.clear()

    call_command("clock", "--once")

    assert periodic_tasks.calls == ["touched"]
    assert "Could not enqueue tests.core.periodic_tasks.missing" in caplog.text
