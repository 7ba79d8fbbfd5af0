"""Events other packages may subscribe to (see suivi.core.events).

`alerts_raised` is the hook for the live push of a later issue: a Channels consumer
subscribes and sends each advisor their alert. It is published after the commit, so a
subscriber never announces an alert that was rolled back.
"""

from suivi.core.events import DomainEvent

# alerts=list[tuple[int, int, str]]: (advisor_id, promise_id, Alert.Kind) just created.
alerts_raised = DomainEvent("alerts_raised")
