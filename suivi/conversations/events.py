"""Events other packages may subscribe to (see suivi.core.events)."""

from suivi.core.events import DomainEvent

# case=Case; after the case was created.
case_opened = DomainEvent("case_opened")

# interaction=Interaction, case=Case | None; after the case's clocks were updated.
interaction_recorded = DomainEvent("interaction_recorded")

# case=Case, previous=str (the former status); after the case row was saved.
case_status_changed = DomainEvent("case_status_changed")

# case=Case, to=Advisor, by=Advisor | None, handoff=Handoff | None; after the case row was
# saved with its new owner (a handoff, or an unowned case given an owner). The live inbox
# tells the receiver.
case_assigned = DomainEvent("case_assigned")
