"""The live contacts each channel counts in an advisor's routing load.

Registered with `suivi.routing.live_load` in ChannelsConfig.ready(): routing may not
import the channels, so they tell it what "held" means for them (docs/routing.md).
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from suivi.core.vocabulary import Channel
from suivi.routing.live_load import live_contacts_register

# A call whose `call.ended` never came (a PBX restart, a lost webhook) must not keep
# its advisor "on the phone" for ever.
CALL_LONGEST = timedelta(hours=4)
# Likewise a chat the customer left and nobody ended: it stops counting 12 hours after it began.
CHAT_LONGEST = timedelta(hours=12)


def calls_in_progress(moment: datetime) -> QuerySet[Any]:
    """Calls answered and not ended: one each against the phone capacity."""
    from .phone.models import PhoneCall

    return PhoneCall.objects.filter(
        answered_at__isnull=False, ended_at__isnull=True, answered_at__gt=moment - CALL_LONGEST
    )


def chats_held(moment: datetime) -> QuerySet[Any]:
    """Chats handed to an advisor, waiting for them or live: against the chat capacity."""
    from .chat.models import ChatConversation

    Status = ChatConversation.Status
    return ChatConversation.objects.filter(
        status__in=[Status.WAITING, Status.LIVE], started_at__gt=moment - CHAT_LONGEST
    )


def register() -> None:
    live_contacts_register(Channel.PHONE, held=calls_in_progress, advisor_field="answered_by")
    live_contacts_register(Channel.CHAT, held=chats_held, advisor_field="advisor")
