"""Events other packages may subscribe to (see suivi.core.events).

Both are published after the commit, so a subscriber (the live inbox) never announces a
callback that was rolled back.
"""

from suivi.core.events import DomainEvent

# callback_id, customer_id, advisor_id (None when nobody could be assigned): a new
# callback to make, for the live inbox to show on that advisor's desk.
callback_requested = DomainEvent("callback_requested")
# callback_id, customer_id, advisor_id, status: a callback left the advisor's list
# (done, cancelled, unreachable, wrong number).
callback_closed = DomainEvent("callback_closed")
