from datetime import timedelta

from django.core import mail
from django.core.management import call_command

from suivi.conversations.models import Interaction
from suivi.customers import services as customer_services
from suivi.scheduling import services
from suivi.scheduling.reminders import appointments_send_reminders
from tests import builders

from .conftest import at


def test_reminders_are_emailed_once(
    clock_hand, shop, repair, technician, customer, django_capture_on_commit_callbacks
):
    services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(4, 10)
    )
    clock_hand.advance(timedelta(hours=6))  # Monday 14:00, 20 h before
    with django_capture_on_commit_callbacks(execute=True):
        assert appointments_send_reminders() == 1
        assert appointments_send_reminders() == 0
    (message,) = mail.outbox
    assert message.to == ["helene@example.org"]
    assert "Réparation" in message.subject  # the French label: the customer speaks French
    assert Interaction.objects.get(customer=customer).metadata["reminder"] is True


def test_no_reminder_too_early(clock_hand, shop, repair, technician, customer):
    services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(5, 10)
    )
    assert appointments_send_reminders() == 0


def test_phone_preference_puts_a_reminder_due_on_the_timeline(clock_hand, shop, repair, technician):
    customer = builders.customer(phone="+33611111111")
    customer_services.customer_update(customer=customer, changes={"preferred_channel": "phone"})
    services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(4, 10)
    )
    clock_hand.advance(timedelta(hours=6))
    assert appointments_send_reminders() == 1
    reminder = Interaction.objects.get(customer=customer)
    assert reminder.channel == "phone" and reminder.author_kind == "system"
    assert reminder.direction == "out" and reminder.metadata["sent"] is False
    assert mail.outbox == []


def test_moving_an_appointment_asks_for_a_new_reminder(
    clock_hand, shop, repair, technician, customer
):
    appointment = services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(4, 10)
    )
    clock_hand.advance(timedelta(hours=6))
    appointments_send_reminders()
    services.appointment_move(appointment=appointment, starts_at=at(4, 11))
    assert appointments_send_reminders() == 1


def test_management_command_runs_one_sweep(clock_hand, shop, repair, technician, customer, capsys):
    services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(4, 10)
    )
    clock_hand.advance(timedelta(hours=6))
    call_command("appointments_remind")
    assert "1" in capsys.readouterr().out
