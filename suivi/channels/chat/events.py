"""Events the chat publishes (see suivi.core.events); the live desk subscribes.

A chat handed to an advisor (`chat_waiting`): advisor_id=int, conversation_id=int,
case_id=int, customer_id=int. A chat that no longer waits for that advisor
(`chat_settled`: a person answered it, or it ended): advisor_id=int, conversation_id=int.
Published inside their transactions; subscribers act after the commit.
"""

from suivi.core.events import DomainEvent

chat_waiting = DomainEvent("chat_waiting")
chat_settled = DomainEvent("chat_settled")
