"""Background work for appointments: thin wrappers around services."""

from django_tasks import task


@task()
def send_appointment_email(*, appointment_id: int, kind: str) -> bool:
    from .notifications import appointment_notify

    return appointment_notify(appointment_id=appointment_id, kind=kind)


@task()
def send_appointment_reminders() -> int:
    from .reminders import appointments_send_reminders

    return appointments_send_reminders()
