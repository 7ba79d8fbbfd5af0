"""Events the phone adapter publishes (see suivi.core.events).

Published after the commit, so a subscriber (the live inbox's screen-pop) never announces
a call that was rolled back.
"""

from suivi.core.events import DomainEvent

# A call rings for an advisor: advisor_id=int, customer_id=int, call_id=str (the PBX's
# call id), from_number=str (E.164), interaction_id=int | None.
call_ringing = DomainEvent("call_ringing")

# A call that rang for an advisor no longer rings for them: answered (by them or by
# someone else), ended, sent to voicemail, or now ringing for another advisor. The
# screen-pop gives way to a short notice. advisor_id=int (whose phone rang), call_id=str.
call_settled = DomainEvent("call_settled")
