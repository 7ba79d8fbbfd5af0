"""Events other packages may subscribe to (see suivi.core.events)."""

from suivi.core.events import DomainEvent

# article_id=int, version_id=int, urgent=bool; in the transaction that stored the version
# as published (an urgent publication, or the sweep after a window). Readers do not need
# it: they see a scheduled version at its window already (see models). It is for
# reactions such as refreshing a cache or telling editors.
version_published = DomainEvent("knowledge_version_published")
