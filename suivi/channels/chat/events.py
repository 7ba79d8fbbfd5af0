"""Events the chat publishes (see suivi.core.events); the live desk subscribes.

A chat handed to an advisor: advisor_id=int, conversation_id=int, case_id=int,
customer_id=int. Published inside the hand-over's transaction; subscribers act after the
commit.
"""

from suivi.core.events import DomainEvent

chat_waiting = DomainEvent("chat_waiting")
