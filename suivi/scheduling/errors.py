"""What can go wrong when booking, checking in or recording a visit, with stable codes."""

from django.utils.translation import gettext_lazy as _

from suivi.core.errors import Conflict, InvalidInput, NotFound


class SlotTaken(Conflict):
    """Someone else took the slot between the offer and the booking; `alternatives` are
    the next free slots (list of (starts_at, ends_at))."""

    code = "slot_taken"
    default_message = _("This time has just been taken. Please choose another one.")


class SlotNotOffered(InvalidInput):
    code = "slot_not_offered"
    default_message = _("This time is not offered for this appointment.")


class AppointmentNotChangeable(Conflict):
    code = "appointment_not_changeable"
    default_message = _("This appointment can no longer be changed.")


class TypeNotOffered(InvalidInput):
    code = "type_not_offered"
    default_message = _("This kind of appointment is not offered at this location.")


class CheckInClosed(Conflict):
    code = "check_in_closed"
    default_message = _("Check-in opens one hour before the appointment, on the day.")


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"
    default_message = _("You are already on the waiting list.")


class NobodyWaiting(Conflict):
    code = "nobody_waiting"
    default_message = _("Nobody is waiting.")


class VisitNotOpen(Conflict):
    code = "visit_not_open"
    default_message = _("This visit is not in progress.")


class InvalidLink(NotFound):
    """A tampered or unknown signed link looks like a missing page."""

    code = "invalid_link"
    default_message = _("This link is not valid.")


class ContactRequired(InvalidInput):
    code = "contact_required"
    default_message = _("Give an e-mail address or a phone number so that we can reach you.")


class InvalidWindow(InvalidInput):
    code = "invalid_window"
    default_message = _("The end of the window must come after its start.")


class NameRequired(InvalidInput):
    code = "name_required"
    default_message = _("Give the person's name.")


class CallbackNotOpen(Conflict):
    code = "callback_not_open"
    default_message = _("This callback was already made or cancelled.")


class CallbackReasonRequired(InvalidInput):
    code = "callback_reason_required"
    default_message = _("Say why we will call.")


class CallbackWindowInPast(InvalidInput):
    code = "callback_window_in_past"
    default_message = _("This time has already passed. Please choose a later one.")


class CallbackWindowTooFar(InvalidInput):
    code = "callback_window_too_far"
    default_message = _("Choose a window of at most 7 days, within the next 90 days.")


class CallbackWindowIncomplete(InvalidInput):
    code = "callback_window_incomplete"
    default_message = _(
        "Give both the start and the end of the window, or ask for a call as soon as possible."
    )


class CallbackPhoneRequired(InvalidInput):
    code = "callback_phone_required"
    default_message = _("Give a phone number so that we can call you back.")


class CallbackCaseMismatch(InvalidInput):
    code = "callback_case_mismatch"
    default_message = _("This case belongs to another customer.")


class CallbackSlotNotOffered(Conflict):
    """The window is not (or no longer) offered; `alternatives` are the next offered
    windows (list of CallbackSlot)."""

    code = "callback_slot_not_offered"
    default_message = _("Nobody can call you at this time. Please choose another one.")


class CallbackOutcomeInvalid(InvalidInput):
    code = "callback_outcome_invalid"
    default_message = _("Unknown outcome: reached, no_answer or wrong_number.")
